// Conditions: what `expect:` and `until:` state about a session, in words a
// Flink test would use ("S1[0] is WAITING_FOR_FINAL_CHECKPOINT", "checkpoint
// 2 is aborted with TASK_CHECKPOINT_FAILURE", "checkpoint 3 triggers [S2[0]]").
// The grammar is in schedules/README.md; this header holds the parsed form
// and its evaluation.
//
// A condition is parsed once, against the job graph (so every name is
// checked before anything runs), and evaluated against a session's state and
// history as often as needed. Evaluation says whether it holds and, in the
// same words, what was found, so a failed expectation reads
//   expected: S1[0] is FINISHED
//   found:    S1[0] is WAITING_FOR_FINAL_CHECKPOINT
// and what a condition finds about a queue or a plan reads back as a condition.
#ifndef CKPTSIM_SCHEDULES_CONDITION_H_
#define CKPTSIM_SCHEDULES_CONDITION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/event.h"
#include "model/job_graph.h"
#include "model/messages.h"
#include "model/state.h"
#include "properties/property.h"
#include "schedules/history.h"
#include "schedules/step.h"

namespace ckptsim::schedules {

enum class Compare : uint8_t { kEqual, kNotEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };

// SUBTASKS is|are [not] PHASE (FINISHED_ON_RESTORE: the attempt was restored
// finished). With "not": none of them is.
struct PhaseIs {
  std::vector<int32_t> subtasks;
  std::optional<model::SubtaskPhase> phase;  // nullopt: FINISHED_ON_RESTORE
  bool negated = false;
};

// Per-subtask fields, under the names of Flink's StreamTask where it has them.
enum class SubtaskField : uint8_t {
  kFinalCheckpointMinId,      // 0: unset
  kSyncSavepoint,             // the pending synchronous savepoint; 0: none
  kLatestReportCheckpointId,  // notifications at or below are ignored
  kLastCheckpointId,          // highest checkpoint taken or aborted here
  kPendingAlignment,          // the checkpoint being aligned; 0: none
  kAttempt,
  kRestoredCheckpointId,      // 0: started fresh
  kEndOfData,                 // boolean: endData() ran
  kFinalCheckpointCompleted,  // boolean: the final checkpoint (or savepoint) was notified
};
// The names conditions use, in SubtaskField order.
const std::vector<std::string_view>& SubtaskFieldNames();
// SUBTASK.FIELD OP VALUE
struct FieldIs {
  int32_t subtask = 0;
  SubtaskField field = SubtaskField::kFinalCheckpointMinId;
  Compare op = Compare::kEqual;
  int64_t value = 0;
};

// coordinator sees SUBTASKS as STATE
struct ViewIs {
  std::vector<int32_t> subtasks;
  model::ExecutionState state = model::ExecutionState::kRunning;
};

// checkpoint N is pending|completed|aborted [with REASON]
struct CheckpointIs {
  int64_t id = 0;
  CheckpointStatus status = CheckpointStatus::kPending;
  std::optional<model::AbortReason> reason;
};

// checkpoint N is a savepoint: the synchronous savepoint of a stop.
struct CheckpointIsSavepoint {
  int64_t id = 0;
};

enum class CheckpointSet : uint8_t { kTriggers, kWaitsFor, kNotifies, kTakenBy, kAcknowledgedBy };
// checkpoint N triggers|waits for|notifies|taken by|acknowledged by [SUBTASKS]
struct CheckpointSubtasks {
  int64_t id = 0;
  CheckpointSet set = CheckpointSet::kTriggers;
  std::vector<int32_t> subtasks;  // ascending
};

// checkpoint N marks fully|partly finished [VERTICES or OPERATORS]
struct CheckpointMarks {
  int64_t id = 0;
  model::VertexFinishedStatus status = model::VertexFinishedStatus::kFullyFinished;
  std::vector<int> vertices;  // ascending
};

enum class Counter : uint8_t { kTriggered, kCompleted, kAborted, kRefused, kLatestCompleted, kRestarts };
// checkpoints triggered|completed|aborted|refused OP N, latest completed checkpoint OP N, restarts OP N
struct CounterIs {
  Counter counter = Counter::kTriggered;
  Compare op = Compare::kEqual;
  int64_t value = 0;
};

// A record by its origin: source subtask and sequence number.
struct RecordKey {
  int32_t source_subtask = 0;  // global subtask index of the source
  uint32_t sequence = 0;
  auto operator<=>(const RecordKey&) const = default;
};

// One element of a channel's queue; what is left out matches anything.
struct MessagePattern {
  model::MessageKind kind = model::MessageKind::kRecord;
  std::optional<int64_t> checkpoint;    // barrier, cancel-marker
  std::optional<model::StopMode> mode;  // EndOfData
  std::optional<RecordKey> record;
  bool savepoint = false;  // barrier "(savepoint)"
  bool unaligned = false;  // barrier "(unaligned)"
};

// CHANNEL holds [MESSAGES]: exactly these, head first.
struct ChannelHolds {
  int32_t channel = 0;
  std::vector<MessagePattern> messages;
};

enum class ChannelState : uint8_t { kEmpty, kBlocked, kAcknowledged };
// CHANNEL is empty|blocked|acknowledged (its EndOfData acknowledgement reached the producer)
struct ChannelIs {
  int32_t channel = 0;
  ChannelState state = ChannelState::kEmpty;
};

// rpc RPC is in flight
struct RpcInFlight {
  RpcPattern rpc;
};

// [SUBTASKS] committed [RECORDS]: exactly these records are visible (in
// transactions of those sink subtasks; all sinks if none named).
struct CommittedRecords {
  std::vector<int32_t> owners;
  std::vector<RecordKey> records;  // ascending, unique
};
// [SUBTASKS] committed OP N: the number of visible records.
struct CommittedCount {
  std::vector<int32_t> owners;
  Compare op = Compare::kEqual;
  int64_t value = 0;
};

struct CallPattern {
  std::optional<int> op;  // index in the chain; nullopt: any operator
  model::OperatorCall call = model::OperatorCall::kOpen;
  std::optional<int64_t> argument;  // checkpoint id, or endInput's input
};
// SUBTASK called [CALLS]: these calls happened in this order (others may
// come between); "called exactly": these and no others, across attempts.
struct Called {
  int32_t subtask = 0;
  bool exactly = false;
  std::vector<CallPattern> calls;
};

// SUBTASK restored union state [N, ...]: the union list state its attempt
// was restored with (every union-state operator of its chain, head first;
// one entry per old subtask, docs/protocol.md section 7).
struct RestoredUnion {
  int32_t subtask = 0;
  std::vector<int64_t> entries;
};

enum class JobState : uint8_t { kRunning, kFinished, kFailed };
// job is RUNNING|FINISHED|FAILED
struct JobIs {
  JobState state = JobState::kRunning;
};

// PROPERTY holds | PROPERTY is violated (as if the run ended now)
struct PropertyIs {
  properties::PropertyId property = properties::PropertyId::kExactlyOnce;
  bool violated = false;
};

using Atom = std::variant<PhaseIs, FieldIs, ViewIs, CheckpointIs, CheckpointIsSavepoint, CheckpointSubtasks,
                          CheckpointMarks, CounterIs, ChannelHolds, ChannelIs, RpcInFlight, CommittedRecords,
                          CommittedCount, Called, RestoredUnion, JobIs, PropertyIs>;

struct Condition {
  enum class Op : uint8_t { kAtom, kAnd, kOr, kNot };
  Op op = Op::kAtom;
  Atom atom;                     // kAtom
  std::vector<Condition> terms;  // kAnd, kOr: two or more; kNot: one
};

// '(' and 'not' nest at most this deep in one condition.
inline constexpr int kConditionDepthMax = 100;

std::optional<Condition> ParseCondition(const model::JobGraph& graph, std::string_view text, std::string* error);

// What a condition is evaluated against. `violations` gives the properties'
// verdicts as if the run ended now; it is called only by property atoms.
struct Observation {
  const model::System& system;
  const History& history;
  std::function<std::vector<properties::Violation>()> violations;
};

struct Verdict {
  bool holds = false;
  std::string found;  // what is, in the condition's own words
};

Verdict Evaluate(const Condition& condition, const Observation& observation);

// The properties a condition states are violated (outside any "not"): a
// schedule that expects a violation has not failed when it happens.
std::vector<properties::PropertyId> ExpectedViolations(const Condition& condition);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_CONDITION_H_
