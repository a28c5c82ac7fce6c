#include "simulator/sweep.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "simulator/swarm.h"

namespace ckptsim::simulator {

std::vector<SweepRun> PlanSweep(size_t scenario_count, const SweepOptions& options) {
  std::vector<SweepRun> work;
  for (size_t c = 0; c < scenario_count; ++c) {
    for (int64_t i = 0; i < options.seeds; ++i) {
      if (i % options.shard_count != options.shard_index) continue;
      const uint64_t seed = options.first_seed + static_cast<uint64_t>(i);
      if (options.skip && options.skip(c, seed)) continue;
      work.push_back(SweepRun{c, seed});
    }
  }
  return work;
}

SweepTotals RunSweep(const std::vector<RunConfig>& configs, const SweepOptions& options,
                     const std::function<void(const SweepItem&)>& on_result, const SweepPrepare& prepare) {
  const std::vector<SweepRun> work = PlanSweep(configs.size(), options);
  std::vector<std::optional<SweepItem>> done(work.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  size_t flushed = 0;
  bool reported_violation = false;
  SweepTotals totals;
  // Wall-clock time only measures throughput for the report; no decision depends on it.
  const auto started = std::chrono::steady_clock::now();
  auto worker = [&] {
    while (!stop.load()) {
      const size_t index = next.fetch_add(1);
      if (index >= work.size()) return;
      const SweepRun& run = work[index];
      SweepItem item{.index = index, .scenario = run.scenario, .seed = run.seed};
      if (options.swarm) item.drawn = DrawSwarm(configs[run.scenario], run.seed);
      item.result = Run(item.config(configs), run.seed);
      item.result.decisions.clear();
      item.result.decisions.shrink_to_fit();
      if (prepare) prepare(item);
      const bool failed = !item.result.violations.empty();
      if (failed && options.stop_on_first) stop.store(true);
      std::lock_guard<std::mutex> lock(mutex);
      done[index] = std::move(item);
      // With stop_on_first, nothing after the first violation in plan order
      // is reported, so the output is the same for any number of threads.
      while (!reported_violation && flushed < done.size() && done[flushed]) {
        const SweepItem& ready = *done[flushed];
        reported_violation = options.stop_on_first && !ready.result.violations.empty();
        ++totals.runs;
        totals.steps += ready.result.steps;
        if (!ready.result.violations.empty()) ++totals.failed_runs;
        on_result(ready);
        done[flushed].reset();
        ++flushed;
      }
    }
  };
  const int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  // Runs before a violation were all handed out before it, so all finished.
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return totals;
}

}  // namespace ckptsim::simulator
