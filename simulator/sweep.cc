#include "simulator/sweep.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace ckptsim::simulator {

SweepTotals RunSweep(const std::vector<RunConfig>& configs, const SweepOptions& options,
                     const std::function<void(const SweepItem&)>& on_result) {
  struct Work {
    size_t scenario;
    uint64_t seed;
  };
  std::vector<Work> work;
  for (size_t c = 0; c < configs.size(); ++c) {
    for (int64_t i = 0; i < options.seeds; ++i) {
      if (i % options.shard_count != options.shard_index) continue;
      work.push_back(Work{c, options.first_seed + static_cast<uint64_t>(i)});
    }
  }
  std::vector<std::optional<SweepItem>> done(work.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  size_t flushed = 0;
  SweepTotals totals;
  // Wall-clock time only measures throughput for the report; no decision depends on it.
  const auto started = std::chrono::steady_clock::now();
  auto worker = [&] {
    while (!stop.load()) {
      const size_t index = next.fetch_add(1);
      if (index >= work.size()) return;
      SweepItem item{work[index].scenario, work[index].seed, Run(configs[work[index].scenario], work[index].seed)};
      item.result.decisions.clear();
      item.result.decisions.shrink_to_fit();
      const bool failed = !item.result.violations.empty();
      if (failed && options.stop_on_first) stop.store(true);
      std::lock_guard<std::mutex> lock(mutex);
      done[index] = std::move(item);
      while (flushed < done.size() && done[flushed]) {
        const SweepItem& ready = *done[flushed];
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
  // With --stop-on-first, runs after a gap stay unreported: only the contiguous prefix counts.
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return totals;
}

}  // namespace ckptsim::simulator
