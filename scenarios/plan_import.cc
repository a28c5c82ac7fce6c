#include "scenarios/plan_import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "scenarios/input_limits.h"
#include "scenarios/plan_chaining.h"
#include "scenarios/plan_draft.h"
#include "scenarios/plan_kinds.h"
#include "scenarios/plan_names.h"
#include "scenarios/plan_reader.h"

namespace ckptsim::scenarios {
namespace {

using model::OperatorKind;
using model::Partitioning;

std::string Quoted(const PlanNode& node) { return fmt::format("\"{}\"", OneLine(node.type, 80)); }

std::string NodeLabel(const PlanNode& node) { return fmt::format("node {} {}", node.id, Quoted(node)); }

// The partitioning a ship strategy becomes, and what a comment must say about it.
std::pair<Partitioning, std::string> MapStrategy(ShipStrategy strategy, int consumer_parallelism) {
  switch (strategy) {
    case ShipStrategy::kForward:
      return {Partitioning::kForward, ""};
    case ShipStrategy::kHash:
      return {Partitioning::kHash, ""};
    case ShipStrategy::kRebalance:
      return {Partitioning::kRebalance, ""};
    case ShipStrategy::kRescale:
      return {Partitioning::kRescale, ""};
    case ShipStrategy::kBroadcast:
      return {Partitioning::kBroadcast, ""};
    case ShipStrategy::kGlobal:
      return {Partitioning::kRebalance,
              consumer_parallelism == 1
                  ? "GLOBAL sends every record to the consumer's subtask 0; ckptsim has no such partitioning, and "
                    "rebalance, ALL_TO_ALL like it, is the same here (the consumer has parallelism 1)"
                  : "GLOBAL sends every record to the consumer's subtask 0; ckptsim has no such partitioning, so "
                    "rebalance, ALL_TO_ALL like it, stands in (records reach every consumer subtask)"};
    case ShipStrategy::kShuffle:
      return {Partitioning::kRebalance,
              "SHUFFLE picks a random channel per record; ckptsim has no such partitioning, so rebalance "
              "(round robin), ALL_TO_ALL like it, stands in and keeps runs reproducible"};
    case ShipStrategy::kCustom:
      return {Partitioning::kHash, "CUSTOM (partitionCustom) picks a channel from each record's key, as hash does"};
  }
  return {Partitioning::kRebalance, ""};
}

class Importer {
 public:
  Importer(const PlanGraph& graph, const PlanImportOptions& options, std::string display_name)
      : graph_(graph), options_(options), display_name_(std::move(display_name)) {}

  std::variant<ImportedPlan, ScenarioError> Run() {
    if (!ReadBoundedOptions()) return *error_;
    tasks_ = ChainOperators(graph_);
    BuildTasks();
    if (error_) return *error_;
    SplitSinksFromTasksWithOutputs();
    AddMissingSinks();
    AddSinkV2Committers();
    OrderAndName();
    if (!CompileCheck()) return *error_;
    FinishComments();
    WriteHeader();
    return ImportedPlan{.yaml = WriteScenarioYaml(job_), .summary = Summary()};
  }

 private:
  void Fail(const std::string& where, const std::string& message) {
    if (!error_) error_ = ScenarioError{display_name_, 0, fmt::format("{}: {}", where, message)};
  }

  bool ReadBoundedOptions() {
    std::vector<std::string> sources;
    for (const PlanNode& node : graph_.nodes) {
      if (node.role == PlanRole::kSource) sources.push_back(node.id);
    }
    const std::string source_list = sources.empty() ? "none" : fmt::format("{}", fmt::join(sources, ", "));
    for (const auto& [id, records] : options_.bounded_records) {
      const std::string option = fmt::format("--bounded {}={}", id, records);
      if (records < 0) {
        Fail(option, "a record count is 0 or more");
        return false;
      }
      if (!bounded_.emplace(id, records).second) {
        Fail(option, fmt::format("source {} is given twice", id));
        return false;
      }
      const PlanNode* named = nullptr;
      for (const PlanNode& node : graph_.nodes) {
        if (node.id == id && (named == nullptr || node.role == PlanRole::kSource)) named = &node;
      }
      if (named == nullptr) {
        Fail(option, fmt::format("no node has id {}; the plan's sources are {}", id, source_list));
        return false;
      }
      if (named->role != PlanRole::kSource) {
        Fail(option, fmt::format("{} is not a source; the plan's sources are {}", NodeLabel(*named), source_list));
        return false;
      }
    }
    return true;
  }

  DraftOperator MakeOperator(int n) {
    const PlanNode& node = graph_.nodes[n];
    DraftOperator op{.name = SanitizeName(node.type), .node = n};
    switch (node.role) {
      case PlanRole::kSource: {
        auto bounded = bounded_.find(node.id);
        if (bounded != bounded_.end()) {
          op.kind = OperatorKind::kBoundedSource;
          op.comment = fmt::format("{}, a source: bounded_source, {} records per subtask (--bounded{}{}={})",
                                   NodeLabel(node), bounded->second, kUnbrokenSpace, node.id, bounded->second);
        } else {
          op.kind = OperatorKind::kUnboundedSource;
          op.comment = fmt::format("{}, a source: unbounded_source (give --bounded{}{}=N for N records per subtask)",
                                   NodeLabel(node), kUnbrokenSpace, node.id);
        }
        break;
      }
      case PlanRole::kSink: {
        const bool v2 = options_.sink_kind == SinkKind::kSinkV2;
        op.kind = v2 ? OperatorKind::kSinkV2Writer : OperatorKind::kTwoPhaseCommitSink;
        op.comment = fmt::format("{}, a sink: {} (--sink-kind{}{})", NodeLabel(node), model::Name(op.kind),
                                 kUnbrokenSpace, v2 ? "sink-v2" : "2pc");
        if (!node.folded_sinks.empty()) {
          op.comment += fmt::format("; with {}, one sink here", fmt::join(node.folded_sinks, " and "));
        }
        break;
      }
      case PlanRole::kOperator: {
        const KindGuess guess = GuessOperatorKind(node.type, node.contents);
        op.kind = guess.kind;
        op.comment = fmt::format("{}: {} ({})", NodeLabel(node), model::Name(guess.kind), guess.reason);
        break;
      }
    }
    return op;
  }

  void BuildTasks() {
    for (const std::vector<int>& members : tasks_.tasks) {
      const PlanNode& head = graph_.nodes[members.front()];
      DraftVertex vertex{.parallelism = head.parallelism, .path = head.path};
      for (int n : members) vertex.operators.push_back(MakeOperator(n));
      if (vertex.operators.front().kind == OperatorKind::kBoundedSource) vertex.records = bounded_.at(head.id);
      vertices_.push_back(std::move(vertex));
    }
    std::map<std::pair<int, int>, std::string> pairs;  // task pair -> path of its edge
    for (size_t e = 0; e < graph_.edges.size(); ++e) {
      if (tasks_.chained[e]) continue;
      const PlanEdge& edge = graph_.edges[e];
      const int from = tasks_.task_of_node[edge.from];
      const int to = tasks_.task_of_node[edge.to];
      auto [it, inserted] = pairs.emplace(std::make_pair(from, to), edge.path);
      if (!inserted) {
        Fail(edge.path + ".id",
             fmt::format("a second edge from the task of node {} into the task of node {} (the first is {}); a "
                         "ckptsim job joins two tasks by one edge at most",
                         graph_.nodes[edge.from].id, graph_.nodes[edge.to].id, it->second));
        return;
      }
      const auto [partitioning, mapping] = MapStrategy(edge.strategy, graph_.nodes[edge.to].parallelism);
      std::string comment = fmt::format("node {} -> node {}: {}", graph_.nodes[edge.from].id, graph_.nodes[edge.to].id,
                                        Name(edge.strategy));
      if (!mapping.empty()) comment += "; " + mapping;
      if (!tasks_.edge_notes[e].empty()) comment += "; " + tasks_.edge_notes[e];
      edges_.push_back({.from = from,
                        .to = to,
                        .partitioning = partitioning,
                        .comment = comment,
                        .path = edge.path,
                        .from_node = edge.from});
    }
  }

  bool HasOutputs(int v) const {
    return std::any_of(edges_.begin(), edges_.end(), [&](const DraftEdge& edge) { return edge.from == v; });
  }

  // `from_node`: the plan node the new vertex reads from, or -1.
  int AddVertexAfter(int upstream, DraftOperator op, std::string note, std::string edge_comment, int from_node) {
    const int v = static_cast<int>(vertices_.size());
    vertices_.push_back({.parallelism = vertices_[upstream].parallelism,
                         .operators = {std::move(op)},
                         .note = std::move(note),
                         .path = vertices_[upstream].path});
    edges_.push_back({.from = upstream,
                      .to = v,
                      .partitioning = Partitioning::kForward,
                      .comment = std::move(edge_comment),
                      .path = vertices_[upstream].path,
                      .from_node = from_node});
    return v;
  }

  // A ckptsim sink ends a vertex without outputs.
  void SplitSinksFromTasksWithOutputs() {
    const int count = static_cast<int>(vertices_.size());
    for (int v = 0; v < count; ++v) {
      // WritesToStore: the Sink V2 writer as well, whose one output will be its committer.
      if (vertices_[v].operators.size() < 2 || !model::WritesToStore(vertices_[v].operators.back().kind) ||
          !HasOutputs(v)) {
        continue;
      }
      DraftOperator sink = std::move(vertices_[v].operators.back());
      vertices_[v].operators.pop_back();
      const int before = vertices_[v].operators.back().node;
      const std::string& id = graph_.nodes[sink.node].id;
      const std::string& before_id = graph_.nodes[before].id;
      AddVertexAfter(
          v, std::move(sink),
          fmt::format("Flink chains it behind node {}, but that task has other outputs, and a ckptsim "
                      "sink ends a task without outputs",
                      before_id),
          fmt::format("node {} -> node {}: FORWARD; chained in Flink, split here (see the sink's task)", before_id, id),
          before);
    }
  }

  // EXPLAIN plans end without sinks; every operator nothing reads gets one.
  void AddMissingSinks() {
    std::vector<bool> read(graph_.nodes.size(), false);
    for (const PlanEdge& edge : graph_.edges) read[edge.from] = true;
    const bool v2 = options_.sink_kind == SinkKind::kSinkV2;
    const OperatorKind kind = v2 ? OperatorKind::kSinkV2Writer : OperatorKind::kTwoPhaseCommitSink;
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
      const PlanNode& node = graph_.nodes[n];
      if (read[n] || node.role == PlanRole::kSink) continue;
      ++sinks_added_;
      DraftOperator sink{
          .name = SanitizeName(node.type) + "-sink",
          .kind = kind,
          .comment = fmt::format("added: nothing reads {} and the plan has no sink after it (as "
                                 "EXPLAIN writes plans); a {} (--sink-kind{}{}) takes its output",
                                 NodeLabel(node), model::Name(kind), kUnbrokenSpace, v2 ? "sink-v2" : "2pc")};
      const int v = tasks_.task_of_node[n];
      if (vertices_[v].operators.back().node == static_cast<int>(n) && !HasOutputs(v)) {
        sink.comment += ", chained behind it as Flink chains a sink of equal parallelism";
        vertices_[v].operators.push_back(std::move(sink));
      } else {
        AddVertexAfter(v, std::move(sink),
                       fmt::format("the sink added after node {}: its task has other outputs, and a ckptsim sink "
                                   "ends a task without outputs",
                                   node.id),
                       fmt::format("node {} -> added sink: FORWARD", node.id), static_cast<int>(n));
      }
    }
  }

  void AddSinkV2Committers() {
    const int count = static_cast<int>(vertices_.size());
    for (int v = 0; v < count; ++v) {
      const DraftOperator& writer = vertices_[v].operators.back();
      if (writer.kind != OperatorKind::kSinkV2Writer) continue;
      std::string name = writer.name + "-committer";
      std::string why = "added: the committer of the Sink V2 writer before it";
      if (writer.node >= 0 && !graph_.nodes[writer.node].folded_sinks.empty()) {
        const std::string& last = graph_.nodes[writer.node].folded_sinks.back();
        name = SanitizeName(last);
        why = fmt::format("\"{}\" of the plan: the committer of the Sink V2 writer before it", OneLine(last, 80));
      }
      AddVertexAfter(
          v,
          DraftOperator{.name = name, .kind = OperatorKind::kSinkV2Committer, .comment = why + ": sink_v2_committer"},
          "the Sink V2 committer, a task of its own: committables travel to it over a forward edge, "
          "writer subtask i to committer subtask i",
          "committables: writer -> committer, FORWARD", -1);
    }
  }

  // Vertices in topological order (ties by creation), then names in that order.
  void OrderAndName() {
    const int n = static_cast<int>(vertices_.size());
    std::vector<int> in_degree(n, 0);
    for (const DraftEdge& edge : edges_) ++in_degree[edge.to];
    std::set<int> ready;
    for (int v = 0; v < n; ++v) {
      if (in_degree[v] == 0) ready.insert(v);
    }
    std::vector<int> position(n, 0);
    while (!ready.empty()) {
      const int v = *ready.begin();
      ready.erase(ready.begin());
      position[v] = static_cast<int>(job_.vertices.size());
      job_.vertices.push_back(std::move(vertices_[v]));
      for (const DraftEdge& edge : edges_) {
        if (edge.from == v && --in_degree[edge.to] == 0) ready.insert(edge.to);
      }
    }
    for (DraftEdge& edge : edges_) {
      edge.from = position[edge.from];
      edge.to = position[edge.to];
    }
    job_.edges = std::move(edges_);
    NameSet vertex_names;
    NameSet operator_names;
    for (DraftVertex& vertex : job_.vertices) {
      for (DraftOperator& op : vertex.operators) op.name = operator_names.Claim(op.name);
      vertex.name = vertex_names.Claim(vertex.operators.front().name);
      const DraftOperator& head = vertex.operators.front();
      if (head.kind == OperatorKind::kUnboundedSource)
        job_.unbounded_sources.push_back(NodeLabel(graph_.nodes[head.node]));
    }
  }

  // Said once the vertices are final, so splits and added sinks are in them.
  void FinishComments() {
    const bool stream = graph_.format == PlanFormat::kStreamGraph;
    for (DraftVertex& vertex : job_.vertices) {
      std::vector<std::string> ids;
      std::vector<std::string> joins;
      for (size_t o = 0; o < vertex.operators.size(); ++o) {
        const int n = vertex.operators[o].node;
        if (n < 0) continue;
        if (ids.empty() || ids.back() != graph_.nodes[n].id) ids.push_back(graph_.nodes[n].id);
        if (stream && o > 0 && vertex.operators[o - 1].node >= 0) {
          joins.push_back(fmt::format("node {} joins node {} (FORWARD, parallelism {} on both sides, its only input)",
                                      graph_.nodes[n].id, graph_.nodes[vertex.operators[o - 1].node].id,
                                      vertex.parallelism));
        }
      }
      std::string text;
      if (!ids.empty()) {
        text = stream ? fmt::format("task of node{} {}", ids.size() > 1 ? "s" : "", fmt::join(ids, " -> "))
                      : fmt::format("task {}", ids.front());
      }
      if (!joins.empty()) text += ": " + fmt::format("{}", fmt::join(joins, "; "));
      if (!stream && vertex.operators.size() > 1 && vertex.note.empty()) text += ": chained as the plan shows";
      if (!vertex.note.empty()) text += (text.empty() ? "" : ": ") + vertex.note;
      vertex.comment = text;
    }
    for (DraftEdge& edge : job_.edges) {
      const int tail = job_.vertices[edge.from].operators.back().node;
      if (edge.from_node < 0 || tail == edge.from_node || tail < 0) continue;
      edge.comment += fmt::format(
          "; Flink sends from node {}, here the records leave the task from its last "
          "operator, node {}",
          graph_.nodes[edge.from_node].id, graph_.nodes[tail].id);
    }
  }

  // What the model refuses is refused here, at the JSON path it comes from.
  bool CompileCheck() {
    model::JobGraphSpec spec;
    for (const DraftVertex& vertex : job_.vertices) {
      model::VertexSpec v{.name = vertex.name, .parallelism = vertex.parallelism};
      for (const DraftOperator& op : vertex.operators) v.operators.push_back({.name = op.name, .kind = op.kind});
      if (vertex.records >= 0) v.records_per_subtask.assign(vertex.parallelism, vertex.records);
      spec.vertices.push_back(std::move(v));
    }
    for (const DraftEdge& edge : job_.edges) {
      spec.edges.push_back({.from = edge.from, .to = edge.to, .partitioning = edge.partitioning});
    }
    model::GraphError error;
    if (model::JobGraph::Compile(spec, &error)) return true;
    const std::string where = error.edge >= 0     ? job_.edges[error.edge].path
                              : error.vertex >= 0 ? job_.vertices[error.vertex].path
                                                  : std::string("nodes");
    Fail(where, fmt::format("ckptsim cannot model this job: {}", error.message));
    return false;
  }

  void WriteHeader() {
    job_.name = options_.scenario_name.empty() ? SanitizeName(std::filesystem::path(display_name_).stem().string())
                                               : options_.scenario_name;
    const std::string file = std::filesystem::path(display_name_).filename().string();
    const bool stream = graph_.format == PlanFormat::kStreamGraph;
    job_.description =
        fmt::format("The job of the Flink plan {} ({} plan of {} nodes), imported by ckptsim import-plan: {} tasks.",
                    file, stream ? "a StreamGraph" : "a JobGraph", graph_.plan_nodes, job_.vertices.size());
    job_.header.push_back(
        fmt::format("Imported by `ckptsim import-plan` from {}: {}, {} nodes, here {} vertices (tasks).", file,
                    stream ? "a StreamGraph plan (as getExecutionPlan() and EXPLAIN write it)"
                           : "a JobGraph plan (as Flink's REST API writes it)",
                    graph_.plan_nodes, job_.vertices.size()));
    if (stream) {
      job_.header.push_back(
          "Chaining: an operator joins the task of its only input when that edge is FORWARD (between equal "
          "parallelisms), as Flink chains by default. The plan does not show what else keeps operators apart "
          "(disableChaining(), startNewChain(), slot sharing groups, pipeline.operator-chaining: false): split a "
          "vertex by hand where the job uses them.");
    } else {
      job_.header.push_back("Chaining: each vertex is a task of the plan, its operators as the plan lists them.");
    }
    job_.header.push_back(
        "Kinds: a source is bounded only where --bounded says so; every other operator's kind is guessed from its "
        "type and contents, as the comment above it says. Edit a kind where the guess is wrong (map, "
        "keyed_aggregate, union_state, broadcast_state, buffering, event_time_window).");
    for (const std::string& note : graph_.notes) job_.header.push_back("Sinks: " + note + ".");
  }

  std::string Summary() const {
    std::vector<std::string> sources;
    for (const DraftVertex& vertex : job_.vertices) {
      const DraftOperator& head = vertex.operators.front();
      if (!model::IsSource(head.kind)) continue;
      const std::string& id = graph_.nodes[head.node].id;
      sources.push_back(vertex.records >= 0 ? fmt::format("{} bounded ({} per subtask)", id, vertex.records)
                                            : fmt::format("{} unbounded", id));
    }
    return fmt::format(
        "{} plan nodes -> {} tasks{}; sources: {}{}", graph_.plan_nodes, job_.vertices.size(),
        sinks_added_ > 0 ? fmt::format(" ({} sink{} added)", sinks_added_, sinks_added_ > 1 ? "s" : "") : "",
        fmt::join(sources, ", "), job_.unbounded_sources.empty() ? "" : "; stopped with a savepoint and drain");
  }

  const PlanGraph& graph_;
  const PlanImportOptions& options_;
  std::string display_name_;
  std::map<std::string, int64_t> bounded_;
  PlanTasks tasks_;
  std::vector<DraftVertex> vertices_;  // in creation order until OrderAndName
  std::vector<DraftEdge> edges_;
  int sinks_added_ = 0;
  DraftJob job_;
  std::optional<ScenarioError> error_;
};

}  // namespace

std::optional<SinkKind> ParseSinkKind(std::string_view text) {
  if (text == "2pc") return SinkKind::kTwoPhaseCommit;
  if (text == "sink-v2") return SinkKind::kSinkV2;
  return std::nullopt;
}

std::variant<ImportedPlan, ScenarioError> ImportPlanText(std::string_view json, const std::string& display_name,
                                                         const PlanImportOptions& options) {
  if (auto too_large = InputTooLarge(static_cast<int64_t>(json.size()))) {
    return ScenarioError{display_name, 0, *too_large};
  }
  std::variant<PlanGraph, ScenarioError> graph = ReadPlan(json, display_name);
  if (auto* error = std::get_if<ScenarioError>(&graph)) return *error;
  return Importer(std::get<PlanGraph>(graph), options, display_name).Run();
}

std::variant<ImportedPlan, ScenarioError> ImportPlanFile(const std::string& path, const PlanImportOptions& options) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    return ScenarioError{path, 0, fmt::format("cannot open the plan file: {}", error.message())};
  }
  if (!std::filesystem::exists(status)) return ScenarioError{path, 0, "no such plan file"};
  if (!std::filesystem::is_regular_file(status)) return ScenarioError{path, 0, "not a regular file"};
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error) {
    if (auto too_large = InputTooLarge(static_cast<int64_t>(size))) return ScenarioError{path, 0, *too_large};
  }
  std::ifstream file(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file.is_open() || file.bad()) return ScenarioError{path, 0, "cannot read the plan file"};
  return ImportPlanText(text, path, options);
}

bool IsPlanPath(std::string_view path) { return path.ends_with(".json"); }

}  // namespace ckptsim::scenarios
