#include "properties/carry_over.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/check.h"
#include "model/graph_change.h"
#include "model/routing.h"
#include "properties/property.h"

namespace ckptsim::properties {
namespace {

class CutWalker {
 public:
  CutWalker(const model::GraphChange& change, CarryOver& out) : change_(change), out_(out) {}

  // `record` at `subtask` of the old job, about to enter its chain at `first_op`.
  void Walk(int32_t subtask, size_t first_op, const model::RecordId& record) {
    const model::JobGraph& graph = *change_.from;
    const int v = graph.subtasks()[subtask].vertex;
    const model::VertexInfo& vertex = graph.vertices()[v];
    const model::SubtaskSnapshot* snapshot = change_.savepoint->snapshots[subtask].get();
    for (size_t i = first_op; i < vertex.operators.size(); ++i) {
      const model::OperatorKind kind = vertex.operators[i].kind;
      if (model::WritesToStore(kind)) {
        out_.in_store.emplace(change_.operator_of[v][i].vertex, model::RemapRecord(change_, record));
        return;
      }
      if (kind == model::OperatorKind::kKeyedAggregate && snapshot != nullptr) Count(subtask, i, record);
      const bool holds = kind == model::OperatorKind::kBuffering || kind == model::OperatorKind::kEventTimeWindow;
      if (holds && snapshot != nullptr) {
        const auto& buffer = snapshot->operators[i].buffer;
        if (std::find(buffer.begin(), buffer.end(), record) != buffer.end()) {
          Held(subtask, i, record);
          return;
        }
      }
    }
    std::vector<std::pair<int32_t, model::RecordId>> targets;
    model::RouteRecord(graph, subtask, record, targets);
    for (const auto& [channel, copy] : targets) {
      const int32_t consumer = graph.channels()[channel].consumer;
      Walk(consumer, 0, model::EnterVertex(graph, consumer, copy));
    }
  }

 private:
  // Where the restore put a record the savepoint has held by an operator.
  // Windows are keyed state: they must land on their key's subtask (or stay
  // on theirs at the same parallelism).
  void Held(int32_t old_subtask, size_t op, const model::RecordId& record) {
    const model::JobGraph& from = *change_.from;
    const model::SubtaskInfo& info = from.subtasks()[old_subtask];
    const std::string& op_name = from.vertices()[info.vertex].operators[op].name;
    const model::OperatorRef to = change_.operator_of[info.vertex][op];
    if (!to.found()) {
      // Only a restore that allows non-restored state drops a running operator's state.
      out_.lost.push_back(fmt::format("{} held by {} operator {} in savepoint {}, whose state the new job dropped "
                                      "(allow_non_restored_state)",
                                      DescribeRecord(from, record), from.SubtaskName(old_subtask), op_name,
                                      change_.savepoint->id));
      return;
    }
    const model::RecordId remapped = model::RemapRecord(change_, record);
    const model::VertexInfo& vertex = change_.to->vertices()[to.vertex];
    for (int j = 0; j < vertex.parallelism; ++j) {
      const int32_t subtask = vertex.first_subtask + j;
      const auto& snapshot = change_.redistributed->snapshots[subtask];
      if (!snapshot) continue;
      const auto& buffer = snapshot->operators[to.op].buffer;
      if (std::find(buffer.begin(), buffer.end(), remapped) == buffer.end()) continue;
      out_.held.push_back(HeldRecord{.subtask = subtask, .op = static_cast<size_t>(to.op), .record = remapped});
      if (vertex.operators[to.op].kind != model::OperatorKind::kEventTimeWindow) return;
      const int key = model::KeyOf(remapped);
      const int owner = KeyedIndex(info, vertex, key);
      if (j != owner) {
        out_.misplaced.push_back(fmt::format("{} (key {}) of operator {} was restored into {}, but key {} belongs "
                                             "to {}",
                                             DescribeRecord(*change_.to, remapped), key, op_name,
                                             change_.to->SubtaskName(subtask), key,
                                             change_.to->SubtaskName(vertex.first_subtask + owner)));
      }
      return;
    }
    out_.lost.push_back(fmt::format("{} held by {} operator {} in savepoint {}, restored nowhere in the new job",
                                    DescribeRecord(from, record), from.SubtaskName(old_subtask), op_name,
                                    change_.savepoint->id));
  }

  // The index, in the new `vertex`, of the subtask that keyed state of `key`
  // held by old subtask `info` belongs to: its key's (KeyOwner) at another
  // parallelism, its own at the same one.
  int KeyedIndex(const model::SubtaskInfo& info, const model::VertexInfo& vertex, int key) const {
    const bool same = change_.from->vertices()[info.vertex].parallelism == vertex.parallelism;
    return same ? info.index : model::KeyOwner(key, vertex.parallelism);
  }

  void Count(int32_t subtask, size_t op, const model::RecordId& record) {
    const model::SubtaskInfo& info = change_.from->subtasks()[subtask];
    const model::OperatorRef to = change_.operator_of[info.vertex][op];
    if (!to.found()) {
      return;  // allow_non_restored_state dropped its counts with its state: nothing to find in the new job
    }
    const model::VertexInfo& vertex = change_.to->vertices()[to.vertex];
    const int key = model::KeyOf(model::RemapRecord(change_, record));
    ++out_.key_counts[{vertex.first_subtask + KeyedIndex(info, vertex, key), to.op, key}];
  }

  const model::GraphChange& change_;
  CarryOver& out_;
};

}  // namespace

CarryOver ComputeCarryOver(const model::System& system) {
  CKPTSIM_CHECK(system.graph_change);
  const model::GraphChange& change = *system.graph_change;
  const model::JobGraph& from = *change.from;
  const model::JobGraph& to = *change.to;
  CarryOver out;
  out.floor.assign(to.subtask_count(), 0);
  out.first_new_transaction = system.store.transactions.size();
  CutWalker walker(change, out);
  for (int s = 0; s < from.subtask_count(); ++s) {
    const model::SubtaskInfo& info = from.subtasks()[s];
    const model::VertexInfo& vertex = from.vertices()[info.vertex];
    if (!vertex.is_source) continue;
    int64_t offset = change.source_high_water[s];  // finished unbounded: it read up to here
    if (const auto& snapshot = change.savepoint->snapshots[s]) {
      offset = snapshot->source_next_sequence;
    } else if (!vertex.is_unbounded_source) {
      offset = vertex.records_per_subtask[info.index];
    }
    const model::OperatorRef head = change.operator_of[info.vertex].front();
    out.floor[to.SubtaskOf(head.vertex, info.index)] = offset;
    for (int64_t seq = 0; seq < offset; ++seq) {
      walker.Walk(s, 1, model::SourceRecord(from, s, static_cast<uint32_t>(seq)));
    }
  }
  return out;
}

}  // namespace ckptsim::properties
