#include "simulator/swarm.h"

#include <algorithm>
#include <memory>
#include <numeric>

#include "model/check.h"
#include "simulator/prng.h"

namespace ckptsim::simulator {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kMillion = 1'000'000;

// A latency range, and the bounds it is drawn within.
struct LatencyField {
  std::optional<SwarmRange> SwarmOptions::*bounds;
  TickRange TimingOptions::*range;
  const char* name;
};
constexpr LatencyField kLatencies[] = {
    {&SwarmOptions::channel_latency_ticks, &TimingOptions::channel_latency_ticks, "channel_latency_ticks"},
    {&SwarmOptions::rpc_latency_ticks, &TimingOptions::rpc_latency_ticks, "rpc_latency_ticks"},
    {&SwarmOptions::processing_ticks, &TimingOptions::processing_ticks, "processing_ticks"},
    {&SwarmOptions::source_emit_ticks, &TimingOptions::source_emit_ticks, "source_emit_ticks"},
};

// A fault rate, the budget that gives it effect, and its range.
struct FaultField {
  std::optional<SwarmRange> SwarmOptions::*range;
  int64_t FaultOptions::*rate_ppm;
  int FaultOptions::*budget;
  const char* name;
};
constexpr FaultField kFaults[] = {
    {&SwarmOptions::subtask_failure_ppm, &FaultOptions::subtask_failure_ppm, &FaultOptions::subtask_failures_max,
     "subtask_failure_ppm"},
    {&SwarmOptions::task_manager_failure_ppm, &FaultOptions::task_manager_failure_ppm,
     &FaultOptions::task_manager_failures_max, "task_manager_failure_ppm"},
    {&SwarmOptions::lost_notification_ppm, &FaultOptions::lost_notification_ppm,
     &FaultOptions::lost_notifications_max, "lost_notification_ppm"},
    {&SwarmOptions::rpc_delay_ppm, &FaultOptions::rpc_delay_ppm, &FaultOptions::delayed_rpcs_max, "rpc_delay_ppm"},
    {&SwarmOptions::checkpoint_timeout_ppm, &FaultOptions::checkpoint_timeout_ppm,
     &FaultOptions::checkpoint_timeouts_max, "checkpoint_timeout_ppm"},
};

int Find(std::vector<int>& parent, int v) {
  while (parent[v] != v) v = parent[v] = parent[parent[v]];
  return v;
}

bool IsBoundedSource(const model::VertexSpec& vertex) {
  return !vertex.operators.empty() && vertex.operators.front().kind == model::OperatorKind::kBoundedSource;
}

// Resizes a per-subtask list to `size`, subtask i taking entry i mod old size.
template <typename T>
std::vector<T> Cycle(const std::vector<T>& values, int size) {
  if (values.empty()) return values;
  std::vector<T> out(size);
  for (int i = 0; i < size; ++i) out[i] = values[i % values.size()];
  return out;
}

}  // namespace

std::vector<int> ForwardGroups(const model::JobGraphSpec& spec) {
  const int count = static_cast<int>(spec.vertices.size());
  std::vector<int> parent(count);
  std::iota(parent.begin(), parent.end(), 0);
  for (const model::EdgeSpec& edge : spec.edges) {
    if (edge.partitioning != model::Partitioning::kForward) continue;
    if (edge.from < 0 || edge.from >= count || edge.to < 0 || edge.to >= count) continue;
    const int a = Find(parent, edge.from);
    const int b = Find(parent, edge.to);
    parent[std::max(a, b)] = std::min(a, b);  // the root is the group's first vertex
  }
  std::vector<int> group(count, -1);
  int groups = 0;
  for (int v = 0; v < count; ++v) {
    const int root = Find(parent, v);
    group[v] = root == v ? groups++ : group[root];
  }
  return group;
}

SwarmOptions DefaultSwarm(const RunConfig& config) {
  SwarmOptions swarm;
  for (const model::VertexSpec& vertex : config.graph_spec.vertices) {
    // A global committer runs at parallelism 1 (GlobalCommitterOperator).
    const bool global_committer = vertex.operators.front().kind == model::OperatorKind::kSinkV2GlobalCommitter;
    swarm.parallelism.push_back(global_committer ? SwarmRange{1, 1}
                                                 : SwarmRange{1, std::max<int64_t>(2, vertex.parallelism)});
    std::optional<SwarmRange> records;
    if (IsBoundedSource(vertex)) {
      const auto& counts = vertex.records_per_subtask;
      records = SwarmRange{0, counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end())};
    }
    swarm.records.push_back(records);
  }
  for (const LatencyField& field : kLatencies) {
    const TickRange& range = config.timing.*field.range;
    swarm.*field.bounds = SwarmRange{range.min, std::max(range.min, 2 * range.max)};
  }
  if (config.protocol.checkpointing_enabled) {
    const int64_t interval = config.timing.checkpoint_interval_ticks;
    swarm.checkpoint_interval_ticks = SwarmRange{std::max<int64_t>(1, interval / 4), std::max<int64_t>(1, 2 * interval)};
    swarm.checkpoint_modes = {model::CheckpointMode::kAligned, model::CheckpointMode::kUnaligned};
  }
  for (const FaultField& field : kFaults) {
    if (config.faults.*field.budget == 0) continue;
    swarm.*field.range = SwarmRange{0, std::min(kMillion, 2 * (config.faults.*field.rate_ppm))};
  }
  if (config.faults.any()) swarm.window_fault_ppm = SwarmRange{0, kMillion};
  return swarm;
}

SwarmOptions EffectiveSwarm(const RunConfig& config) {
  return config.swarm.declared ? config.swarm : DefaultSwarm(config);
}

RunConfig DrawSwarm(const RunConfig& config, uint64_t seed) {
  CKPTSIM_CHECK(!config.swarm_drawn);
  const SwarmOptions swarm = EffectiveSwarm(config);
  Prng prng(seed, Stream::kSwarm);
  RunConfig drawn = config;
  drawn.swarm_drawn = true;
  std::vector<model::VertexSpec>& vertices = drawn.graph_spec.vertices;
  const int count = static_cast<int>(vertices.size());
  const auto range_of = [](const std::vector<std::optional<SwarmRange>>& ranges, int v) {
    return v < static_cast<int>(ranges.size()) ? ranges[v] : std::nullopt;
  };

  // Parallelism: one draw per forward group, within every member's range.
  // A job that resumes into a new version keeps its shape: the new version is
  // written against it (its sources must keep parallelism and records).
  const bool fixed_shape = config.stop.resume_into != nullptr;
  const std::vector<int> group = ForwardGroups(drawn.graph_spec);
  const int group_count = count == 0 ? 0 : *std::max_element(group.begin(), group.end()) + 1;
  std::vector<int> parallelism(count);
  for (int g = 0; g < group_count; ++g) {
    std::optional<SwarmRange> range;
    int fixed = 0;
    for (int v = 0; v < count; ++v) {
      if (group[v] != g) continue;
      fixed = vertices[v].parallelism;
      if (std::optional<SwarmRange> own = range_of(swarm.parallelism, v)) {
        range = range ? SwarmRange{std::max(range->min, own->min), std::min(range->max, own->max)} : *own;
      }
    }
    CKPTSIM_CHECK(!range || range->min <= range->max);  // the loader refuses empty intersections
    const int p = range && !fixed_shape ? static_cast<int>(prng.Range(range->min, range->max)) : fixed;
    for (int v = 0; v < count; ++v) {
      if (group[v] == g) parallelism[v] = p;
    }
  }

  // Per-subtask lists follow the new parallelism; records are drawn per subtask.
  bool graph_changed = false;
  for (int v = 0; v < count; ++v) {
    model::VertexSpec& vertex = vertices[v];
    if (parallelism[v] != vertex.parallelism) {
      graph_changed = true;
      vertex.parallelism = parallelism[v];
      vertex.task_manager_of_subtask = Cycle(vertex.task_manager_of_subtask, vertex.parallelism);
      vertex.records_per_subtask = Cycle(vertex.records_per_subtask, vertex.parallelism);
    }
    if (!IsBoundedSource(vertex) || fixed_shape) continue;
    if (std::optional<SwarmRange> records = range_of(swarm.records, v)) {
      graph_changed = true;
      for (int64_t& subtask_records : vertex.records_per_subtask) {
        subtask_records = prng.Range(records->min, records->max);
      }
    }
  }

  for (const LatencyField& field : kLatencies) {
    if (const std::optional<SwarmRange>& bounds = swarm.*field.bounds) {
      const int64_t min = prng.Range(bounds->min, bounds->max);
      drawn.timing.*field.range = TickRange{min, prng.Range(min, bounds->max)};
    }
  }
  if (swarm.checkpoint_interval_ticks) {
    drawn.timing.checkpoint_interval_ticks =
        prng.Range(swarm.checkpoint_interval_ticks->min, swarm.checkpoint_interval_ticks->max);
  }
  if (!swarm.checkpoint_modes.empty()) {
    drawn.protocol.checkpoint_mode = swarm.checkpoint_modes[prng.Below(swarm.checkpoint_modes.size())];
  }
  for (const FaultField& field : kFaults) {
    if (const std::optional<SwarmRange>& range = swarm.*field.range) {
      const bool omitted = prng.ChancePpm(swarm.fault_omission_ppm);
      const int64_t rate = prng.Range(range->min, range->max);
      drawn.faults.*field.rate_ppm = omitted ? 0 : rate;
    }
  }
  // Drawn after everything else, so that the draws above are those of a
  // swarm without windows.
  if (const std::optional<SwarmRange>& range = swarm.window_fault_ppm) {
    for (int64_t& ppm : drawn.faults.window_ppm) {
      const bool omitted = prng.ChancePpm(swarm.fault_omission_ppm);
      const int64_t rate = prng.Range(range->min, range->max);
      ppm = omitted ? 0 : rate;
    }
  }

  if (!graph_changed) return drawn;  // the scenario's compiled graph still fits
  model::GraphError error;
  std::optional<model::JobGraph> graph = model::JobGraph::Compile(drawn.graph_spec, &error);
  if (!graph) model::SetCheckContext("swarm draw for seed " + std::to_string(seed) + ": " + error.message);
  CKPTSIM_CHECK(graph.has_value());
  drawn.graph = std::make_shared<const model::JobGraph>(std::move(*graph));
  return drawn;
}

Json SwarmParametersToJson(const RunConfig& config) {
  Json parallelism = Json::object();
  Json records = Json::object();
  for (const model::VertexSpec& vertex : config.graph_spec.vertices) {
    parallelism[vertex.name] = vertex.parallelism;
    if (IsBoundedSource(vertex)) records[vertex.name] = vertex.records_per_subtask;
  }
  Json json{{"parallelism", parallelism}, {"records", records}};
  for (const LatencyField& field : kLatencies) {
    const TickRange& range = config.timing.*field.range;
    json[field.name] = Json::array({range.min, range.max});
  }
  json["checkpoint_interval_ticks"] = config.timing.checkpoint_interval_ticks;
  json["checkpoint_mode"] = model::Name(config.protocol.checkpoint_mode);
  for (const FaultField& field : kFaults) json[field.name] = config.faults.*field.rate_ppm;
  for (size_t w = 0; w < kFaultWindowCount; ++w) json[kFaultWindows[w].key] = config.faults.window_ppm[w];
  return json;
}

}  // namespace ckptsim::simulator
