#include "visualizer/event_text.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "model/messages.h"
#include "visualizer/json_fields.h"

namespace ckptsim::visualizer {
namespace {

using nlohmann::json;

// "P[0]->C[1]" -> {"P[0]", "C[1]"}: the arrow right after the producer's
// "[index]" (vertex names may themselves hold "->").
std::pair<std::string, std::string> SplitChannel(const std::string& channel) {
  for (size_t at = channel.find("]->"); at != std::string::npos; at = channel.find("]->", at + 1)) {
    const size_t open = channel.rfind('[', at);
    if (open == std::string::npos || open + 1 == at) continue;
    bool digits = true;
    for (size_t i = open + 1; i < at; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(channel[i])) != 0;
    if (digits) return {channel.substr(0, at + 1), channel.substr(at + 3)};
  }
  return {channel, channel};
}

std::string Committable(const json& message) {
  const json* tag = Field(message, "tag");
  const std::string tag_text = tag == nullptr ? "?" : tag->is_string() ? tag->get<std::string>() : tag->dump();
  return fmt::format("committable txn {} for {}", IntField(message, "transaction", -1), tag_text);
}

std::string Barrier(const json& message, bool short_form) {
  const int64_t id = IntField(message, "checkpoint");
  const bool savepoint = BoolField(message, "savepoint");
  const bool unaligned = BoolField(message, "unaligned");
  if (short_form) return fmt::format("{}{}{}", savepoint ? "SP" : "B", id, unaligned ? "u" : "");
  return fmt::format("{}barrier {}{}", savepoint ? "savepoint " : "", id, unaligned ? " (unaligned)" : "");
}

// Fields beyond step, tick, actor and kind, as "key=value" (unknown kinds).
std::string OtherFields(const json& event) {
  std::string out;
  if (!event.is_object()) return out;
  for (const auto& [key, value] : event.items()) {
    if (key == "step" || key == "tick" || key == "actor" || key == "kind") continue;
    out += fmt::format(" {}={}", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

std::string OperatorCallText(const json& event) {
  const std::string call = StringField(event, "call");
  std::string argument;
  if (call == "endInput") {
    argument = fmt::format("{}", IntField(event, "input"));
  } else if (const int64_t checkpoint = IntField(event, "checkpoint"); checkpoint != 0) {
    argument = fmt::format("{}", checkpoint);
  }
  // Calls named with their argument already ("processWatermark(MAX)") get no second pair.
  if (call.find('(') != std::string::npos && argument.empty()) {
    return fmt::format("{}.{}", StringField(event, "operator"), call);
  }
  return fmt::format("{}.{}({})", StringField(event, "operator"), call, argument);
}

std::string RpcEventText(const json& event, const std::string& kind) {
  const std::string rpc = RpcText(event);
  const std::string subtask = StringField(event, "subtask");
  const bool to_subtask = RpcGoesToSubtask(StringField(event, "rpc"));
  const int64_t uid = IntField(event, "uid");
  if (kind == "rpc-sent") return fmt::format("rpc#{} {} -> {}", uid, rpc, to_subtask ? subtask : "coordinator");
  if (kind == "rpc-delivered") return fmt::format("rpc#{} {} <- {}", uid, rpc, to_subtask ? "coordinator" : subtask);
  if (kind == "rpc-ignored")
    return fmt::format("rpc#{} {} from {} ignored", uid, rpc, to_subtask ? "coordinator" : subtask);
  if (kind == "rpc-lost") return fmt::format("rpc#{} {} to {} LOST", uid, rpc, to_subtask ? subtask : "coordinator");
  return kind + OtherFields(event);
}

std::string CheckpointText(const json& event, const std::string& kind) {
  const int64_t checkpoint = IntField(event, "checkpoint");
  const std::string reason = StringField(event, "reason");
  if (kind == "checkpoint-triggered") {
    return fmt::format("trigger checkpoint {} (waits for {})", checkpoint, IntField(event, "wait_for"));
  }
  if (kind == "checkpoint-refused") return fmt::format("trigger refused: {}", reason);
  if (kind == "checkpoint-acknowledged") {
    return fmt::format("checkpoint {} acknowledged by {}", checkpoint, StringField(event, "actor"));
  }
  if (kind == "checkpoint-completed") return fmt::format("checkpoint {} COMPLETED", checkpoint);
  if (kind == "checkpoint-aborted") return fmt::format("checkpoint {} ABORTED: {}", checkpoint, reason);
  if (kind == "checkpoint-performed") return fmt::format("snapshot for checkpoint {}", checkpoint);
  if (kind == "checkpoint-canceled") return fmt::format("checkpoint {} canceled ({})", checkpoint, reason);
  return kind + OtherFields(event);
}

std::string TransactionText(const json& event, const std::string& kind) {
  const int64_t transaction = IntField(event, "transaction");
  const std::string actor = StringField(event, "actor");
  const int64_t checkpoint = IntField(event, "checkpoint");
  if (kind == "transaction-begun") return fmt::format("txn {} begun by {}", transaction, actor);
  if (kind == "transaction-precommitted") {
    return fmt::format("txn {} pre-committed by {} for checkpoint {}", transaction, actor, checkpoint);
  }
  if (kind == "transaction-committed") {
    return fmt::format("txn {} COMMITTED by {} on checkpoint {}", transaction, actor, checkpoint);
  }
  if (kind == "transaction-aborted") return fmt::format("txn {} ABORTED by {}", transaction, actor);
  return kind + OtherFields(event);
}

std::string RestartedText(const json& event) {
  const int64_t checkpoint = IntField(event, "checkpoint");
  const std::string from =
      checkpoint == 0 ? "restarted fresh" : fmt::format("restarted from checkpoint {}", checkpoint);
  if (BoolField(event, "finished_on_restore")) return from + ", FINISHED on restore";
  const std::string state = StringField(event, "restored_state");
  return state.empty() ? from : fmt::format("{}: {}", from, state);
}

}  // namespace

bool RpcGoesToSubtask(std::string_view rpc) {
  using model::RpcKind;
  constexpr std::array<RpcKind, 8> kAll{
      RpcKind::kTriggerCheckpoint, RpcKind::kNotifyComplete,  RpcKind::kNotifyAbort,    RpcKind::kAcknowledge,
      RpcKind::kDecline,           RpcKind::kReportEndOfData, RpcKind::kReportFinished, RpcKind::kReportRunning};
  for (const RpcKind kind : kAll) {
    if (model::Name(kind) == rpc) return model::IsToSubtask(kind);
  }
  return false;
}

std::string RpcText(const json& event) {
  const std::string rpc = StringField(event, "rpc");
  const int64_t checkpoint = IntField(event, "checkpoint");
  return checkpoint != 0 ? fmt::format("{} {}", rpc, checkpoint) : rpc;
}

std::string MessageText(const json& message) {
  const std::string type = StringField(message, "type");
  if (type == "record") return fmt::format("record {}", StringField(message, "record"));
  if (type == "barrier") return Barrier(message, /*short_form=*/false);
  if (type == "cancel-marker") return fmt::format("cancel-marker {}", IntField(message, "checkpoint"));
  if (type == "EndOfData") return fmt::format("EndOfData({})", StringField(message, "mode"));
  if (type == "committable") return Committable(message);
  if (type == "committable-summary") {
    const json* tag = Field(message, "tag");
    const std::string tag_text = tag == nullptr ? "?" : tag->is_string() ? tag->get<std::string>() : tag->dump();
    return fmt::format("summary of {} committable(s) for {}", IntField(message, "committables", 0), tag_text);
  }
  return type;
}

std::string MessageShortText(const json& message) {
  const std::string type = StringField(message, "type");
  if (type == "record") return StringField(message, "record");
  if (type == "barrier") return Barrier(message, /*short_form=*/true);
  if (type == "cancel-marker") return fmt::format("cancel {}", IntField(message, "checkpoint"));
  if (type == "EndOfData") {
    const std::string mode = StringField(message, "mode");
    return mode == "DRAIN" ? "EoD" : fmt::format("EoD {}", mode);
  }
  if (type == "EndOfPartition") return "EoP";
  if (type == "MAX_WATERMARK") return "MAX_WM";
  if (type == "committable") return fmt::format("txn {}", IntField(message, "transaction", -1));
  if (type == "committable-summary") return fmt::format("summary {}", IntField(message, "committables", 0));
  return type;
}

std::string EventText(const json& event) {
  const std::string kind = StringField(event, "kind");
  const std::string channel = StringField(event, "channel");
  const json empty = json::object();
  const json* message_field = Field(event, "message");
  const json& message = message_field != nullptr ? *message_field : empty;
  if (kind == "deployed") return "deployed";
  if (kind == "running") return "RUNNING";
  if (kind == "operator-call") return OperatorCallText(event);
  if (kind == "send") return fmt::format("-> {} {}", SplitChannel(channel).second, MessageText(message));
  if (kind == "receive") return fmt::format("<- {} {}", SplitChannel(channel).first, MessageText(message));
  if (kind == "end-data") return fmt::format("end of data ({})", StringField(event, "mode"));
  if (kind == "end-of-input") return "end of input";
  if (kind == "eod-ack-sent") return fmt::format("EoD ack -> {}", SplitChannel(channel).first);
  if (kind == "eod-ack-received") return fmt::format("EoD ack <- {}", SplitChannel(channel).second);
  if (kind == "final-checkpoint-set") return fmt::format("finalCheckpointMinId = {}", IntField(event, "checkpoint"));
  if (kind == "final-checkpoint-done") return fmt::format("final checkpoint {} done", IntField(event, "checkpoint"));
  if (kind.rfind("rpc-", 0) == 0) return RpcEventText(event, kind);
  if (kind.rfind("checkpoint-", 0) == 0) return CheckpointText(event, kind);
  if (kind.rfind("transaction-", 0) == 0) return TransactionText(event, kind);
  if (kind == "closing") return "closing";
  if (kind == "finished") return "FINISHED";
  if (kind == "job-finished") return "job FINISHED";
  if (kind == "failed") return fmt::format("FAILED ({})", StringField(event, "cause"));
  if (kind == "canceled") return "CANCELED";
  if (kind == "channel-reset") return fmt::format("channel {} reset", channel);
  if (kind == "restarted") return RestartedText(event);
  if (kind == "job-failed") {
    const std::string cause = StringField(event, "cause");
    return cause.empty() ? std::string("job FAILED (restarts exhausted)") : fmt::format("job FAILED for good ({})", cause);
  }
  if (kind == "stop-requested") return fmt::format("stop-with-savepoint ({}) requested", StringField(event, "mode"));
  if (kind == "stop-failed") {
    const int64_t savepoint = IntField(event, "checkpoint");
    return savepoint == 0 ? std::string("stop-with-savepoint FAILED")
                          : fmt::format("stop-with-savepoint FAILED (savepoint {})", savepoint);
  }
  if (kind == "job-resumed") return fmt::format("job resumed from savepoint {}", IntField(event, "checkpoint"));
  if (kind == "job-graph-changed") {
    return fmt::format("job resumed into its new version from savepoint {}", IntField(event, "checkpoint"));
  }
  if (kind == "channel-state-restored") {
    return fmt::format("{} put back on {} (channel state)", MessageText(message), channel);
  }
  return kind + OtherFields(event);
}

}  // namespace ckptsim::visualizer
