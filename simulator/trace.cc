#include "simulator/trace.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "properties/property.h"
#include "simulator/config_json.h"

namespace ckptsim::simulator {

using Json = nlohmann::ordered_json;

namespace {

std::string Actor(const model::JobGraph& graph, int32_t subtask) {
  return subtask == model::kCoordinatorActor ? "coordinator" : graph.SubtaskName(subtask);
}

Json MessageToJson(const model::JobGraph& graph, const model::Message& m) {
  Json json{{"type", model::Name(m.kind)}};
  switch (m.kind) {
    case model::MessageKind::kRecord:
      json["record"] = fmt::format("{}[{}]#{}", graph.vertices()[m.record.source_vertex].name,
                                   m.record.source_subtask, m.record.sequence);
      break;
    case model::MessageKind::kBarrier:
      json["checkpoint"] = m.checkpoint_id;
      if (m.unaligned) json["unaligned"] = true;
      if (m.savepoint) json["savepoint"] = true;
      break;
    case model::MessageKind::kCancelMarker:
      json["checkpoint"] = m.checkpoint_id;
      break;
    case model::MessageKind::kEndOfData:
      json["mode"] = model::Name(m.mode);
      break;
    case model::MessageKind::kCommittable:
    case model::MessageKind::kCommittableSummary:
      if (m.kind == model::MessageKind::kCommittable) {
        json["transaction"] = m.transaction;
      } else {
        json["committables"] = m.committables;
      }
      if (m.tag == model::kEndOfInputTag) {
        json["tag"] = "EOI";
      } else {
        json["tag"] = m.tag;
      }
      break;
    case model::MessageKind::kMaxWatermark:
    case model::MessageKind::kEndOfPartition:
      break;
  }
  return json;
}

}  // namespace

Json EventToJson(const model::JobGraph& graph, const model::Event& e) {
  Json json{{"actor", Actor(graph, e.subtask)}, {"kind", model::Name(e.kind)}};
  switch (e.kind) {
    case model::EventKind::kSend:
    case model::EventKind::kReceive:
      json["channel"] = graph.ChannelName(e.channel);
      json["message"] = MessageToJson(graph, e.message);
      break;
    case model::EventKind::kAckSent:
    case model::EventKind::kAckReceived:
      json["channel"] = graph.ChannelName(e.channel);
      break;
    case model::EventKind::kOperatorCall:
      json["operator"] = graph.vertices()[graph.subtasks()[e.subtask].vertex].operators[e.op].name;
      json["call"] = model::Name(static_cast<model::OperatorCall>(e.aux));
      if (e.checkpoint != 0) json["checkpoint"] = e.checkpoint;
      if (static_cast<model::OperatorCall>(e.aux) == model::OperatorCall::kEndInput) json["input"] = e.value;
      break;
    case model::EventKind::kEndData:
      json["mode"] = model::Name(static_cast<model::StopMode>(e.aux));
      break;
    case model::EventKind::kRpcSent:
    case model::EventKind::kRpcDelivered:
    case model::EventKind::kRpcIgnored:
    case model::EventKind::kRpcLost:
    case model::EventKind::kRpcDelayed:
      json["rpc"] = model::Name(static_cast<model::RpcKind>(e.aux));
      json["uid"] = e.value;
      json["subtask"] = graph.SubtaskName(e.subtask);
      json["actor"] = "rpc";
      if (e.checkpoint != 0) json["checkpoint"] = e.checkpoint;
      break;
    case model::EventKind::kCheckpointTriggered:
      json["checkpoint"] = e.checkpoint;
      json["wait_for"] = e.value;
      break;
    case model::EventKind::kCheckpointRefused:
      json["reason"] = model::Name(static_cast<model::AbortReason>(e.aux));
      break;
    case model::EventKind::kCheckpointAborted:
    case model::EventKind::kCheckpointCanceled:
      json["checkpoint"] = e.checkpoint;
      json["reason"] = model::Name(static_cast<model::AbortReason>(e.aux));
      break;
    case model::EventKind::kTransactionBegun:
    case model::EventKind::kTransactionAborted:
      json["transaction"] = e.value;
      break;
    case model::EventKind::kTransactionPrecommitted:
    case model::EventKind::kTransactionCommitted:
      json["transaction"] = e.value;
      json["checkpoint"] = e.checkpoint;
      break;
    case model::EventKind::kFinalCheckpointSet:
    case model::EventKind::kFinalCheckpointDone:
    case model::EventKind::kCheckpointPerformed:
    case model::EventKind::kCheckpointAcknowledged:
    case model::EventKind::kCheckpointCompleted:
      json["checkpoint"] = e.checkpoint;
      break;
    case model::EventKind::kSubtaskFailed:
    case model::EventKind::kGlobalFailure:
      json["cause"] = model::Name(static_cast<model::FailureCause>(e.aux));
      break;
    case model::EventKind::kChannelReset:
      json["channel"] = graph.ChannelName(e.channel);
      break;
    case model::EventKind::kChannelStateRestored:
      json["channel"] = graph.ChannelName(e.channel);
      json["message"] = MessageToJson(graph, e.message);
      break;
    case model::EventKind::kRestarted:
      json["checkpoint"] = e.checkpoint;
      if (e.aux != 0) json["finished_on_restore"] = true;
      break;
    case model::EventKind::kStopRequested:
      json["mode"] = model::Name(static_cast<model::StopMode>(e.aux));
      break;
    case model::EventKind::kJobResumed:
    case model::EventKind::kJobGraphChanged:
    case model::EventKind::kResumeRefused:
    case model::EventKind::kStopFailed:
      json["checkpoint"] = e.checkpoint;
      break;
    case model::EventKind::kDeployed:
    case model::EventKind::kRunning:
    case model::EventKind::kEndOfInput:
    case model::EventKind::kSubtaskClosing:
    case model::EventKind::kSubtaskFinished:
    case model::EventKind::kSubtaskCanceled:
    case model::EventKind::kJobFailed:
      if (e.aux == 1) json["cause"] = "a failure after the stop's savepoint";
      break;
    case model::EventKind::kJobFinished:
    case model::EventKind::kLogsEnded:
      break;
  }
  return json;
}

Json VerdictsToJson(const RunResult& result) {
  Json verdicts = Json::object();
  for (const properties::PropertyInfo& info : properties::AllProperties()) {
    Json verdict{{"name", info.name}, {"verdict", "held"}};
    for (const properties::Violation& v : result.violations) {
      if (v.property != info.id) continue;
      verdict["verdict"] = "violated";
      verdict["step"] = v.step;
      verdict["summary"] = v.summary;
      verdict["details"] = v.details;
    }
    verdicts[std::string(info.code)] = std::move(verdict);
  }
  return verdicts;
}

std::unique_ptr<TraceWriter> TraceWriter::Open(const std::string& path, const RunConfig& config, uint64_t seed,
                                               std::string* error) {
  std::FILE* file = std::fopen((path + ".tmp").c_str(), "w");
  if (file == nullptr) {
    *error = fmt::format("{}: cannot write trace: {}", path, std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<TraceWriter> writer(new TraceWriter(path, file, config.graph));
  if (config.stop.resume) writer->resume_graph_ = config.stop.resume_into;
  writer->WriteLine(Json{{"format", kTraceFormat},
                         {"version", kTraceVersion},
                         {"ckptsim", kCkptsimVersion},
                         {"seed", seed},
                         {"variant", model::Name(config.protocol.variant)},
                         {"scenario", ConfigToJson(config)}});
  return writer;
}

const model::JobGraph* GraphAfter(const model::Action& action, const model::JobGraph& graph,
                                  const model::JobGraph* resume_graph) {
  // A refused resume leaves nothing to do, so no decision follows it.
  return action.kind == model::ActionKind::kResume && resume_graph != nullptr ? resume_graph : &graph;
}

TraceWriter::TraceWriter(std::string path, std::FILE* file, std::shared_ptr<const model::JobGraph> graph)
    : path_(std::move(path)), file_(file), graph_(std::move(graph)) {}

TraceWriter::~TraceWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove((path_ + ".tmp").c_str());
  }
}

void TraceWriter::WriteLine(const Json& json) {
  const std::string line = json.dump();
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
}

// The step that resumes into the job's new version names nothing, and its
// events are the new version's: the graph after the step names both.
void TraceWriter::OnStep(const model::System& system, int64_t step, int64_t tick, const model::Action& action,
                         std::span<const model::Event> events) {
  const model::JobGraph& graph = *system.graph;
  WriteLine(Json{{"step", step}, {"tick", tick}, {"kind", "action"}, {"action", model::Describe(graph, action)}});
  for (const model::Event& event : events) {
    Json line{{"step", step}, {"tick", tick}};
    line.update(EventToJson(graph, event));
    if (event.kind == model::EventKind::kRestarted && event.aux == 0 && event.checkpoint != 0) {
      const std::string state = model::DescribeOperatorState(graph, event.subtask, system.subtasks[event.subtask]);
      if (!state.empty()) line["restored_state"] = state;
    }
    WriteLine(line);
  }
}

bool TraceWriter::Finish(const RunResult& result, std::string* error) {
  Json decisions = Json::array();
  const model::JobGraph* graph = graph_.get();
  for (const model::Action& action : result.decisions) {
    decisions.push_back(model::Describe(*graph, action));
    graph = GraphAfter(action, *graph, resume_graph_.get());
  }
  WriteLine(Json{{"footer", true},
                 {"steps", result.steps},
                 {"ticks", result.ticks},
                 {"job_finished", result.job_finished},
                 {"properties", VerdictsToJson(result)},
                 {"decision_log", decisions},
                 {"trace_hash", HashToHex(result.trace_hash)}});
  // A write that failed earlier (a full disk) leaves the stream's error flag
  // set even when the last flush in fclose succeeds.
  const bool written = std::ferror(file_) == 0;
  const int write_errno = errno;
  const bool ok = std::fclose(file_) == 0 && written;
  file_ = nullptr;
  if (!ok || std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) {
    *error = fmt::format("{}: cannot write trace: {}", path_, std::strerror(written ? errno : write_errno));
    std::remove((path_ + ".tmp").c_str());
    return false;
  }
  return true;
}

std::variant<Trace, std::string> ReadTrace(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fmt::format("{}: cannot read trace: {}", path, std::strerror(errno));
  Trace trace;
  std::string line;
  int line_number = 0;
  bool have_header = false;
  bool have_footer = false;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) return fmt::format("{}:{}: not a JSON object", path, line_number);
    if (!have_header) {
      if (json.value("format", "") != kTraceFormat) {
        return fmt::format("{}:{}: not a ckptsim trace (format is not '{}')", path, line_number, kTraceFormat);
      }
      if (json.value("version", -1) != kTraceVersion) {
        return fmt::format("{}:{}: trace format version {} is not supported (this ckptsim reads version {})", path,
                           line_number, json.value("version", -1), kTraceVersion);
      }
      std::string error;
      auto config = json.contains("scenario") ? ConfigFromJson(json["scenario"], &error) : std::nullopt;
      if (!config) return fmt::format("{}:{}: bad scenario in header: {}", path, line_number, error);
      trace.config = std::move(*config);
      trace.seed = json.value("seed", uint64_t{0});
      have_header = true;
      continue;
    }
    if (json.value("footer", false)) {
      trace.footer = json;
      trace.trace_hash = json.value("trace_hash", "");
      const model::JobGraph* graph = trace.config.graph.get();
      const model::JobGraph* resume_graph = trace.config.stop.resume ? trace.config.stop.resume_into.get() : nullptr;
      for (const auto& text : json.value("decision_log", nlohmann::json::array())) {
        auto action = model::ParseAction(*graph, text.get<std::string>());
        if (!action) return fmt::format("{}:{}: unknown action '{}' in decision log", path, line_number,
                                        text.get<std::string>());
        trace.decisions.push_back(*action);
        graph = GraphAfter(*action, *graph, resume_graph);
      }
      have_footer = true;
      continue;
    }
    trace.events.push_back(std::move(json));
  }
  if (!have_header) return fmt::format("{}:1: empty trace", path);
  if (!have_footer) return fmt::format("{}:{}: trace has no footer (interrupted run?)", path, line_number);
  return trace;
}

}  // namespace ckptsim::simulator
