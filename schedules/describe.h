// The schedule language written out: actions as a schedule names them (RPCs
// by kind, checkpoint and subtask instead of by uid), channel messages, and
// a step's notable events in words. The parsers in step.h and condition.h
// read back what these functions write.
#ifndef CKPTSIM_SCHEDULES_DESCRIBE_H_
#define CKPTSIM_SCHEDULES_DESCRIBE_H_

#include <span>
#include <string>
#include <vector>

#include "model/action.h"
#include "model/event.h"
#include "model/messages.h"
#include "model/state.h"
#include "schedules/history.h"

namespace ckptsim::schedules {

// "record S[0]#3", "MAX_WATERMARK", "barrier 2", "cancel-marker 2",
// "EndOfData(DRAIN)", "EndOfPartition", "committable".
std::string DescribeMessage(const model::JobGraph& graph, const model::Message& message);
// A channel's queue, head first: "[MAX_WATERMARK, EndOfData(DRAIN), barrier 1]";
// runs of records read "record x5".
std::string DescribeQueue(const model::JobGraph& graph, const model::Channel& channel);
// The coordinator is on the left: "trigger 2 -> C[0]", "notify-abort 4
// (latest 3) -> A[0]", "acknowledge 2 <- C[0]", "report-finished <- C[0]".
std::string DescribeRpc(const model::JobGraph& graph, const model::Rpc& rpc);

// The action as a schedule step, in this state: the decision-log text
// (model::Describe) except for RPCs, which are named as DescribeRpc does
// ("rpc trigger 2 -> C[0]", "lose notify-complete 5 -> E[0]") unless another
// RPC in flight has the same description; then by uid ("rpc 17").
// REQUIRES: for an RPC action, the RPC is in flight.
std::string DescribeStep(const model::System& system, const model::Action& action);

// What the action will do, for menus: "deploy", "emit record 3 of 5",
// "barrier 2", "EndOfData acknowledgement", "savepoint 2 DRAIN".
std::string Hint(const model::System& system, const model::Action& action);

// The notable events of one step, in words ("checkpoint 1 triggered: trigger
// S1[0], S2[0]; wait for 4 subtasks", "S1[0] FINISHED"). `system` and
// `history` are as after the step.
std::vector<std::string> Notes(const model::System& system, const History& history,
                               std::span<const model::Event> events);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_DESCRIBE_H_
