// P7 consistent cut: every completed checkpoint is what a failure-free run
// would hold after exactly the records before its barriers. From the source
// offsets in the checkpoint (a finished source subtask: all its records) the
// model's own routing functions give every record copy that is before the
// cut and where it must be found in the checkpoint: held by a buffering or
// window operator, in the channel state of an unaligned checkpoint, or in a
// transaction of the store-writing operator that the checkpoint covers
// (committed, or pre-committed for this checkpoint or an earlier one). And
// every keyed aggregation's counts in the checkpoint are exactly those of
// the records before the cut. Both directions are checked: nothing before
// the cut is missing, nothing after it is included.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "model/graph_change.h"
#include "model/routing.h"
#include "properties/carry_over.h"
#include "properties/property.h"

namespace ckptsim::properties {
namespace {

using Located = std::pair<int32_t, model::RecordId>;  // (subtask or channel, record)

struct Expectation {
  std::set<Located> in_store;       // (writing subtask, record)
  std::set<Located> in_buffers;     // (subtask, record)
  std::set<Located> in_channels;    // (channel, record)
  std::map<KeyedSlot, int64_t> key_counts;  // (subtask, operator, key) -> count
};

class ConsistentCutChecker final : public PropertyChecker {
 public:
  explicit ConsistentCutChecker(const model::System& initial) : reset_(initial.subtasks.size(), false) {
    if (!initial.graph_change) return;
    // Resumed into the job's new version: the records before the savepoint
    // are the old version's. Those it held go on from where the restore put
    // them; the rest is settled, keyed counts included; only transactions
    // the new version begins are examined.
    CarryOver carry = ComputeCarryOver(initial);
    settled_ = std::move(carry.floor);
    settled_key_counts_ = std::move(carry.key_counts);
    held_ = std::move(carry.held);
    misplaced_ = std::move(carry.misplaced);
    examined_ = initial.store.transactions.size();
  }

  PropertyId id() const override { return PropertyId::kConsistentCut; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    if (!misplaced_.empty()) {
      Report(Violation{.property = id(),
                       .step = step,
                       .summary = fmt::format("savepoint {} was restored into the job's new version with keyed "
                                              "state away from its keys ({} record(s))",
                                              system.graph_change->savepoint->id, misplaced_.size()),
                       .details = {misplaced_.front()}});
      return;
    }
    for (const model::Event& event : events) {
      if (event.kind == model::EventKind::kRestarted) {
        // A subtask restored without state (it had finished) starts counting
        // from nothing, as Flink's discarded finished state does: its keyed
        // counts no longer describe the whole input.
        const auto& restored = system.coordinator.latest_completed;
        if (restored && event.checkpoint == restored->id && !restored->snapshots[event.subtask]) {
          reset_[event.subtask] = true;
        }
      }
      if (event.kind == model::EventKind::kCheckpointCompleted) {
        Check(system, step, *model::CompletedWithId(system.coordinator, event.checkpoint));
        if (violation()) return;
      }
    }
  }

  void OnEnd(const model::System&, const RunEnd&) override {}

 private:
  void Walk(const model::JobGraph& graph, const model::CompletedCheckpoint& checkpoint, int32_t subtask,
            size_t first_op, const model::RecordId& record, Expectation& out) {
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
    const model::SubtaskSnapshot* snapshot = checkpoint.snapshots[subtask].get();
    for (size_t i = first_op; i < vertex.operators.size(); ++i) {
      const model::OperatorKind kind = vertex.operators[i].kind;
      if (model::WritesToStore(kind)) {
        out.in_store.emplace(subtask, record);
        return;
      }
      if (kind == model::OperatorKind::kKeyedAggregate && snapshot != nullptr) {
        ++out.key_counts[{subtask, static_cast<int>(i), model::KeyOf(record)}];
      }
      if ((kind == model::OperatorKind::kBuffering || kind == model::OperatorKind::kEventTimeWindow) &&
          snapshot != nullptr) {
        const auto& buffer = snapshot->operators[i].buffer;
        if (std::find(buffer.begin(), buffer.end(), record) != buffer.end()) {
          out.in_buffers.emplace(subtask, record);
          return;
        }
      }
    }
    targets_.clear();
    model::RouteRecord(graph, subtask, record, targets_);
    const auto targets = targets_;
    for (const auto& [channel, copy] : targets) {
      const int32_t consumer = graph.channels()[channel].consumer;
      const model::SubtaskSnapshot* consumer_snapshot = checkpoint.snapshots[consumer].get();
      if (consumer_snapshot != nullptr) {
        bool in_flight = false;
        for (const model::ChannelStateEntry& entry : consumer_snapshot->channel_state) {
          in_flight = in_flight || (entry.channel == channel && entry.record == copy);
        }
        if (in_flight) {
          out.in_channels.emplace(channel, copy);
          continue;
        }
      }
      Walk(graph, checkpoint, consumer, 0, model::EnterVertex(graph, consumer, copy), out);
    }
  }

  // Incremental: records of a source subtask below settled_[s] had every
  // copy in a covered transaction at an earlier cut, and stay there (a
  // covered transaction is in every later checkpoint's state, so no restore
  // aborts it). Only the records from there to this cut are walked, and only
  // transactions not yet covered are examined.
  void Check(const model::System& system, int64_t step, const model::CompletedCheckpoint& checkpoint) {
    const model::JobGraph& graph = *system.graph;
    if (settled_.empty()) settled_.assign(graph.subtask_count(), 0);
    std::vector<int64_t> offsets(graph.subtask_count(), 0);
    for (int s = 0; s < graph.subtask_count(); ++s) {
      const model::SubtaskInfo& info = graph.subtasks()[s];
      const model::VertexInfo& vertex = graph.vertices()[info.vertex];
      if (!vertex.is_source) continue;
      if (checkpoint.snapshots[s]) {
        offsets[s] = checkpoint.snapshots[s]->source_next_sequence;
      } else if (checkpoint.subtask_finished[s] && !vertex.is_unbounded_source) {
        offsets[s] = vertex.records_per_subtask[info.index];
      } else {
        return;  // an unbounded source finished by a stop: its offset is not in the checkpoint
      }
    }
    // Newly covered transactions: committed, or pre-committed for this checkpoint or before.
    const auto& transactions = system.store.transactions;
    for (size_t t = examined_; t < transactions.size(); ++t) uncovered_.push_back(static_cast<int64_t>(t));
    examined_ = transactions.size();
    std::vector<Located> newly_covered;
    std::erase_if(uncovered_, [&](int64_t t) {
      const model::Transaction& txn = transactions[t];
      const bool covered = txn.state == model::TransactionState::kCommitted ||
                           (txn.state == model::TransactionState::kPrecommitted &&
                            txn.precommit_checkpoint_id <= checkpoint.id);
      if (!covered) return txn.state == model::TransactionState::kAborted;  // aborted: never covered
      for (const model::RecordId& record : txn.records) newly_covered.emplace_back(txn.owner_subtask, record);
      return true;
    });
    for (const Located& item : newly_covered) covered_.insert(item);
    // Walk the records past the settled prefix, one source subtask at a time.
    Expectation expected;
    expected.key_counts = settled_key_counts_;
    // Adds what one record copy before the cut needs; false (and reported) if
    // a copy that reached its store is not in a transaction the checkpoint covers.
    const auto absorb = [&](const Expectation& one) {
      for (const Located& item : one.in_store) {
        if (!covered_.contains(item)) {
          Fail(system, step, checkpoint,
               fmt::format("record {} is before the cut but not in any transaction of {} that the checkpoint "
                           "covers",
                           DescribeRecord(graph, item.second), graph.SubtaskName(item.first)));
          return false;
        }
      }
      expected.in_buffers.insert(one.in_buffers.begin(), one.in_buffers.end());
      expected.in_channels.insert(one.in_channels.begin(), one.in_channels.end());
      for (const auto& [key, n] : one.key_counts) expected.key_counts[key] += n;
      expected_in_store_.insert(one.in_store.begin(), one.in_store.end());
      return true;
    };
    for (const HeldRecord& held : held_) {
      Expectation one;
      Walk(graph, checkpoint, held.subtask, held.op, held.record, one);
      if (!absorb(one)) return;
    }
    for (int s = 0; s < graph.subtask_count(); ++s) {
      bool prefix_settled = true;
      for (int64_t seq = settled_[s]; seq < offsets[s]; ++seq) {
        Expectation one;
        Walk(graph, checkpoint, s, 1, model::SourceRecord(graph, s, static_cast<uint32_t>(seq)), one);
        const bool all_in_store = one.in_buffers.empty() && one.in_channels.empty();
        if (!absorb(one)) return;
        // Only a checkpoint settles records: a failover restores checkpoints,
        // never savepoints, so what a savepoint covers may still be rolled back.
        if (prefix_settled && all_in_store && checkpoint.kind == model::CheckpointKind::kCheckpoint) {
          settled_[s] = seq + 1;
          for (const auto& [key, n] : one.key_counts) settled_key_counts_[key] += n;
        } else {
          prefix_settled = false;
        }
      }
    }
    // Nothing after the cut in a covered transaction.
    for (const Located& item : newly_covered) {
      if (expected_in_store_.contains(item)) continue;
      Fail(system, step, checkpoint,
           fmt::format("{} has record {} in a covered transaction, but it is after the cut",
                       graph.SubtaskName(item.first), DescribeRecord(graph, item.second)));
      return;
    }
    size_t buffered = 0;
    size_t in_flight = 0;
    for (int s = 0; s < graph.subtask_count(); ++s) {
      const auto& snapshot = checkpoint.snapshots[s];
      if (!snapshot) continue;
      in_flight += snapshot->channel_state.size();
      const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[s].vertex];
      for (size_t i = 0; i < vertex.operators.size(); ++i) {
        buffered += snapshot->operators[i].buffer.size();
        if (vertex.operators[i].kind != model::OperatorKind::kKeyedAggregate || reset_[s]) continue;
        for (int key = 0; key < model::kKeyCount; ++key) {
          const auto it = expected.key_counts.find({s, static_cast<int>(i), key});
          const int64_t want = it == expected.key_counts.end() ? 0 : it->second;
          if (snapshot->operators[i].key_counts[key] == want) continue;
          Fail(system, step, checkpoint,
               fmt::format("{} operator {} counts {} record(s) for key {}, but {} before the cut reach it",
                           graph.SubtaskName(s), vertex.operators[i].name, snapshot->operators[i].key_counts[key],
                           key, want));
          return;
        }
      }
    }
    if (buffered != expected.in_buffers.size()) {
      Fail(system, step, checkpoint,
           fmt::format("operators hold {} record(s) in the checkpoint, but {} before the cut should be held",
                       buffered, expected.in_buffers.size()));
      return;
    }
    if (in_flight != expected.in_channels.size()) {
      Fail(system, step, checkpoint,
           fmt::format("the channel state holds {} record(s), but {} before the cut are in flight", in_flight,
                       expected.in_channels.size()));
    }
  }

  void Fail(const model::System& system, int64_t step, const model::CompletedCheckpoint& checkpoint,
            std::string problem) {
    (void)system;
    Report(Violation{.property = id(),
                     .step = step,
                     .summary = fmt::format("checkpoint {} is not a consistent cut: {}", checkpoint.id, problem)});
  }

  std::vector<bool> reset_;
  std::vector<HeldRecord> held_;  // held by an operator at the savepoint a changed job resumed from
  std::vector<std::string> misplaced_;
  std::vector<std::pair<int32_t, model::RecordId>> targets_;
  std::vector<int64_t> settled_;                          // by source subtask
  std::map<KeyedSlot, int64_t> settled_key_counts_;
  std::set<Located> covered_;                             // records in covered transactions
  std::set<Located> expected_in_store_;                   // every copy before some cut, at its store
  std::vector<int64_t> uncovered_;                        // transactions not yet covered
  size_t examined_ = 0;
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeConsistentCutChecker(const model::System& initial) {
  return std::make_unique<ConsistentCutChecker>(initial);
}

}  // namespace ckptsim::properties
