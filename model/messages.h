// What travels on channels and over RPC.
//
// A channel carries, in strict FIFO order, records, MAX_WATERMARK (drain
// only), checkpoint barriers, cancel markers, EndOfData(mode) exactly once and
// EndOfPartition last (docs/protocol.md section 3). Unaligned barriers are the one
// exception: they are inserted at the head, overtaking queued data.
//
// RPCs travel between the checkpoint coordinator (JobManager) and subtasks in
// both directions, in FIFO order between the coordinator and one subtask in
// each direction (a path), as RPCs between two endpoints do. Only a fault
// (a delay) lets later RPCs of a path overtake an earlier one.
#ifndef CKPTSIM_MODEL_MESSAGES_H_
#define CKPTSIM_MODEL_MESSAGES_H_

#include <compare>
#include <cstdint>
#include <memory>
#include <string_view>

#include "model/fields.h"

namespace ckptsim::model {

enum class StopMode : uint8_t {
  kDrain,    // end of input or stop-with-savepoint --drain: endInput, finish()
  kNoDrain,  // stop-with-savepoint without drain: neither endInput nor finish()
};
std::string_view Name(StopMode mode);

// A record's identity: where it was born, and the path it took (lineage mixes
// the vertices it passed and broadcast fan-out), so a sink can tell two
// legitimate copies from a duplicate.
struct RecordId {
  uint64_t lineage = 0;
  uint32_t sequence = 0;
  uint16_t source_vertex = 0;
  uint16_t source_subtask = 0;
  auto operator<=>(const RecordId&) const = default;
  CKPTSIM_FIELD_LIST(RecordId, lineage, sequence, source_vertex, source_subtask)
};
int KeyOf(const RecordId& record);

enum class MessageKind : uint8_t {
  kRecord,
  kMaxWatermark,
  kBarrier,
  kCancelMarker,
  kEndOfData,
  kEndOfPartition,
  // A Sink V2 writer's flushed transaction, on its way to the committer
  // (section 8). Ordered like a record: never after EndOfData(DRAIN). Sink
  // edges stay aligned in Flink (FLINK-36287), so it is never channel state.
  kCommittable,
  // A committer's CommittableSummary for a global committer: how many
  // committables of one checkpoint (tag) the committables after it carry.
  kCommittableSummary,
};
std::string_view Name(MessageKind kind);

// Flink's CommittableMessage.EOI: the bound a committer commits up to when
// no checkpoint will come (checkpointing off), and, before FLINK-37605
// (ProtocolOptions::sink_v2_end_of_input_sentinel), the tag of the
// committables a writer emits in endInput.
inline constexpr int64_t kEndOfInputTag = INT64_MAX;

struct Message {
  MessageKind kind = MessageKind::kRecord;
  StopMode mode = StopMode::kDrain;  // kEndOfData only
  bool unaligned = false;            // kBarrier only: a priority barrier
  bool savepoint = false;            // kBarrier only: a synchronous savepoint barrier
  int64_t checkpoint_id = 0;         // kBarrier, kCancelMarker
  RecordId record;                   // kRecord only
  int64_t transaction = -1;          // kCommittable: the flushed transaction
  int64_t tag = 0;                   // kCommittable(Summary): the checkpoint it belongs to (or kEndOfInputTag)
  int32_t committables = 0;          // kCommittableSummary: how many committables of `tag` follow
  bool operator==(const Message&) const = default;
  CKPTSIM_FIELD_LIST(Message, kind, mode, unaligned, savepoint, checkpoint_id, record, transaction, tag,
                     committables)
};

enum class RpcKind : uint8_t {
  // coordinator -> subtask
  kTriggerCheckpoint,
  kNotifyComplete,
  kNotifyAbort,
  // subtask -> coordinator
  kAcknowledge,
  kDecline,
  kReportEndOfData,
  kReportFinished,
  kReportRunning,
};
std::string_view Name(RpcKind kind);
bool IsToSubtask(RpcKind kind);

// Why a checkpoint was aborted (Flink's CheckpointFailureReason, the subset
// that matters here).
enum class AbortReason : uint8_t {
  kNone,
  kNotAllRequiredTasksRunning,   // plan refused: a task to wait for is not RUNNING
  kTaskCheckpointFailure,        // trigger RPC reached a subtask that is gone (finished)
  kDeclinedTaskNotReady,         // trigger reached a subtask not RUNNING
  kDeclinedTaskClosing,          // trigger reached a closing subtask; also union-state rule
  kDeclinedSubsumed,             // a newer barrier arrived during alignment
  kDeclinedOnCancellationBarrier,
  kDeclinedInputEndOfStream,     // EndOfPartition during alignment, feature off
  kUnionStatePartlyFinished,     // union rules A/B (Flink maps it to TASK_CLOSING)
  kSubsumed,                     // a newer checkpoint completed
  kExpired,                      // timeout
  kJobFailover,                  // pending checkpoints are dropped on failover
  kCoordinatorSuspend,           // a stop-with-savepoint suspended the periodic scheduler
};
std::string_view Name(AbortReason reason);

struct SubtaskSnapshot;

struct Rpc {
  uint64_t uid = 0;  // unique per run, stable across steps: an RPC's identity
  RpcKind kind = RpcKind::kTriggerCheckpoint;
  int32_t subtask = 0;   // receiver (to subtask) or sender (to coordinator)
  uint32_t attempt = 0;  // execution attempt of that subtask when sent
  int64_t checkpoint_id = 0;
  int64_t latest_completed_id = 0;  // kNotifyAbort: piggy-backed latest completed id
  AbortReason reason = AbortReason::kNone;  // kDecline
  bool savepoint = false;  // kTriggerCheckpoint: a synchronous savepoint
  StopMode mode = StopMode::kDrain;  // kTriggerCheckpoint of a savepoint
  bool finished_operators = false;     // kAcknowledge: operators ran finish (isTaskFinished)
  bool deployed_as_finished = false;   // kAcknowledge: FINISHED_ON_RESTORE
  std::shared_ptr<const SubtaskSnapshot> snapshot;  // kAcknowledge
  // A fault delayed it: it no longer keeps its place in the FIFO order of its
  // path, so later RPCs between the same two endpoints may overtake it.
  bool delayed = false;
  CKPTSIM_FIELD_LIST(Rpc, kind, subtask, attempt, checkpoint_id, latest_completed_id, reason, savepoint, mode,
                     finished_operators, deployed_as_finished, snapshot, delayed)
  bool operator==(const Rpc& other) const;  // state.h: deep, once SubtaskSnapshot is complete
  CKPTSIM_GHOST_FIELDS(Rpc, uid)
};

// An RPC's path: the coordinator and its subtask, in its direction. RPCs of
// one path are delivered in send order unless a fault delayed one.
inline int RpcPath(const Rpc& rpc) { return rpc.subtask * 2 + (IsToSubtask(rpc.kind) ? 0 : 1); }

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_MESSAGES_H_
