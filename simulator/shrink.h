// Shrinking a failing run to something a person can read in a few steps,
// while the same property still fails.
//
// Two phases. First the scenario: faults are dropped or their budgets
// lowered, the fault phase shortened, source record counts halved and
// vertex parallelism lowered, each candidate re-simulated from the same seed
// by the scheduler and kept if the property still fails. Then the decision
// log, by delta debugging (Zeller's ddmin): chunks of decisions are removed,
// the rest is replayed leniently (a decision that is no longer enabled is
// skipped) and the scheduler finishes the run without faults; a candidate is
// kept if the property still fails and the executed log got shorter; then
// neighbouring decisions are swapped where that shortens it further. The
// executed log of the final run is an exact replay log, so the shrunk trace
// replays like any other.
#ifndef CKPTSIM_SIMULATOR_SHRINK_H_
#define CKPTSIM_SIMULATOR_SHRINK_H_

#include <cstdint>
#include <vector>

#include "model/action.h"
#include "properties/property.h"
#include "simulator/run_config.h"
#include "simulator/runner.h"

namespace ckptsim::simulator {

struct ShrinkOptions {
  int max_runs = 4000;  // re-simulations allowed in total
};

struct ShrinkResult {
  RunConfig config;
  uint64_t seed = 0;
  std::vector<model::Action> decisions;  // exact replay log of `result`
  RunResult result;                      // the shrunk run; `property` is violated in it
  int64_t original_steps = 0;
  int runs = 0;  // re-simulations spent
};

// REQUIRES: replaying `decisions` on (config, seed) violates `property`.
// Returns the smallest failing run found (the original one if nothing
// smaller fails).
ShrinkResult Shrink(const RunConfig& config, uint64_t seed, const std::vector<model::Action>& decisions,
                    properties::PropertyId property, const ShrinkOptions& options = {});

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SHRINK_H_
