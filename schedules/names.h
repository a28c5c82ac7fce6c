// Names in the schedule language, resolved against a job graph: subtasks
// ("S1[0]"), vertices ("S1"), channels ("S1[0]->J[0]"), operators ("j-map")
// and the model's enums under the names traces use (phases, RPC kinds, abort
// reasons). Every resolver returns nullopt and a message that says what is
// wrong and what would be right ("vertex 'S' has parallelism 2: S[0] or
// S[1]"), with a guess for a near miss.
#ifndef CKPTSIM_SCHEDULES_NAMES_H_
#define CKPTSIM_SCHEDULES_NAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/job_graph.h"
#include "model/messages.h"
#include "model/state.h"
#include "schedules/lexer.h"

namespace ckptsim::schedules {

std::optional<int> ResolveVertex(const model::JobGraph& graph, std::string_view name, std::string* error);
// REQUIRES: token.kind == TokenKind::kSubtask.
std::optional<int32_t> ResolveSubtask(const model::JobGraph& graph, const Token& token, std::string* error);
std::optional<int32_t> ResolveChannel(const model::JobGraph& graph, int32_t producer, int32_t consumer,
                                      std::string* error);
// Reads "P[i] -> C[j]" from `reader`.
std::optional<int32_t> ReadChannel(const model::JobGraph& graph, TokenReader& reader, std::string* error);
// Reads a subtask ("S[0]") or a whole vertex ("S", every subtask of it) and
// appends its subtasks to `out`.
bool ReadSubtasks(const model::JobGraph& graph, TokenReader& reader, std::vector<int32_t>* out, std::string* error);
// Reads "[a, b, ...]" of subtasks or vertices (see ReadSubtasks), ascending
// and without duplicates.
std::optional<std::vector<int32_t>> ReadSubtaskList(const model::JobGraph& graph, TokenReader& reader,
                                                    std::string* error);

// The operator's index in its vertex's chain, or nullopt.
std::optional<int> FindOperator(const model::JobGraph& graph, int vertex, std::string_view name);

// A word from a fixed set of names: the index into `names`, or nullopt with
// "unknown WHAT 'x' (did you mean 'y'?); allowed: ..." in *error.
std::optional<size_t> ResolveWord(const Token& token, std::string_view what, const std::vector<std::string_view>& names,
                                  std::string* error);

// The enums under the names traces and reports use.
// SubtaskPhase order, then FINISHED_ON_RESTORE (the last one: a flag of the
// attempt, not a phase).
const std::vector<std::string_view>& PhaseNames();
const std::vector<std::string_view>& ExecutionStateNames();
const std::vector<std::string_view>& RpcKindNames();
const std::vector<std::string_view>& AbortReasonNames();
const std::vector<std::string_view>& OperatorCallNames();  // Flink's method names: "snapshotState", ...

// "A[0], B[1]" (or "none").
std::string SubtaskList(const model::JobGraph& graph, const std::vector<int32_t>& subtasks);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_NAMES_H_
