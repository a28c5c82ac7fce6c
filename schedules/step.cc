#include "schedules/step.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/system.h"
#include "schedules/describe.h"
#include "schedules/names.h"

namespace ckptsim::schedules {
namespace {

using model::ActionKind;

std::optional<std::vector<Token>> LexOrError(std::string_view text, std::string* error) {
  auto tokens = Lex(text, error);
  if (tokens && tokens->size() == 1) {
    *error = "empty step";
    return std::nullopt;
  }
  return tokens;
}

bool ExpectEnd(const TokenReader& reader, std::string_view after, std::string* error) {
  if (reader.AtEnd()) return true;
  while (!after.empty() && after.back() == ' ') after.remove_suffix(1);
  *error = fmt::format("unexpected '{}' after '{}'", Spelling(reader.Peek()), after);
  return false;
}

std::optional<int32_t> ReadOneSubtask(const model::JobGraph& graph, TokenReader& reader, std::string_view verb,
                                      std::string* error) {
  const Token token = reader.Next();
  if (token.kind != TokenKind::kSubtask) {
    *error = fmt::format("'{}' needs one subtask, Vertex[index]; got '{}'", verb, Spelling(token));
    return std::nullopt;
  }
  return ResolveSubtask(graph, token, error);
}

std::optional<int64_t> ReadNumber(TokenReader& reader, std::string_view what, std::string* error) {
  const Token token = reader.Next();
  if (token.kind != TokenKind::kNumber) {
    *error = fmt::format("expected {}, got '{}'", what, Spelling(token));
    return std::nullopt;
  }
  return token.number;
}

std::string InFlight(const model::System& system) {
  if (system.rpcs.empty()) return "no RPC is in flight";
  std::vector<std::string> rpcs;
  for (const model::Rpc& rpc : system.rpcs) {
    rpcs.push_back(fmt::format("{} (uid {})", DescribeRpc(*system.graph, rpc), rpc.uid));
  }
  return fmt::format("in flight: {}", fmt::join(rpcs, ", "));
}

std::string PatternText(const model::JobGraph& graph, const RpcPattern& pattern) {
  std::string text(model::Name(pattern.kind));
  if (pattern.checkpoint) text += fmt::format(" {}", *pattern.checkpoint);
  if (pattern.latest) text += fmt::format(" (latest {})", *pattern.latest);
  if (pattern.subtask >= 0) {
    text += fmt::format(" {} {}", model::IsToSubtask(pattern.kind) ? "->" : "<-", graph.SubtaskName(pattern.subtask));
  }
  return text;
}

std::string WhyNoStep(const model::System& system, int32_t subtask) {
  const model::JobGraph& graph = *system.graph;
  const model::Subtask& sub = system.subtasks[subtask];
  const std::string name = graph.SubtaskName(subtask);
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  switch (sub.phase) {
    case model::SubtaskPhase::kProcessing:
      if (!vertex.is_source) return fmt::format("{} is not a source: it moves only when input is delivered", name);
      if (sub.sync_savepoint_id != 0 && system.options.variant == model::Variant::kLegacy) {
        return fmt::format("{} is blocked until its synchronous savepoint {} completes", name, sub.sync_savepoint_id);
      }
      return fmt::format("{} is back-pressured: an output channel holds {} messages", name,
                         model::kChannelCapacityRecords);
    case model::SubtaskPhase::kDataFinished:
      return fmt::format("{} is END_OF_DATA: it waits for EndOfPartition on its inputs", name);
    case model::SubtaskPhase::kWaitingForFinalCheckpoint: {
      if (sub.sync_savepoint_id != 0 && !sub.final_checkpoint_completed) {
        return fmt::format("{} waits for savepoint {} to be notified complete", name, sub.sync_savepoint_id);
      }
      if (!sub.final_checkpoint_completed) {
        return sub.final_checkpoint_min_id == 0
                   ? fmt::format("{} waits for a final checkpoint (none taken since its end of data)", name)
                   : fmt::format("{} waits for a checkpoint >= {} (finalCheckpointMinId) to be notified complete", name,
                                 sub.final_checkpoint_min_id);
      }
      std::vector<std::string> missing;
      for (int32_t c : graph.subtasks()[subtask].output_channels) {
        if (!system.channels[c].ack_received) missing.push_back(graph.ChannelName(c));
      }
      return fmt::format("{} waits for the EndOfData acknowledgement of {}", name, fmt::join(missing, ", "));
    }
    case model::SubtaskPhase::kDeploying:
    case model::SubtaskPhase::kInitializing:
    case model::SubtaskPhase::kClosing:
    case model::SubtaskPhase::kFinished:
    case model::SubtaskPhase::kFailed:
    case model::SubtaskPhase::kCanceled: break;
  }
  return fmt::format("{} is {}", name, model::Name(sub.phase));
}

std::string WhyNoDelivery(const model::System& system, int32_t channel) {
  const model::JobGraph& graph = *system.graph;
  const model::Channel& ch = system.channels[channel];
  const int32_t consumer = graph.channels()[channel].consumer;
  const model::Subtask& sub = system.subtasks[consumer];
  if (ch.queue.empty()) return fmt::format("channel {} is empty", graph.ChannelName(channel));
  if (ch.blocked) {
    return fmt::format("channel {} is blocked: {} is aligning checkpoint {} and has this channel's barrier",
                       graph.ChannelName(channel), graph.SubtaskName(consumer), sub.pending_alignment_id);
  }
  if (sub.phase != model::SubtaskPhase::kProcessing && sub.phase != model::SubtaskPhase::kDataFinished) {
    return fmt::format("{} is {}: it takes no input", graph.SubtaskName(consumer), model::Name(sub.phase));
  }
  return fmt::format("{} is back-pressured: an output channel is full", graph.SubtaskName(consumer));
}

std::string WhyNoTrigger(const model::System& system) {
  const model::Coordinator& coordinator = system.coordinator;
  if (!system.options.checkpointing_enabled) return "checkpointing is off";
  if (system.job_finished) return "the job is FINISHED";
  if (system.job_failed) return "the job is FAILED";
  if (coordinator.stop_requested) {
    return fmt::format("a stop-with-savepoint is in progress and its savepoint {} is pending",
                       coordinator.stop_savepoint_id);
  }
  if (!coordinator.periodic_enabled) return "periodic checkpoints are stopped";
  return fmt::format("{} checkpoint(s) pending, max_concurrent is {}", coordinator.pending.size(),
                     system.options.max_concurrent_checkpoints);
}

}  // namespace

bool RpcPattern::Matches(const model::Rpc& rpc) const {
  return rpc.kind == kind && (subtask < 0 || rpc.subtask == subtask) &&
         (!checkpoint || rpc.checkpoint_id == *checkpoint) && (!latest || rpc.latest_completed_id == *latest);
}

std::optional<RpcPattern> ReadRpcPattern(const model::JobGraph& graph, TokenReader& reader, bool subtask_required,
                                         std::string* error) {
  RpcPattern pattern;
  auto kind = ResolveWord(reader.Next(), "RPC kind", RpcKindNames(), error);
  if (!kind) return std::nullopt;
  pattern.kind = static_cast<model::RpcKind>(*kind);
  const bool to_subtask = model::IsToSubtask(pattern.kind);
  if (reader.Peek().kind == TokenKind::kNumber) pattern.checkpoint = reader.Next().number;
  if (reader.Accept("(")) {
    if (pattern.kind != model::RpcKind::kNotifyAbort || !reader.Accept("latest")) {
      *error = "only notify-abort carries '(latest ID)', the latest completed checkpoint id";
      return std::nullopt;
    }
    auto latest = ReadNumber(reader, "the latest completed checkpoint id", error);
    if (!latest) return std::nullopt;
    pattern.latest = *latest;
    if (!reader.Accept(")")) {
      *error = fmt::format("expected ')' after '(latest {}', got '{}'", *latest, Spelling(reader.Peek()));
      return std::nullopt;
    }
  }
  const std::string_view arrow = to_subtask ? "->" : "<-";
  if (!subtask_required && reader.AtEnd()) return pattern;
  if (!reader.Accept(arrow)) {
    const std::string direction =
        to_subtask ? "goes from the coordinator to a subtask" : "goes from a subtask to the coordinator";
    *error = fmt::format("expected '{}' and a subtask after '{}' ({} {}: e.g. '{} {} A[0]'), got '{}'", arrow,
                         model::Name(pattern.kind), model::Name(pattern.kind), direction, model::Name(pattern.kind),
                         arrow, Spelling(reader.Peek()));
    return std::nullopt;
  }
  const Token subtask = reader.Next();
  if (subtask.kind != TokenKind::kSubtask) {
    *error = fmt::format("expected a subtask after '{}', got '{}'", arrow, Spelling(subtask));
    return std::nullopt;
  }
  auto resolved = ResolveSubtask(graph, subtask, error);
  if (!resolved) return std::nullopt;
  pattern.subtask = *resolved;
  return pattern;
}

const std::vector<std::string_view>& ActionVerbs() {
  static const std::vector<std::string_view> kVerbs = [] {
    std::vector<std::string_view> verbs;
    for (int i = 0; i < 256 && model::Name(static_cast<ActionKind>(i)) != "?"; ++i) {
      verbs.push_back(model::Name(static_cast<ActionKind>(i)));
    }
    return verbs;
  }();
  return kVerbs;
}

std::optional<ActionStep> ParseActionStep(const model::JobGraph& graph, std::string_view text, std::string* error) {
  auto tokens = LexOrError(text, error);
  if (!tokens) return std::nullopt;
  TokenReader reader(std::move(*tokens));
  auto verb = ResolveWord(reader.Next(), "action", ActionVerbs(), error);
  if (!verb) return std::nullopt;
  ActionStep step{.kind = static_cast<ActionKind>(*verb)};
  const std::string_view name = ActionVerbs()[*verb];
  switch (step.kind) {
    case ActionKind::kStep:
    case ActionKind::kFailSubtask: {
      auto subtask = ReadOneSubtask(graph, reader, name, error);
      if (!subtask) return std::nullopt;
      step.target = *subtask;
      break;
    }
    case ActionKind::kDeliver:
    case ActionKind::kDeliverAck: {
      auto channel = ReadChannel(graph, reader, error);
      if (!channel) return std::nullopt;
      step.target = *channel;
      break;
    }
    case ActionKind::kDeliverRpc:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc: {
      if (reader.Peek().kind == TokenKind::kNumber && reader.Peek(1).kind == TokenKind::kEnd) {
        step.target = reader.Next().number;  // the decision-log form: by uid
        break;
      }
      auto pattern = ReadRpcPattern(graph, reader, /*subtask_required=*/true, error);
      if (!pattern) return std::nullopt;
      if (step.kind == ActionKind::kLoseRpc && pattern->kind != model::RpcKind::kNotifyComplete &&
          pattern->kind != model::RpcKind::kNotifyAbort) {
        *error = fmt::format("only notifications (notify-complete, notify-abort) can be lost, not {}",
                             model::Name(pattern->kind));
        return std::nullopt;
      }
      step.rpc = *pattern;
      break;
    }
    case ActionKind::kExpireCheckpoint:
    case ActionKind::kExpireEarly: {
      auto id = ReadNumber(reader, "the id of the checkpoint to expire", error);
      if (!id) return std::nullopt;
      step.target = *id;
      break;
    }
    case ActionKind::kFailTaskManager: {
      auto tm = ReadNumber(reader, "a task manager index", error);
      if (!tm) return std::nullopt;
      if (*tm >= graph.task_manager_count()) {
        *error = fmt::format("no task manager {}: the job has {} (0 to {})", *tm, graph.task_manager_count(),
                             graph.task_manager_count() - 1);
        return std::nullopt;
      }
      step.target = *tm;
      break;
    }
    case ActionKind::kStopWithSavepoint: {
      const Token mode = reader.Next();
      if (mode.kind != TokenKind::kWord || (mode.text != "drain" && mode.text != "no-drain")) {
        *error = fmt::format("'stop' needs 'drain' or 'no-drain', got '{}'", Spelling(mode));
        return std::nullopt;
      }
      step.target = mode.text == "drain" ? 0 : 1;
      break;
    }
    case ActionKind::kTriggerCheckpoint:
    case ActionKind::kRestart:
    case ActionKind::kResume:
    case ActionKind::kEndLogs: break;
  }
  if (!ExpectEnd(reader, text.substr(0, static_cast<size_t>(reader.Peek().column) - 1), error)) return std::nullopt;
  return step;
}

std::optional<model::Action> ResolveActionStep(const model::System& system, const ActionStep& step,
                                               std::string* error) {
  model::Action action{step.kind, step.target};
  if (step.rpc) {
    std::vector<const model::Rpc*> matches;
    for (const model::Rpc& rpc : system.rpcs) {
      if (step.rpc->Matches(rpc)) matches.push_back(&rpc);
    }
    const std::string wanted = PatternText(*system.graph, *step.rpc);
    if (matches.empty()) {
      *error = fmt::format("no RPC '{}' is in flight; {}", wanted, InFlight(system));
      return std::nullopt;
    }
    if (matches.size() > 1) {
      std::vector<std::string> names;
      for (const model::Rpc* rpc : matches) {
        names.push_back(fmt::format("{} (uid {})", DescribeRpc(*system.graph, *rpc), rpc->uid));
      }
      *error = fmt::format(
          "'{}' is ambiguous: {} RPCs match: {}; add the checkpoint id, or name one by uid "
          "('{} {}')",
          wanted, matches.size(), fmt::join(names, ", "), model::Name(step.kind), matches[0]->uid);
      return std::nullopt;
    }
    action.target = static_cast<int64_t>(matches[0]->uid);
  }
  if (!model::IsEnabled(system, action)) {
    *error = WhyNotEnabled(system, action);
    return std::nullopt;
  }
  return action;
}

std::string WhyNotEnabled(const model::System& system, const model::Action& action) {
  const model::JobGraph& graph = *system.graph;
  const auto has_rpc = [&](int64_t uid) {
    return std::any_of(system.rpcs.begin(), system.rpcs.end(),
                       [&](const model::Rpc& rpc) { return static_cast<int64_t>(rpc.uid) == uid; });
  };
  switch (action.kind) {
    case ActionKind::kStep: return WhyNoStep(system, static_cast<int32_t>(action.target));
    case ActionKind::kDeliver: return WhyNoDelivery(system, static_cast<int32_t>(action.target));
    case ActionKind::kDeliverAck:
      return fmt::format("no EndOfData acknowledgement is in flight on {}",
                         graph.ChannelName(static_cast<int>(action.target)));
    case ActionKind::kDeliverRpc:
      if (has_rpc(action.target)) {
        return fmt::format("RPC {} waits behind an older RPC of its path (RPCs of one path arrive in order unless "
                           "one is delayed); {}",
                           action.target, InFlight(system));
      }
      return fmt::format("no RPC with uid {} is in flight; {}", action.target, InFlight(system));
    case ActionKind::kDelayRpc:
      if (has_rpc(action.target)) return fmt::format("RPC {} is already delayed", action.target);
      return fmt::format("no RPC with uid {} is in flight; {}", action.target, InFlight(system));
    case ActionKind::kTriggerCheckpoint: return WhyNoTrigger(system);
    case ActionKind::kExpireEarly:
    case ActionKind::kExpireCheckpoint: {
      std::vector<int64_t> pending;
      for (const model::PendingCheckpoint& p : system.coordinator.pending) pending.push_back(p.id);
      return pending.empty()
                 ? fmt::format("checkpoint {} is not pending; no checkpoint is", action.target)
                 : fmt::format("checkpoint {} is not pending; pending: {}", action.target, fmt::join(pending, ", "));
    }
    case ActionKind::kRestart: return "no subtask waits for a restart";
    case ActionKind::kFailSubtask:
      if (system.job_finished || system.job_failed) return "the job is over";
      return fmt::format("{} is {}", graph.SubtaskName(static_cast<int>(action.target)),
                         model::Name(system.subtasks[action.target].phase));
    case ActionKind::kFailTaskManager: return fmt::format("no subtask on task manager {} can fail", action.target);
    case ActionKind::kLoseRpc:
      if (!has_rpc(action.target))
        return fmt::format("no RPC with uid {} is in flight; {}", action.target, InFlight(system));
      return "only notifications (notify-complete, notify-abort) can be lost";
    case ActionKind::kStopWithSavepoint:
      if (!system.options.checkpointing_enabled) return "checkpointing is off";
      if (system.job_finished || system.job_failed) return "the job is over";
      return "a stop-with-savepoint was already requested";
    case ActionKind::kResume: return "only a job stopped without drain, by a savepoint that completed, can be resumed";
    case ActionKind::kEndLogs:
      return "only an exhaustive check bounds the unbounded sources by a log, which ends once every bounded source "
             "subtask finished";
  }
  return "not enabled";
}

bool ActionPattern::Matches(const model::System& system, const model::Action& action) const {
  if (action.kind != kind) return false;
  switch (kind) {
    case ActionKind::kStep:
      return subtasks.empty() || std::find(subtasks.begin(), subtasks.end(), action.target) != subtasks.end();
    case ActionKind::kDeliver:
    case ActionKind::kDeliverAck: return !channel || *channel == action.target;
    case ActionKind::kDeliverRpc:
      if (!rpc) return true;
      for (const model::Rpc& in_flight : system.rpcs) {
        if (static_cast<int64_t>(in_flight.uid) == action.target) return rpc->Matches(in_flight);
      }
      return false;
    case ActionKind::kExpireCheckpoint:
    case ActionKind::kExpireEarly: return !checkpoint || *checkpoint == action.target;
    case ActionKind::kTriggerCheckpoint:
    case ActionKind::kRestart:
    case ActionKind::kFailSubtask:
    case ActionKind::kFailTaskManager:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc:
    case ActionKind::kStopWithSavepoint:
    case ActionKind::kResume:
    case ActionKind::kEndLogs: return true;
  }
  return false;
}

std::optional<ActionPattern> ParseActionPattern(const model::JobGraph& graph, std::string_view text,
                                                std::string* error) {
  auto tokens = LexOrError(text, error);
  if (!tokens) return std::nullopt;
  TokenReader reader(std::move(*tokens));
  auto verb = ResolveWord(reader.Next(), "action", ActionVerbs(), error);
  if (!verb) return std::nullopt;
  ActionPattern pattern{.kind = static_cast<ActionKind>(*verb)};
  switch (pattern.kind) {
    case ActionKind::kStep:
      if (!reader.AtEnd() && !ReadSubtasks(graph, reader, &pattern.subtasks, error)) return std::nullopt;
      break;
    case ActionKind::kDeliver:
    case ActionKind::kDeliverAck:
      if (!reader.AtEnd()) {
        pattern.channel = ReadChannel(graph, reader, error);
        if (!pattern.channel) return std::nullopt;
      }
      break;
    case ActionKind::kDeliverRpc:
      if (!reader.AtEnd()) {
        pattern.rpc = ReadRpcPattern(graph, reader, /*subtask_required=*/false, error);
        if (!pattern.rpc) return std::nullopt;
      }
      break;
    case ActionKind::kExpireCheckpoint:
      if (!reader.AtEnd()) {
        pattern.checkpoint = ReadNumber(reader, "a checkpoint id", error);
        if (!pattern.checkpoint) return std::nullopt;
      }
      break;
    case ActionKind::kFailSubtask:
    case ActionKind::kFailTaskManager:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc:
    case ActionKind::kExpireEarly:
      *error = fmt::format(
          "'{}' is a fault: run and until never inject faults, so it cannot be filtered; write "
          "it as a step of its own",
          ActionVerbs()[*verb]);
      return std::nullopt;
    case ActionKind::kTriggerCheckpoint:
    case ActionKind::kRestart:
    case ActionKind::kStopWithSavepoint:
    case ActionKind::kResume:
    case ActionKind::kEndLogs: break;
  }
  if (!ExpectEnd(reader, ActionVerbs()[*verb], error)) return std::nullopt;
  return pattern;
}

}  // namespace ckptsim::schedules
