// Short, deterministic descriptions of trace events, shared by the text
// timeline and the labels of the pictures. They work from the trace's JSON
// lines, not from the model's enums, so a trace with an event kind this
// version does not know still renders (as "kind key=value ...").
#ifndef CKPTSIM_VISUALIZER_EVENT_TEXT_H_
#define CKPTSIM_VISUALIZER_EVENT_TEXT_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ckptsim::visualizer {

// A channel message: "record A[1]#0", "barrier 3", "EndOfData(DRAIN)", ...
std::string MessageText(const nlohmann::json& message);
// The same, shortened for an arrow's label: "A[1]#0", "B3", "EoD", "EoP", ...
std::string MessageShortText(const nlohmann::json& message);
// One event, without its step, tick or lane: "-> B[1] barrier 3".
std::string EventText(const nlohmann::json& event);
// An RPC's label: "trigger 3", "acknowledge 3", "report-finished".
std::string RpcText(const nlohmann::json& event);
// True for the RPCs the coordinator sends to a subtask (trigger, notify-*).
bool RpcGoesToSubtask(std::string_view rpc);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_EVENT_TEXT_H_
