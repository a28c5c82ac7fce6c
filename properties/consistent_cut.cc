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
// the cut is missing, nothing after every cut so far is included.
//
// From the state alone the check walks every record before the cut; a linear
// run's cache walks only the records past the prefix an earlier cut settled.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "model/graph_change.h"
#include "model/routing.h"
#include "properties/carry_over.h"
#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

using Located = std::pair<int32_t, model::RecordId>;  // (subtask or channel, record)

struct Expectation {
  std::set<Located> in_store;               // (writing subtask, record)
  std::set<Located> in_buffers;             // (subtask, record)
  std::set<Located> in_channels;            // (channel, record)
  std::map<KeyedSlot, int64_t> key_counts;  // (subtask, operator, key) -> count
};

// Where the copies of one record before the cut must be found in `checkpoint`.
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
  std::vector<std::pair<int32_t, model::RecordId>> targets;
  model::RouteRecord(graph, subtask, record, targets);
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

// Every store a copy of `record` ends in, wherever it is held on the way.
void WalkToStores(const model::JobGraph& graph, int32_t subtask, size_t first_op, const model::RecordId& record,
                  std::set<Located>& out) {
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  for (size_t i = first_op; i < vertex.operators.size(); ++i) {
    if (model::WritesToStore(vertex.operators[i].kind)) {
      out.emplace(subtask, record);
      return;
    }
  }
  std::vector<std::pair<int32_t, model::RecordId>> targets;
  model::RouteRecord(graph, subtask, record, targets);
  for (const auto& [channel, copy] : targets) {
    const int32_t consumer = graph.channels()[channel].consumer;
    WalkToStores(graph, consumer, 0, model::EnterVertex(graph, consumer, copy), out);
  }
}

Violation Fail(int64_t step, const model::CompletedCheckpoint& checkpoint, const std::string& problem) {
  return Violation{.property = PropertyId::kConsistentCut,
                   .step = step,
                   .summary = fmt::format("checkpoint {} is not a consistent cut: {}", checkpoint.id, problem)};
}

bool Covers(const model::Transaction& txn, const model::CompletedCheckpoint& checkpoint) {
  return txn.state == model::TransactionState::kCommitted ||
         (txn.state == model::TransactionState::kPrecommitted && txn.precommit_checkpoint_id <= checkpoint.id);
}

// The source offsets of a checkpoint's cut; false if some offset is not in it
// (an unbounded source finished by a stop).
bool CutOffsets(const model::JobGraph& graph, const model::CompletedCheckpoint& checkpoint,
                std::vector<int64_t>* offsets) {
  offsets->assign(graph.subtask_count(), 0);
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const model::SubtaskInfo& info = graph.subtasks()[s];
    const model::VertexInfo& vertex = graph.vertices()[info.vertex];
    if (!vertex.is_source) continue;
    if (checkpoint.snapshots[s]) {
      (*offsets)[s] = checkpoint.snapshots[s]->source_next_sequence;
    } else if (checkpoint.subtask_finished[s] && !vertex.is_unbounded_source) {
      (*offsets)[s] = vertex.records_per_subtask[info.index];
    } else {
      return false;
    }
  }
  return true;
}

// What the snapshots hold against what the records before the cut need:
// keyed counts, buffered records, records in flight.
std::optional<Violation> CheckHeld(const model::System& system, const StepContext& c,
                                   const model::CompletedCheckpoint& checkpoint, const Expectation& expected) {
  const model::JobGraph& graph = *system.graph;
  size_t buffered = 0;
  size_t in_flight = 0;
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const auto& snapshot = checkpoint.snapshots[s];
    if (!snapshot) continue;
    in_flight += snapshot->channel_state.size();
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[s].vertex];
    for (size_t i = 0; i < vertex.operators.size(); ++i) {
      buffered += snapshot->operators[i].buffer.size();
      if (vertex.operators[i].kind != model::OperatorKind::kKeyedAggregate) continue;
      if (c.history.subtasks[s].restored_without_state) continue;
      for (int key = 0; key < model::kKeyCount; ++key) {
        const auto it = expected.key_counts.find({s, static_cast<int>(i), key});
        const int64_t want = it == expected.key_counts.end() ? 0 : it->second;
        if (snapshot->operators[i].key_counts[key] == want) continue;
        return Fail(c.step, checkpoint,
                    fmt::format("{} operator {} counts {} record(s) for key {}, but {} before the cut reach it",
                                graph.SubtaskName(s), vertex.operators[i].name, snapshot->operators[i].key_counts[key],
                                key, want));
      }
    }
  }
  if (buffered != expected.in_buffers.size()) {
    return Fail(c.step, checkpoint,
                fmt::format("operators hold {} record(s) in the checkpoint, but {} before the cut should be held",
                            buffered, expected.in_buffers.size()));
  }
  if (in_flight != expected.in_channels.size()) {
    return Fail(c.step, checkpoint,
                fmt::format("the channel state holds {} record(s), but {} before the cut are in flight", in_flight,
                            expected.in_channels.size()));
  }
  return std::nullopt;
}

std::string NotCovered(const model::JobGraph& graph, const Located& item) {
  return fmt::format("record {} is before the cut but not in any transaction of {} that the checkpoint covers",
                     DescribeRecord(graph, item.second), graph.SubtaskName(item.first));
}

std::string AfterTheCut(const model::JobGraph& graph, const Located& item) {
  return fmt::format("{} has record {} in a covered transaction, but it is after the cut",
                     graph.SubtaskName(item.first), DescribeRecord(graph, item.second));
}

// From the state alone: every record from the first one the job (or its new
// version) reads up to the cut.
std::optional<Violation> CheckFromState(const StepContext& c, const model::CompletedCheckpoint& checkpoint,
                                        const std::vector<int64_t>& offsets) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  const CarryOver* carry = c.history.carry.get();
  const auto& transactions = system.store.transactions;
  std::set<Located> covered;
  for (size_t t = carry ? carry->first_new_transaction : 0; t < transactions.size(); ++t) {
    if (!Covers(transactions[t], checkpoint)) continue;
    for (const model::RecordId& record : transactions[t].records) covered.emplace(transactions[t].owner_subtask, record);
  }
  Expectation expected;
  if (carry) expected.key_counts = carry->key_counts;
  const auto absorb = [&](const Expectation& one) -> std::optional<Violation> {
    for (const Located& item : one.in_store) {
      if (!covered.contains(item)) return Fail(c.step, checkpoint, NotCovered(graph, item));
    }
    expected.in_store.insert(one.in_store.begin(), one.in_store.end());
    expected.in_buffers.insert(one.in_buffers.begin(), one.in_buffers.end());
    expected.in_channels.insert(one.in_channels.begin(), one.in_channels.end());
    for (const auto& [key, n] : one.key_counts) expected.key_counts[key] += n;
    return std::nullopt;
  };
  if (carry) {
    for (const HeldRecord& held : carry->held) {
      Expectation one;
      Walk(graph, checkpoint, held.subtask, held.op, held.record, one);
      if (auto v = absorb(one)) return v;
    }
  }
  std::set<Located> before_some_cut;
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const int64_t floor = carry ? carry->floor[s] : 0;
    for (int64_t seq = floor; seq < offsets[s]; ++seq) {
      Expectation one;
      Walk(graph, checkpoint, s, 1, model::SourceRecord(graph, s, static_cast<uint32_t>(seq)), one);
      if (auto v = absorb(one)) return v;
    }
    // Records past this cut but before an earlier one (a savepoint's, say)
    // may be in the store too.
    for (int64_t seq = offsets[s]; seq < c.history.max_cut_offset[s]; ++seq) {
      WalkToStores(graph, s, 1, model::SourceRecord(graph, s, static_cast<uint32_t>(seq)), before_some_cut);
    }
  }
  for (const Located& item : covered) {
    if (expected.in_store.contains(item) || before_some_cut.contains(item)) continue;
    return Fail(c.step, checkpoint, AfterTheCut(graph, item));
  }
  return CheckHeld(system, c, checkpoint, expected);
}

// Incremental (a linear run's cache): records of a source subtask below
// settled[s] had every copy in a covered transaction at an earlier cut, and
// stay there (a covered transaction is in every later checkpoint's state, so
// no restore aborts it). Only the records from there to this cut are walked,
// and only transactions not yet covered are examined.
std::optional<Violation> CheckIncrementally(const StepContext& c, const model::CompletedCheckpoint& checkpoint,
                                            const std::vector<int64_t>& offsets, ConsistentCutCache& cache) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  const CarryOver* carry = c.history.carry.get();
  if (!cache.started) {
    cache = ConsistentCutCache{};
    cache.started = true;
    cache.settled.assign(graph.subtask_count(), 0);
    if (carry) {
      cache.settled = carry->floor;
      cache.settled_key_counts = carry->key_counts;
      cache.examined = carry->first_new_transaction;
    }
  }
  const auto& transactions = system.store.transactions;
  for (size_t t = cache.examined; t < transactions.size(); ++t) cache.uncovered.push_back(static_cast<int64_t>(t));
  cache.examined = transactions.size();
  std::vector<Located> newly_covered;
  std::erase_if(cache.uncovered, [&](int64_t t) {
    const model::Transaction& txn = transactions[t];
    if (!Covers(txn, checkpoint)) return txn.state == model::TransactionState::kAborted;  // aborted: never covered
    for (const model::RecordId& record : txn.records) newly_covered.emplace_back(txn.owner_subtask, record);
    return true;
  });
  for (const Located& item : newly_covered) cache.covered.insert(item);
  Expectation expected;
  expected.key_counts = cache.settled_key_counts;
  const auto absorb = [&](const Expectation& one) -> std::optional<Violation> {
    for (const Located& item : one.in_store) {
      if (!cache.covered.contains(item)) return Fail(c.step, checkpoint, NotCovered(graph, item));
    }
    expected.in_buffers.insert(one.in_buffers.begin(), one.in_buffers.end());
    expected.in_channels.insert(one.in_channels.begin(), one.in_channels.end());
    for (const auto& [key, n] : one.key_counts) expected.key_counts[key] += n;
    cache.expected_in_store.insert(one.in_store.begin(), one.in_store.end());
    return std::nullopt;
  };
  if (carry) {
    for (const HeldRecord& held : carry->held) {
      Expectation one;
      Walk(graph, checkpoint, held.subtask, held.op, held.record, one);
      if (auto v = absorb(one)) return v;
    }
  }
  for (int s = 0; s < graph.subtask_count(); ++s) {
    bool prefix_settled = true;
    for (int64_t seq = cache.settled[s]; seq < offsets[s]; ++seq) {
      Expectation one;
      Walk(graph, checkpoint, s, 1, model::SourceRecord(graph, s, static_cast<uint32_t>(seq)), one);
      const bool all_in_store = one.in_buffers.empty() && one.in_channels.empty();
      if (auto v = absorb(one)) return v;
      // Only a checkpoint settles records: a failover restores checkpoints,
      // never savepoints, so what a savepoint covers may still be rolled back.
      if (prefix_settled && all_in_store && checkpoint.kind == model::CheckpointKind::kCheckpoint) {
        cache.settled[s] = seq + 1;
        for (const auto& [key, n] : one.key_counts) cache.settled_key_counts[key] += n;
      } else {
        prefix_settled = false;
      }
    }
  }
  for (const Located& item : newly_covered) {
    if (!cache.expected_in_store.contains(item)) return Fail(c.step, checkpoint, AfterTheCut(graph, item));
  }
  return CheckHeld(system, c, checkpoint, expected);
}

}  // namespace

void CheckConsistentCut(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  if (c.history.carry && !c.history.carry->misplaced.empty()) {
    out = Violation{.property = PropertyId::kConsistentCut,
                    .step = c.step,
                    .summary = fmt::format("savepoint {} was restored into the job's new version with keyed "
                                           "state away from its keys ({} record(s))",
                                           system.graph_change->savepoint->id, c.history.carry->misplaced.size()),
                    .details = {c.history.carry->misplaced.front()}};
    return;
  }
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kJobGraphChanged && c.caches != nullptr) {
      c.caches->consistent_cut = ConsistentCutCache{};
    }
    if (event.kind == model::EventKind::kRestarted) {
      // A subtask restored without state (it had finished) starts counting
      // from nothing, as Flink's discarded finished state does: its keyed
      // counts no longer describe the whole input.
      const auto& restored = system.coordinator.latest_completed;
      if (restored && event.checkpoint == restored->id && !restored->snapshots[event.subtask]) {
        c.history.subtasks[event.subtask].restored_without_state = true;
      }
    }
    if (event.kind != model::EventKind::kCheckpointCompleted) continue;
    const model::CompletedCheckpoint& checkpoint = *model::CompletedWithId(system.coordinator, event.checkpoint);
    std::vector<int64_t> offsets;
    if (!CutOffsets(*system.graph, checkpoint, &offsets)) continue;
    auto violation = c.caches != nullptr ? CheckIncrementally(c, checkpoint, offsets, c.caches->consistent_cut)
                                         : CheckFromState(c, checkpoint, offsets);
    auto& max_offset = c.history.max_cut_offset;
    for (size_t s = 0; s < offsets.size(); ++s) max_offset[s] = std::max(max_offset[s], offsets[s]);
    if (violation) {
      out = std::move(violation);
      return;
    }
  }
}

}  // namespace ckptsim::properties
