// Many seeds of one or more scenarios, on worker threads. Results come back
// in (scenario, seed) order whatever the number of threads, so a sweep's
// output is identical on 1 or 16 cores. A shard I/N runs the seeds whose
// offset from the first seed is I modulo N, so N machines split one sweep.
#ifndef CKPTSIM_SIMULATOR_SWEEP_H_
#define CKPTSIM_SIMULATOR_SWEEP_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "simulator/run_config.h"
#include "simulator/runner.h"

namespace ckptsim::simulator {

struct SweepOptions {
  int64_t seeds = 100;       // seeds per scenario, before sharding
  uint64_t first_seed = 1;
  int jobs = 1;              // worker threads
  int shard_index = 0;       // this machine's shard, 0-based
  int shard_count = 1;
  bool stop_on_first = false;  // stop scheduling new runs after a violation
};

struct SweepItem {
  size_t scenario = 0;  // index into the configs
  uint64_t seed = 0;
  RunResult result;     // decisions are dropped to bound memory
};

struct SweepTotals {
  int64_t runs = 0;
  int64_t failed_runs = 0;
  int64_t steps = 0;
  double seconds = 0;
};

// Calls `on_result` for every finished run, in (scenario, seed) order, from
// one thread at a time.
SweepTotals RunSweep(const std::vector<RunConfig>& configs, const SweepOptions& options,
                     const std::function<void(const SweepItem&)>& on_result);

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SWEEP_H_
