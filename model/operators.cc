// The operator chain of one subtask: what each operator kind does on a
// record, at end of input, at finish(), on snapshot, on notifications and at
// close(). Lifecycle order follows PROTOCOL.md section 2: initializeState and
// open tail to head, finish head to tail, snapshotState and close tail to head.
#include "model/check.h"
#include "model/routing.h"
#include "model/system.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

const VertexInfo& VertexOf(const Transition& t, int32_t subtask) {
  return t.graph.vertices()[t.graph.subtasks()[subtask].vertex];
}

void BeginTransaction(Transition& t, int32_t subtask, OperatorState& op) {
  Transaction txn;
  txn.owner_subtask = subtask;
  txn.owner_attempt = t.system.subtasks[subtask].attempt;
  t.system.store.transactions.push_back(std::move(txn));
  op.current_transaction = static_cast<int64_t>(t.system.store.transactions.size()) - 1;
  Event e{.kind = EventKind::kTransactionBegun, .subtask = subtask, .value = op.current_transaction};
  t.Emit(e);
}

void AbortTransaction(Transition& t, int32_t subtask, int64_t txn_id) {
  Transaction& txn = t.system.store.transactions[txn_id];
  if (txn.state == TransactionState::kCommitted || txn.state == TransactionState::kAborted) return;
  txn.state = TransactionState::kAborted;
  t.Emit(Event{.kind = EventKind::kTransactionAborted, .subtask = subtask, .value = txn_id});
}

// Routes a record that left the tail of the chain to the output channels.
void Route(Transition& t, int32_t subtask, const RecordId& record) {
  thread_local std::vector<std::pair<int32_t, RecordId>> targets;
  RouteRecord(t.graph, subtask, record, targets);
  for (const auto& [channel, copy] : targets) {
    t.Send(channel, Message{.kind = MessageKind::kRecord, .record = copy});
  }
}

}  // namespace

bool OutputsHaveCapacity(const System& system, int32_t subtask) {
  for (int32_t c : system.graph->subtasks()[subtask].output_channels) {
    if (system.channels[c].queue.size() >= kChannelCapacityRecords) return false;
  }
  return true;
}

namespace {

// TwoPhaseCommitSinkFunction.initializeState after a restore (section 8):
// re-commit the restored pending transactions (commit is idempotent), abort
// the restored open one. Like Kafka's sink, it also aborts what earlier
// attempts of this subtask left open or pre-committed for checkpoints that
// never completed, so no transaction lingers.
void RecoverTransactions(Transition& t, int32_t subtask, OperatorState& op) {
  ExternalStore& store = t.system.store;
  const int64_t checkpoint_id = t.system.subtasks[subtask].restored_checkpoint_id;
  for (const auto& [precommit_id, txn_id] : op.pending_transactions) {
    Transaction& txn = store.transactions[txn_id];
    if (txn.state == TransactionState::kCommitted) continue;
    CKPTSIM_CHECK(txn.state == TransactionState::kPrecommitted);
    txn.state = TransactionState::kCommitted;
    t.Emit(Event{.kind = EventKind::kTransactionCommitted, .subtask = subtask, .checkpoint = checkpoint_id,
                 .value = txn_id});
  }
  op.pending_transactions.clear();
  for (size_t id = 0; id < store.transactions.size(); ++id) {
    if (store.transactions[id].owner_subtask == subtask) AbortTransaction(t, subtask, static_cast<int64_t>(id));
  }
  op.current_transaction = -1;
  op.restored = false;
}

}  // namespace

void OpenOperators(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  if (sub.deployed_as_finished) return;  // FinishedOperatorChain: no user code
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.operators.size(); i-- > 0;) {
    OperatorState& op = sub.operators[i];
    op.initialized = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kInitializeState);
    if (vertex.operators[i].kind == OperatorKind::kTwoPhaseCommitSink ||
        vertex.operators[i].kind == OperatorKind::kSinkV2Committer) {
      if (op.restored) RecoverTransactions(t, subtask, op);
      BeginTransaction(t, subtask, op);
    }
    op.restored = false;
    op.opened = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kOpen);
  }
}

void ProcessRecord(Transition& t, int32_t subtask, size_t first_op, RecordId record) {
  Subtask& sub = t.system.subtasks[subtask];
  CKPTSIM_CHECK(!sub.deployed_as_finished && "a record reached a subtask deployed as finished");
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = first_op; i < vertex.operators.size(); ++i) {
    OperatorState& op = sub.operators[i];
    switch (vertex.operators[i].kind) {
      case OperatorKind::kBoundedSource:
      case OperatorKind::kUnboundedSource:
      case OperatorKind::kMap:
      case OperatorKind::kSinkV2Writer:
        break;
      case OperatorKind::kKeyedAggregate:
        ++op.key_counts[KeyOf(record)];
        break;
      case OperatorKind::kUnionState:
      case OperatorKind::kBroadcastState:
        ++op.value;
        break;
      case OperatorKind::kBuffering:
        op.buffer.push_back(record);
        return;
      case OperatorKind::kTwoPhaseCommitSink:
      case OperatorKind::kSinkV2Committer:
        CKPTSIM_CHECK(op.current_transaction >= 0);
        t.system.store.transactions[op.current_transaction].records.push_back(record);
        return;
    }
  }
  Route(t, subtask, record);
}

void ProcessMaxWatermark(Transition& t, int32_t subtask, size_t first_op) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = first_op; i < vertex.operators.size() && !sub.deployed_as_finished; ++i) {
    sub.operators[i].saw_max_watermark = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kProcessMaxWatermark);
  }
  t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kMaxWatermark});
}

void EndInputOfHead(Transition& t, int32_t subtask, int input_index) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  if (sub.deployed_as_finished) return;
  t.OperatorEvent(subtask, 0, OperatorCall::kEndInput, 0, input_index);
  if (input_index == static_cast<int>(vertex.input_edges.size())) sub.operators[0].input_ended = true;
}

void FinishOperators(Transition& t, int32_t subtask, StopMode mode) {
  Subtask& sub = t.system.subtasks[subtask];
  sub.finished_operators = true;
  if (mode == StopMode::kNoDrain) return;  // no endInput, no finish() (PROTOCOL.md section 2)
  if (sub.deployed_as_finished) return;
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = 0; i < vertex.operators.size(); ++i) {
    if (i > 0) {
      sub.operators[i].input_ended = true;
      t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kEndInput, 0, 1);
    }
    // A buffering operator emits what it holds inside finish(); the event
    // marks finish() returning, so those records precede it.
    if (vertex.operators[i].kind == OperatorKind::kBuffering) {
      std::vector<RecordId> held;
      held.swap(sub.operators[i].buffer);
      for (const RecordId& record : held) ProcessRecord(t, subtask, i + 1, record);
    }
    sub.operators[i].finished = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kFinish);
  }
}

std::shared_ptr<SubtaskSnapshot> SnapshotOperators(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.operators.size(); i-- > 0 && !sub.deployed_as_finished;) {
    OperatorState& op = sub.operators[i];
    if (op.closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kSnapshotState, checkpoint_id);
    const OperatorKind kind = vertex.operators[i].kind;
    if ((kind == OperatorKind::kTwoPhaseCommitSink || kind == OperatorKind::kSinkV2Committer) &&
        op.current_transaction >= 0) {
      Transaction& txn = t.system.store.transactions[op.current_transaction];
      txn.state = TransactionState::kPrecommitted;
      txn.precommit_checkpoint_id = checkpoint_id;
      op.pending_transactions.emplace_back(checkpoint_id, op.current_transaction);
      t.Emit(Event{.kind = EventKind::kTransactionPrecommitted, .subtask = subtask, .checkpoint = checkpoint_id,
                   .value = op.current_transaction});
      op.current_transaction = -1;
      // After finish() no new transaction is begun (FLINK-24065).
      if (!op.finished) BeginTransaction(t, subtask, op);
    }
  }
  auto snapshot = std::make_shared<SubtaskSnapshot>();
  snapshot->subtask = subtask;
  snapshot->checkpoint_id = checkpoint_id;
  snapshot->finished_operators = sub.finished_operators;
  snapshot->deployed_as_finished = sub.deployed_as_finished;
  snapshot->source_next_sequence = sub.next_sequence;
  snapshot->operators = sub.operators;
  return snapshot;
}

void NotifyOperatorsComplete(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.operators.size(); i-- > 0 && !sub.deployed_as_finished;) {
    OperatorState& op = sub.operators[i];
    if (op.closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kNotifyCheckpointComplete, checkpoint_id);
    // Commit every pending transaction pre-committed at or before this id.
    auto& pending = op.pending_transactions;
    size_t kept = 0;
    for (size_t p = 0; p < pending.size(); ++p) {
      if (pending[p].first > checkpoint_id) {
        pending[kept++] = pending[p];
        continue;
      }
      Transaction& txn = t.system.store.transactions[pending[p].second];
      if (txn.state != TransactionState::kCommitted) {  // commit is idempotent
        txn.state = TransactionState::kCommitted;
        t.Emit(Event{.kind = EventKind::kTransactionCommitted, .subtask = subtask, .checkpoint = checkpoint_id,
                     .value = pending[p].second});
      }
    }
    pending.resize(kept);
  }
}

void NotifyOperatorsAborted(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  for (size_t i = sub.operators.size(); i-- > 0 && !sub.deployed_as_finished;) {
    if (sub.operators[i].closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kNotifyCheckpointAborted, checkpoint_id);
  }
}

void CloseOperators(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  for (size_t i = sub.operators.size(); i-- > 0;) {
    OperatorState& op = sub.operators[i];
    if (op.closed || !op.opened) continue;  // never opened: deployed as finished, or failed before open
    op.closed = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kClose);
    if (op.current_transaction >= 0) {
      AbortTransaction(t, subtask, op.current_transaction);
      op.current_transaction = -1;
    }
  }
}

}  // namespace ckptsim::model
