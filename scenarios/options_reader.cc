#include "scenarios/options_reader.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace ckptsim::scenarios {
namespace {

// The names model::ParseVariant and model::ParseCheckpointMode accept.
constexpr std::array<std::string_view, 2> kVariantNames{"flip147", "legacy"};
constexpr std::array<std::string_view, 2> kCheckpointModeNames{"aligned", "unaligned"};

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
constexpr std::array<std::string_view, 8> kFaultKeys{
    "subtask_failures_max",     "task_manager_failures_max", "lost_notifications_max", "subtask_failure_ppm",
    "task_manager_failure_ppm", "lost_notification_ppm",     "fault_phase_ticks",      "restarts_max"};
constexpr std::array<std::string_view, 4> kStopKeys{"at_tick", "drain", "resume", "resume_after_ticks"};
constexpr std::array<std::string_view, 2> kLimitKeys{"max_steps", "max_ticks"};
constexpr std::array<std::string_view, 1> kExpectKeys{"terminates"};

constexpr IntBounds kTicks{.min = 0};
constexpr IntBounds kAtLeastOne{.min = 1};
constexpr IntBounds kCount{.min = 0};
constexpr IntBounds kPartsPerMillion{.min = 0, .max = 1'000'000};

// `[min, max]`, or a single number for a fixed delay.
void ReadRange(MapReader& section, std::string_view key, simulator::TickRange* out) {
  std::optional<Located> value = section.Find(key);
  if (!value) return;
  if (!value->node.IsSequence()) {
    if (auto ticks = section.Int(*value, kTicks)) *out = {*ticks, *ticks};
    return;
  }
  std::vector<Located> items = *section.List(*value);
  if (items.size() != 2) {
    section.Report(*value, fmt::format("expected [min, max], got a list of {} values", items.size()));
    return;
  }
  std::optional<int64_t> min = section.Int(items[0], kTicks);
  std::optional<int64_t> max = section.Int(items[1], kTicks);
  if (!min || !max) return;
  if (*min > *max) {
    section.Report(*value, fmt::format("min {} is greater than max {}", *min, *max));
    return;
  }
  *out = {*min, *max};
}

void ReadCheckpointing(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  std::optional<Located> value = top.Find("checkpointing");
  if (!value) return;
  MapReader section(*value, "checkpointing", kCheckpointingKeys, diagnostics);
  model::ProtocolOptions& protocol = config->protocol;
  simulator::TimingOptions& timing = config->timing;
  section.Read("enabled", &protocol.checkpointing_enabled);
  section.Read("interval_ticks", kAtLeastOne, &timing.checkpoint_interval_ticks);
  section.Read("timeout_ticks", kAtLeastOne, &timing.checkpoint_timeout_ticks);
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

void ReadFaults(MapReader& top, Diagnostics* diagnostics, simulator::FaultOptions* faults) {
  std::optional<Located> value = top.Find("faults");
  if (!value) return;
  MapReader section(*value, "faults", kFaultKeys, diagnostics);
  section.Read("subtask_failures_max", kCount, &faults->subtask_failures_max);
  section.Read("task_manager_failures_max", kCount, &faults->task_manager_failures_max);
  section.Read("lost_notifications_max", kCount, &faults->lost_notifications_max);
  section.Read("subtask_failure_ppm", kPartsPerMillion, &faults->subtask_failure_ppm);
  section.Read("task_manager_failure_ppm", kPartsPerMillion, &faults->task_manager_failure_ppm);
  section.Read("lost_notification_ppm", kPartsPerMillion, &faults->lost_notification_ppm);
  section.Read("fault_phase_ticks", kTicks, &faults->fault_phase_ticks);
  section.Read("restarts_max", kCount, &faults->restarts_max);
}

void ReadStopWithSavepoint(MapReader& top, Diagnostics* diagnostics, simulator::StopWithSavepoint* stop) {
  std::optional<Located> value = top.Find("stop_with_savepoint");
  if (!value) return;
  MapReader section(*value, "stop_with_savepoint", kStopKeys, diagnostics);
  stop->enabled = true;
  if (auto at_tick = section.Require("at_tick")) {
    if (auto ticks = section.Int(*at_tick, kTicks)) stop->at_tick = *ticks;
  }
  section.Read("drain", &stop->drain);
  section.Read("resume", &stop->resume);
  section.Read("resume_after_ticks", kTicks, &stop->resume_after_ticks);
}

void ReadLimits(MapReader& top, Diagnostics* diagnostics, simulator::Limits* limits) {
  std::optional<Located> value = top.Find("limits");
  if (!value) return;
  MapReader section(*value, "limits", kLimitKeys, diagnostics);
  section.Read("max_steps", kAtLeastOne, &limits->max_steps);
  section.Read("max_ticks", kAtLeastOne, &limits->max_ticks);
}

void ReadExpectations(MapReader& top, Diagnostics* diagnostics, simulator::Expectations* expect) {
  std::optional<Located> value = top.Find("expect");
  if (!value) return;
  MapReader section(*value, "expect", kExpectKeys, diagnostics);
  section.Read("terminates", &expect->terminates);
}

}  // namespace

void ReadRunOptions(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  if (auto variant = top.Find("variant")) {
    if (auto parsed = top.Choice(*variant, "variant", model::ParseVariant, kVariantNames)) {
      config->protocol.variant = *parsed;
    }
  }
  ReadCheckpointing(top, diagnostics, config);
  ReadTiming(top, diagnostics, &config->timing);
  ReadFaults(top, diagnostics, &config->faults);
  ReadStopWithSavepoint(top, diagnostics, &config->stop);
  ReadLimits(top, diagnostics, &config->limits);
  ReadExpectations(top, diagnostics, &config->expect);
}

}  // namespace ckptsim::scenarios
