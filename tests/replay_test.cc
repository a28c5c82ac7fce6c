// Every trace the tool writes replays bit for bit (DESIGN.md, determinism):
// a decision log re-applied with the trace's configuration gives the same
// trace hash, for every built-in scenario, plain and swarm.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "harness.h"
#include "scenarios/loader.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"
#include "simulator/trace.h"

namespace ckptsim::testing {
namespace {

simulator::RunResult Replay(const simulator::RunConfig& config, uint64_t seed,
                            const std::vector<model::Action>& decisions) {
  return simulator::Run(config, seed, {.stop_at_first_violation = false, .replay = &decisions});
}

// Issue: a live run applied an injected checkpoint expiry at the current tick,
// while replay took the expiry's tick from the checkpoint's natural timeout,
// so the replayed clock jumped (stop-drain: hash mismatch and a false L1 at
// step 691, 20 of 20 seeds). An early expiry is now its own fault decision
// (expire-early), replayed at the tick it struck.
TEST(Replay, IsExactAfterAnInjectedCheckpointTimeout) {
  const simulator::RunConfig config = LoadOrDie("stop-drain");
  int with_timeouts = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const simulator::RunResult run = simulator::Run(config, seed, {.stop_at_first_violation = false});
    with_timeouts += run.stats.checkpoint_timeouts > 0;
    const simulator::RunResult replay = Replay(config, seed, run.decisions);
    ASSERT_EQ(replay.diverged_at_step, -1) << "seed " << seed << ": " << replay.divergence;
    EXPECT_EQ(replay.trace_hash, run.trace_hash) << "seed " << seed;
    EXPECT_EQ(replay.violations.size(), run.violations.size()) << "seed " << seed;
  }
  EXPECT_GT(with_timeouts, 10);  // the fault this test is about was injected
}

// Every built-in x 50 seeds x (plain, swarm): the decision log replays to the
// run's hash; and for a few seeds the trace file itself round-trips.
TEST(Replay, EveryBuiltinReplaysToItsHashPlainAndSwarm) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "ckptsim-replay-test";
  std::filesystem::create_directories(dir);
  int64_t runs = 0;
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig base = LoadOrDie(name);
    for (bool swarm : {false, true}) {
      for (uint64_t seed = 1; seed <= 50; ++seed) {
        const simulator::RunConfig config = swarm ? simulator::DrawSwarm(base, seed) : base;
        if (seed <= 2) {
          const std::string path = (dir / (name + (swarm ? "-swarm" : "") + ".jsonl")).string();
          std::string error;
          auto writer = simulator::TraceWriter::Open(path, config, seed, &error);
          ASSERT_TRUE(writer) << error;
          const simulator::RunResult run = simulator::Run(config, seed, {.observer = writer.get()});
          ASSERT_TRUE(writer->Finish(run, &error)) << error;
          auto read = simulator::ReadTrace(path);
          ASSERT_TRUE(std::holds_alternative<simulator::Trace>(read)) << std::get<std::string>(read);
          const simulator::Trace& trace = std::get<simulator::Trace>(read);
          const simulator::RunResult replay =
              simulator::Run(trace.config, trace.seed, {.replay = &trace.decisions});
          ASSERT_EQ(replay.diverged_at_step, -1) << name << " seed " << seed << ": " << replay.divergence;
          EXPECT_EQ(simulator::HashToHex(replay.trace_hash), trace.trace_hash) << name << " seed " << seed;
        }
        const simulator::RunResult run = simulator::Run(config, seed);
        const simulator::RunResult replay =
            simulator::Run(config, seed, {.replay = &run.decisions});
        ASSERT_EQ(replay.diverged_at_step, -1) << name << (swarm ? " swarm" : "") << " seed " << seed << ": "
                                               << replay.divergence;
        ASSERT_EQ(replay.trace_hash, run.trace_hash) << name << (swarm ? " swarm" : "") << " seed " << seed;
        ++runs;
      }
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(runs, static_cast<int64_t>(scenarios::BuiltinScenarioNames().size()) * 100);
}

}  // namespace
}  // namespace ckptsim::testing
