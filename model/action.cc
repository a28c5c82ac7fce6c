#include "model/action.h"

#include <charconv>

#include <fmt/format.h>

#include "model/job_graph.h"

namespace ckptsim::model {
namespace {

std::optional<int> ParseSubtask(const JobGraph& graph, std::string_view text) {
  const size_t open = text.rfind('[');
  if (open == std::string_view::npos || text.empty() || text.back() != ']') return std::nullopt;
  auto vertex = graph.FindVertex(text.substr(0, open));
  if (!vertex) return std::nullopt;
  int index = 0;
  std::string_view digits = text.substr(open + 1, text.size() - open - 2);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  if (index < 0 || index >= graph.vertices()[*vertex].parallelism) return std::nullopt;
  return graph.SubtaskOf(*vertex, index);
}

std::optional<int> ParseChannel(const JobGraph& graph, std::string_view text) {
  const size_t arrow = text.find("->");
  if (arrow == std::string_view::npos) return std::nullopt;
  auto producer = ParseSubtask(graph, text.substr(0, arrow));
  auto consumer = ParseSubtask(graph, text.substr(arrow + 2));
  if (!producer || !consumer) return std::nullopt;
  for (int c = 0; c < graph.channel_count(); ++c) {
    if (graph.channels()[c].producer == *producer && graph.channels()[c].consumer == *consumer) return c;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseNumber(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string_view Name(ActionKind kind) {
  switch (kind) {
    case ActionKind::kStep: return "step";
    case ActionKind::kDeliver: return "deliver";
    case ActionKind::kDeliverAck: return "ack";
    case ActionKind::kDeliverRpc: return "rpc";
    case ActionKind::kTriggerCheckpoint: return "trigger";
    case ActionKind::kExpireCheckpoint: return "expire";
    case ActionKind::kRestart: return "restart";
    case ActionKind::kFailSubtask: return "fail";
    case ActionKind::kFailTaskManager: return "fail-tm";
    case ActionKind::kLoseRpc: return "lose";
    case ActionKind::kDelayRpc: return "delay";
    case ActionKind::kExpireEarly: return "expire-early";
    case ActionKind::kStopWithSavepoint: return "stop";
    case ActionKind::kResume: return "resume";
    case ActionKind::kEndLogs: return "end-logs";
  }
  return "?";
}

bool IsFault(ActionKind kind) {
  switch (kind) {
    case ActionKind::kFailSubtask:
    case ActionKind::kFailTaskManager:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc:
    case ActionKind::kExpireEarly:
      return true;
    case ActionKind::kStep:
    case ActionKind::kDeliver:
    case ActionKind::kDeliverAck:
    case ActionKind::kDeliverRpc:
    case ActionKind::kTriggerCheckpoint:
    case ActionKind::kExpireCheckpoint:
    case ActionKind::kRestart:
    case ActionKind::kStopWithSavepoint:
    case ActionKind::kResume:
    case ActionKind::kEndLogs:
      return false;
  }
  return false;
}

FaultKind FaultKindOf(ActionKind kind) {
  switch (kind) {
    case ActionKind::kFailSubtask: return FaultKind::kSubtaskFailure;
    case ActionKind::kFailTaskManager: return FaultKind::kTaskManagerFailure;
    case ActionKind::kLoseRpc: return FaultKind::kLostNotification;
    case ActionKind::kDelayRpc: return FaultKind::kDelayedRpc;
    default: return FaultKind::kCheckpointTimeout;
  }
}

std::string_view Name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kSubtaskFailure: return "subtask failures";
    case FaultKind::kTaskManagerFailure: return "task manager failures";
    case FaultKind::kLostNotification: return "lost notifications";
    case FaultKind::kDelayedRpc: return "delayed RPCs";
    case FaultKind::kCheckpointTimeout: return "checkpoint timeouts";
  }
  return "?";
}

std::string Describe(const JobGraph& graph, const Action& action) {
  switch (action.kind) {
    case ActionKind::kStep:
      return fmt::format("step {}", graph.SubtaskName(static_cast<int>(action.target)));
    case ActionKind::kDeliver:
      return fmt::format("deliver {}", graph.ChannelName(static_cast<int>(action.target)));
    case ActionKind::kDeliverAck:
      return fmt::format("ack {}", graph.ChannelName(static_cast<int>(action.target)));
    case ActionKind::kDeliverRpc:
      return fmt::format("rpc {}", action.target);
    case ActionKind::kTriggerCheckpoint:
      return "trigger";
    case ActionKind::kExpireCheckpoint:
      return fmt::format("expire {}", action.target);
    case ActionKind::kRestart:
      return "restart";
    case ActionKind::kFailSubtask:
      return fmt::format("fail {}", graph.SubtaskName(static_cast<int>(action.target)));
    case ActionKind::kFailTaskManager:
      return fmt::format("fail-tm {}", action.target);
    case ActionKind::kLoseRpc:
      return fmt::format("lose {}", action.target);
    case ActionKind::kDelayRpc:
      return fmt::format("delay {}", action.target);
    case ActionKind::kExpireEarly:
      return fmt::format("expire-early {}", action.target);
    case ActionKind::kStopWithSavepoint:
      return action.target == 0 ? "stop drain" : "stop no-drain";
    case ActionKind::kResume:
      return "resume";
    case ActionKind::kEndLogs:
      return "end-logs";
  }
  return "?";
}

std::optional<Action> ParseAction(const JobGraph& graph, std::string_view text) {
  const size_t space = text.find(' ');
  const std::string_view verb = text.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (verb == "trigger" && rest.empty()) return Action{ActionKind::kTriggerCheckpoint, 0};
  if (verb == "restart" && rest.empty()) return Action{ActionKind::kRestart, 0};
  if (verb == "resume" && rest.empty()) return Action{ActionKind::kResume, 0};
  if (verb == "end-logs" && rest.empty()) return Action{ActionKind::kEndLogs, 0};
  if (verb == "stop" && (rest == "drain" || rest == "no-drain")) {
    return Action{ActionKind::kStopWithSavepoint, rest == "drain" ? 0 : 1};
  }
  if (verb == "step" || verb == "fail") {
    if (auto s = ParseSubtask(graph, rest)) return Action{verb == "step" ? ActionKind::kStep : ActionKind::kFailSubtask, *s};
  } else if (verb == "deliver" || verb == "ack") {
    if (auto c = ParseChannel(graph, rest)) {
      return Action{verb == "deliver" ? ActionKind::kDeliver : ActionKind::kDeliverAck, *c};
    }
  } else if (verb == "rpc" || verb == "expire" || verb == "lose" || verb == "delay" || verb == "expire-early") {
    const ActionKind kind = verb == "rpc"            ? ActionKind::kDeliverRpc
                            : verb == "expire"       ? ActionKind::kExpireCheckpoint
                            : verb == "expire-early" ? ActionKind::kExpireEarly
                            : verb == "delay"        ? ActionKind::kDelayRpc
                                                     : ActionKind::kLoseRpc;
    if (auto n = ParseNumber(rest)) return Action{kind, *n};
  } else if (verb == "fail-tm") {
    if (auto n = ParseNumber(rest); n && *n < graph.task_manager_count()) {
      return Action{ActionKind::kFailTaskManager, *n};
    }
  }
  return std::nullopt;
}

}  // namespace ckptsim::model
