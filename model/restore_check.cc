#include "model/restore_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "model/check.h"

namespace ckptsim::model {
namespace {

std::string_view Describe(VertexFinishedStatus status) {
  switch (status) {
    case VertexFinishedStatus::kRunning:
      return "all running";
    case VertexFinishedStatus::kPartlyFinished:
      return "partly finished";
    case VertexFinishedStatus::kFullyFinished:
      return "fully finished";
  }
  return "?";
}

// What the savepoint says about one operator name.
struct Recorded {
  VertexFinishedStatus status = VertexFinishedStatus::kRunning;
  std::optional<VertexFinishedStatus> conflicting;  // a second, different status for the same name
};

// A vertex's single finished status (rule 1), or why it has none.
struct VertexStatus {
  VertexFinishedStatus status = VertexFinishedStatus::kRunning;
  std::optional<std::string> refusal;
};

VertexStatus StatusOf(const VertexInfo& vertex, const std::map<std::string_view, Recorded>& recorded) {
  CKPTSIM_CHECK(!vertex.operators.empty());
  std::vector<VertexFinishedStatus> statuses;
  for (const OperatorSpec& op : vertex.operators) {
    auto it = recorded.find(op.name);
    if (it == recorded.end()) {
      statuses.push_back(VertexFinishedStatus::kRunning);
      continue;
    }
    if (it->second.conflicting) {
      return {.refusal = fmt::format(
                  "cannot restore vertex '{}': the savepoint gives its operator '{}' two finished statuses ({} and "
                  "{}); an operator name must identify one operator",
                  vertex.name, op.name, Describe(it->second.status), Describe(*it->second.conflicting))};
    }
    statuses.push_back(it->second.status);
  }
  const bool mixed = std::any_of(statuses.begin(), statuses.end(),
                                 [&](VertexFinishedStatus s) { return s != statuses.front(); });
  if (!mixed) return {.status = statuses.front()};
  std::string listing;
  for (size_t o = 0; o < statuses.size(); ++o) {
    listing += fmt::format("{}{}: {}", o == 0 ? "" : ", ", vertex.operators[o].name, Describe(statuses[o]));
  }
  return {.refusal = fmt::format(
              "cannot restore vertex '{}': its operators have mixed finished statuses ({}); all operators of one "
              "vertex must share one finished status",
              vertex.name, listing)};
}

// One upstream vertex and how it is connected; edges of both kinds count as ALL_TO_ALL.
struct Predecessor {
  int vertex = 0;
  bool all_to_all = false;
};

}  // namespace

std::vector<OperatorFinishedStatus> OperatorStatuses(const JobGraph& graph, const CompletedCheckpoint& checkpoint) {
  CKPTSIM_CHECK(checkpoint.vertex_status.size() == graph.vertices().size());
  std::vector<OperatorFinishedStatus> out;
  for (size_t v = 0; v < graph.vertices().size(); ++v) {
    for (const OperatorSpec& op : graph.vertices()[v].operators) {
      out.push_back({.operator_name = op.name, .status = checkpoint.vertex_status[v]});
    }
  }
  return out;
}

RestoreTopology TopologyOf(const JobGraph& graph) {
  return {.vertices = graph.vertices(), .edges = graph.edges(), .topological_order = graph.topological_order()};
}

std::optional<std::string> CheckFinishedStateTopology(const JobGraph& new_graph,
                                                      const std::vector<OperatorFinishedStatus>& statuses) {
  return CheckFinishedStateTopology(TopologyOf(new_graph), statuses);
}

std::optional<std::string> CheckFinishedStateTopology(const RestoreTopology& new_graph,
                                                      const std::vector<OperatorFinishedStatus>& statuses) {
  const int vertex_count = static_cast<int>(new_graph.vertices.size());
  CKPTSIM_CHECK(static_cast<int>(new_graph.topological_order.size()) == vertex_count);

  std::map<std::string_view, Recorded> recorded;
  for (const OperatorFinishedStatus& entry : statuses) {
    auto [it, inserted] = recorded.try_emplace(entry.operator_name, Recorded{.status = entry.status});
    if (!inserted && entry.status != it->second.status && !it->second.conflicting) {
      it->second.conflicting = entry.status;
    }
  }
  std::vector<VertexStatus> vertex_status;
  vertex_status.reserve(vertex_count);
  for (const VertexInfo& vertex : new_graph.vertices) vertex_status.push_back(StatusOf(vertex, recorded));

  std::vector<std::vector<Predecessor>> predecessors(vertex_count);
  for (const EdgeSpec& edge : new_graph.edges) {
    CKPTSIM_CHECK(edge.from >= 0 && edge.from < vertex_count && edge.to >= 0 && edge.to < vertex_count);
    std::vector<Predecessor>& inputs = predecessors[edge.to];
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](const Predecessor& p) { return p.vertex == edge.from; });
    if (it == inputs.end()) it = inputs.insert(inputs.end(), Predecessor{.vertex = edge.from});
    if (!IsPointwise(edge.partitioning)) it->all_to_all = true;
  }

  for (int v : new_graph.topological_order) {
    CKPTSIM_CHECK(v >= 0 && v < vertex_count);
    if (vertex_status[v].refusal) return vertex_status[v].refusal;
    const std::string& name = new_graph.vertices[v].name;
    const VertexFinishedStatus status = vertex_status[v].status;
    for (const Predecessor& predecessor : predecessors[v]) {
      // Only reachable with an order that is not topological: the predecessor has not been visited.
      if (vertex_status[predecessor.vertex].refusal) return vertex_status[predecessor.vertex].refusal;
      const std::string& upstream = new_graph.vertices[predecessor.vertex].name;
      const VertexFinishedStatus upstream_status = vertex_status[predecessor.vertex].status;
      switch (status) {
        case VertexFinishedStatus::kRunning:
          break;
        case VertexFinishedStatus::kFullyFinished:
          if (upstream_status != VertexFinishedStatus::kFullyFinished) {
            return fmt::format(
                "cannot restore vertex '{}': it is fully finished but its predecessor '{}' is {}; a fully finished "
                "vertex needs every predecessor fully finished",
                name, upstream, Describe(upstream_status));
          }
          break;
        case VertexFinishedStatus::kPartlyFinished:
          if (predecessor.all_to_all && upstream_status != VertexFinishedStatus::kFullyFinished) {
            return fmt::format(
                "cannot restore vertex '{}': it is partly finished but its predecessor '{}', connected by an "
                "all-to-all edge, is {}; a partly finished vertex needs every all-to-all predecessor fully finished",
                name, upstream, Describe(upstream_status));
          }
          if (!predecessor.all_to_all && upstream_status == VertexFinishedStatus::kRunning) {
            return fmt::format(
                "cannot restore vertex '{}': it is partly finished but its predecessor '{}', connected by pointwise "
                "edges only, is all running; a partly finished vertex needs every pointwise predecessor partly or "
                "fully finished",
                name, upstream);
          }
          break;
      }
    }
  }
  return std::nullopt;
}

std::vector<OperatorSpec> NonRestoredStateOperators(const JobGraph& from, const CompletedCheckpoint& checkpoint,
                                                    const JobGraph& to) {
  CKPTSIM_CHECK(checkpoint.vertex_status.size() == from.vertices().size());
  std::set<std::string_view> new_names;
  for (const VertexInfo& vertex : to.vertices()) {
    for (const OperatorSpec& op : vertex.operators) new_names.insert(op.name);
  }
  std::vector<OperatorSpec> out;
  for (size_t v = 0; v < from.vertices().size(); ++v) {
    // A fully finished vertex's operators left no state behind: Flink skips them.
    if (checkpoint.vertex_status[v] == VertexFinishedStatus::kFullyFinished) continue;
    for (const OperatorSpec& op : from.vertices()[v].operators) {
      if (op.kind == OperatorKind::kMap || new_names.contains(op.name)) continue;  // a map keeps no state
      out.push_back(op);
    }
  }
  return out;
}

std::optional<std::string> CheckNonRestoredState(const JobGraph& from, const CompletedCheckpoint& checkpoint,
                                                 const JobGraph& to, bool allow_non_restored_state) {
  if (allow_non_restored_state) return std::nullopt;
  const std::vector<OperatorSpec> unmapped = NonRestoredStateOperators(from, checkpoint, to);
  if (unmapped.empty()) return std::nullopt;
  return fmt::format(
      "cannot restore {} {}: operator '{}' ({}) has state in it but is not in the new job, so its state cannot be "
      "mapped to the new job; to drop that state, allow non-restored state (restore-check "
      "--allow-non-restored-state, scenario key stop_with_savepoint.allow_non_restored_state; Flink's "
      "--allowNonRestoredState)",
      checkpoint.kind == CheckpointKind::kSyncSavepoint ? "savepoint" : "checkpoint", checkpoint.id,
      unmapped.front().name, Name(unmapped.front().kind));
}

}  // namespace ckptsim::model
