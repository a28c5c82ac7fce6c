// Swarm testing: each seed runs its own variation of a scenario. DrawSwarm
// takes a scenario's RunConfig and a seed and returns the RunConfig that seed
// runs with: parallelism, record counts, latencies, checkpoint interval and
// mode, and fault rates drawn within the ranges of RunConfig::swarm (or of
// DefaultSwarm when the scenario declares none), the job graph recompiled.
//
// Every draw comes from Prng(seed, Stream::kSwarm) in a fixed order, so the
// same scenario and seed always give the same config, on any thread, and the
// scheduler's and fault injector's streams are untouched by it.
//
// Forward edges need equal parallelism on both ends, so the vertices joined
// by forward edges (a connected component of forward edges) form one group
// that draws one parallelism for all its members.
//
// Thread-safety: pure functions; safe to call from several threads at once.
#ifndef CKPTSIM_SIMULATOR_SWARM_H_
#define CKPTSIM_SIMULATOR_SWARM_H_

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/job_graph.h"
#include "simulator/run_config.h"

namespace ckptsim::simulator {

// The group of each vertex (index into spec.vertices): vertices joined by
// forward edges share a group. Groups are numbered in order of their first
// vertex, so group g's first member comes before group g+1's.
std::vector<int> ForwardGroups(const model::JobGraphSpec& spec);

// The ranges a scenario without a `swarm:` section draws from, derived from
// what it states (scenarios/README.md lists them): parallelism 1 to
// max(2, declared); records 0 to the largest declared count; each latency
// range within [declared min, 2 x declared max]; the checkpoint interval in
// [interval / 4, 2 x interval] and either mode, when checkpointing is on;
// each fault rate whose budget is above 0 in [0, 2 x declared rate].
SwarmOptions DefaultSwarm(const RunConfig& config);

// config.swarm if the scenario declared it, else DefaultSwarm(config).
SwarmOptions EffectiveSwarm(const RunConfig& config);

// The config `seed` runs with under --swarm; swarm_drawn is set.
// REQUIRES: config.graph is compiled and config.swarm_drawn is false.
RunConfig DrawSwarm(const RunConfig& config, uint64_t seed);

// Every parameter a swarm may vary, as the config states it: parallelism by
// vertex, records by bounded source, the four latency ranges, checkpoint
// interval and mode, the five fault rates. Written to JSONL lines and trace
// headers so that a drawn run can be read without redrawing it.
nlohmann::ordered_json SwarmParametersToJson(const RunConfig& config);

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SWARM_H_
