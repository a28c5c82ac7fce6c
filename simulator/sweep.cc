#include "simulator/sweep.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "simulator/swarm.h"

namespace ckptsim::simulator {
namespace {

// Hands out the runs of a sweep in reporting order, one at a time, so that no
// list of planned runs is ever built. Not thread-safe.
class SweepCursor {
 public:
  SweepCursor(size_t scenario_count, const SweepOptions& options)
      : scenario_count_(scenario_count), options_(options), offset_(options.shard_index) {}

  std::optional<SweepRun> Next() {
    while (scenario_ < scenario_count_) {
      if (offset_ >= options_.seeds) {
        ++scenario_;
        offset_ = options_.shard_index;
        continue;
      }
      const uint64_t seed = options_.first_seed + static_cast<uint64_t>(offset_);
      // offset_ + shard_count may not fit when seeds is near the largest int64_t.
      offset_ = offset_ > options_.seeds - options_.shard_count ? options_.seeds : offset_ + options_.shard_count;
      if (options_.skip && options_.skip(scenario_, seed)) continue;
      return SweepRun{scenario_, seed};
    }
    return std::nullopt;
  }

 private:
  size_t scenario_count_;
  const SweepOptions& options_;
  size_t scenario_ = 0;
  int64_t offset_;  // of the next seed from first_seed, within this shard
};

}  // namespace

int64_t CountSweep(size_t scenario_count, const SweepOptions& options) {
  if (!options.skip) {
    const int64_t per_scenario =
        options.shard_index < options.seeds ? (options.seeds - 1 - options.shard_index) / options.shard_count + 1 : 0;
    return per_scenario * static_cast<int64_t>(scenario_count);
  }
  SweepCursor cursor(scenario_count, options);
  int64_t count = 0;
  while (cursor.Next()) ++count;
  return count;
}

SweepTotals RunSweep(const std::vector<RunConfig>& configs, const SweepOptions& options,
                     const std::function<void(const SweepItem&)>& on_result, const SweepPrepare& prepare) {
  SweepCursor cursor(configs.size(), options);
  std::mutex mutex;  // guards everything below, and calls of on_result
  std::condition_variable reported;
  std::map<size_t, SweepItem> waiting;  // finished, waiting for an earlier run to be reported
  size_t handed_out = 0;
  size_t flushed = 0;
  bool exhausted = false;
  bool stop = false;  // a violation with stop_on_first, or a worker that could not start
  bool reported_violation = false;
  SweepTotals totals;
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
  const size_t window_max = std::max<size_t>(1, options.window_max);
  // Wall-clock time only measures throughput for the report; no decision depends on it.
  const auto started = std::chrono::steady_clock::now();
  std::exception_ptr failure;  // the first exception of a worker, rethrown by the caller
  auto work = [&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      // A full window means an earlier run is in progress; its report wakes us.
      reported.wait(lock, [&] { return stop || exhausted || cancelled() || handed_out - flushed < window_max; });
      if (stop || exhausted) return;
      if (cancelled()) {
        totals.cancelled = true;
        return;
      }
      const std::optional<SweepRun> run = cursor.Next();
      if (!run) {
        exhausted = true;
        reported.notify_all();
        return;
      }
      const size_t index = handed_out++;
      lock.unlock();
      SweepItem item{.index = index, .scenario = run->scenario, .seed = run->seed};
      if (options.draw) {
        item.drawn = options.draw(configs[run->scenario], run->seed);
      } else if (options.swarm) {
        item.drawn = DrawSwarm(configs[run->scenario], run->seed);
      }
      item.result = Run(item.config(configs), run->seed, {.stop_at_first_violation = !options.all_violations});
      item.result.decisions.clear();
      item.result.decisions.shrink_to_fit();
      if (prepare) prepare(item);
      const bool failed = !item.result.violations.empty();
      lock.lock();
      if (failed && options.stop_on_first) stop = true;
      waiting.emplace(index, std::move(item));
      // With stop_on_first, nothing after the first violation in plan order
      // is reported, so the output is the same for any number of threads.
      while (!reported_violation && !waiting.empty() && waiting.begin()->first == flushed) {
        const SweepItem& ready = waiting.begin()->second;
        reported_violation = options.stop_on_first && !ready.result.violations.empty();
        ++totals.runs;
        totals.steps += ready.result.steps;
        if (!ready.result.violations.empty()) ++totals.failed_runs;
        on_result(ready);
        waiting.erase(waiting.begin());
        ++flushed;
      }
      reported.notify_all();
    }
  };
  // An exception must not escape a thread (std::terminate): the sweep stops
  // as it does for a worker that cannot start, and the caller rethrows it.
  auto worker = [&] {
    try {
      work();
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
      reported.notify_all();
    }
  };
  const int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  std::string start_error;
  for (int j = 1; j < jobs; ++j) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error& e) {
      start_error = "cannot start worker thread " + std::to_string(j + 1) + " of " + std::to_string(jobs) + ": " +
                    e.what();
      const std::lock_guard<std::mutex> lock(mutex);
      stop = true;
      reported.notify_all();
      break;
    }
  }
  worker();
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  if (!start_error.empty()) throw std::runtime_error(start_error);
  // Runs before a violation were all handed out before it, so all finished.
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return totals;
}

}  // namespace ckptsim::simulator
