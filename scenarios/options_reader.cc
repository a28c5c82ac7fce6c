#include "scenarios/options_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <tuple>
#include <utility>

#include "scenarios/input_limits.h"

namespace ckptsim::scenarios {
namespace {

// The names model::ParseVariant and model::ParseCheckpointMode accept.
const std::array<std::string_view, model::kAllVariants.size()> kVariantNames = [] {
  std::array<std::string_view, model::kAllVariants.size()> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = model::Name(model::kAllVariants[i]);
  return names;
}();
constexpr std::array<std::string_view, 2> kCheckpointModeNames{"aligned", "unaligned"};
// The names model::ParseFailoverStrategy accepts.
constexpr std::array<std::string_view, 2> kFailoverStrategyNames{"region", "full"};

constexpr std::array<std::string_view, 8> kCheckpointingKeys{"enabled",
                                                             "interval_ticks",
                                                             "timeout_ticks",
                                                             "min_pause_ticks",
                                                             "max_concurrent",
                                                             "mode",
                                                             "checkpoints_after_tasks_finish",
                                                             "immediate_final_checkpoint"};
constexpr std::array<std::string_view, 4> kTimingKeys{"channel_latency_ticks", "rpc_latency_ticks",
                                                      "processing_ticks", "source_emit_ticks"};
constexpr std::array<std::string_view, 18> kFaultKeys{"subtask_failures_max",
                                                     "task_manager_failures_max",
                                                     "lost_notifications_max",
                                                     "delayed_rpcs_max",
                                                     "checkpoint_timeouts_max",
                                                     "subtask_failure_ppm",
                                                     "task_manager_failure_ppm",
                                                     "lost_notification_ppm",
                                                     "rpc_delay_ppm",
                                                     "checkpoint_timeout_ppm",
                                                     "rpc_delay_ticks",
                                                     "fault_phase_start_ticks", "fault_phase_ticks",
                                                     simulator::kFaultWindows[0].key,
                                                     simulator::kFaultWindows[1].key,
                                                     simulator::kFaultWindows[2].key,
                                                     simulator::kFaultWindows[3].key,
                                                     simulator::kFaultWindows[4].key};
constexpr std::array<std::string_view, 3> kRecoveryKeys{"strategy", "restarts_max", "restart_delay_ticks"};
// `resume_into` (the job's new version) is read by the loader, which knows the file's folder.
constexpr std::array<std::string_view, 7> kStopKeys{"at_tick",           "drain",
                                                    "resume",            "resume_after_ticks",
                                                    "retry_after_ticks", "resume_into",
                                                    "allow_non_restored_state"};
// Protocol behaviour that is neither checkpointing nor recovery configuration.
constexpr std::array<std::string_view, 1> kProtocolKeys{"sink_v2_end_of_input_sentinel"};
constexpr std::array<std::string_view, 3> kLimitKeys{"max_steps", "max_ticks", "liveness_budget_ticks"};

constexpr std::array<ProtocolOptionKey, 10> kProtocolOptionKeys{{
    {"variant", "variant", "flip147",
     "flip147 (Flink 1.15+), legacy (pre-1.14 termination) or a bug-zoo variant (ckptsim list variants); also "
     "--variant"},
    {"checkpointing_enabled", "checkpointing.enabled", "true", "off: no checkpoint is ever triggered"},
    {"checkpoints_after_tasks_finish", "checkpointing.checkpoints_after_tasks_finish", "true",
     "execution.checkpointing.checkpoints-after-tasks-finish"},
    {"immediate_final_checkpoint", "checkpointing.immediate_final_checkpoint", "true",
     "trigger a checkpoint once every subtask reported end of data (FLINK-28386)"},
    {"max_concurrent_checkpoints", "checkpointing.max_concurrent", "1",
     "execution.checkpointing.max-concurrent-checkpoints, >= 1"},
    {"checkpoint_mode", "checkpointing.mode", "aligned", "aligned or unaligned barriers"},
    {"failover_strategy", "recovery.strategy", "region", "region or full restart after a failure"},
    {"restart_attempts", "recovery.restarts_max", "10", "restarts before the job fails for good, >= 0"},
    {"sink_v2_end_of_input_sentinel", "protocol.sink_v2_end_of_input_sentinel", "false",
     "Sink V2 end-of-input committables as before FLINK-37605 (EOI sentinel, committed on any notify)"},
    {"allow_non_restored_state", "stop_with_savepoint.allow_non_restored_state", "false",
     "a resume into a new version drops state it has no operator for (--allowNonRestoredState)"},
}};
static_assert(kProtocolOptionKeys.size() == std::tuple_size_v<decltype(model::ProtocolOptions::StateFields())>,
              "every ProtocolOptions field needs a scenario key");
constexpr std::array<std::string_view, 1> kExpectKeys{"terminates"};
constexpr std::array<std::string_view, 11> kCheckKeys{"records",
                                                     "unbounded_log_records",
                                                     "subtask_failures",
                                                     "task_manager_failures",
                                                     "lost_notifications",
                                                     "delayed_rpcs",
                                                     "checkpoint_timeouts",
                                                     "spontaneous_triggers",
                                                     "idle_triggers",
                                                     "stops",
                                                     "restarts_max"};

constexpr IntBounds kTicks{.min = 0, .max = kTicksMax};
constexpr IntBounds kAtLeastOneTick{.min = 1, .max = kTicksMax};
constexpr IntBounds kAtLeastOne{.min = 1, .max = kStepsMax};
constexpr IntBounds kCount{.min = 0};
constexpr IntBounds kPartsPerMillion{.min = 0, .max = 1'000'000};

// `[min, max]`, or a single number for a fixed delay.
void ReadRange(MapReader& section, std::string_view key, simulator::TickRange* out) {
  std::optional<Located> value = section.Find(key);
  if (!value) return;
  if (auto range = ReadRangeValue(section, *value, kTicks)) *out = *range;
}

void ReadCheckpointing(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  std::optional<Located> value = top.Find("checkpointing");
  if (!value) return;
  MapReader section(*value, "checkpointing", kCheckpointingKeys, diagnostics);
  model::ProtocolOptions& protocol = config->protocol;
  simulator::TimingOptions& timing = config->timing;
  section.Read("enabled", &protocol.checkpointing_enabled);
  section.Read("interval_ticks", kAtLeastOneTick, &timing.checkpoint_interval_ticks);
  section.Read("timeout_ticks", kAtLeastOneTick, &timing.checkpoint_timeout_ticks);
  section.Read("min_pause_ticks", kTicks, &timing.min_pause_ticks);
  section.Read("max_concurrent", kAtLeastOne, &protocol.max_concurrent_checkpoints);
  if (auto mode = section.Find("mode")) {
    if (auto parsed =
            section.Choice(*mode, "checkpoint mode", model::ParseCheckpointMode, kCheckpointModeNames)) {
      protocol.checkpoint_mode = *parsed;
    }
  }
  section.Read("checkpoints_after_tasks_finish", &protocol.checkpoints_after_tasks_finish);
  section.Read("immediate_final_checkpoint", &protocol.immediate_final_checkpoint);
}

void ReadTiming(MapReader& top, Diagnostics* diagnostics, simulator::TimingOptions* timing) {
  std::optional<Located> value = top.Find("timing");
  if (!value) return;
  MapReader section(*value, "timing", kTimingKeys, diagnostics);
  ReadRange(section, "channel_latency_ticks", &timing->channel_latency_ticks);
  ReadRange(section, "rpc_latency_ticks", &timing->rpc_latency_ticks);
  ReadRange(section, "processing_ticks", &timing->processing_ticks);
  ReadRange(section, "source_emit_ticks", &timing->source_emit_ticks);
}

// `restarts_max` moved from `faults` to `recovery`: say where it went rather
// than only that it is unknown. This runs before the section's MapReader so
// that its message is the one reported, and only when `restarts_max` is the
// first unknown key of the section, so that problems still come in file order.
void ReportRestartsMaxUnderFaults(const Located& value, Diagnostics* diagnostics) {
  if (!value.node.IsMap()) return;
  for (const auto& entry : value.node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return;
    if (std::find(kFaultKeys.begin(), kFaultKeys.end(), key.Scalar()) != kFaultKeys.end()) continue;
    if (key.Scalar() == "restarts_max") {
      diagnostics->Report(LineOf(key), fmt::format("faults: unknown key 'restarts_max' (it moved to the recovery "
                                                   "section: recovery: {{restarts_max: ...}}); allowed keys: {}",
                                                   JoinNames(kFaultKeys)));
    }
    return;
  }
}

// A fault budget with no fault phase injects nothing, since faults come only
// in [fault_phase_start_ticks, fault_phase_ticks): refuse it rather than
// ignore it silently.
void CheckFaultPhase(MapReader& section, const simulator::FaultOptions& faults) {
  if (!faults.any() || faults.fault_phase_ticks > faults.fault_phase_start_ticks) return;
  const std::pair<std::string_view, int> budgets[] = {
      {"subtask_failures_max", faults.subtask_failures_max},
      {"task_manager_failures_max", faults.task_manager_failures_max},
      {"lost_notifications_max", faults.lost_notifications_max},
      {"delayed_rpcs_max", faults.delayed_rpcs_max},
      {"checkpoint_timeouts_max", faults.checkpoint_timeouts_max}};
  for (const auto& [key, budget] : budgets) {
    if (budget == 0) continue;
    std::optional<Located> value = section.Find(key);
    section.Report(value ? value->line : section.line(),
                   fmt::format("{}: a fault budget needs a fault phase, but fault_phase_ticks is {} and faults are "
                               "injected only from fault_phase_start_ticks ({}) up to that tick; set fault_phase_ticks",
                               key, faults.fault_phase_ticks, faults.fault_phase_start_ticks));
    return;
  }
}

void ReadFaults(MapReader& top, Diagnostics* diagnostics, simulator::FaultOptions* faults) {
  std::optional<Located> value = top.Find("faults");
  if (!value) return;
  ReportRestartsMaxUnderFaults(*value, diagnostics);
  MapReader section(*value, "faults", kFaultKeys, diagnostics);
  section.Read("subtask_failures_max", kCount, &faults->subtask_failures_max);
  section.Read("task_manager_failures_max", kCount, &faults->task_manager_failures_max);
  section.Read("lost_notifications_max", kCount, &faults->lost_notifications_max);
  section.Read("delayed_rpcs_max", kCount, &faults->delayed_rpcs_max);
  section.Read("checkpoint_timeouts_max", kCount, &faults->checkpoint_timeouts_max);
  section.Read("subtask_failure_ppm", kPartsPerMillion, &faults->subtask_failure_ppm);
  section.Read("task_manager_failure_ppm", kPartsPerMillion, &faults->task_manager_failure_ppm);
  section.Read("lost_notification_ppm", kPartsPerMillion, &faults->lost_notification_ppm);
  section.Read("rpc_delay_ppm", kPartsPerMillion, &faults->rpc_delay_ppm);
  section.Read("checkpoint_timeout_ppm", kPartsPerMillion, &faults->checkpoint_timeout_ppm);
  ReadRange(section, "rpc_delay_ticks", &faults->rpc_delay_ticks);
  for (size_t w = 0; w < simulator::kFaultWindowCount; ++w) {
    section.Read(simulator::kFaultWindows[w].key, kPartsPerMillion, &faults->window_ppm[w]);
  }
  section.Read("fault_phase_start_ticks", kTicks, &faults->fault_phase_start_ticks);
  section.Read("fault_phase_ticks", kTicks, &faults->fault_phase_ticks);
  CheckFaultPhase(section, *faults);
  if (faults->any()) return;
  for (const simulator::FaultWindowInfo& window : simulator::kFaultWindows) {
    std::optional<Located> chance = section.Find(window.key);
    if (!chance || faults->window_ppm[static_cast<size_t>(window.window)] == 0) continue;
    section.Report(*chance, "has no effect: a window only aims faults the budgets allow, and every *_max of "
                            "the faults section is 0; give one a budget above 0");
    return;
  }
}

void ReadRecovery(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  std::optional<Located> value = top.Find("recovery");
  if (!value) return;
  MapReader section(*value, "recovery", kRecoveryKeys, diagnostics);
  if (auto strategy = section.Find("strategy")) {
    if (auto parsed = section.Choice(*strategy, "failover strategy", model::ParseFailoverStrategy,
                                     kFailoverStrategyNames)) {
      config->protocol.failover_strategy = *parsed;
    }
  }
  section.Read("restarts_max", kCount, &config->protocol.restart_attempts);
  ReadRange(section, "restart_delay_ticks", &config->timing.restart_delay_ticks);
}

void ReadStopWithSavepoint(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  std::optional<Located> value = top.Find("stop_with_savepoint");
  if (!value) return;
  MapReader section(*value, "stop_with_savepoint", kStopKeys, diagnostics);
  simulator::StopWithSavepoint* stop = &config->stop;
  stop->enabled = true;
  if (auto at_tick = section.Require("at_tick")) {
    if (auto ticks = section.Int(*at_tick, kTicks)) stop->at_tick = *ticks;
  }
  section.Read("drain", &stop->drain);
  section.Read("resume", &stop->resume);
  section.Read("resume_after_ticks", kTicks, &stop->resume_after_ticks);
  section.Read("retry_after_ticks", kTicks, &stop->retry_after_ticks);
  section.Read("allow_non_restored_state", &config->protocol.allow_non_restored_state);
}

void ReadProtocol(MapReader& top, Diagnostics* diagnostics, model::ProtocolOptions* protocol) {
  std::optional<Located> value = top.Find("protocol");
  if (!value) return;
  MapReader section(*value, "protocol", kProtocolKeys, diagnostics);
  section.Read("sink_v2_end_of_input_sentinel", &protocol->sink_v2_end_of_input_sentinel);
}

void ReadLimits(MapReader& top, Diagnostics* diagnostics, simulator::Limits* limits) {
  std::optional<Located> value = top.Find("limits");
  if (!value) return;
  MapReader section(*value, "limits", kLimitKeys, diagnostics);
  section.Read("max_steps", kAtLeastOne, &limits->max_steps);
  section.Read("max_ticks", kAtLeastOneTick, &limits->max_ticks);
  section.Read("liveness_budget_ticks", kTicks, &limits->liveness_budget_ticks);
}

// `check`: the bounds of an exhaustive search (ckptsim check). Budgets stay
// below 256: they are part of every explored state.
void ReadCheck(MapReader& top, Diagnostics* diagnostics, simulator::CheckOptions* check) {
  std::optional<Located> value = top.Find("check");
  if (!value) return;
  MapReader section(*value, "check", kCheckKeys, diagnostics);
  constexpr IntBounds kBudget{.min = 0, .max = 255};
  constexpr IntBounds kRecords{.min = 0, .max = 1'000'000};
  section.Read("records", kRecords, &check->records);
  section.Read("unbounded_log_records", kRecords, &check->unbounded_log_records);
  section.Read("subtask_failures", kBudget, &check->subtask_failures);
  section.Read("task_manager_failures", kBudget, &check->task_manager_failures);
  section.Read("lost_notifications", kBudget, &check->lost_notifications);
  section.Read("delayed_rpcs", kBudget, &check->delayed_rpcs);
  section.Read("checkpoint_timeouts", kBudget, &check->checkpoint_timeouts);
  section.Read("spontaneous_triggers", kBudget, &check->spontaneous_triggers);
  section.Read("idle_triggers", IntBounds{.min = 1, .max = 255}, &check->idle_triggers);
  section.Read("stops", kBudget, &check->stops);
  section.Read("restarts_max", kBudget, &check->restarts_max);
}

void ReadExpectations(MapReader& top, Diagnostics* diagnostics, simulator::Expectations* expect) {
  std::optional<Located> value = top.Find("expect");
  if (!value) return;
  MapReader section(*value, "expect", kExpectKeys, diagnostics);
  section.Read("terminates", &expect->terminates);
}

}  // namespace

std::span<const ProtocolOptionKey> ProtocolOptionKeys() { return kProtocolOptionKeys; }

std::optional<simulator::TickRange> ReadRangeValue(MapReader& section, const Located& value, IntBounds bounds) {
  if (!value.node.IsSequence()) {
    std::optional<int64_t> number = section.Int(value, bounds);
    if (!number) return std::nullopt;
    return simulator::TickRange{*number, *number};
  }
  std::vector<Located> items = *section.List(value);
  if (items.size() != 2) {
    section.Report(value, fmt::format("expected [min, max], got a list of {} values", items.size()));
    return std::nullopt;
  }
  std::optional<int64_t> min = section.Int(items[0], bounds);
  std::optional<int64_t> max = section.Int(items[1], bounds);
  if (!min || !max) return std::nullopt;
  if (*min > *max) {
    section.Report(value, fmt::format("min {} is greater than max {}", *min, *max));
    return std::nullopt;
  }
  return simulator::TickRange{*min, *max};
}

void ReadRunOptions(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  if (auto variant = top.Find("variant")) {
    if (auto parsed = top.Choice(*variant, "variant", model::ParseVariant, kVariantNames)) {
      config->protocol.variant = *parsed;
    }
  }
  ReadCheckpointing(top, diagnostics, config);
  ReadTiming(top, diagnostics, &config->timing);
  ReadFaults(top, diagnostics, &config->faults);
  ReadRecovery(top, diagnostics, config);
  ReadStopWithSavepoint(top, diagnostics, config);
  ReadProtocol(top, diagnostics, &config->protocol);
  ReadLimits(top, diagnostics, &config->limits);
  ReadExpectations(top, diagnostics, &config->expect);
  ReadCheck(top, diagnostics, &config->check);
}

}  // namespace ckptsim::scenarios
