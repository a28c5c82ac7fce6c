#include "model/fingerprint.h"

#include <algorithm>
#include <vector>

#include "model/routing.h"

namespace ckptsim::model {
namespace {

class Hasher {
 public:
  void Add(uint64_t word) { state_ = Mix(state_, word); }
  void AddBool(bool b) { Add(b ? 1 : 0); }
  void AddRecord(const RecordId& r) {
    Add(r.lineage);
    Add(r.sequence | (static_cast<uint64_t>(r.source_vertex) << 32) | (static_cast<uint64_t>(r.source_subtask) << 48));
  }
  void AddMessage(const Message& m) {
    Add(static_cast<uint64_t>(m.kind) | (static_cast<uint64_t>(m.mode) << 8) | (static_cast<uint64_t>(m.unaligned) << 16) |
        (static_cast<uint64_t>(m.savepoint) << 24));
    Add(static_cast<uint64_t>(m.checkpoint_id));
    if (m.kind == MessageKind::kRecord) AddRecord(m.record);
    if (m.kind == MessageKind::kCommittable) {
      Add(static_cast<uint64_t>(m.transaction));
      Add(static_cast<uint64_t>(m.tag));
    }
  }
  void AddOperator(const OperatorState& op) {
    Add(static_cast<uint64_t>(op.initialized) | (static_cast<uint64_t>(op.opened) << 1) |
        (static_cast<uint64_t>(op.input_ended) << 2) | (static_cast<uint64_t>(op.finished) << 3) |
        (static_cast<uint64_t>(op.closed) << 4) | (static_cast<uint64_t>(op.saw_max_watermark) << 5));
    Add(op.key_counts.size());
    for (int64_t count : op.key_counts) Add(static_cast<uint64_t>(count));
    Add(static_cast<uint64_t>(op.value));
    Add(op.buffer.size());
    for (const RecordId& r : op.buffer) AddRecord(r);
    Add(static_cast<uint64_t>(op.current_transaction));
    Add(op.pending_transactions.size());
    for (const auto& [checkpoint, txn] : op.pending_transactions) {
      Add(static_cast<uint64_t>(checkpoint));
      Add(static_cast<uint64_t>(txn));
    }
    AddBool(op.restored);
    AddBool(op.max_watermark_held);
    Add(op.union_entries.size());
    for (int64_t entry : op.union_entries) Add(static_cast<uint64_t>(entry));
  }
  void AddSnapshot(const std::shared_ptr<const SubtaskSnapshot>& snapshot) {
    AddBool(snapshot != nullptr);
    if (!snapshot) return;
    Add(static_cast<uint64_t>(snapshot->subtask));
    Add(static_cast<uint64_t>(snapshot->checkpoint_id));
    AddBool(snapshot->finished_operators);
    AddBool(snapshot->deployed_as_finished);
    Add(snapshot->source_next_sequence);
    for (const OperatorState& op : snapshot->operators) AddOperator(op);
    Add(snapshot->channel_state.size());
    for (const ChannelStateEntry& entry : snapshot->channel_state) {
      Add(static_cast<uint64_t>(entry.channel));
      AddRecord(entry.record);
    }
  }
  void AddCompleted(const std::shared_ptr<const CompletedCheckpoint>& completed) {
    AddBool(completed != nullptr);
    if (!completed) return;
    Add(static_cast<uint64_t>(completed->id) | (static_cast<uint64_t>(completed->kind) << 56) |
        (static_cast<uint64_t>(completed->mode) << 60));
    for (VertexFinishedStatus status : completed->vertex_status) Add(static_cast<uint64_t>(status));
    AddBools(completed->subtask_finished);
    for (const auto& snapshot : completed->snapshots) AddSnapshot(snapshot);
  }
  void AddIds(const std::vector<int32_t>& ids) {
    Add(ids.size());
    for (int32_t id : ids) Add(static_cast<uint64_t>(id));
  }
  void AddBools(const std::vector<bool>& bits) {
    Add(bits.size());
    for (bool b : bits) AddBool(b);
  }
  uint64_t value() const { return state_; }

 private:
  uint64_t state_ = 0x66696e6765727072ULL;
};

}  // namespace

uint64_t Fingerprint(const System& system) {
  Hasher h;
  h.Add(static_cast<uint64_t>(system.options.variant));
  for (const Subtask& sub : system.subtasks) {
    h.Add(static_cast<uint64_t>(sub.phase) | (static_cast<uint64_t>(sub.end_mode) << 8) |
          (static_cast<uint64_t>(sub.attempt) << 16));
    h.Add(static_cast<uint64_t>(sub.deployed_as_finished) | (static_cast<uint64_t>(sub.end_of_data) << 1) |
          (static_cast<uint64_t>(sub.finished_operators) << 2) | (static_cast<uint64_t>(sub.end_of_input) << 3) |
          (static_cast<uint64_t>(sub.final_checkpoint_completed) << 4) |
          (static_cast<uint64_t>(sub.pending_alignment_savepoint) << 5));
    h.Add(sub.next_sequence);
    h.Add(static_cast<uint64_t>(sub.final_checkpoint_min_id));
    h.Add(static_cast<uint64_t>(sub.sync_savepoint_id));
    h.Add(static_cast<uint64_t>(sub.latest_report_checkpoint_id));
    h.Add(static_cast<uint64_t>(sub.last_checkpoint_id));
    h.Add(static_cast<uint64_t>(sub.pending_alignment_id));
    h.Add(sub.aborted_checkpoint_ids.size());
    for (int64_t id : sub.aborted_checkpoint_ids) h.Add(static_cast<uint64_t>(id));
    h.Add(static_cast<uint64_t>(sub.restored_checkpoint_id) | (static_cast<uint64_t>(sub.no_splits) << 63));
    h.AddSnapshot(sub.unaligned_snapshot);
    for (const OperatorState& op : sub.operators) h.AddOperator(op);
  }
  for (const Channel& ch : system.channels) {
    h.Add(ch.queue.size());
    for (size_t i = 0; i < ch.queue.size(); ++i) h.AddMessage(ch.queue[i]);
    h.Add(ch.priority_overtaken.size());
    for (int32_t overtaken : ch.priority_overtaken) h.Add(static_cast<uint64_t>(overtaken));
    h.Add(static_cast<uint64_t>(ch.end_of_data_sent) | (static_cast<uint64_t>(ch.end_of_partition_sent) << 1) |
          (static_cast<uint64_t>(ch.end_of_data_received) << 2) |
          (static_cast<uint64_t>(ch.end_of_partition_received) << 3) |
          (static_cast<uint64_t>(ch.max_watermark_received) << 4) | (static_cast<uint64_t>(ch.blocked) << 5) |
          (static_cast<uint64_t>(ch.aligned) << 6) | (static_cast<uint64_t>(ch.ack_in_flight) << 7) |
          (static_cast<uint64_t>(ch.ack_received) << 8) | (static_cast<uint64_t>(ch.end_of_data_mode) << 9));
  }
  // RPCs in flight are a multiset (any may be delivered next): hash each on
  // its own, uid left out, and combine them in sorted order.
  std::vector<uint64_t> rpc_hashes;
  rpc_hashes.reserve(system.rpcs.size());
  for (const Rpc& rpc : system.rpcs) {
    Hasher r;
    r.Add(static_cast<uint64_t>(rpc.kind) | (static_cast<uint64_t>(rpc.reason) << 8) |
          (static_cast<uint64_t>(rpc.savepoint) << 16) | (static_cast<uint64_t>(rpc.mode) << 17) |
          (static_cast<uint64_t>(rpc.finished_operators) << 18) |
          (static_cast<uint64_t>(rpc.deployed_as_finished) << 19) | (static_cast<uint64_t>(rpc.attempt) << 32));
    r.Add(static_cast<uint64_t>(rpc.subtask));
    r.Add(static_cast<uint64_t>(rpc.checkpoint_id));
    r.Add(static_cast<uint64_t>(rpc.latest_completed_id));
    r.AddSnapshot(rpc.snapshot);
    rpc_hashes.push_back(r.value());
  }
  std::sort(rpc_hashes.begin(), rpc_hashes.end());
  h.Add(rpc_hashes.size());
  for (uint64_t rpc_hash : rpc_hashes) h.Add(rpc_hash);
  const Coordinator& c = system.coordinator;
  h.Add(static_cast<uint64_t>(c.next_checkpoint_id));
  h.Add(static_cast<uint64_t>(c.latest_completed_id));
  h.Add(c.pending.size());
  for (const PendingCheckpoint& p : c.pending) {
    h.Add(static_cast<uint64_t>(p.id) | (static_cast<uint64_t>(p.kind) << 56) | (static_cast<uint64_t>(p.mode) << 60));
    h.AddIds(p.plan.to_trigger);
    h.AddIds(p.plan.to_wait_for);
    h.AddIds(p.plan.to_commit_to);
    h.AddIds(p.plan.finished_subtasks);
    h.AddBools(p.plan.fully_finished_vertex);
    h.AddBools(p.acknowledged);
    h.AddBools(p.finished_operators_ack);
    h.AddBools(p.deployed_as_finished_vertex);
    for (const auto& snapshot : p.snapshots) h.AddSnapshot(snapshot);
  }
  h.AddCompleted(c.latest_completed);
  h.AddCompleted(c.latest_savepoint);
  for (ExecutionState state : c.view) h.Add(static_cast<uint64_t>(state));
  h.AddBools(c.end_of_data_reported);
  h.AddBool(c.immediate_trigger_requested);
  h.AddBool(c.periodic_enabled);
  h.AddBool(c.stop_requested);
  h.Add(static_cast<uint64_t>(c.stop_mode));
  h.Add(static_cast<uint64_t>(c.stop_savepoint_id));
  h.Add(system.store.transactions.size());
  for (const Transaction& txn : system.store.transactions) {
    h.Add(static_cast<uint64_t>(txn.owner_subtask) | (static_cast<uint64_t>(txn.owner_attempt) << 32));
    h.Add(static_cast<uint64_t>(txn.state));
    h.Add(static_cast<uint64_t>(txn.precommit_checkpoint_id));
    h.Add(txn.records.size());
    for (const RecordId& r : txn.records) h.AddRecord(r);
  }
  h.AddBool(system.job_finished);
  h.AddBool(system.job_failed);
  h.AddBool(system.graph_change != nullptr);  // which version of the job runs
  h.AddBool(!system.resume_refusal.empty());
  h.AddBool(system.stopped_with_drain);
  h.AddBool(system.stopped_without_drain);
  h.AddIds(system.awaiting_restart);
  h.Add(static_cast<uint64_t>(system.restarts));  // the restart budget left decides the future
  // The sources' high-water marks are history a property reads, not state.
  return h.value();
}

}  // namespace ckptsim::model
