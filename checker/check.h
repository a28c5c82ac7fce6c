// `ckptsim check`: an exhaustive search of a scenario's state space under
// its check bounds (protocol_model.h), by breadth-first search (shortest
// counterexamples), depth-bounded DFS, or a swarm of randomized DFS runs.
// A counterexample becomes an ordinary decision log, which the simulator
// replays into an ordinary trace file.
#ifndef CKPTSIM_CHECKER_CHECK_H_
#define CKPTSIM_CHECKER_CHECK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/search.h"
#include "model/action.h"
#include "properties/property.h"
#include "simulator/run_config.h"

namespace ckptsim::checker {

enum class SearchMode : uint8_t { kBfs, kDfs, kSwarm };

struct CheckRunOptions {
  SearchMode mode = SearchMode::kBfs;
  uint64_t max_states = 50'000'000;
  int64_t max_depth = -1;  // -1: none (BFS), 200 (DFS and swarm)
  int jobs = 1;
  // Off by default: the reduction (ample.h) is known to miss interleavings
  // (a legacy P4 violation of chain-check, see check_scenarios_test.cc).
  bool partial_order_reduction = false;
  bool stop_at_first = false;
  // Properties to check (empty: all); others are not reported.
  std::vector<properties::PropertyId> properties;
  // Swarm: `searches` randomized DFS runs from `seed`; this shard runs the
  // searches whose index is `shard` modulo `shards`.
  int searches = 0;
  uint64_t seed = 1;
  int shard = 0;
  int shards = 1;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(uint64_t states, int64_t depth, size_t queue, size_t bytes, double seconds)> progress;
};

struct PropertyVerdict {
  properties::PropertyId property;
  // Violated: the shortest counterexample found (its decisions and words).
  bool violated = false;
  std::vector<model::Action> decisions;
  properties::Violation violation;
};

struct CheckResult {
  simulator::RunConfig config;  // the scenario as searched (CheckConfig)
  SearchStats stats;
  int searches_run = 0;       // swarm: searches this shard ran
  uint64_t fingerprints = 0;  // swarm: the sum over its searches
  std::vector<PropertyVerdict> verdicts;  // by property, in PropertyId order
  // The probability that two distinct states shared a fingerprint, by the
  // birthday bound over the states stored (as TLC reports it).
  double collision_probability = 0;
};

// Searches `scenario` (its `check:` bounds apply).
CheckResult Check(const simulator::RunConfig& scenario, const CheckRunOptions& options);

}  // namespace ckptsim::checker

#endif  // CKPTSIM_CHECKER_CHECK_H_
