#include "scenarios/graph_reader.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

namespace ckptsim::scenarios {
namespace {

constexpr std::array<std::string_view, 5> kVertexKeys{"name", "parallelism", "records", "task_managers",
                                                      "operators"};
constexpr std::array<std::string_view, 2> kOperatorKeys{"name", "kind"};
constexpr std::array<std::string_view, 3> kEdgeKeys{"from", "to", "partitioning"};
// The names model::ParseOperatorKind and model::ParsePartitioning accept.
constexpr std::array<std::string_view, 11> kOperatorKindNames{
    "bounded_source", "unbounded_source",  "map",              "keyed_aggregate",
    "union_state",    "broadcast_state",   "buffering",        "two_phase_commit_sink",
    "sink_v2_writer", "sink_v2_committer", "event_time_window"};
constexpr std::array<std::string_view, 5> kPartitioningNames{"forward", "rescale", "hash", "rebalance",
                                                             "broadcast"};

// Flink's upper bound for a job's max parallelism; larger is surely a typo.
constexpr int64_t kMaxParallelism = 32768;

// A name already taken, and the line that took it.
struct NameAndLine {
  std::string name;
  int line = 0;
};

// "vertex 'B'" when the item carries a plain name, else "vertex #2".
std::string ItemContext(std::string_view what, const Located& item, int index) {
  if (item.node.IsMap()) {
    YAML::Node name = item.node["name"];
    if (name.IsScalar()) return fmt::format("{} '{}'", what, name.Scalar());
  }
  return fmt::format("{} #{}", what, index + 1);
}

// "edge A -> B" when both ends are plain names, else "edge #3".
std::string EdgeContext(const Located& item, int index) {
  if (item.node.IsMap()) {
    YAML::Node from = item.node["from"];
    YAML::Node to = item.node["to"];
    if (from.IsScalar() && to.IsScalar()) return fmt::format("edge {} -> {}", from.Scalar(), to.Scalar());
  }
  return fmt::format("edge #{}", index + 1);
}

// Reports `name` if an earlier entry of `seen` has it, then records it.
void CheckUnique(MapReader& reader, const Located& value, const std::string& name,
                 std::vector<NameAndLine>* seen) {
  for (const NameAndLine& other : *seen) {
    if (other.name == name) {
      reader.Report(value, fmt::format("'{}' is already used on line {}", name, other.line));
    }
  }
  seen->push_back({name, value.line});
}

// `records: 40` (the same for every subtask) or `records: [0, 40]` (one per
// subtask); the same shapes for `task_managers`.
std::optional<std::vector<int64_t>> ReadPerSubtask(MapReader& vertex, const Located& value, int parallelism,
                                                   IntBounds bounds) {
  if (!value.node.IsSequence()) {
    std::optional<int64_t> number = vertex.Int(value, bounds);
    if (!number) return std::nullopt;
    return std::vector<int64_t>(parallelism, *number);
  }
  std::vector<int64_t> numbers;
  std::vector<Located> items = *vertex.List(value);  // a sequence always converts
  for (const Located& item : items) {
    std::optional<int64_t> number = vertex.Int(item, bounds);
    if (!number) return std::nullopt;
    numbers.push_back(*number);
  }
  if (static_cast<int>(numbers.size()) != parallelism) {
    vertex.Report(value, fmt::format("lists {} values, but parallelism is {} (give one value per "
                                     "subtask, or a single number for all of them)",
                                     numbers.size(), parallelism));
    return std::nullopt;
  }
  return numbers;
}

std::vector<model::OperatorSpec> ReadOperators(MapReader& vertex, Diagnostics* diagnostics,
                                               std::vector<NameAndLine>* operator_names) {
  std::vector<model::OperatorSpec> operators;
  std::optional<Located> value = vertex.Require("operators");
  if (!value) return operators;
  std::optional<std::vector<Located>> items = vertex.List(*value);
  if (!items) return operators;
  if (items->empty()) vertex.Report(*value, "must list at least one operator (chained, head first)");
  for (int index = 0; index < static_cast<int>(items->size()); ++index) {
    const Located& item = (*items)[index];
    MapReader reader(item, ItemContext("operator", item, index), kOperatorKeys, diagnostics);
    model::OperatorSpec spec;
    if (auto name = reader.Require("name")) {
      if (auto text = reader.Name(*name)) {
        spec.name = *text;
        CheckUnique(reader, *name, spec.name, operator_names);
      }
    }
    if (auto kind = reader.Require("kind")) {
      if (auto parsed = reader.Choice(*kind, "operator kind", model::ParseOperatorKind, kOperatorKindNames)) {
        spec.kind = *parsed;
      }
    }
    operators.push_back(std::move(spec));
  }
  return operators;
}

model::VertexSpec ReadVertex(MapReader& vertex, Diagnostics* diagnostics,
                             std::vector<NameAndLine>* vertex_names,
                             std::vector<NameAndLine>* operator_names) {
  model::VertexSpec spec;
  if (auto name = vertex.Require("name")) {
    if (auto text = vertex.Name(*name)) {
      spec.name = *text;
      CheckUnique(vertex, *name, spec.name, vertex_names);
    }
  }
  if (auto parallelism = vertex.Require("parallelism")) {
    if (auto number = vertex.Int(*parallelism, {.min = 1, .max = kMaxParallelism})) {
      spec.parallelism = static_cast<int>(*number);
    }
  }
  spec.operators = ReadOperators(vertex, diagnostics, operator_names);

  bool bounded_head =
      !spec.operators.empty() && spec.operators.front().kind == model::OperatorKind::kBoundedSource;
  std::optional<Located> records = vertex.Find("records");
  if (bounded_head && !records) {
    vertex.Report(vertex.line(), fmt::format("missing required key 'records' (its head operator '{}' "
                                             "is a bounded_source)",
                                             spec.operators.front().name));
  } else if (!bounded_head && records) {
    vertex.Report(*records, "only a vertex whose head operator is a bounded_source has records");
  } else if (records) {
    if (auto counts = ReadPerSubtask(vertex, *records, spec.parallelism, {.min = 0})) {
      spec.records_per_subtask = std::move(*counts);
    }
  }
  if (auto layout = vertex.Find("task_managers")) {
    if (auto indices =
            ReadPerSubtask(vertex, *layout, spec.parallelism, {.min = 0, .max = kMaxParallelism})) {
      spec.task_manager_of_subtask.assign(indices->begin(), indices->end());
    }
  }
  return spec;
}

// The index of the vertex an edge end names, or nullopt after reporting.
std::optional<int> ReadEdgeEnd(MapReader& edge, std::string_view key,
                               const std::vector<model::VertexSpec>& vertices) {
  std::optional<Located> value = edge.Require(key);
  if (!value) return std::nullopt;
  std::optional<std::string> name = edge.String(*value);
  if (!name) return std::nullopt;
  std::vector<std::string_view> names;
  for (int v = 0; v < static_cast<int>(vertices.size()); ++v) {
    if (vertices[v].name == *name) return v;
    names.push_back(vertices[v].name);
  }
  edge.Report(*value, fmt::format("unknown vertex '{}'{}; vertices: {}", *name, DidYouMean(*name, names),
                                  JoinNames(names)));
  return std::nullopt;
}

}  // namespace

model::JobGraphSpec ReadJobGraph(MapReader& top, Diagnostics* diagnostics, GraphLines* lines) {
  model::JobGraphSpec spec;
  lines->vertices_line = top.line();
  std::vector<NameAndLine> vertex_names;
  std::vector<NameAndLine> operator_names;
  if (std::optional<Located> vertices = top.Require("vertices")) {
    lines->vertices_line = vertices->line;
    std::optional<std::vector<Located>> items = top.List(*vertices);
    for (int index = 0; items && index < static_cast<int>(items->size()); ++index) {
      const Located& item = (*items)[index];
      MapReader vertex(item, ItemContext("vertex", item, index), kVertexKeys, diagnostics);
      spec.vertices.push_back(ReadVertex(vertex, diagnostics, &vertex_names, &operator_names));
      lines->vertex_lines.push_back(item.line);
    }
  }
  if (std::optional<Located> edges = top.Find("edges")) {
    std::optional<std::vector<Located>> items = top.List(*edges);
    for (int index = 0; items && index < static_cast<int>(items->size()); ++index) {
      const Located& item = (*items)[index];
      MapReader edge(item, EdgeContext(item, index), kEdgeKeys, diagnostics);
      model::EdgeSpec edge_spec;
      edge_spec.from = ReadEdgeEnd(edge, "from", spec.vertices).value_or(0);
      edge_spec.to = ReadEdgeEnd(edge, "to", spec.vertices).value_or(0);
      if (auto value = edge.Require("partitioning")) {
        if (auto parsed = edge.Choice(*value, "partitioning", model::ParsePartitioning, kPartitioningNames)) {
          edge_spec.partitioning = *parsed;
        }
      }
      spec.edges.push_back(edge_spec);
      lines->edge_lines.push_back(item.line);
    }
  }
  return spec;
}

std::shared_ptr<const model::JobGraph> CompileJobGraph(const model::JobGraphSpec& spec,
                                                       const GraphLines& lines, Diagnostics* diagnostics) {
  model::GraphError error;
  std::optional<model::JobGraph> graph = model::JobGraph::Compile(spec, &error);
  if (graph) return std::make_shared<const model::JobGraph>(std::move(*graph));
  int line = lines.vertices_line;
  if (error.edge >= 0 && error.edge < static_cast<int>(lines.edge_lines.size())) {
    line = lines.edge_lines[error.edge];
  } else if (error.vertex >= 0 && error.vertex < static_cast<int>(lines.vertex_lines.size())) {
    line = lines.vertex_lines[error.vertex];
  }
  diagnostics->Report(line, error.message);
  return nullptr;
}

}  // namespace ckptsim::scenarios
