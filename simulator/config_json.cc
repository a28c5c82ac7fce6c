#include "simulator/config_json.h"

#include <memory>

#include "simulator/swarm.h"

namespace ckptsim::simulator {
namespace {

using Json = nlohmann::ordered_json;

Json RangeToJson(const TickRange& range) { return Json::array({range.min, range.max}); }

TickRange RangeFromJson(const nlohmann::json& json) { return TickRange{json.at(0).get<int64_t>(), json.at(1).get<int64_t>()}; }

// The window chances by key, only the armed ones (a trace of a run without
// windows reads as before they existed).
Json WindowsToJson(const FaultOptions& faults) {
  Json json = Json::object();
  for (size_t w = 0; w < kFaultWindowCount; ++w) {
    if (faults.window_ppm[w] != 0) json[std::string(kFaultWindows[w].key)] = faults.window_ppm[w];
  }
  return json;
}

void WindowsFromJson(const auto& json, FaultOptions* faults) {
  for (size_t w = 0; w < kFaultWindowCount; ++w) {
    faults->window_ppm[w] = json.value(std::string(kFaultWindows[w].key), int64_t{0});
  }
}

// A job graph as `vertices` and `edges`, named as in scenario files.
std::pair<Json, Json> GraphToJson(const model::JobGraphSpec& spec) {
  Json vertices = Json::array();
  for (const model::VertexSpec& v : spec.vertices) {
    Json operators = Json::array();
    for (const model::OperatorSpec& op : v.operators) {
      operators.push_back(Json{{"name", op.name}, {"kind", model::Name(op.kind)}});
    }
    Json vertex{{"name", v.name}, {"parallelism", v.parallelism}, {"operators", operators}};
    if (!v.records_per_subtask.empty()) vertex["records"] = v.records_per_subtask;
    if (!v.task_manager_of_subtask.empty()) vertex["task_managers"] = v.task_manager_of_subtask;
    vertices.push_back(std::move(vertex));
  }
  Json edges = Json::array();
  for (const model::EdgeSpec& e : spec.edges) {
    edges.push_back(Json{{"from", spec.vertices[e.from].name},
                         {"to", spec.vertices[e.to].name},
                         {"partitioning", model::Name(e.partitioning)}});
  }
  return {std::move(vertices), std::move(edges)};
}

// The inverse of GraphToJson, compiled; throws on anything malformed.
std::shared_ptr<const model::JobGraph> GraphFromJson(const nlohmann::json& json, model::JobGraphSpec* spec) {
  for (const auto& v : json.at("vertices")) {
    model::VertexSpec vertex;
    vertex.name = v.at("name").get<std::string>();
    vertex.parallelism = v.at("parallelism").get<int>();
    for (const auto& op : v.at("operators")) {
      auto kind = model::ParseOperatorKind(op.at("kind").get<std::string>());
      if (!kind) throw std::runtime_error("unknown operator kind");
      vertex.operators.push_back(model::OperatorSpec{op.at("name").get<std::string>(), *kind});
    }
    if (v.contains("records")) vertex.records_per_subtask = v.at("records").get<std::vector<int64_t>>();
    if (v.contains("task_managers")) vertex.task_manager_of_subtask = v.at("task_managers").get<std::vector<int>>();
    spec->vertices.push_back(std::move(vertex));
  }
  const auto vertex_index = [&](const std::string& name) {
    for (size_t i = 0; i < spec->vertices.size(); ++i) {
      if (spec->vertices[i].name == name) return static_cast<int>(i);
    }
    throw std::runtime_error("edge names an unknown vertex '" + name + "'");
  };
  for (const auto& e : json.at("edges")) {
    auto partitioning = model::ParsePartitioning(e.at("partitioning").get<std::string>());
    if (!partitioning) throw std::runtime_error("unknown partitioning");
    spec->edges.push_back(model::EdgeSpec{vertex_index(e.at("from").get<std::string>()),
                                          vertex_index(e.at("to").get<std::string>()), *partitioning});
  }
  model::GraphError graph_error;
  auto graph = model::JobGraph::Compile(*spec, &graph_error);
  if (!graph) throw std::runtime_error(graph_error.message);
  return std::make_shared<const model::JobGraph>(std::move(*graph));
}

}  // namespace

Json ConfigToJson(const RunConfig& config) {
  auto [vertices, edges] = GraphToJson(config.graph_spec);
  const model::ProtocolOptions& p = config.protocol;
  const TimingOptions& t = config.timing;
  const FaultOptions& f = config.faults;
  Json json{
      {"name", config.scenario_name},
      {"description", config.description},
      {"variant", model::Name(p.variant)},
      {"vertices", vertices},
      {"edges", edges},
      {"checkpointing",
       {{"enabled", p.checkpointing_enabled},
        {"interval_ticks", t.checkpoint_interval_ticks},
        {"timeout_ticks", t.checkpoint_timeout_ticks},
        {"min_pause_ticks", t.min_pause_ticks},
        {"max_concurrent", p.max_concurrent_checkpoints},
        {"mode", model::Name(p.checkpoint_mode)},
        {"checkpoints_after_tasks_finish", p.checkpoints_after_tasks_finish},
        {"immediate_final_checkpoint", p.immediate_final_checkpoint}}},
      {"timing",
       {{"channel_latency_ticks", RangeToJson(t.channel_latency_ticks)},
        {"rpc_latency_ticks", RangeToJson(t.rpc_latency_ticks)},
        {"processing_ticks", RangeToJson(t.processing_ticks)},
        {"source_emit_ticks", RangeToJson(t.source_emit_ticks)}}},
      {"faults",
       {{"subtask_failures_max", f.subtask_failures_max},
        {"task_manager_failures_max", f.task_manager_failures_max},
        {"lost_notifications_max", f.lost_notifications_max},
        {"delayed_rpcs_max", f.delayed_rpcs_max},
        {"checkpoint_timeouts_max", f.checkpoint_timeouts_max},
        {"subtask_failure_ppm", f.subtask_failure_ppm},
        {"task_manager_failure_ppm", f.task_manager_failure_ppm},
        {"lost_notification_ppm", f.lost_notification_ppm},
        {"rpc_delay_ppm", f.rpc_delay_ppm},
        {"checkpoint_timeout_ppm", f.checkpoint_timeout_ppm},
        {"rpc_delay_ticks", RangeToJson(f.rpc_delay_ticks)},
        {"fault_phase_start_ticks", f.fault_phase_start_ticks},
        {"fault_phase_ticks", f.fault_phase_ticks},
        {"window_ppm", WindowsToJson(f)}}},
      {"recovery",
       {{"strategy", model::Name(p.failover_strategy)},
        {"restarts_max", p.restart_attempts},
        {"restart_delay_ticks", RangeToJson(t.restart_delay_ticks)}}},
      {"stop_with_savepoint",
       {{"enabled", config.stop.enabled},
        {"at_tick", config.stop.at_tick},
        {"drain", config.stop.drain},
        {"resume", config.stop.resume},
        {"resume_after_ticks", config.stop.resume_after_ticks},
        {"retry_after_ticks", config.stop.retry_after_ticks},
        {"allow_non_restored_state", config.protocol.allow_non_restored_state}}},
      {"protocol", {{"sink_v2_end_of_input_sentinel", p.sink_v2_end_of_input_sentinel}}},
      {"limits",
       {{"max_steps", config.limits.max_steps},
        {"max_ticks", config.limits.max_ticks},
        {"liveness_budget_ticks", config.limits.liveness_budget_ticks}}},
      {"expect", {{"terminates", config.expect.terminates}}},
  };
  // A config drawn by --swarm says so, with the drawn parameters at hand.
  if (config.stop.resume_into) {
    auto [new_vertices, new_edges] = GraphToJson(config.stop.resume_into_spec);
    json["stop_with_savepoint"]["resume_into"] = Json{{"vertices", new_vertices}, {"edges", new_edges}};
  }
  if (config.swarm_drawn) json["swarm"] = SwarmParametersToJson(config);
  // A counterexample of the exhaustive checker: its unbounded sources read finite logs.
  if (config.check.finite_logs) json["check"] = Json{{"unbounded_log_records", config.check.unbounded_log_records}};
  return json;
}

std::optional<RunConfig> ConfigFromJson(const nlohmann::json& json, std::string* error) {
  try {
    RunConfig config;
    config.scenario_name = json.at("name").get<std::string>();
    config.description = json.value("description", "");
    auto variant = model::ParseVariant(json.at("variant").get<std::string>());
    if (!variant) throw std::runtime_error("unknown variant");
    config.protocol.variant = *variant;
    config.graph = GraphFromJson(json, &config.graph_spec);
    const auto& c = json.at("checkpointing");
    config.protocol.checkpointing_enabled = c.at("enabled").get<bool>();
    config.timing.checkpoint_interval_ticks = c.at("interval_ticks").get<int64_t>();
    config.timing.checkpoint_timeout_ticks = c.at("timeout_ticks").get<int64_t>();
    config.timing.min_pause_ticks = c.at("min_pause_ticks").get<int64_t>();
    config.protocol.max_concurrent_checkpoints = c.at("max_concurrent").get<int>();
    auto mode = model::ParseCheckpointMode(c.at("mode").get<std::string>());
    if (!mode) throw std::runtime_error("unknown checkpoint mode");
    config.protocol.checkpoint_mode = *mode;
    config.protocol.checkpoints_after_tasks_finish = c.at("checkpoints_after_tasks_finish").get<bool>();
    config.protocol.immediate_final_checkpoint = c.at("immediate_final_checkpoint").get<bool>();
    const auto& t = json.at("timing");
    config.timing.channel_latency_ticks = RangeFromJson(t.at("channel_latency_ticks"));
    config.timing.rpc_latency_ticks = RangeFromJson(t.at("rpc_latency_ticks"));
    config.timing.processing_ticks = RangeFromJson(t.at("processing_ticks"));
    config.timing.source_emit_ticks = RangeFromJson(t.at("source_emit_ticks"));
    const auto& f = json.at("faults");
    config.faults.subtask_failures_max = f.at("subtask_failures_max").get<int>();
    config.faults.task_manager_failures_max = f.at("task_manager_failures_max").get<int>();
    config.faults.lost_notifications_max = f.at("lost_notifications_max").get<int>();
    config.faults.delayed_rpcs_max = f.at("delayed_rpcs_max").get<int>();
    config.faults.checkpoint_timeouts_max = f.at("checkpoint_timeouts_max").get<int>();
    config.faults.subtask_failure_ppm = f.at("subtask_failure_ppm").get<int64_t>();
    config.faults.task_manager_failure_ppm = f.at("task_manager_failure_ppm").get<int64_t>();
    config.faults.lost_notification_ppm = f.at("lost_notification_ppm").get<int64_t>();
    config.faults.rpc_delay_ppm = f.at("rpc_delay_ppm").get<int64_t>();
    config.faults.checkpoint_timeout_ppm = f.at("checkpoint_timeout_ppm").get<int64_t>();
    config.faults.rpc_delay_ticks = RangeFromJson(f.at("rpc_delay_ticks"));
    config.faults.fault_phase_start_ticks = f.at("fault_phase_start_ticks").get<int64_t>();
    config.faults.fault_phase_ticks = f.at("fault_phase_ticks").get<int64_t>();
    if (f.contains("window_ppm")) WindowsFromJson(f.at("window_ppm"), &config.faults);  // absent before windows
    const auto& r = json.at("recovery");
    auto strategy = model::ParseFailoverStrategy(r.at("strategy").get<std::string>());
    if (!strategy) throw std::runtime_error("unknown failover strategy");
    config.protocol.failover_strategy = *strategy;
    config.protocol.restart_attempts = r.at("restarts_max").get<int>();
    config.timing.restart_delay_ticks = RangeFromJson(r.at("restart_delay_ticks"));
    const auto& s = json.at("stop_with_savepoint");
    config.stop.enabled = s.at("enabled").get<bool>();
    config.stop.at_tick = s.at("at_tick").get<int64_t>();
    config.stop.drain = s.at("drain").get<bool>();
    config.stop.resume = s.at("resume").get<bool>();
    config.stop.resume_after_ticks = s.at("resume_after_ticks").get<int64_t>();
    config.stop.retry_after_ticks = s.at("retry_after_ticks").get<int64_t>();
    // Absent from traces written before the option existed, which ran without it.
    config.protocol.allow_non_restored_state = s.value("allow_non_restored_state", false);
    if (s.contains("resume_into")) {
      config.stop.resume_into = GraphFromJson(s.at("resume_into"), &config.stop.resume_into_spec);
    }
    // Traces written before the `protocol` section ran with its defaults.
    if (json.contains("protocol")) {
      config.protocol.sink_v2_end_of_input_sentinel =
          json.at("protocol").value("sink_v2_end_of_input_sentinel", false);
    }
    config.limits.max_steps = json.at("limits").at("max_steps").get<int64_t>();
    config.limits.max_ticks = json.at("limits").at("max_ticks").get<int64_t>();
    config.limits.liveness_budget_ticks = json.at("limits").at("liveness_budget_ticks").get<int64_t>();
    config.expect.terminates = json.at("expect").at("terminates").get<bool>();
    config.swarm_drawn = json.contains("swarm");
    if (json.contains("check")) {
      config.check.finite_logs = true;
      config.check.unbounded_log_records = json.at("check").at("unbounded_log_records").get<int64_t>();
    }
    return config;
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

}  // namespace ckptsim::simulator
