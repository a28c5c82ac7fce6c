// The StreamTask side of the protocol: a subtask's internal steps, what it
// does with each channel message (barrier alignment, EndOfData,
// EndOfPartition), the final-checkpoint wait, and the RPCs it receives.
// Section numbers refer to docs/protocol.md.
#include <algorithm>

#include "model/check.h"
#include "model/routing.h"
#include "model/system.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

const VertexInfo& VertexOf(const System& system, int32_t subtask) {
  return system.graph->vertices()[system.graph->subtasks()[subtask].vertex];
}

bool AllInputs(const System& system, int32_t subtask, bool (*predicate)(const Channel&)) {
  for (int32_t c : system.graph->subtasks()[subtask].input_channels) {
    if (!predicate(system.channels[c])) return false;
  }
  return true;
}

// RUNNING with isRunning == true: takes input, checkpoints and notifications.
bool IsActive(SubtaskPhase phase) {
  return phase == SubtaskPhase::kProcessing || phase == SubtaskPhase::kDataFinished ||
         phase == SubtaskPhase::kWaitingForFinalCheckpoint;
}

// Checkpoint barriers are unaligned (priority) in unaligned mode, except for
// savepoints, which are always aligned.
bool UnalignedBarriers(const System& system, bool savepoint) {
  return system.options.checkpoint_mode == CheckpointMode::kUnaligned && !savepoint;
}

void Decline(Transition& t, int32_t subtask, int64_t checkpoint_id, AbortReason reason) {
  t.Emit(Event{.kind = EventKind::kCheckpointCanceled, .aux = static_cast<uint8_t>(reason), .subtask = subtask,
               .checkpoint = checkpoint_id});
  t.SendRpc(Rpc{.kind = RpcKind::kDecline, .subtask = subtask, .attempt = t.system.subtasks[subtask].attempt,
                .checkpoint_id = checkpoint_id, .reason = reason});
}

// Section 2: the wait before close(): (a) the final checkpoint (or exactly
// the pending stop-with-savepoint) completed, (b) every downstream subtask
// acknowledged this subtask's EndOfData.
bool FinalWaitSatisfied(const System& system, int32_t subtask) {
  const Subtask& sub = system.subtasks[subtask];
  bool need_checkpoint = sub.sync_savepoint_id != 0;
  bool need_acks = false;
  if (sub.end_of_data && FinalCheckpointsEnabled(system.options)) {
    need_checkpoint = true;
    need_acks = true;
  }
  if (need_checkpoint && !sub.final_checkpoint_completed) return false;
  if (need_acks) {
    for (int32_t c : system.graph->subtasks()[subtask].output_channels) {
      if (!system.channels[c].ack_received) return false;
    }
  }
  return true;
}

void EnterEndOfInput(Transition& t, int32_t subtask);

// Section 2, endData(mode): MAX_WATERMARK (sources, drain), endInput and
// finish() head to tail (drain), EndOfData(mode) on every output.
void EndData(Transition& t, int32_t subtask, StopMode mode) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t.system, subtask);
  if (mode == StopMode::kDrain && vertex.is_source) ProcessMaxWatermark(t, subtask, 1);
  FinishOperators(t, subtask, mode);
  // A committer feeding a global committer sends EndOfData once the final
  // checkpoint forwarded its last committables (NotifyComplete).
  if (mode == StopMode::kNoDrain || !DefersEndOfData(t, subtask)) {
    t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kEndOfData, .mode = mode});
  }
  sub.end_of_data = true;
  sub.end_mode = mode;
  t.Emit(Event{.kind = EventKind::kEndData, .aux = static_cast<uint8_t>(mode), .subtask = subtask});
  if (mode == StopMode::kDrain) {
    t.SendRpc(Rpc{.kind = RpcKind::kReportEndOfData, .subtask = subtask, .attempt = sub.attempt});
  }
  if (sub.phase == SubtaskPhase::kProcessing) sub.phase = SubtaskPhase::kDataFinished;
  if (vertex.is_source) EnterEndOfInput(t, subtask);
}

// Section 9: the pre-FLIP-147 end of input: endInput, finish (then called
// close), close, EndOfPartition, exit; no EndOfData and no wait.
void LegacyEndOfInput(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = VertexOf(t.system, subtask);
  if (vertex.is_source) {
    ProcessMaxWatermark(t, subtask, 1);
  } else {
    for (size_t gate = 0; gate < vertex.input_edges.size(); ++gate) {
      EndInputOfHead(t, subtask, static_cast<int>(gate) + 1);
    }
  }
  FinishOperators(t, subtask, StopMode::kDrain);
  sub.end_of_input = true;
  t.Emit(Event{.kind = EventKind::kEndOfInput, .subtask = subtask});
  sub.phase = SubtaskPhase::kClosing;
  t.Emit(Event{.kind = EventKind::kSubtaskClosing, .subtask = subtask});
}

// Every input ended (all EndOfPartition, or the source ran out): the task
// leaves its input loop and waits in afterInvoke.
void EnterEndOfInput(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  if (!t.IsFlip147()) {
    LegacyEndOfInput(t, subtask);
    return;
  }
  sub.end_of_input = true;
  t.Emit(Event{.kind = EventKind::kEndOfInput, .subtask = subtask});
  sub.phase = SubtaskPhase::kWaitingForFinalCheckpoint;
}

void EmitSourceRecord(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  ProcessRecord(t, subtask, 1, SourceRecord(t.graph, subtask, sub.next_sequence++));
  uint32_t& high_water = t.system.source_high_water[subtask];
  high_water = std::max(high_water, sub.next_sequence);
}

// Section 9: a legacy subtask that took a synchronous savepoint is blocked
// until that savepoint completes.
bool LegacySavepointBlocked(const System& system, int32_t subtask) {
  const Subtask& sub = system.subtasks[subtask];
  return system.options.variant == Variant::kLegacy && sub.sync_savepoint_id != 0 && !sub.final_checkpoint_completed;
}

bool SourceHasRecords(const System& system, int32_t subtask) {
  const SubtaskInfo& info = system.graph->subtasks()[subtask];
  const VertexInfo& vertex = system.graph->vertices()[info.vertex];
  const Subtask& sub = system.subtasks[subtask];
  if (sub.deployed_as_finished || sub.no_splits || sub.sync_savepoint_id != 0) return false;
  if (vertex.is_unbounded_source) {
    return system.unbounded_log_records < 0 || sub.next_sequence < system.unbounded_log_records;
  }
  return system.subtasks[subtask].next_sequence < vertex.records_per_subtask[info.index];
}

// An unbounded source that read all of its finite log waits for more until
// the environment ends the log (exhaustive checking only).
bool WaitsForLog(const System& system, int32_t subtask) {
  const Subtask& sub = system.subtasks[subtask];
  return system.graph->vertices()[system.graph->subtasks()[subtask].vertex].is_unbounded_source &&
         system.unbounded_log_records >= 0 && !system.logs_ended && !sub.deployed_as_finished && !sub.no_splits &&
         sub.sync_savepoint_id == 0 && !SourceHasRecords(system, subtask);
}

void ResetAlignment(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  for (int32_t c : t.graph.subtasks()[subtask].input_channels) {
    t.system.channels[c].blocked = false;
    t.system.channels[c].aligned = false;
    Reindex(t.system, c);
  }
  sub.pending_alignment_id = 0;
  sub.pending_alignment_savepoint = false;
  sub.unaligned_snapshot.reset();  // an unfinished unaligned snapshot is discarded
}

// Section 4: a newer barrier or a cancel marker aborts the alignment in
// progress: decline to the coordinator, cancel marker downstream, unblock.
void AbortAlignment(Transition& t, int32_t subtask, AbortReason reason) {
  Subtask& sub = t.system.subtasks[subtask];
  const int64_t id = sub.pending_alignment_id;
  ResetAlignment(t, subtask);
  sub.last_checkpoint_id = std::max(sub.last_checkpoint_id, id);
  t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kCancelMarker, .checkpoint_id = id});
  Decline(t, subtask, id, reason);
}

void SendAcknowledge(Transition& t, int32_t subtask, SubtaskSnapshot snapshot) {
  const Subtask& sub = t.system.subtasks[subtask];
  t.SendRpc(Rpc{.kind = RpcKind::kAcknowledge,
                .subtask = subtask,
                .attempt = sub.attempt,
                .checkpoint_id = snapshot.checkpoint_id,
                .finished_operators = snapshot.finished_operators,
                .deployed_as_finished = snapshot.deployed_as_finished,
                .snapshot = std::make_shared<const SubtaskSnapshot>(std::move(snapshot))});
}

// StreamTask.performCheckpoint: snapshot and forward the barrier. With
// `unaligned`, the acknowledgement waits until every open channel delivered
// its barrier, so the records in flight can be added as channel state.
void PerformCheckpoint(Transition& t, int32_t subtask, int64_t checkpoint_id, bool savepoint,
                       bool unaligned = false) {
  Subtask& sub = t.system.subtasks[subtask];
  if (checkpoint_id <= sub.last_checkpoint_id) return;
  sub.last_checkpoint_id = checkpoint_id;
  auto& aborted = sub.aborted_checkpoint_ids;
  const bool was_aborted = std::find(aborted.begin(), aborted.end(), checkpoint_id) != aborted.end();
  std::erase_if(aborted, [&](int64_t id) { return id <= checkpoint_id; });
  if (was_aborted) {
    // Already notified aborted: pass a cancel marker on instead of a barrier.
    t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kCancelMarker, .checkpoint_id = checkpoint_id});
    t.Emit(Event{.kind = EventKind::kCheckpointCanceled, .aux = static_cast<uint8_t>(AbortReason::kNone),
                 .subtask = subtask, .checkpoint = checkpoint_id});
    return;
  }
  if (savepoint) {
    if (sub.sync_savepoint_id != 0 && sub.sync_savepoint_id != checkpoint_id) {
      Failover(t, {subtask}, FailureCause::kSecondSavepoint);
      return;
    }
    sub.sync_savepoint_id = checkpoint_id;
  }
  if (FinalCheckpointsEnabled(t.system.options) && sub.end_of_data && sub.final_checkpoint_min_id == 0) {
    sub.final_checkpoint_min_id = checkpoint_id;
    t.Emit(Event{.kind = EventKind::kFinalCheckpointSet, .subtask = subtask, .checkpoint = checkpoint_id});
  }
  PrepareSnapshotPreBarrier(t, subtask, checkpoint_id);
  // A writer's edge to its committer stays aligned (FLINK-36287): committables
  // are never channel state, so no barrier may overtake them.
  const bool unaligned_out = UnalignedBarriers(t.system, savepoint) && !VertexOf(t.system, subtask).sends_committables;
  t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kBarrier,
                                      .unaligned = unaligned_out,
                                      .savepoint = savepoint,
                                      .checkpoint_id = checkpoint_id});
  SubtaskSnapshot snapshot = SnapshotOperators(t, subtask, checkpoint_id);
  t.Emit(Event{.kind = EventKind::kCheckpointPerformed, .subtask = subtask, .checkpoint = checkpoint_id});
  if (unaligned) {
    sub.unaligned_snapshot = std::move(snapshot);
    return;
  }
  SendAcknowledge(t, subtask, std::move(snapshot));
}

// Section 3: the records an unaligned barrier overtook on `channel` (the
// next `overtaken` messages behind any other priority barriers still at the
// head) become channel state of the pending snapshot. Only records: EndOfData,
// EndOfPartition and watermarks are never channel state.
void AddOvertakenRecords(Transition& t, int32_t subtask, int32_t channel, int32_t overtaken) {
  Subtask& sub = t.system.subtasks[subtask];
  const Channel& ch = t.system.channels[channel];
  const size_t first = ch.priority_overtaken.size();
  for (size_t i = first; i < first + static_cast<size_t>(overtaken) && i < ch.queue.size(); ++i) {
    if (ch.queue[i].kind == MessageKind::kRecord) {
      sub.unaligned_snapshot->channel_state.push_back(ChannelStateEntry{channel, ch.queue[i].record});
    }
  }
}

void MaybeCompleteAlignment(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  if (sub.pending_alignment_id == 0) return;
  for (int32_t c : t.graph.subtasks()[subtask].input_channels) {
    const Channel& channel = t.system.channels[c];
    if (!channel.aligned && !channel.end_of_partition_received) return;
  }
  const int64_t id = sub.pending_alignment_id;
  const bool savepoint = sub.pending_alignment_savepoint;
  if (sub.unaligned_snapshot) {
    // Unaligned: every barrier is in, the channel state is complete.
    SubtaskSnapshot snapshot = std::move(*sub.unaligned_snapshot);
    ResetAlignment(t, subtask);
    SendAcknowledge(t, subtask, std::move(snapshot));
    return;
  }
  ResetAlignment(t, subtask);
  PerformCheckpoint(t, subtask, id, savepoint);
}

// Section 4, SingleCheckpointBarrierHandler.processBarrier. `channel` < 0
// means the RPC trigger, which acts as the barrier of every open channel.
// Aligned: block the channel until every open channel delivered the barrier,
// then snapshot. Unaligned: snapshot at the first barrier, keep processing,
// and collect the overtaken and still-arriving records as channel state
// until the last barrier is in.
void ProcessBarrier(Transition& t, int32_t subtask, int32_t channel, int64_t checkpoint_id, bool savepoint,
                    bool unaligned, int32_t overtaken) {
  Subtask& sub = t.system.subtasks[subtask];
  const bool in_progress = sub.unaligned_snapshot && sub.pending_alignment_id == checkpoint_id;
  if (!in_progress && checkpoint_id <= sub.last_checkpoint_id) return;
  if (sub.pending_alignment_id != 0 && checkpoint_id < sub.pending_alignment_id) return;
  if (sub.pending_alignment_id != 0 && checkpoint_id > sub.pending_alignment_id) {
    AbortAlignment(t, subtask, AbortReason::kDeclinedSubsumed);
  }
  if (sub.pending_alignment_id == 0) {
    sub.pending_alignment_id = checkpoint_id;
    sub.pending_alignment_savepoint = savepoint;
  }
  if (unaligned && !sub.unaligned_snapshot) {
    PerformCheckpoint(t, subtask, checkpoint_id, savepoint, /*unaligned=*/true);
    if (!sub.unaligned_snapshot) {  // not taken after all (already aborted here, or the subtask failed)
      ResetAlignment(t, subtask);
      return;
    }
  }
  if (channel >= 0) {
    t.system.channels[channel].aligned = true;
    if (unaligned) {
      AddOvertakenRecords(t, subtask, channel, overtaken);
    } else {
      t.system.channels[channel].blocked = true;
      Reindex(t.system, channel);
    }
  } else {
    for (int32_t c : t.graph.subtasks()[subtask].input_channels) {
      if (!t.system.channels[c].end_of_partition_received) t.system.channels[c].aligned = true;
    }
  }
  MaybeCompleteAlignment(t, subtask);
}

void ProcessCancelMarker(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  if (sub.unaligned_snapshot && sub.pending_alignment_id == checkpoint_id) {
    // Snapshot taken, barriers still missing: the cancellation aborts it
    // (SingleCheckpointBarrierHandler.processCancellationBarrier).
    AbortAlignment(t, subtask, AbortReason::kDeclinedOnCancellationBarrier);
    return;
  }
  if (checkpoint_id <= sub.last_checkpoint_id) return;
  if (sub.pending_alignment_id != 0 && checkpoint_id < sub.pending_alignment_id) return;
  if (sub.pending_alignment_id != 0 && checkpoint_id > sub.pending_alignment_id) {
    AbortAlignment(t, subtask, AbortReason::kDeclinedSubsumed);
  }
  if (sub.pending_alignment_id == checkpoint_id) {
    AbortAlignment(t, subtask, AbortReason::kDeclinedOnCancellationBarrier);
    return;
  }
  sub.last_checkpoint_id = checkpoint_id;
  t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kCancelMarker, .checkpoint_id = checkpoint_id});
  Decline(t, subtask, checkpoint_id, AbortReason::kDeclinedOnCancellationBarrier);
}

void ReceiveEndOfData(Transition& t, int32_t subtask, int32_t channel, StopMode mode) {
  Channel& ch = t.system.channels[channel];
  ch.end_of_data_received = true;
  ch.end_of_data_mode = mode;
  // The acknowledgement goes back as soon as EndOfData is polled (section 3).
  ch.ack_in_flight = true;
  Reindex(t.system, channel);
  t.Emit(Event{.kind = EventKind::kAckSent, .subtask = subtask, .channel = channel});
  const SubtaskInfo& info = t.graph.subtasks()[subtask];
  const int gate = t.graph.channels()[channel].consumer_gate;
  bool gate_ended = true;
  bool gate_drained = true;
  bool all_ended = true;
  bool all_drained = true;
  for (int32_t c : info.input_channels) {
    const Channel& other = t.system.channels[c];
    const bool same_gate = t.graph.channels()[c].consumer_gate == gate;
    if (!other.end_of_data_received) {
      all_ended = false;
      if (same_gate) gate_ended = false;
    } else if (other.end_of_data_mode == StopMode::kNoDrain) {
      all_drained = false;
      if (same_gate) gate_drained = false;
    }
  }
  if (gate_ended && gate_drained) EndInputOfHead(t, subtask, gate + 1);
  if (all_ended) EndData(t, subtask, all_drained ? StopMode::kDrain : StopMode::kNoDrain);
}

void ReceiveEndOfPartition(Transition& t, int32_t subtask, int32_t channel) {
  Subtask& sub = t.system.subtasks[subtask];
  t.system.channels[channel].end_of_partition_received = true;
  if (sub.pending_alignment_id != 0) {
    if (FinalCheckpointsEnabled(t.system.options)) {
      MaybeCompleteAlignment(t, subtask);  // a finished channel counts as aligned
    } else {
      AbortAlignment(t, subtask, AbortReason::kDeclinedInputEndOfStream);
    }
    if (!IsActive(sub.phase)) return;  // the checkpoint it completed failed the subtask (a second savepoint)
  }
  if (AllInputs(t.system, subtask, [](const Channel& c) { return c.end_of_partition_received; })) {
    EnterEndOfInput(t, subtask);
  }
}

void NotifyComplete(Transition& t, int32_t subtask, int64_t checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  if (checkpoint_id <= sub.latest_report_checkpoint_id) return;
  sub.latest_report_checkpoint_id = checkpoint_id;
  NotifyOperatorsComplete(t, subtask, checkpoint_id);
  bool released = false;
  if (sub.sync_savepoint_id != 0) {
    released = checkpoint_id == sub.sync_savepoint_id;
  } else {
    released = sub.final_checkpoint_min_id != 0 && checkpoint_id >= sub.final_checkpoint_min_id;
  }
  if (released && !sub.final_checkpoint_completed) {
    sub.final_checkpoint_completed = true;
    t.Emit(Event{.kind = EventKind::kFinalCheckpointDone, .subtask = subtask, .checkpoint = checkpoint_id});
    const auto& outputs = t.graph.subtasks()[subtask].output_channels;
    if (sub.end_of_data && sub.end_mode == StopMode::kDrain && !outputs.empty() &&
        !t.system.channels[outputs.front()].end_of_data_sent) {
      t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kEndOfData, .mode = StopMode::kDrain});  // deferred
    }
  }
}

void TriggerOnSubtask(Transition& t, const Rpc& rpc) {
  const int32_t subtask = rpc.subtask;
  Subtask& sub = t.system.subtasks[subtask];
  const ExecutionState state = ExecutionStateOf(sub.phase);
  if (t.Bug(Variant::kSilentTriggerDrop) && rpc.attempt == sub.attempt &&
      (sub.phase == SubtaskPhase::kClosing || sub.phase == SubtaskPhase::kFinished)) {
    // FLINK-23741 (after FLINK-21246): TaskExecutor.triggerCheckpoint reported
    // success while StreamTask.triggerCheckpointAsync found the task no longer
    // running; nothing declines, the checkpoint waits for its timeout.
    t.Emit(Event{.kind = EventKind::kRpcIgnored, .aux = static_cast<uint8_t>(rpc.kind), .subtask = subtask,
                 .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
    return;
  }
  if (rpc.attempt != sub.attempt || IsTerminal(state)) {
    // The task manager no longer has this task: the RPC itself fails.
    t.SendRpc(Rpc{.kind = RpcKind::kDecline, .subtask = subtask, .attempt = rpc.attempt,
                  .checkpoint_id = rpc.checkpoint_id, .reason = AbortReason::kTaskCheckpointFailure});
    return;
  }
  if (state != ExecutionState::kRunning) {
    Decline(t, subtask, rpc.checkpoint_id, AbortReason::kDeclinedTaskNotReady);
    return;
  }
  if (sub.phase == SubtaskPhase::kClosing) {
    Decline(t, subtask, rpc.checkpoint_id, AbortReason::kDeclinedTaskClosing);
    return;
  }
  const VertexInfo& vertex = VertexOf(t.system, subtask);
  if (vertex.is_source) {
    if (rpc.savepoint) {
      if (sub.sync_savepoint_id != 0 && sub.sync_savepoint_id != rpc.checkpoint_id) {
        Failover(t, {subtask}, FailureCause::kSecondSavepoint);  // at most one at a time (section 6)
        return;
      }
      // Sources take the stop first: EndOfData(mode), then the savepoint.
      // Legacy sources take the savepoint and end only once it completed.
      sub.sync_savepoint_id = rpc.checkpoint_id;
      if (sub.phase == SubtaskPhase::kProcessing && t.IsFlip147()) EndData(t, subtask, rpc.mode);
    }
    PerformCheckpoint(t, subtask, rpc.checkpoint_id, rpc.savepoint);
    return;
  }
  if (AllInputs(t.system, subtask, [](const Channel& c) { return c.end_of_partition_received; })) {
    PerformCheckpoint(t, subtask, rpc.checkpoint_id, rpc.savepoint);
    return;
  }
  ProcessBarrier(t, subtask, -1, rpc.checkpoint_id, rpc.savepoint, UnalignedBarriers(t.system, rpc.savepoint), 0);
}

}  // namespace

bool SubtaskStepEnabled(const System& system, int32_t subtask) {
  const Subtask& sub = system.subtasks[subtask];
  switch (sub.phase) {
    case SubtaskPhase::kDeploying:
    case SubtaskPhase::kInitializing:
    case SubtaskPhase::kClosing:
      return true;
    case SubtaskPhase::kProcessing:
      if (!VertexOf(system, subtask).is_source) return false;
      if (LegacySavepointBlocked(system, subtask)) return false;
      if (WaitsForLog(system, subtask)) return false;
      return !SourceHasRecords(system, subtask) || OutputsHaveCapacity(system, subtask);
    case SubtaskPhase::kWaitingForFinalCheckpoint:
      return FinalWaitSatisfied(system, subtask);
    case SubtaskPhase::kDataFinished:
    case SubtaskPhase::kFinished:
    case SubtaskPhase::kFailed:
    case SubtaskPhase::kCanceled:
      return false;
  }
  return false;
}

bool DeliverEnabled(const System& system, int32_t channel) {
  const Channel& ch = system.channels[channel];
  if (ch.queue.empty() || ch.blocked) return false;  // what channel_index calls not ready
  const int32_t consumer = system.graph->channels()[channel].consumer;
  const SubtaskPhase phase = system.subtasks[consumer].phase;
  if (phase != SubtaskPhase::kProcessing && phase != SubtaskPhase::kDataFinished) return false;
  if (LegacySavepointBlocked(system, consumer)) return false;
  if (ch.queue.front().kind == MessageKind::kRecord && !OutputsHaveCapacity(system, consumer)) return false;
  return true;
}

void StepSubtask(Transition& t, int32_t subtask) {
  Subtask& sub = t.system.subtasks[subtask];
  switch (sub.phase) {
    case SubtaskPhase::kDeploying:
      sub.phase = SubtaskPhase::kInitializing;
      t.Emit(Event{.kind = EventKind::kDeployed, .subtask = subtask});
      return;
    case SubtaskPhase::kInitializing:
      OpenOperators(t, subtask);
      sub.phase = SubtaskPhase::kProcessing;
      t.Emit(Event{.kind = EventKind::kRunning, .subtask = subtask});
      t.SendRpc(Rpc{.kind = RpcKind::kReportRunning, .subtask = subtask, .attempt = sub.attempt});
      return;
    case SubtaskPhase::kProcessing:
      if (SourceHasRecords(t.system, subtask)) {
        EmitSourceRecord(t, subtask);
      } else if (t.IsFlip147()) {
        EndData(t, subtask, StopMode::kDrain);
      } else {
        LegacyEndOfInput(t, subtask);
      }
      return;
    case SubtaskPhase::kWaitingForFinalCheckpoint:
      // Before FLINK-21132 a task stopped by a savepoint without drain ended
      // its input once released: endInput after the savepoint was taken.
      if (t.Bug(Variant::kEndInputOnNoDrain) && sub.end_of_data && sub.end_mode == StopMode::kNoDrain) {
        EndInputAfterNoDrainStop(t, subtask);
      }
      sub.phase = SubtaskPhase::kClosing;
      t.Emit(Event{.kind = EventKind::kSubtaskClosing, .subtask = subtask});
      return;
    case SubtaskPhase::kClosing:
      CloseOperators(t, subtask);
      t.SendToAllOutputs(subtask, Message{.kind = MessageKind::kEndOfPartition});
      sub.phase = SubtaskPhase::kFinished;
      t.Emit(Event{.kind = EventKind::kSubtaskFinished, .subtask = subtask});
      t.SendRpc(Rpc{.kind = RpcKind::kReportFinished, .subtask = subtask, .attempt = sub.attempt});
      return;
    case SubtaskPhase::kDataFinished:
    case SubtaskPhase::kFinished:
    case SubtaskPhase::kFailed:
    case SubtaskPhase::kCanceled:
      CKPTSIM_CHECK(false && "step of a subtask with nothing to do");
  }
}

void DeliverChannel(Transition& t, int32_t channel) {
  Channel& ch = t.system.channels[channel];
  const Message message = ch.queue.front();
  ch.queue.pop_front();
  Reindex(t.system, channel);
  const int32_t consumer = t.graph.channels()[channel].consumer;
  t.Emit(Event{.kind = EventKind::kReceive, .subtask = consumer, .channel = channel, .message = message});
  switch (message.kind) {
    case MessageKind::kRecord: {
      Subtask& sub = t.system.subtasks[consumer];
      if (sub.unaligned_snapshot && !ch.aligned) {
        // Arrived before this channel's unaligned barrier: part of the checkpoint's channel state.
        sub.unaligned_snapshot->channel_state.push_back(ChannelStateEntry{channel, message.record});
      }
      ProcessRecord(t, consumer, 0, EnterVertex(t.graph, consumer, message.record));
      return;
    }
    case MessageKind::kMaxWatermark:
      ch.max_watermark_received = true;
      if (AllInputs(t.system, consumer, [](const Channel& c) { return c.max_watermark_received; })) {
        ProcessMaxWatermark(t, consumer, 0);
      }
      return;
    case MessageKind::kBarrier: {
      int32_t overtaken = 0;
      if (message.unaligned) {
        CKPTSIM_CHECK(!ch.priority_overtaken.empty());
        overtaken = ch.priority_overtaken.front();
        ch.priority_overtaken.erase(ch.priority_overtaken.begin());
      }
      ProcessBarrier(t, consumer, channel, message.checkpoint_id, message.savepoint, message.unaligned, overtaken);
      return;
    }
    case MessageKind::kCancelMarker:
      ProcessCancelMarker(t, consumer, message.checkpoint_id);
      return;
    case MessageKind::kEndOfData:
      ReceiveEndOfData(t, consumer, channel, message.mode);
      return;
    case MessageKind::kEndOfPartition:
      ReceiveEndOfPartition(t, consumer, channel);
      return;
    case MessageKind::kCommittable:
    case MessageKind::kCommittableSummary:
      ProcessCommittable(t, consumer, channel, message);
      return;
  }
}

void DeliverAck(Transition& t, int32_t channel) {
  Channel& ch = t.system.channels[channel];
  ch.ack_in_flight = false;
  ch.ack_received = true;
  Reindex(t.system, channel);
  t.Emit(Event{.kind = EventKind::kAckReceived, .subtask = t.graph.channels()[channel].producer, .channel = channel});
}

void DeliverRpcToSubtask(Transition& t, const Rpc& rpc) {
  Subtask& sub = t.system.subtasks[rpc.subtask];
  if (rpc.kind == RpcKind::kTriggerCheckpoint) {
    TriggerOnSubtask(t, rpc);
    return;
  }
  // Notifications reach a subtask only while it is RUNNING (and isRunning).
  if (rpc.attempt != sub.attempt || !IsActive(sub.phase)) {
    t.Emit(Event{.kind = EventKind::kRpcIgnored, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                 .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
    return;
  }
  if (rpc.kind == RpcKind::kNotifyComplete) {
    NotifyComplete(t, rpc.subtask, rpc.checkpoint_id);
    return;
  }
  CKPTSIM_CHECK(rpc.kind == RpcKind::kNotifyAbort);
  // Section 5: the piggy-backed latest completed id counts as a completion.
  if (rpc.latest_completed_id > 0) NotifyComplete(t, rpc.subtask, rpc.latest_completed_id);
  if (rpc.checkpoint_id == sub.sync_savepoint_id) {
    // Section 6: the stop-with-savepoint this subtask took failed: so does the subtask.
    Failover(t, {rpc.subtask}, FailureCause::kSavepointFailed);
    return;
  }
  NotifyOperatorsAborted(t, rpc.subtask, rpc.checkpoint_id);
  if (rpc.checkpoint_id > sub.last_checkpoint_id) {
    auto& aborted = sub.aborted_checkpoint_ids;
    if (std::find(aborted.begin(), aborted.end(), rpc.checkpoint_id) == aborted.end()) {
      aborted.push_back(rpc.checkpoint_id);
    }
  }
}

}  // namespace ckptsim::model
