// What swarm testing may vary (`ckptsim sweep --swarm`, after Groce et al.,
// "Swarm Testing", ISSTA 2012): instead of running every seed with the one
// configuration a scenario states, each seed draws its own parallelism,
// record counts, latencies, checkpoint interval and mode, and fault rates
// within these ranges, and leaves some fault kinds out entirely. The draw is
// simulator::DrawSwarm (simulator/swarm.h); a scenario file's `swarm:`
// section fills this struct (scenarios/README.md).
//
// An unset range (nullopt, or an empty vector) keeps the scenario's value.
#ifndef CKPTSIM_SIMULATOR_SWARM_OPTIONS_H_
#define CKPTSIM_SIMULATOR_SWARM_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "model/options.h"

namespace ckptsim::simulator {

// An inclusive integer range [min, max].
struct SwarmRange {
  int64_t min = 0;
  int64_t max = 0;
};

struct SwarmOptions {
  // The scenario has a `swarm:` section, and only what it declares varies.
  // Otherwise DefaultSwarm() derives every range from the scenario.
  bool declared = false;
  // By vertex (index into the JobGraphSpec). Vertices joined by forward edges
  // share one parallelism draw, from the intersection of their ranges.
  std::vector<std::optional<SwarmRange>> parallelism;
  // Bounded sources only: each subtask draws its own record count.
  std::vector<std::optional<SwarmRange>> records;
  // Bounds of a latency range: a seed draws min' in [min, max], then max' in
  // [min', max], and runs with [min', max'].
  std::optional<SwarmRange> channel_latency_ticks;
  std::optional<SwarmRange> rpc_latency_ticks;
  std::optional<SwarmRange> processing_ticks;
  std::optional<SwarmRange> source_emit_ticks;
  std::optional<SwarmRange> checkpoint_interval_ticks;
  std::vector<model::CheckpointMode> checkpoint_modes;  // one is drawn uniformly
  // Fault rates in parts per million; a kind whose budget is 0 injects nothing.
  std::optional<SwarmRange> subtask_failure_ppm;
  std::optional<SwarmRange> task_manager_failure_ppm;
  std::optional<SwarmRange> lost_notification_ppm;
  std::optional<SwarmRange> rpc_delay_ppm;
  std::optional<SwarmRange> checkpoint_timeout_ppm;
  // The chance of each fault window (FaultOptions::window_ppm): a seed arms
  // each window or leaves it out (fault_omission_ppm), and draws the chances
  // of those it arms from this range.
  std::optional<SwarmRange> window_fault_ppm;
  // Chance that a seed leaves out a fault kind whose rate varies (rate 0):
  // swarm testing's feature omission.
  int64_t fault_omission_ppm = 500'000;
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SWARM_OPTIONS_H_
