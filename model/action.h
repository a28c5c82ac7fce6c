// Actions: every nondeterministic choice of the real system, made explicit.
// EnabledActions lists those possible in a state, in a deterministic order;
// a driver (simulator, checker, replay, schedule) picks one and Applies it.
// An Action names its target by stable identities (subtask index, channel
// index, RPC uid, checkpoint id), so a decision log replays exactly.
#ifndef CKPTSIM_MODEL_ACTION_H_
#define CKPTSIM_MODEL_ACTION_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckptsim::model {

class JobGraph;

enum class ActionKind : uint8_t {
  kStep,               // subtask: its next internal step (deploy, open, emit, endData, close, ...)
  kDeliver,            // channel: deliver its head to the consumer
  kDeliverAck,         // channel: deliver the EndOfData acknowledgement to the producer
  kDeliverRpc,         // rpc uid: deliver an RPC
  kTriggerCheckpoint,  // coordinator: start a checkpoint (periodic or immediate)
  kExpireCheckpoint,   // checkpoint id: the pending checkpoint times out
  kRestart,            // job master: redeploy every subtask waiting for a restart
  // Faults (EnabledFaults lists them; drivers inject them within a budget).
  kFailSubtask,        // subtask: it fails
  kFailTaskManager,    // task manager: every subtask on it that is not done fails
  kLoseRpc,            // rpc uid: a notification is lost
  kDelayRpc,           // rpc uid: it loses its place in its path, later RPCs may overtake it
  kExpireEarly,        // checkpoint id: the pending checkpoint times out before its timeout
  // Scenario steps (a driver issues them when the scenario says so).
  kStopWithSavepoint,  // target 0: --drain, 1: without drain
  kResume,             // resume the stopped job from its savepoint
  kEndLogs,            // exhaustive checking: the unbounded sources' finite logs end
};
inline constexpr int kActionKindCount = static_cast<int>(ActionKind::kEndLogs) + 1;
bool IsFault(ActionKind kind);
std::string_view Name(ActionKind kind);

// The budgeted kinds of fault, one definition for every driver: the
// simulator injects them within its fault budget, the exhaustive checker
// explores them within the same budgets (scenario `faults:` / `check:`).
enum class FaultKind : uint8_t {
  kSubtaskFailure,      // kFailSubtask
  kTaskManagerFailure,  // kFailTaskManager
  kLostNotification,    // kLoseRpc
  kDelayedRpc,          // kDelayRpc
  kCheckpointTimeout,   // kExpireEarly
};
inline constexpr int kFaultKindCount = 5;
// REQUIRES: IsFault(kind).
FaultKind FaultKindOf(ActionKind kind);
std::string_view Name(FaultKind kind);

struct Action {
  ActionKind kind = ActionKind::kStep;
  int64_t target = 0;  // subtask, channel, rpc uid or checkpoint id, by kind
  auto operator<=>(const Action&) const = default;
};

// Human-readable form, also the decision-log and schedule syntax:
//   step A[0] | deliver A[0]->B[1] | ack A[0]->B[1] | rpc 17 | trigger | expire 3 |
//   restart | fail A[0] | fail-tm 2 | lose 17 | delay 17 | expire-early 3 |
//   stop drain | stop no-drain | resume | end-logs
std::string Describe(const JobGraph& graph, const Action& action);
// Inverse of Describe; nullopt if the text does not name an action of this graph.
std::optional<Action> ParseAction(const JobGraph& graph, std::string_view text);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_ACTION_H_
