// Throughput of the simulator on the built-in scenarios (docs/design.md targets:
// >= 1,000,000 model steps per second per core; >= 1,000 runs per second per
// core on a 6-to-8-task scenario of about 1,000 steps per run).
#include <variant>

#include <benchmark/benchmark.h>

#include "scenarios/loader.h"
#include "simulator/runner.h"

namespace {

void BM_Run(benchmark::State& state, const char* scenario) {
  auto loaded = ckptsim::scenarios::LoadScenario(scenario);
  if (!std::holds_alternative<ckptsim::simulator::RunConfig>(loaded)) {
    state.SkipWithError("scenario did not load");
    return;
  }
  const auto& config = std::get<ckptsim::simulator::RunConfig>(loaded);
  uint64_t seed = 1;
  int64_t steps = 0;
  for (auto _ : state) {
    const auto result = ckptsim::simulator::Run(config, seed++);
    steps += result.steps;
    benchmark::DoNotOptimize(result.trace_hash);
  }
  state.counters["steps_per_second"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["runs_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["steps_per_run"] = static_cast<double>(steps) / static_cast<double>(state.iterations());
}

BENCHMARK_CAPTURE(BM_Run, fig6, "fig6")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Run, wide, "wide")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Run, cascade_2pc, "cascade-2pc")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
