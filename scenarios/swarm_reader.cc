#include "scenarios/swarm_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "scenarios/input_limits.h"
#include "scenarios/options_reader.h"
#include "simulator/swarm.h"

namespace ckptsim::scenarios {
namespace {

using simulator::SwarmOptions;
using simulator::SwarmRange;

constexpr std::array<std::string_view, 15> kSwarmKeys{
    "parallelism",         "records",          "channel_latency_ticks",    "rpc_latency_ticks",
    "processing_ticks",    "source_emit_ticks", "checkpoint_interval_ticks", "checkpoint_mode",
    "subtask_failure_ppm", "task_manager_failure_ppm", "lost_notification_ppm", "rpc_delay_ppm",
    "checkpoint_timeout_ppm", "window_fault_ppm", "fault_omission_ppm"};
constexpr std::array<std::string_view, 2> kCheckpointModeNames{"aligned", "unaligned"};

constexpr IntBounds kParallelism{.min = 1, .max = kParallelismMax};
constexpr IntBounds kCount{.min = 0, .max = kRecordsPerSubtaskMax};
constexpr IntBounds kTicks{.min = 0, .max = kTicksMax};
constexpr IntBounds kAtLeastOne{.min = 1, .max = kTicksMax};
constexpr IntBounds kPartsPerMillion{.min = 0, .max = 1'000'000};

// A fault rate key, and the budget key that gives it effect.
struct FaultKey {
  std::string_view rate_key;
  std::optional<SwarmRange> SwarmOptions::*range;
  std::string_view budget_key;
  int simulator::FaultOptions::*budget;
};
constexpr FaultKey kFaultKeys[] = {
    {"subtask_failure_ppm", &SwarmOptions::subtask_failure_ppm, "subtask_failures_max",
     &simulator::FaultOptions::subtask_failures_max},
    {"task_manager_failure_ppm", &SwarmOptions::task_manager_failure_ppm, "task_manager_failures_max",
     &simulator::FaultOptions::task_manager_failures_max},
    {"lost_notification_ppm", &SwarmOptions::lost_notification_ppm, "lost_notifications_max",
     &simulator::FaultOptions::lost_notifications_max},
    {"rpc_delay_ppm", &SwarmOptions::rpc_delay_ppm, "delayed_rpcs_max", &simulator::FaultOptions::delayed_rpcs_max},
    {"checkpoint_timeout_ppm", &SwarmOptions::checkpoint_timeout_ppm, "checkpoint_timeouts_max",
     &simulator::FaultOptions::checkpoint_timeouts_max},
};

bool IsBoundedSource(const model::VertexSpec& vertex) {
  return !vertex.operators.empty() && vertex.operators.front().kind == model::OperatorKind::kBoundedSource;
}

std::optional<SwarmRange> ReadSwarmRange(MapReader& section, std::string_view key, IntBounds bounds) {
  std::optional<Located> value = section.Find(key);
  if (!value) return std::nullopt;
  std::optional<simulator::TickRange> range = ReadRangeValue(section, *value, bounds);
  if (!range) return std::nullopt;
  return SwarmRange{range->min, range->max};
}

// `{A: [1, 4], B: 2}`, one range per named vertex, or a single range for
// every vertex `applies` accepts. Fills (*ranges)[v] and (*lines)[v].
void ReadPerVertex(MapReader& section, std::string_view key, IntBounds bounds, const model::JobGraphSpec& spec,
                   bool (*applies)(const model::VertexSpec&), std::string_view refusal, Diagnostics* diagnostics,
                   std::vector<std::optional<SwarmRange>>* ranges, std::vector<int>* lines) {
  const size_t count = spec.vertices.size();
  ranges->assign(count, std::nullopt);
  lines->assign(count, 0);
  std::optional<Located> value = section.Find(key);
  if (!value) return;
  if (!value->node.IsMap()) {
    std::optional<simulator::TickRange> range = ReadRangeValue(section, *value, bounds);
    if (!range) return;
    for (size_t v = 0; v < count; ++v) {
      if (!applies(spec.vertices[v])) continue;
      (*ranges)[v] = SwarmRange{range->min, range->max};
      (*lines)[v] = value->line;
    }
    return;
  }
  std::vector<std::string_view> names;
  for (const model::VertexSpec& vertex : spec.vertices) names.push_back(vertex.name);
  MapReader by_vertex(*value, fmt::format("swarm: {}", key), names, diagnostics);
  for (size_t v = 0; v < count; ++v) {
    std::optional<Located> item = by_vertex.Find(spec.vertices[v].name);
    if (!item) continue;
    if (!applies(spec.vertices[v])) {
      by_vertex.Report(*item, refusal);
      return;
    }
    if (std::optional<simulator::TickRange> range = ReadRangeValue(by_vertex, *item, bounds)) {
      (*ranges)[v] = SwarmRange{range->min, range->max};
      (*lines)[v] = item->line;
    }
  }
}

bool AnyVertex(const model::VertexSpec&) { return true; }

// Vertices joined by forward edges draw one parallelism: their ranges must overlap.
void CheckForwardGroups(const model::JobGraphSpec& spec, const SwarmOptions& swarm, const std::vector<int>& lines,
                        Diagnostics* diagnostics) {
  const std::vector<int> group = simulator::ForwardGroups(spec);
  for (size_t v = 0; v < spec.vertices.size(); ++v) {
    if (!swarm.parallelism[v]) continue;
    SwarmRange common = *swarm.parallelism[v];
    for (size_t u = 0; u < v; ++u) {
      if (group[u] != group[v] || !swarm.parallelism[u]) continue;
      const SwarmRange& other = *swarm.parallelism[u];
      common = SwarmRange{std::max(common.min, other.min), std::min(common.max, other.max)};
      if (common.min > common.max) {
        diagnostics->Report(
            lines[v], fmt::format("swarm: parallelism: vertex '{}': range [{}, {}] leaves no parallelism in common "
                                  "with vertex '{}' ([{}, {}]) and the others it is joined to by forward edges; "
                                  "vertices joined by forward edges share one parallelism draw",
                                  spec.vertices[v].name, swarm.parallelism[v]->min, swarm.parallelism[v]->max,
                                  spec.vertices[u].name, other.min, other.max));
        return;
      }
    }
  }
}

// The largest job the ranges can draw must stay within the limits a file
// is held to (input_limits.h), or a seed would build it at sweep time.
void CheckLargestDraw(MapReader& section, const model::JobGraphSpec& spec, const SwarmOptions& swarm,
                      const std::vector<int>& lines) {
  const auto largest = [&](size_t v) -> int64_t {
    return swarm.parallelism[v] ? swarm.parallelism[v]->max : spec.vertices[v].parallelism;
  };
  const auto line_of = [&](size_t v) { return lines[v] > 0 ? lines[v] : section.line(); };
  int64_t subtasks = 0;
  for (size_t v = 0; v < spec.vertices.size(); ++v) {
    subtasks += largest(v);
    if (subtasks > kSubtasksMax) {
      section.Report(line_of(v), fmt::format("parallelism: the ranges can draw {} subtasks up to vertex '{}'; at most "
                                             "{} are allowed",
                                             subtasks, spec.vertices[v].name, kSubtasksMax));
      return;
    }
  }
  for (const model::EdgeSpec& edge : spec.edges) {
    const int64_t from = largest(edge.from);
    const int64_t to = largest(edge.to);
    const int64_t channels = edge.partitioning == model::Partitioning::kForward   ? from
                             : edge.partitioning == model::Partitioning::kRescale ? std::max(from, to)
                                                                                  : from * to;
    if (channels > kEdgeChannelsMax) {
      section.Report(line_of(swarm.parallelism[edge.to] ? edge.to : edge.from),
                     fmt::format("parallelism: the ranges can draw {} x {} subtasks for edge {} -> {}, {} channels; "
                                 "one edge may have at most {}",
                                 from, to, spec.vertices[edge.from].name, spec.vertices[edge.to].name, channels,
                                 kEdgeChannelsMax));
      return;
    }
  }
}

void ReadCheckpointModes(MapReader& section, SwarmOptions* swarm) {
  std::optional<Located> value = section.Find("checkpoint_mode");
  if (!value) return;
  std::vector<Located> items;
  if (value->node.IsSequence()) {
    items = *section.List(*value);
    if (items.empty()) section.Report(*value, "must list at least one mode (aligned, unaligned)");
  } else {
    items.push_back(*value);
  }
  for (const Located& item : items) {
    std::optional<model::CheckpointMode> mode =
        section.Choice(item, "checkpoint mode", model::ParseCheckpointMode, kCheckpointModeNames);
    if (!mode) return;
    for (model::CheckpointMode seen : swarm->checkpoint_modes) {
      if (seen == *mode) {
        section.Report(item, fmt::format("'{}' is listed twice", model::Name(*mode)));
        return;
      }
    }
    swarm->checkpoint_modes.push_back(*mode);
  }
}

// A range that can never change a run is refused rather than ignored.
void CheckEffect(MapReader& section, const simulator::RunConfig& config) {
  for (const FaultKey& fault : kFaultKeys) {
    std::optional<Located> value = section.Find(fault.rate_key);
    if (!value || config.faults.*fault.budget > 0) continue;
    section.Report(*value, fmt::format("has no effect: faults.{} is 0, so this kind of fault is never injected; "
                                       "give it a budget or leave the range out",
                                       fault.budget_key));
    return;
  }
  if (std::optional<Located> value = section.Find("window_fault_ppm"); value && !config.faults.any()) {
    section.Report(*value, "has no effect: every fault budget of the faults section is 0, so no window can "
                           "arm a fault; give one a budget or leave the range out");
    return;
  }
  if (config.protocol.checkpointing_enabled) return;
  for (std::string_view key : {"checkpoint_interval_ticks", "checkpoint_mode"}) {
    if (std::optional<Located> value = section.Find(key)) {
      section.Report(*value, "has no effect: checkpointing is disabled (checkpointing: {enabled: false})");
      return;
    }
  }
}

}  // namespace

void ReadSwarm(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config) {
  std::optional<Located> value = top.Find("swarm");
  if (!value) return;
  MapReader section(*value, "swarm", kSwarmKeys, diagnostics);
  if (!value->node.IsMap() || value->node.size() == 0) return;  // empty: as if left out
  SwarmOptions& swarm = config->swarm;
  swarm.declared = true;
  const model::JobGraphSpec& spec = config->graph_spec;
  std::vector<int> parallelism_lines;
  std::vector<int> records_lines;
  ReadPerVertex(section, "parallelism", kParallelism, spec, AnyVertex, "", diagnostics, &swarm.parallelism,
                &parallelism_lines);
  ReadPerVertex(section, "records", kCount, spec, IsBoundedSource,
                "only a vertex whose head operator is a bounded_source has records", diagnostics, &swarm.records,
                &records_lines);
  if (diagnostics->ok()) CheckForwardGroups(spec, swarm, parallelism_lines, diagnostics);
  if (diagnostics->ok()) CheckLargestDraw(section, spec, swarm, parallelism_lines);
  swarm.channel_latency_ticks = ReadSwarmRange(section, "channel_latency_ticks", kTicks);
  swarm.rpc_latency_ticks = ReadSwarmRange(section, "rpc_latency_ticks", kTicks);
  swarm.processing_ticks = ReadSwarmRange(section, "processing_ticks", kTicks);
  swarm.source_emit_ticks = ReadSwarmRange(section, "source_emit_ticks", kTicks);
  swarm.checkpoint_interval_ticks = ReadSwarmRange(section, "checkpoint_interval_ticks", kAtLeastOne);
  ReadCheckpointModes(section, &swarm);
  for (const FaultKey& fault : kFaultKeys) {
    swarm.*fault.range = ReadSwarmRange(section, fault.rate_key, kPartsPerMillion);
  }
  swarm.window_fault_ppm = ReadSwarmRange(section, "window_fault_ppm", kPartsPerMillion);
  section.Read("fault_omission_ppm", kPartsPerMillion, &swarm.fault_omission_ppm);
  CheckEffect(section, *config);
}

}  // namespace ckptsim::scenarios
