// The operator chain of one subtask: what each operator kind does on a
// record, on MAX_WATERMARK, at end of input, at finish(), before and on
// snapshot, on notifications and at close(). Lifecycle order follows
// docs/protocol.md section 2: initializeState and open tail to head,
// prepareSnapshotPreBarrier and finish head to tail, snapshotState and close
// tail to head. What the sinks do in the external store is in sinks.cc.
#include "model/check.h"
#include "model/routing.h"
#include "model/system.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

const VertexInfo& VertexOf(const Transition& t, int32_t subtask) {
  return t.graph.vertices()[t.graph.subtasks()[subtask].vertex];
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
  return !system.channel_index.OutputFull(subtask);
}

namespace {

// Every input of the head delivered its end: EndOfData(DRAIN) on every
// channel, or, in the legacy flow (no EndOfData), the last of the per-gate
// calls LegacyEndOfInput makes in gate order.
bool AllInputsEnded(const Transition& t, int32_t subtask, int input_index) {
  if (!t.IsFlip147()) return input_index == static_cast<int>(VertexOf(t, subtask).input_edges.size());
  for (int32_t c : t.graph.subtasks()[subtask].input_channels) {
    const Channel& channel = t.system.channels[c];
    if (!channel.end_of_data_received || channel.end_of_data_mode != StopMode::kDrain) return false;
  }
  return true;
}

// endInput() of operator `i`, once all its input ended (section 8): a Sink V2
// writer flushes its last transaction as end-of-input committables and takes
// no record after; a committer commits at once only if checkpointing is off
// (there will be no final checkpoint), else the final checkpoint's
// notify-complete commits them. Before FLINK-25941 it committed at endInput
// in streaming mode too (commit-on-end-input). A buffering operator emits
// what it holds, as AsyncWaitOperator.endInput waits for and emits its
// in-flight results; the watermark it held follows them.
void EndInput(Transition& t, int32_t subtask, size_t i) {
  Subtask& sub = t.system.subtasks[subtask];
  OperatorState& op = sub.operators[i];
  op.input_ended = true;
  const OperatorKind kind = VertexOf(t, subtask).operators[i].kind;
  if (kind == OperatorKind::kSinkV2Writer) FlushSinkWriter(t, subtask, i, std::nullopt);
  if (kind == OperatorKind::kSinkV2Committer &&
      (!t.system.options.checkpointing_enabled || t.Bug(Variant::kCommitOnEndInput))) {
    CommitPendingUpTo(t, subtask, op, kEndOfInputTag, 0);
  }
  if (kind == OperatorKind::kBuffering) {
    std::vector<RecordId> held;
    held.swap(op.buffer);
    for (const RecordId& record : held) ProcessRecord(t, subtask, i + 1, record);
    if (sub.operators[i].max_watermark_held) {
      sub.operators[i].max_watermark_held = false;
      ProcessMaxWatermark(t, subtask, i + 1);  // the watermark follows the records it waited behind
    }
  }
}

// FLINK-21453's bug (no-end-input-on-drain): the input of a subtask that a
// stop-with-savepoint --drain ends gets no endInput. In Flink 1.12 a task knew
// it was being stopped from the synchronous savepoint's barrier, which then
// came before the end of its input; the coordinator's pending drain stop
// stands in for that knowledge here.
bool EndInputSkippedByDrainStop(const Transition& t) {
  const Coordinator& coordinator = t.system.coordinator;
  return t.Bug(Variant::kNoEndInputOnDrain) && coordinator.stop_requested && coordinator.stop_mode == StopMode::kDrain;
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
    const OperatorKind kind = vertex.operators[i].kind;
    if (op.restored && (kind == OperatorKind::kTwoPhaseCommitSink || kind == OperatorKind::kSinkV2Committer)) {
      RecoverTransactions(t, subtask, i, /*open_only=*/false);
    }
    if (op.restored && (kind == OperatorKind::kSinkV2Writer || kind == OperatorKind::kSinkV2GlobalCommitter)) {
      RecoverTransactions(t, subtask, i, /*open_only=*/true);
    }
    if (kind == OperatorKind::kTwoPhaseCommitSink || kind == OperatorKind::kSinkV2Writer) {
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
        break;
      case OperatorKind::kKeyedAggregate:
        ++op.key_counts[KeyOf(record)];
        break;
      case OperatorKind::kUnionState:
      case OperatorKind::kBroadcastState:
        ++op.value;
        break;
      case OperatorKind::kBuffering:
      case OperatorKind::kEventTimeWindow:
        op.buffer.push_back(record);
        return;
      case OperatorKind::kSinkV2Writer:
        CKPTSIM_CHECK(!op.input_ended && "a record reached a Sink V2 writer after its endInput");
        [[fallthrough]];
      case OperatorKind::kTwoPhaseCommitSink:
        CKPTSIM_CHECK(op.current_transaction >= 0);
        t.system.store.transactions[op.current_transaction].records.push_back(record);
        return;
      case OperatorKind::kSinkV2Committer:
      case OperatorKind::kSinkV2GlobalCommitter:
        CKPTSIM_CHECK(false && "a record reached a Sink V2 committer");
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
    // processWatermark(MAX) fires every event-time timer first: the windows
    // go down the chain before the watermark does (section 3, reference 3.6).
    if (vertex.operators[i].kind == OperatorKind::kEventTimeWindow) {
      std::vector<RecordId> held;
      held.swap(sub.operators[i].buffer);
      for (const RecordId& record : held) ProcessRecord(t, subtask, i + 1, record);
    }
    // A buffering (async-like) operator queues the watermark behind the
    // records it holds (AsyncWaitOperator.processWatermark): it moves on only
    // when they leave, in finish().
    if (vertex.operators[i].kind == OperatorKind::kBuffering) {
      sub.operators[i].max_watermark_held = true;
      return;
    }
  }
  t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kMaxWatermark});
}

void EndInputOfHead(Transition& t, int32_t subtask, int input_index) {
  if (t.system.subtasks[subtask].deployed_as_finished || EndInputSkippedByDrainStop(t)) return;
  t.OperatorEvent(subtask, 0, OperatorCall::kEndInput, 0, input_index);
  if (AllInputsEnded(t, subtask, input_index)) EndInput(t, subtask, 0);
}

void FinishOperators(Transition& t, int32_t subtask, StopMode mode) {
  Subtask& sub = t.system.subtasks[subtask];
  sub.finished_operators = true;
  if (mode == StopMode::kNoDrain) return;  // no endInput, no finish() (docs/protocol.md section 2)
  if (sub.deployed_as_finished) return;
  const VertexInfo& vertex = VertexOf(t, subtask);
  const bool skip_end_input = EndInputSkippedByDrainStop(t);
  for (size_t i = 0; i < vertex.operators.size(); ++i) {
    if (i > 0 && !skip_end_input) {
      t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kEndInput, 0, 1);
      EndInput(t, subtask, i);
    }
    sub.operators[i].finished = true;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kFinish);
  }
}

void EndInputAfterNoDrainStop(Transition& t, int32_t subtask) {
  const Subtask& sub = t.system.subtasks[subtask];
  if (sub.deployed_as_finished) return;
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.is_source ? 1 : 0; i < vertex.operators.size(); ++i) {
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kEndInput, 0, 1);
    EndInput(t, subtask, i);
  }
}

void PrepareSnapshotPreBarrier(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = 0; i < vertex.operators.size() && !sub.deployed_as_finished; ++i) {
    if (sub.operators[i].closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kPrepareSnapshotPreBarrier, checkpoint_id);
    // A Sink V2 writer flushes before the barrier unless its input ended
    // (then it flushed in endInput): its committable carries this id.
    if (vertex.operators[i].kind == OperatorKind::kSinkV2Writer && !sub.operators[i].input_ended) {
      FlushSinkWriter(t, subtask, i, checkpoint_id);
    }
  }
}

SubtaskSnapshot SnapshotOperators(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.operators.size(); i-- > 0 && !sub.deployed_as_finished;) {
    OperatorState& op = sub.operators[i];
    if (op.closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kSnapshotState, checkpoint_id);
    // The 2PC sink pre-commits here. A Sink V2 writer flushed before the
    // barrier and keeps nothing to commit; a committer's collected
    // committables are its state.
    if (vertex.operators[i].kind == OperatorKind::kTwoPhaseCommitSink && op.current_transaction >= 0) {
      op.pending_transactions.emplace_back(checkpoint_id, PrecommitTransaction(t, subtask, op, checkpoint_id));
      // After finish() no new transaction is begun (FLINK-23473), except in
      // begin-transaction-after-finish, which puts that bug back.
      if (!op.finished || t.Bug(Variant::kBeginTransactionAfterFinish)) BeginTransaction(t, subtask, op);
    }
  }
  return SubtaskSnapshot{.subtask = subtask,
                         .checkpoint_id = checkpoint_id,
                         .finished_operators = sub.finished_operators,
                         .deployed_as_finished = sub.deployed_as_finished,
                         .source_next_sequence = sub.next_sequence,
                         .operators = sub.operators};
}

void NotifyOperatorsComplete(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t, subtask);
  for (size_t i = vertex.operators.size(); i-- > 0 && !sub.deployed_as_finished;) {
    OperatorState& op = sub.operators[i];
    if (op.closed) continue;
    t.OperatorEvent(subtask, static_cast<int32_t>(i), OperatorCall::kNotifyCheckpointComplete, checkpoint_id);
    // A global committer after committers commits on input, never here
    // (GlobalCommitterOperator with commitOnInput).
    if (vertex.operators[i].kind == OperatorKind::kSinkV2GlobalCommitter) continue;
    // The 2PC sink commits what it pre-committed at or before this id, a
    // committer the committables tagged up to it. Flink's committer keeps
    // lastCompletedCheckpointId = max(last, id) and commits up to that; up to
    // this id is the same, because committable c precedes barrier c on its
    // channel (or in the chain), so none tagged at or below a notified id
    // arrives after the notification. Before FLINK-37605 a committer whose
    // input ended committed everything, the EOI-tagged ones included.
    const bool commit_all = SinkV2EndOfInputSentinel(t.system.options) &&
                            vertex.operators[i].kind == OperatorKind::kSinkV2Committer && op.input_ended;
    CommitPendingUpTo(t, subtask, op, commit_all ? kEndOfInputTag : checkpoint_id, checkpoint_id);
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
