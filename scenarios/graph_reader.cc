#include "scenarios/graph_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <string_view>
#include <utility>

#include "scenarios/input_limits.h"

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

// Names already taken, and the line that took each.
using NamesAndLines = std::map<std::string, int>;

// The scalar under `key` of a mapping, if there is one. (A lookup with
// operator[] would throw yaml-cpp's "invalid node" on a missing key.)
std::optional<std::string> ScalarAt(const YAML::Node& node, std::string_view key) {
  if (!node.IsMap()) return std::nullopt;
  for (const auto& entry : node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key && entry.second.IsScalar()) {
      return entry.second.Scalar();
    }
  }
  return std::nullopt;
}

// "vertex 'B'" when the item carries a plain name, else "vertex #2".
std::string ItemContext(std::string_view what, const Located& item, int index) {
  if (auto name = ScalarAt(item.node, "name")) return fmt::format("{} '{}'", what, ShownValue(*name));
  return fmt::format("{} #{}", what, index + 1);
}

// "edge A -> B" when both ends are plain names, else "edge #3".
std::string EdgeContext(const Located& item, int index) {
  std::optional<std::string> from = ScalarAt(item.node, "from");
  std::optional<std::string> to = ScalarAt(item.node, "to");
  if (from && to) return fmt::format("edge {} -> {}", ShownValue(*from), ShownValue(*to));
  return fmt::format("edge #{}", index + 1);
}

// Reports `name` if `seen` has it already, else records it.
void CheckUnique(MapReader& reader, const Located& value, const std::string& name, NamesAndLines* seen) {
  auto [it, inserted] = seen->emplace(name, value.line);
  if (!inserted) reader.Report(value, fmt::format("'{}' is already used on line {}", name, it->second));
}

// The channels an edge makes between `from` and `to` subtasks.
int64_t EdgeChannels(model::Partitioning partitioning, int64_t from, int64_t to) {
  switch (partitioning) {
    case model::Partitioning::kForward: return from;
    case model::Partitioning::kRescale: return std::max(from, to);
    case model::Partitioning::kHash:
    case model::Partitioning::kRebalance:
    case model::Partitioning::kBroadcast: return from * to;
  }
  return from * to;
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
                                               NamesAndLines* operator_names) {
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
                             NamesAndLines* vertex_names,
                             NamesAndLines* operator_names) {
  model::VertexSpec spec;
  if (auto name = vertex.Require("name")) {
    if (auto text = vertex.Name(*name)) {
      spec.name = *text;
      CheckUnique(vertex, *name, spec.name, vertex_names);
    }
  }
  if (auto parallelism = vertex.Require("parallelism")) {
    if (auto number = vertex.Int(*parallelism, {.min = 1, .max = kParallelismMax})) {
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
    if (auto counts = ReadPerSubtask(vertex, *records, spec.parallelism, {.min = 0, .max = kRecordsPerSubtaskMax})) {
      spec.records_per_subtask = std::move(*counts);
    }
  }
  if (auto layout = vertex.Find("task_managers")) {
    if (auto indices =
            ReadPerSubtask(vertex, *layout, spec.parallelism, {.min = 0, .max = kSubtasksMax})) {
      spec.task_manager_of_subtask.assign(indices->begin(), indices->end());
    }
  }
  return spec;
}

// The index of the vertex an edge end names, or nullopt after reporting.
std::optional<int> ReadEdgeEnd(MapReader& edge, std::string_view key, const std::vector<model::VertexSpec>& vertices,
                               const std::map<std::string, int, std::less<>>& index_of) {
  std::optional<Located> value = edge.Require(key);
  if (!value) return std::nullopt;
  std::optional<std::string> name = edge.String(*value);
  if (!name) return std::nullopt;
  if (auto it = index_of.find(*name); it != index_of.end()) return it->second;
  std::vector<std::string_view> names;
  for (const model::VertexSpec& vertex : vertices) names.push_back(vertex.name);
  constexpr size_t kListedMax = 20;
  const std::string listed =
      names.size() <= kListedMax
          ? JoinNames(names)
          : fmt::format("{}, ... ({} in all)", JoinNames(std::span(names).first(kListedMax)), names.size());
  edge.Report(*value, fmt::format("unknown vertex '{}'{}; vertices: {}", ShownValue(*name), DidYouMean(*name, names),
                                  listed));
  return std::nullopt;
}

}  // namespace

model::JobGraphSpec ReadJobGraph(MapReader& top, Diagnostics* diagnostics, GraphLines* lines) {
  model::JobGraphSpec spec;
  lines->vertices_line = top.line();
  NamesAndLines vertex_names;
  NamesAndLines operator_names;
  int64_t subtasks = 0;
  if (std::optional<Located> vertices = top.Require("vertices")) {
    lines->vertices_line = vertices->line;
    std::optional<std::vector<Located>> items = top.List(*vertices);
    for (int index = 0; items && index < static_cast<int>(items->size()); ++index) {
      const Located& item = (*items)[index];
      MapReader vertex(item, ItemContext("vertex", item, index), kVertexKeys, diagnostics);
      spec.vertices.push_back(ReadVertex(vertex, diagnostics, &vertex_names, &operator_names));
      lines->vertex_lines.push_back(item.line);
      subtasks += spec.vertices.back().parallelism;
      if (subtasks > kSubtasksMax) {
        vertex.Report(item.line, fmt::format("the job has {} subtasks up to this vertex; at most {} are allowed",
                                             subtasks, kSubtasksMax));
        return spec;
      }
      if (!diagnostics->ok()) return spec;
    }
  }
  if (std::optional<Located> edges = top.Find("edges")) {
    std::map<std::string, int, std::less<>> index_of;
    for (int v = 0; v < static_cast<int>(spec.vertices.size()); ++v) index_of.emplace(spec.vertices[v].name, v);
    std::optional<std::vector<Located>> items = top.List(*edges);
    for (int index = 0; items && index < static_cast<int>(items->size()); ++index) {
      const Located& item = (*items)[index];
      MapReader edge(item, EdgeContext(item, index), kEdgeKeys, diagnostics);
      model::EdgeSpec edge_spec;
      edge_spec.from = ReadEdgeEnd(edge, "from", spec.vertices, index_of).value_or(0);
      edge_spec.to = ReadEdgeEnd(edge, "to", spec.vertices, index_of).value_or(0);
      if (auto value = edge.Require("partitioning")) {
        if (auto parsed = edge.Choice(*value, "partitioning", model::ParsePartitioning, kPartitioningNames)) {
          edge_spec.partitioning = *parsed;
        }
      }
      spec.edges.push_back(edge_spec);
      lines->edge_lines.push_back(item.line);
      if (!diagnostics->ok()) return spec;
      const int64_t channels = EdgeChannels(edge_spec.partitioning, spec.vertices[edge_spec.from].parallelism,
                                            spec.vertices[edge_spec.to].parallelism);
      if (channels > kEdgeChannelsMax) {
        edge.Report(item.line, fmt::format("joins {} x {} subtasks with {} channels; one edge may have at most {}",
                                           spec.vertices[edge_spec.from].parallelism,
                                           spec.vertices[edge_spec.to].parallelism, channels, kEdgeChannelsMax));
        return spec;
      }
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
