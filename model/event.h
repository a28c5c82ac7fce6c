// Trace events: what Apply reports happened, as plain data. Properties check
// them, traces record them, the visualizer draws them. One flat struct for
// every kind keeps the hot path free of allocation; which fields are
// meaningful depends on the kind (see the comment on each kind).
#ifndef CKPTSIM_MODEL_EVENT_H_
#define CKPTSIM_MODEL_EVENT_H_

#include <cstdint>
#include <string_view>

#include "model/messages.h"

namespace ckptsim::model {

enum class OperatorCall : uint8_t {
  kInitializeState,
  kOpen,
  kProcessMaxWatermark,
  kEndInput,  // value = input index (1-based)
  kFinish,
  kPrepareSnapshotPreBarrier,
  kSnapshotState,
  kNotifyCheckpointComplete,
  kNotifyCheckpointAborted,
  kClose,
};
std::string_view Name(OperatorCall call);

enum class EventKind : uint8_t {
  kDeployed,              // subtask
  kRunning,               // subtask: initializeState/open done
  kOperatorCall,          // subtask, op, call (aux), checkpoint
  kSend,                  // subtask (producer), channel, message
  kReceive,               // subtask (consumer), channel, message
  kEndData,               // subtask, mode (aux)
  kEndOfInput,            // subtask: every input channel delivered EndOfPartition (or source ended)
  kAckSent,               // subtask (consumer), channel
  kAckReceived,           // subtask (producer), channel
  kFinalCheckpointSet,    // subtask, checkpoint = finalCheckpointMinId
  kFinalCheckpointDone,   // subtask, checkpoint that released it
  kCheckpointPerformed,   // subtask, checkpoint: snapshot taken, barrier sent
  kCheckpointCanceled,    // subtask, checkpoint, reason (aux): declined or canceled locally
  kRpcSent,               // rpc kind (aux), value = uid, subtask, checkpoint
  kRpcDelivered,          // rpc kind (aux), value = uid, subtask, checkpoint
  kRpcIgnored,            // rpc kind (aux), value = uid, subtask: receiver not RUNNING or stale
  kCheckpointTriggered,   // checkpoint, value = number of subtasks to wait for
  kCheckpointRefused,     // reason (aux): the plan could not be computed
  kCheckpointAcknowledged,// subtask, checkpoint
  kCheckpointCompleted,   // checkpoint
  kCheckpointAborted,     // checkpoint, reason (aux)
  kTransactionBegun,      // subtask, value = transaction
  kTransactionPrecommitted,// subtask, value = transaction, checkpoint
  kTransactionCommitted,  // subtask, value = transaction, checkpoint (the notification's id)
  kTransactionAborted,    // subtask, value = transaction
  kSubtaskClosing,        // subtask
  kSubtaskFinished,       // subtask
  kJobFinished,
  kSubtaskFailed,         // subtask, reason (aux: FailureCause)
  kSubtaskCanceled,       // subtask: canceled by a failover
  kChannelReset,          // channel: cleared for a restart
  kRestarted,             // subtask, checkpoint = restored id (0: fresh), aux = 1 if deployed as finished
  kRpcLost,               // rpc kind (aux), value = uid, subtask, checkpoint
  kJobFailed,             // the restart strategy gave up
  kStopRequested,         // mode (aux): stop-with-savepoint requested
  kJobResumed,            // checkpoint = the savepoint resumed from
  kJobGraphChanged,       // checkpoint = the savepoint: the resume deploys the job's new version
  kResumeRefused,         // checkpoint = the savepoint: the topology check refused the new version
  kChannelStateRestored,  // channel, message: in-flight record of an unaligned checkpoint put back
  kStopFailed,            // checkpoint = its savepoint (0: none taken): the stop-with-savepoint failed
  kRpcDelayed,            // rpc kind (aux), value = uid, subtask, checkpoint: later RPCs of its path may overtake it
  kLogsEnded,             // the unbounded sources' finite logs ended (exhaustive checking)
  kGlobalFailure,         // reason (aux: FailureCause): the whole job fails over, no subtask itself failed
};

// Why a subtask failed, or the job failed over (aux of kSubtaskFailed, kGlobalFailure).
enum class FailureCause : uint8_t {
  kInjected,           // a fault: the subtask itself failed
  kTaskManagerLost,    // a fault: its task manager failed
  kSavepointFailed,    // its pending stop-with-savepoint was aborted (section 6)
  kSecondSavepoint,    // a second stop-with-savepoint reached it while one is pending
  kSavepointDeclined,  // kGlobalFailure: a task declined the synchronous savepoint (section 6)
};
std::string_view Name(FailureCause cause);
std::string_view Name(EventKind kind);

inline constexpr int32_t kCoordinatorActor = -1;

struct Event {
  EventKind kind = EventKind::kDeployed;
  uint8_t aux = 0;            // OperatorCall, StopMode, RpcKind or AbortReason, by kind
  int32_t subtask = kCoordinatorActor;
  int32_t channel = -1;
  int32_t op = -1;
  int64_t checkpoint = 0;
  int64_t value = 0;
  Message message;            // kSend, kReceive
};

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_EVENT_H_
