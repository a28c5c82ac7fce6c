// Every trace the tool writes replays bit for bit (docs/design.md, determinism):
// a decision log re-applied with the trace's configuration gives the same
// trace hash, for every built-in scenario, plain and swarm.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "harness.h"
#include "scenarios/loader.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"
#include "properties/property.h"
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

namespace ckptsim::testing {
namespace {

// Feeds every step of a run to the properties without caches: from the state
// and the history alone, as the exhaustive checker evaluates them.
class UncachedProperties final : public simulator::RunObserver {
 public:
  explicit UncachedProperties(const model::System& initial) : history_(properties::InitialHistory(initial)) {}
  void OnStep(const model::System& system, int64_t step, int64_t, const model::Action&,
              std::span<const model::Event> events) override {
    properties::CheckStep(system, events, step, history_, verdicts_);
    last_ = &system;
  }
  std::vector<properties::Violation> Finish(const model::System& system, const properties::RunEnd& end) {
    properties::CheckEnd(system, end, history_, verdicts_);
    return verdicts_.All();
  }

 private:
  properties::History history_;
  properties::Verdicts verdicts_;
  const model::System* last_ = nullptr;
};

// The simulator's cached checks (P1's index, P7's settled prefix) and the
// checker's checks from the state alone give the same verdicts, over every
// built-in, both variants, plain and swarm.
TEST(Properties, CachedAndUncachedChecksAgree) {
  int64_t compared = 0;
  int64_t violated = 0;
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      for (bool swarm : {false, true}) {
        for (uint64_t seed = 1; seed <= 8; ++seed) {
          simulator::RunConfig config = LoadOrDie(name);
          config.protocol.variant = variant;
          if (swarm) config = simulator::DrawSwarm(config, seed);
          // The final state, rebuilt by replaying the run's decisions.
          const simulator::RunResult run = simulator::Run(config, seed, {.stop_at_first_violation = false});
          model::System system = simulator::InitialSystemOf(config);
          UncachedProperties uncached(system);
          std::vector<model::Event> events;
          for (size_t step = 0; step < run.decisions.size(); ++step) {
            events.clear();
            model::Apply(system, run.decisions[step], events);
            uncached.OnStep(system, static_cast<int64_t>(step), 0, run.decisions[step], events);
          }
          std::vector<properties::Violation> mine =
              uncached.Finish(system, properties::RunEnd{.job_finished = system.job_finished,
                                                         .stopped_with_drain = system.stopped_with_drain,
                                                         .stopped_without_drain = system.stopped_without_drain,
                                                         .step = run.steps});
          std::vector<properties::Violation> theirs;
          for (const properties::Violation& v : run.violations) {
            if (v.property != properties::PropertyId::kTermination &&
                v.property != properties::PropertyId::kCheckpointProgress) {
              theirs.push_back(v);
            }
          }
          ASSERT_EQ(mine.size(), theirs.size()) << name << " " << model::Name(variant) << " seed " << seed
                                                << (swarm ? " swarm" : "") << ": "
                                                << (mine.empty() ? theirs.front().summary : mine.front().summary);
          for (size_t i = 0; i < mine.size(); ++i) {
            EXPECT_EQ(mine[i].property, theirs[i].property);
            EXPECT_EQ(mine[i].step, theirs[i].step) << name << " seed " << seed;
            EXPECT_EQ(mine[i].summary, theirs[i].summary) << name << " seed " << seed;
          }
          ++compared;
          violated += !mine.empty();
        }
      }
    }
  }
  EXPECT_GT(violated, 20);  // the legacy variant fails properties: both ways must agree on those too
  EXPECT_EQ(compared, static_cast<int64_t>(scenarios::BuiltinScenarioNames().size()) * 32);
}

}  // namespace
}  // namespace ckptsim::testing
