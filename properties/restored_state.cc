// P9 restored state: what a new attempt starts from is what the checkpoint
// (or savepoint) it restores holds, assigned as Flink assigns operator state
// (docs/protocol.md section 7; StateAssignmentOperation and
// RoundRobinOperatorStateRepartitioner in Flink):
// - union list state: every new subtask gets one entry of every old subtask
//   of the operator, in subtask order. A subtask that had finished took no
//   snapshot, so a checkpoint of a partly finished union-state operator has
//   no entry for it: restoring one loses that subtask's share (FLINK-21080);
// - broadcast state: every new subtask gets the state of one old reporter,
//   never an empty one while some old subtask reported;
// - everything else, restored into the same job, is the subtask's own
//   snapshot; and across a change of the job (a rescale, a re-chain), list
//   entries (buffered records, a sink's transaction list) are neither lost
//   nor duplicated and keyed counts keep their totals per key.
// Judged at the step that deploys the restored attempt (kRestarted, or
// kJobGraphChanged for the redistribution into a changed job), against the
// checkpoint as its subtasks reported it.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/graph_change.h"
#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

// The operator states of one vertex's subtasks in a checkpoint (null: no
// snapshot, the subtask had finished).
std::vector<const model::OperatorState*> StatesOf(const model::JobGraph& graph,
                                                  const model::CompletedCheckpoint& checkpoint, int vertex, int op) {
  const model::VertexInfo& info = graph.vertices()[vertex];
  std::vector<const model::OperatorState*> states;
  for (int i = 0; i < info.parallelism; ++i) {
    const auto& snapshot = checkpoint.snapshots[info.first_subtask + i];
    states.push_back(snapshot ? &snapshot->operators[op] : nullptr);
  }
  return states;
}

Violation Fail(int64_t step, std::string summary, std::vector<std::string> details = {}) {
  return Violation{
      .property = PropertyId::kRestoredState, .step = step, .summary = std::move(summary), .details = std::move(details)};
}

// Union list state: one entry per old subtask, in order, each its value.
std::optional<std::string> UnionProblem(const model::JobGraph& old_graph, int old_vertex,
                                        const std::vector<const model::OperatorState*>& old,
                                        const std::vector<int64_t>& entries) {
  const model::VertexInfo& vertex = old_graph.vertices()[old_vertex];
  std::vector<int64_t> want;
  for (size_t j = 0; j < old.size(); ++j) {
    if (old[j] == nullptr) {
      return fmt::format("the entry of {} is missing: it had finished, took no snapshot, and the checkpoint "
                         "holds no share of it; restored entries {}",
                         old_graph.SubtaskName(vertex.first_subtask + static_cast<int>(j)), entries);
    }
    want.push_back(old[j]->value);
  }
  if (entries != want) return fmt::format("restored entries {}, but the old subtasks reported {}", entries, want);
  return std::nullopt;
}

// Broadcast state: the value of some old reporter.
std::optional<std::string> BroadcastProblem(const std::vector<const model::OperatorState*>& old, int64_t value) {
  std::vector<int64_t> reported;
  for (const model::OperatorState* state : old) {
    if (state != nullptr) reported.push_back(state->value);
  }
  if (reported.empty() || std::find(reported.begin(), reported.end(), value) != reported.end()) return std::nullopt;
  return fmt::format("restored broadcast state {}, which no old subtask held (they reported {})", value, reported);
}

// Anything else restored into the same job: the subtask's own snapshot.
std::optional<std::string> OwnSnapshotProblem(const model::OperatorState& op, const model::OperatorState& want) {
  if (op.pending_transactions != want.pending_transactions) return "its transaction list is not its snapshot's";
  if (op.buffer != want.buffer) {
    return fmt::format("it holds {} list entries, its snapshot {}", op.buffer.size(), want.buffer.size());
  }
  if (op.key_counts != want.key_counts) return "its keyed counts are not its snapshot's";
  return std::nullopt;
}

// A same-job restore of `subtask` from `checkpoint`.
std::optional<Violation> CheckRestart(const StepContext& c, int32_t subtask,
                                      const model::CompletedCheckpoint& checkpoint) {
  const model::JobGraph& graph = *c.after.graph;
  const model::SubtaskInfo& info = graph.subtasks()[subtask];
  const model::VertexInfo& vertex = graph.vertices()[info.vertex];
  const model::Subtask& sub = c.after.subtasks[subtask];
  const model::SubtaskSnapshot* own = checkpoint.snapshots[subtask].get();
  for (size_t i = 0; i < vertex.operators.size(); ++i) {
    const model::OperatorState& op = sub.operators[i];
    const int index = static_cast<int>(i);
    std::optional<std::string> problem;
    switch (vertex.operators[i].kind) {
      case model::OperatorKind::kUnionState:
        problem = UnionProblem(graph, info.vertex, StatesOf(graph, checkpoint, info.vertex, index), op.union_entries);
        break;
      case model::OperatorKind::kBroadcastState:
        problem = BroadcastProblem(StatesOf(graph, checkpoint, info.vertex, index), op.value);
        break;
      default:
        if (own != nullptr) problem = OwnSnapshotProblem(op, own->operators[i]);
        break;
    }
    if (problem) {
      return Fail(c.step, fmt::format("{} operator {} restored from checkpoint {}: {}", graph.SubtaskName(subtask),
                                      vertex.operators[i].name, checkpoint.id, *problem));
    }
  }
  return std::nullopt;
}

template <typename T>
std::vector<T> Sorted(std::vector<T> items) {
  std::sort(items.begin(), items.end());
  return items;
}

// The savepoint redistributed for the job's new version against the
// savepoint as the old version's subtasks reported it.
std::optional<Violation> CheckRedistribution(const StepContext& c, const model::GraphChange& change) {
  const model::JobGraph& from = *change.from;
  const model::JobGraph& to = *change.to;
  const model::CompletedCheckpoint& savepoint = *change.savepoint;
  const model::CompletedCheckpoint& assigned = *change.redistributed;
  for (size_t v = 0; v < from.vertices().size(); ++v) {
    const model::VertexInfo& old_vertex = from.vertices()[v];
    for (size_t k = 0; k < old_vertex.operators.size(); ++k) {
      const model::OperatorRef ref = change.operator_of[v][k];
      if (!ref.found()) continue;
      if (assigned.vertex_status[ref.vertex] == model::VertexFinishedStatus::kFullyFinished) continue;
      const model::VertexInfo& vertex = to.vertices()[ref.vertex];
      const auto old = StatesOf(from, savepoint, static_cast<int>(v), static_cast<int>(k));
      const model::OperatorKind kind = old_vertex.operators[k].kind;
      std::vector<model::RecordId> old_list;
      std::vector<std::pair<int64_t, int64_t>> old_transactions;
      std::vector<int64_t> old_keys(model::kKeyCount, 0);
      for (const model::OperatorState* state : old) {
        if (state == nullptr) continue;
        for (const model::RecordId& record : state->buffer) old_list.push_back(model::RemapRecord(change, record));
        old_transactions.insert(old_transactions.end(), state->pending_transactions.begin(),
                                state->pending_transactions.end());
        for (size_t key = 0; key < state->key_counts.size(); ++key) old_keys[key] += state->key_counts[key];
      }
      std::vector<model::RecordId> new_list;
      std::vector<std::pair<int64_t, int64_t>> new_transactions;
      std::vector<int64_t> new_keys(model::kKeyCount, 0);
      for (int j = 0; j < vertex.parallelism; ++j) {
        const int32_t subtask = vertex.first_subtask + j;
        const auto& snapshot = assigned.snapshots[subtask];
        if (!snapshot) continue;
        const model::OperatorState& op = snapshot->operators[ref.op];
        const std::string where = fmt::format("savepoint {} restored into the new version: {} operator {}",
                                              savepoint.id, to.SubtaskName(subtask), vertex.operators[ref.op].name);
        std::optional<std::string> problem;
        if (kind == model::OperatorKind::kUnionState) problem = UnionProblem(from, static_cast<int>(v), old, op.union_entries);
        if (kind == model::OperatorKind::kBroadcastState) problem = BroadcastProblem(old, op.value);
        if (problem) return Fail(c.step, fmt::format("{}: {}", where, *problem));
        new_list.insert(new_list.end(), op.buffer.begin(), op.buffer.end());
        new_transactions.insert(new_transactions.end(), op.pending_transactions.begin(),
                                op.pending_transactions.end());
        for (size_t key = 0; key < op.key_counts.size(); ++key) new_keys[key] += op.key_counts[key];
      }
      const std::string operator_name = old_vertex.operators[k].name;
      if (Sorted(new_list) != Sorted(old_list)) {
        return Fail(c.step, fmt::format("savepoint {} restored into the new version: operator {} held {} list "
                                        "entries, its new subtasks got {} (entries lost or duplicated)",
                                        savepoint.id, operator_name, old_list.size(), new_list.size()));
      }
      if (Sorted(new_transactions) != Sorted(old_transactions)) {
        return Fail(c.step, fmt::format("savepoint {} restored into the new version: operator {} had {} "
                                        "transactions in its list state, its new subtasks got {}",
                                        savepoint.id, operator_name, old_transactions.size(),
                                        new_transactions.size()));
      }
      if (kind == model::OperatorKind::kKeyedAggregate && new_keys != old_keys) {
        return Fail(c.step, fmt::format("savepoint {} restored into the new version: operator {} counted {} "
                                        "per key, its new subtasks together {}",
                                        savepoint.id, operator_name, old_keys, new_keys));
      }
    }
  }
  return std::nullopt;
}

}  // namespace

void CheckRestoredState(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kJobGraphChanged && system.graph_change) {
      out = CheckRedistribution(c, *system.graph_change);
      if (out) return;
    }
    // aux 1: deployed as finished, no user code and no state.
    if (event.kind != model::EventKind::kRestarted || event.checkpoint == 0 || event.aux != 0) continue;
    const model::CompletedCheckpoint* checkpoint = system.coordinator.latest_completed.get();
    if (checkpoint == nullptr || checkpoint->id != event.checkpoint || checkpoint->state_assigned) continue;
    out = CheckRestart(c, event.subtask, *checkpoint);
    if (out) return;
  }
}

}  // namespace ckptsim::properties
