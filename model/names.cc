// Names of the model's enums, as they appear in traces, reports and files.
#include <array>

#include "model/event.h"
#include "model/messages.h"
#include "model/options.h"
#include "model/state.h"

namespace ckptsim::model {

std::string_view Name(StopMode mode) {
  switch (mode) {
    case StopMode::kDrain: return "DRAIN";
    case StopMode::kNoDrain: return "NO_DRAIN";
  }
  return "?";
}

std::string_view Name(MessageKind kind) {
  switch (kind) {
    case MessageKind::kRecord: return "record";
    case MessageKind::kMaxWatermark: return "MAX_WATERMARK";
    case MessageKind::kBarrier: return "barrier";
    case MessageKind::kCancelMarker: return "cancel-marker";
    case MessageKind::kEndOfData: return "EndOfData";
    case MessageKind::kEndOfPartition: return "EndOfPartition";
    case MessageKind::kCommittable: return "committable";
    case MessageKind::kCommittableSummary: return "committable-summary";
  }
  return "?";
}

std::string_view Name(RpcKind kind) {
  switch (kind) {
    case RpcKind::kTriggerCheckpoint: return "trigger";
    case RpcKind::kNotifyComplete: return "notify-complete";
    case RpcKind::kNotifyAbort: return "notify-abort";
    case RpcKind::kAcknowledge: return "acknowledge";
    case RpcKind::kDecline: return "decline";
    case RpcKind::kReportEndOfData: return "report-end-of-data";
    case RpcKind::kReportFinished: return "report-finished";
    case RpcKind::kReportRunning: return "report-running";
  }
  return "?";
}

bool IsToSubtask(RpcKind kind) {
  switch (kind) {
    case RpcKind::kTriggerCheckpoint:
    case RpcKind::kNotifyComplete:
    case RpcKind::kNotifyAbort:
      return true;
    case RpcKind::kAcknowledge:
    case RpcKind::kDecline:
    case RpcKind::kReportEndOfData:
    case RpcKind::kReportFinished:
    case RpcKind::kReportRunning:
      return false;
  }
  return false;
}

std::string_view Name(AbortReason reason) {
  switch (reason) {
    case AbortReason::kNone: return "NONE";
    case AbortReason::kNotAllRequiredTasksRunning: return "NOT_ALL_REQUIRED_TASKS_RUNNING";
    case AbortReason::kTaskCheckpointFailure: return "TASK_CHECKPOINT_FAILURE";
    case AbortReason::kDeclinedTaskNotReady: return "CHECKPOINT_DECLINED_TASK_NOT_READY";
    case AbortReason::kDeclinedTaskClosing: return "CHECKPOINT_DECLINED_TASK_CLOSING";
    case AbortReason::kDeclinedSubsumed: return "CHECKPOINT_DECLINED_SUBSUMED";
    case AbortReason::kDeclinedOnCancellationBarrier: return "CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER";
    case AbortReason::kDeclinedInputEndOfStream: return "CHECKPOINT_DECLINED_INPUT_END_OF_STREAM";
    case AbortReason::kUnionStatePartlyFinished: return "UNION_STATE_PARTLY_FINISHED";
    case AbortReason::kSubsumed: return "CHECKPOINT_SUBSUMED";
    case AbortReason::kExpired: return "CHECKPOINT_EXPIRED";
    case AbortReason::kJobFailover: return "JOB_FAILOVER";
    case AbortReason::kCoordinatorSuspend: return "CHECKPOINT_COORDINATOR_SUSPEND";
  }
  return "?";
}

std::string_view Name(Variant variant) {
  switch (variant) {
    case Variant::kFlip147: return "flip147";
    case Variant::kLegacy: return "legacy";
    case Variant::kAbortIfAnyFinished: return "abort-if-any-finished";
    case Variant::kCommitOnEndInput: return "commit-on-end-input";
    case Variant::kSilentTriggerDrop: return "silent-trigger-drop";
    case Variant::kNoLatestCompletedOnAbort: return "no-latest-completed-on-abort";
    case Variant::kEndInputOnNoDrain: return "end-input-on-no-drain";
    case Variant::kNoEndInputOnDrain: return "no-end-input-on-drain";
    case Variant::kBeginTransactionAfterFinish: return "begin-transaction-after-finish";
    case Variant::kUnionStatePartialOk: return "union-state-partial-ok";
    case Variant::kWriterDefersEndOfInputCommittables: return "writer-defers-end-of-input-committables";
    case Variant::kConstantEndOfInputId: return "constant-end-of-input-id";
    case Variant::kEndOfDataBeforeFinalCommittables: return "end-of-data-before-final-committables";
  }
  return "?";
}

std::string_view Description(Variant variant) {
  switch (variant) {
    case Variant::kFlip147:
      return "Flink 1.15+: EndOfData, finish() before a final checkpoint, checkpoints after tasks finish";
    case Variant::kLegacy:
      return "pre-1.14: no EndOfData, no final checkpoint, every checkpoint aborts once a task finished";
    case Variant::kAbortIfAnyFinished:
      return "FLINK-2491: flip147 with no checkpoint once a subtask is FINISHED (checkpoints after tasks finish "
             "off), so no final checkpoint";
    case Variant::kCommitOnEndInput:
      return "FLINK-25941: the Sink V2 committer commits what it holds at endInput instead of on the final "
             "checkpoint's notify-complete";
    case Variant::kSilentTriggerDrop:
      return "FLINK-23741, FLINK-21246: a trigger reaching a subtask that is closing or FINISHED is neither "
             "declined nor failed; the checkpoint waits for its timeout";
    case Variant::kNoLatestCompletedOnAbort:
      return "FLINK-21080 (review): notify-abort carries no latest completed checkpoint id, so a lost "
             "notify-complete is never made up for";
    case Variant::kEndInputOnNoDrain:
      return "FLINK-21132: a stop-with-savepoint without drain still calls endInput, after the savepoint, so "
             "operators flush what the savepoint holds";
    case Variant::kNoEndInputOnDrain:
      return "FLINK-21453: a stop-with-savepoint --drain skips endInput (finish() still runs), so what "
             "buffering operators hold is never emitted";
    case Variant::kBeginTransactionAfterFinish:
      return "FLINK-23473: the 2PC sink begins a new transaction at each snapshot after finish()";
    case Variant::kUnionStatePartialOk:
      return "FLINK-21080: checkpoints complete while a union-state vertex is partly finished, dropping the "
             "finished subtasks' union state";
    case Variant::kWriterDefersEndOfInputCommittables:
      return "FLINK-26403: the Sink V2 writer flushes at endInput but keeps the last committable for a "
             "checkpoint, and after endInput no checkpoint makes it emit it";
    case Variant::kConstantEndOfInputId:
      return "FLINK-37605, FLINK-38370: end-of-input committables all carry one fixed id (EOI), and a committer "
             "whose input ended commits everything on any notify-complete";
    case Variant::kEndOfDataBeforeFinalCommittables:
      return "FLINK-38614: a committer feeding a global committer sends EndOfData at endInput, before the final "
             "checkpoint's notify-complete forwards its last committables, which the global committer drops";
  }
  return "?";
}

std::span<const Variant> AllVariants() { return kAllVariants; }

std::optional<Variant> ParseVariant(std::string_view text) {
  for (Variant v : AllVariants()) {
    if (Name(v) == text) return v;
  }
  return std::nullopt;
}

std::string_view Name(CheckpointMode mode) {
  switch (mode) {
    case CheckpointMode::kAligned: return "aligned";
    case CheckpointMode::kUnaligned: return "unaligned";
  }
  return "?";
}

std::optional<CheckpointMode> ParseCheckpointMode(std::string_view text) {
  for (CheckpointMode m : {CheckpointMode::kAligned, CheckpointMode::kUnaligned}) {
    if (Name(m) == text) return m;
  }
  return std::nullopt;
}

std::string_view Name(SubtaskPhase phase) {
  switch (phase) {
    case SubtaskPhase::kDeploying: return "DEPLOYING";
    case SubtaskPhase::kInitializing: return "INITIALIZING";
    case SubtaskPhase::kProcessing: return "RUNNING";
    case SubtaskPhase::kDataFinished: return "END_OF_DATA";
    case SubtaskPhase::kWaitingForFinalCheckpoint: return "WAITING_FOR_FINAL_CHECKPOINT";
    case SubtaskPhase::kClosing: return "CLOSING";
    case SubtaskPhase::kFinished: return "FINISHED";
    case SubtaskPhase::kFailed: return "FAILED";
    case SubtaskPhase::kCanceled: return "CANCELED";
  }
  return "?";
}

std::string_view Name(ExecutionState state) {
  switch (state) {
    case ExecutionState::kDeploying: return "DEPLOYING";
    case ExecutionState::kInitializing: return "INITIALIZING";
    case ExecutionState::kRunning: return "RUNNING";
    case ExecutionState::kFinished: return "FINISHED";
    case ExecutionState::kFailed: return "FAILED";
    case ExecutionState::kCanceled: return "CANCELED";
  }
  return "?";
}

ExecutionState ExecutionStateOf(SubtaskPhase phase) {
  switch (phase) {
    case SubtaskPhase::kDeploying: return ExecutionState::kDeploying;
    case SubtaskPhase::kInitializing: return ExecutionState::kInitializing;
    case SubtaskPhase::kProcessing:
    case SubtaskPhase::kDataFinished:
    case SubtaskPhase::kWaitingForFinalCheckpoint:
    case SubtaskPhase::kClosing:
      return ExecutionState::kRunning;
    case SubtaskPhase::kFinished: return ExecutionState::kFinished;
    case SubtaskPhase::kFailed: return ExecutionState::kFailed;
    case SubtaskPhase::kCanceled: return ExecutionState::kCanceled;
  }
  return ExecutionState::kFailed;
}

bool IsTerminal(ExecutionState state) {
  return state == ExecutionState::kFinished || state == ExecutionState::kFailed ||
         state == ExecutionState::kCanceled;
}

std::string_view Name(TransactionState state) {
  switch (state) {
    case TransactionState::kOpen: return "OPEN";
    case TransactionState::kPrecommitted: return "PRECOMMITTED";
    case TransactionState::kCommitted: return "COMMITTED";
    case TransactionState::kAborted: return "ABORTED";
  }
  return "?";
}

std::string_view Name(OperatorCall call) {
  switch (call) {
    case OperatorCall::kInitializeState: return "initializeState";
    case OperatorCall::kOpen: return "open";
    case OperatorCall::kProcessMaxWatermark: return "processWatermark(MAX)";
    case OperatorCall::kEndInput: return "endInput";
    case OperatorCall::kFinish: return "finish";
    case OperatorCall::kPrepareSnapshotPreBarrier: return "prepareSnapshotPreBarrier";
    case OperatorCall::kSnapshotState: return "snapshotState";
    case OperatorCall::kNotifyCheckpointComplete: return "notifyCheckpointComplete";
    case OperatorCall::kNotifyCheckpointAborted: return "notifyCheckpointAborted";
    case OperatorCall::kClose: return "close";
  }
  return "?";
}

std::string_view Name(EventKind kind) {
  switch (kind) {
    case EventKind::kDeployed: return "deployed";
    case EventKind::kRunning: return "running";
    case EventKind::kOperatorCall: return "operator-call";
    case EventKind::kSend: return "send";
    case EventKind::kReceive: return "receive";
    case EventKind::kEndData: return "end-data";
    case EventKind::kEndOfInput: return "end-of-input";
    case EventKind::kAckSent: return "eod-ack-sent";
    case EventKind::kAckReceived: return "eod-ack-received";
    case EventKind::kFinalCheckpointSet: return "final-checkpoint-set";
    case EventKind::kFinalCheckpointDone: return "final-checkpoint-done";
    case EventKind::kCheckpointPerformed: return "checkpoint-performed";
    case EventKind::kCheckpointCanceled: return "checkpoint-canceled";
    case EventKind::kRpcSent: return "rpc-sent";
    case EventKind::kRpcDelivered: return "rpc-delivered";
    case EventKind::kRpcIgnored: return "rpc-ignored";
    case EventKind::kCheckpointTriggered: return "checkpoint-triggered";
    case EventKind::kCheckpointRefused: return "checkpoint-refused";
    case EventKind::kCheckpointAcknowledged: return "checkpoint-acknowledged";
    case EventKind::kCheckpointCompleted: return "checkpoint-completed";
    case EventKind::kCheckpointAborted: return "checkpoint-aborted";
    case EventKind::kTransactionBegun: return "transaction-begun";
    case EventKind::kTransactionPrecommitted: return "transaction-precommitted";
    case EventKind::kTransactionCommitted: return "transaction-committed";
    case EventKind::kTransactionAborted: return "transaction-aborted";
    case EventKind::kSubtaskClosing: return "closing";
    case EventKind::kSubtaskFinished: return "finished";
    case EventKind::kJobFinished: return "job-finished";
    case EventKind::kSubtaskFailed: return "failed";
    case EventKind::kSubtaskCanceled: return "canceled";
    case EventKind::kChannelReset: return "channel-reset";
    case EventKind::kRestarted: return "restarted";
    case EventKind::kRpcLost: return "rpc-lost";
    case EventKind::kJobFailed: return "job-failed";
    case EventKind::kStopRequested: return "stop-requested";
    case EventKind::kJobResumed: return "job-resumed";
    case EventKind::kJobGraphChanged: return "job-graph-changed";
    case EventKind::kResumeRefused: return "resume-refused";
    case EventKind::kChannelStateRestored: return "channel-state-restored";
    case EventKind::kStopFailed: return "stop-failed";
    case EventKind::kRpcDelayed: return "rpc-delayed";
    case EventKind::kLogsEnded: return "logs-ended";
    case EventKind::kGlobalFailure: return "global-failure";
  }
  return "?";
}

std::string_view Name(FailureCause cause) {
  switch (cause) {
    case FailureCause::kInjected: return "injected failure";
    case FailureCause::kTaskManagerLost: return "task manager lost";
    case FailureCause::kSavepointFailed: return "stop-with-savepoint failed";
    case FailureCause::kSecondSavepoint: return "a second stop-with-savepoint while one is pending";
    case FailureCause::kSavepointDeclined: return "a task declined the synchronous savepoint";
  }
  return "?";
}

std::string_view Name(FailoverStrategy strategy) {
  switch (strategy) {
    case FailoverStrategy::kRegion: return "region";
    case FailoverStrategy::kFull: return "full";
  }
  return "?";
}

std::optional<FailoverStrategy> ParseFailoverStrategy(std::string_view text) {
  for (FailoverStrategy f : {FailoverStrategy::kRegion, FailoverStrategy::kFull}) {
    if (Name(f) == text) return f;
  }
  return std::nullopt;
}

}  // namespace ckptsim::model
