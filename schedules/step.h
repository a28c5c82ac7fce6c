// Action steps of the schedule language: the decision-log vocabulary
// (model/action.h) with subtasks named Vertex[index], plus RPCs named by
// kind, checkpoint and subtask instead of by uid:
//
//   step A[0] | deliver A[0]->B[1] | ack A[0]->B[1] | trigger | expire 3 |
//   restart | fail A[0] | fail-tm 2 | stop drain | stop no-drain | resume |
//   rpc RPC | lose RPC
//   RPC := UID | KIND [CHECKPOINT] [(latest ID)] (-> | <-) SUBTASK
//
// "rpc 17" is exactly the decision-log line; "rpc trigger 3 -> C[0]" names
// the one trigger RPC of checkpoint 3 in flight to C[0] when the step runs.
// The coordinator is implicitly on the left: "->" to a subtask (trigger,
// notify-complete, notify-abort), "<-" from it (acknowledge, decline,
// report-running, report-end-of-data, report-finished).
//
// Parsing checks names against the job graph; which RPC a step means, and
// whether the action is enabled, is decided against the state when it runs.
#ifndef CKPTSIM_SCHEDULES_STEP_H_
#define CKPTSIM_SCHEDULES_STEP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/action.h"
#include "model/messages.h"
#include "model/state.h"
#include "schedules/lexer.h"

namespace ckptsim::schedules {

// An RPC named by what it is rather than by uid.
struct RpcPattern {
  model::RpcKind kind = model::RpcKind::kTriggerCheckpoint;
  int32_t subtask = -1;               // -1: any (action patterns only)
  std::optional<int64_t> checkpoint;  // absent: any
  std::optional<int64_t> latest;      // notify-abort's latest completed id; absent: any
  bool Matches(const model::Rpc& rpc) const;
};

// Reads RPC (without the uid form) from `reader`; a pattern for `only` and
// `except` may leave out the subtask.
std::optional<RpcPattern> ReadRpcPattern(const model::JobGraph& graph, TokenReader& reader, bool subtask_required,
                                         std::string* error);

struct ActionStep {
  model::ActionKind kind = model::ActionKind::kStep;
  int64_t target = 0;             // every kind but an RPC named by pattern
  std::optional<RpcPattern> rpc;  // kDeliverRpc / kLoseRpc named by kind and subtask
};

// The verbs of the language, in model::ActionKind order.
const std::vector<std::string_view>& ActionVerbs();

std::optional<ActionStep> ParseActionStep(const model::JobGraph& graph, std::string_view text, std::string* error);

// The action `step` names in this state, if it is enabled; otherwise
// nullopt and *error says why ("channel A[0]->B[0] is empty", "no
// notify-complete RPC to E[0] is in flight; in flight: ...").
std::optional<model::Action> ResolveActionStep(const model::System& system, const ActionStep& step, std::string* error);

// Why `action` is not enabled, in words.
std::string WhyNotEnabled(const model::System& system, const model::Action& action);

// A pattern of `only:` and `except:`: a verb alone ("trigger", "rpc"), or
// with what it applies to: "step B[0]", "step B" (any subtask of B),
// "deliver A[0]->B[0]", "ack A[0]->B[0]", "rpc notify-complete",
// "rpc trigger -> C[0]", "expire 2". Faults are never the scheduler's
// choice, so they are not patterns.
struct ActionPattern {
  model::ActionKind kind = model::ActionKind::kStep;
  std::vector<int32_t> subtasks;      // kStep: empty = any
  std::optional<int32_t> channel;     // kDeliver, kDeliverAck
  std::optional<RpcPattern> rpc;      // kDeliverRpc
  std::optional<int64_t> checkpoint;  // kExpireCheckpoint
  bool Matches(const model::System& system, const model::Action& action) const;
};

std::optional<ActionPattern> ParseActionPattern(const model::JobGraph& graph, std::string_view text,
                                                std::string* error);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_STEP_H_
