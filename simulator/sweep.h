// Many seeds of one or more scenarios, on worker threads. Results come back
// in (scenario, seed) order whatever the number of threads, so a sweep's
// output is identical on 1 or 16 cores. A shard I/N runs the seeds whose
// offset from the first seed is I modulo N, so N machines split one sweep.
// With `swarm`, every run draws its own parameters (simulator/swarm.h) from
// its seed, on the worker thread that runs it.
//
// Memory does not grow with the number of seeds planned: runs are handed out
// one at a time, and only the results of a bounded window of runs that
// finished ahead of an earlier one wait to be reported. A sweep can be
// cancelled (a signal, a failed write): it takes no new seed, lets the runs
// in progress finish and reports them, so what it reported is a prefix of
// its plan that `--resume` continues.
#ifndef CKPTSIM_SIMULATOR_SWEEP_H_
#define CKPTSIM_SIMULATOR_SWEEP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
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
  bool swarm = false;          // each run draws its parameters with DrawSwarm
  bool all_violations = false; // each run goes on past its first violation
  // Set: each run's config is draw(configs[scenario], seed) instead (a random
  // job per seed, then its swarm draw); called on the worker threads.
  std::function<RunConfig(const RunConfig&, uint64_t seed)> draw;
  // Runs for which this returns true are left out (already done: --resume).
  // Called while runs are handed out, one call at a time.
  std::function<bool(size_t scenario, uint64_t seed)> skip;
  // Once this is true no new run starts (may be set by a signal handler, or
  // by on_result); null: never.
  const std::atomic<bool>* cancel = nullptr;
  // Finished runs waiting for an earlier one before the sweep stops handing
  // out seeds; bounds memory when one run is much slower than the rest.
  size_t window_max = 4096;
};

struct SweepItem;
// Per-run work whose result does not depend on the order of runs (rendering
// a report line, say): called on the worker thread that made the run, while
// other workers run, before the item waits for its turn in `on_result`.
using SweepPrepare = std::function<void(const SweepItem&)>;

// One run of a sweep: configs[scenario] with `seed`.
struct SweepRun {
  size_t scenario = 0;
  uint64_t seed = 0;
};

struct SweepItem {
  size_t index = 0;     // position in the sweep's reporting order
  size_t scenario = 0;  // index into the configs
  uint64_t seed = 0;
  RunResult result;     // decisions are dropped to bound memory
  std::optional<RunConfig> drawn;  // with swarm: the config the run drew

  // The config the run ran with.
  const RunConfig& config(const std::vector<RunConfig>& configs) const { return drawn ? *drawn : configs[scenario]; }
};

struct SweepTotals {
  int64_t runs = 0;
  int64_t failed_runs = 0;
  int64_t steps = 0;
  double seconds = 0;
  bool cancelled = false;  // options.cancel stopped it before its plan was done
};

// How many runs a sweep of `scenario_count` scenarios makes: this shard's
// seeds, without skipped ones. Calls `skip` once per seed of the shard.
int64_t CountSweep(size_t scenario_count, const SweepOptions& options);

// Makes the runs, by scenario, then seed; this shard's seeds only, without
// skipped ones. Calls `prepare` (if set) for every finished run as it
// finishes, then `on_result` for every finished run in that order, from one
// thread at a time. Throws std::runtime_error if a worker thread cannot be
// started, and rethrows the first exception a worker met (std::bad_alloc,
// say), each after the runs in progress finished.
SweepTotals RunSweep(const std::vector<RunConfig>& configs, const SweepOptions& options,
                     const std::function<void(const SweepItem&)>& on_result, const SweepPrepare& prepare = {});

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SWEEP_H_
