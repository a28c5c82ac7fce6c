// Built-in scenarios with pinned outcomes (fixed seeds), and a fast sweep of
// every built-in scenario with no violation.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "harness.h"
#include "simulator/runner.h"
#include "simulator/sweep.h"

namespace ckptsim::testing {
namespace {

using model::EventKind;

// Collects every event of a run.
class Recorder final : public simulator::RunObserver {
 public:
  void OnStep(const model::System&, int64_t, int64_t, const model::Action&,
              std::span<const model::Event> events) override {
    events_.insert(events_.end(), events.begin(), events.end());
  }
  // Checkpoint id of the first event of `kind` for `subtask`, 0 if none.
  int64_t CheckpointOf(EventKind kind, int subtask) const {
    for (const auto& e : events_) {
      if (e.kind == kind && e.subtask == subtask) return e.checkpoint;
    }
    return 0;
  }
  const std::vector<model::Event>& events() const { return events_; }

 private:
  std::vector<model::Event> events_;
};

TEST(Fig6, FinishesWithEveryRecordCommittedOnceAndCAndDShareTheirFinalCheckpoint) {
  const simulator::RunConfig config = LoadOrDie("fig6");
  Recorder recorder;
  const simulator::RunResult result = simulator::Run(config, 1, {.observer = &recorder});
  ASSERT_TRUE(result.job_finished);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_EQ(result.stats.records_emitted, 420);
  EXPECT_EQ(result.stats.records_committed, 440);  // A's 400 at F; C's 20 at F (via E) and at G
  const model::JobGraph& graph = *config.graph;
  const int c = graph.SubtaskOf(*graph.FindVertex("C"), 0);
  const int d = graph.SubtaskOf(*graph.FindVertex("D"), 0);
  const int e0 = graph.SubtaskOf(*graph.FindVertex("E"), 0);
  const int64_t c_final = recorder.CheckpointOf(EventKind::kFinalCheckpointSet, c);
  ASSERT_GT(c_final, 0);
  EXPECT_EQ(recorder.CheckpointOf(EventKind::kFinalCheckpointSet, d), c_final);
  EXPECT_GT(recorder.CheckpointOf(EventKind::kFinalCheckpointSet, e0), c_final);
  EXPECT_EQ(recorder.CheckpointOf(EventKind::kFinalCheckpointDone, c),
            recorder.CheckpointOf(EventKind::kFinalCheckpointDone, d));
}

TEST(Cascade2pc, OneCheckpointFinishesEveryStage) {
  const simulator::RunConfig config = LoadOrDie("cascade-2pc");
  Recorder recorder;
  const simulator::RunResult result = simulator::Run(config, 1, {.observer = &recorder});
  ASSERT_TRUE(result.job_finished);
  EXPECT_TRUE(result.violations.empty());
  // The naive wait-per-task design would need one checkpoint per stage.
  EXPECT_EQ(result.stats.checkpoints_completed, 1);
  std::vector<int64_t> released;
  for (int s = 0; s < config.graph->subtask_count(); ++s) {
    released.push_back(recorder.CheckpointOf(EventKind::kFinalCheckpointDone, s));
  }
  EXPECT_TRUE(std::all_of(released.begin(), released.end(), [&](int64_t id) { return id == released.front() && id > 0; }));
}

TEST(MixedSources, CheckpointsKeepCompletingAfterTheBoundedSideFinished) {
  const simulator::RunConfig config = LoadOrDie("mixed-sources");
  Recorder recorder;
  const simulator::RunResult result = simulator::Run(config, 1, {.observer = &recorder});
  EXPECT_TRUE(result.violations.empty());
  EXPECT_FALSE(result.job_finished);  // the unbounded side never ends
  size_t finished = 0;
  size_t completed_after = 0;
  for (const auto& e : recorder.events()) {
    if (e.kind == EventKind::kSubtaskFinished) ++finished;
    if (e.kind == EventKind::kCheckpointCompleted && finished > 0) ++completed_after;
  }
  EXPECT_GT(finished, 0u);
  EXPECT_GE(completed_after, 3u);
}

TEST(LegacyVariant, LosesTheDataWrittenAfterTheLastCheckpoint) {
  for (const char* name : {"cascade-2pc", "fig6"}) {
    simulator::RunConfig config = LoadOrDie(name);
    config.protocol.variant = model::Variant::kLegacy;
    const simulator::RunResult result = simulator::Run(config, 1);
    ASSERT_EQ(result.violations.size(), 1u) << name;
    EXPECT_EQ(result.violations[0].property, properties::PropertyId::kNoDataLoss) << name;
    EXPECT_NE(result.violations[0].details.front().find("lost at sink"), std::string::npos);
  }
}

TEST(BuiltinScenarios, ThreeHundredSeedsEachWithoutViolation) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig config = LoadOrDie(name);
    int64_t failures = 0;
    simulator::RunSweep({config}, {.seeds = 300, .jobs = 2}, [&](const simulator::SweepItem& item) {
      const bool ok = item.result.violations.empty() && (!config.expect.terminates || item.result.job_finished);
      if (!ok && failures++ == 0) {
        ADD_FAILURE() << name << " seed " << item.seed << ": "
                      << (item.result.violations.empty() ? "did not finish" : item.result.violations[0].summary);
      }
    });
    EXPECT_EQ(failures, 0) << name;
  }
}

TEST(Determinism, SameSeedSameHashAndThreadCountDoesNotMatter) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig config = LoadOrDie(name);
    EXPECT_EQ(simulator::Run(config, 7).trace_hash, simulator::Run(config, 7).trace_hash) << name;
    std::map<uint64_t, uint64_t> one;
    std::map<uint64_t, uint64_t> two;
    simulator::RunSweep({config}, {.seeds = 40, .jobs = 1},
                        [&](const simulator::SweepItem& item) { one[item.seed] = item.result.trace_hash; });
    simulator::RunSweep({config}, {.seeds = 40, .jobs = 2},
                        [&](const simulator::SweepItem& item) { two[item.seed] = item.result.trace_hash; });
    EXPECT_EQ(one, two) << name;
  }
}

TEST(Determinism, ReplayingTheDecisionLogReproducesTheHash) {
  const simulator::RunConfig config = LoadOrDie("fig6");
  const simulator::RunResult original = simulator::Run(config, 3);
  const simulator::RunResult replayed = simulator::Run(config, 3, {.replay = &original.decisions});
  EXPECT_EQ(replayed.diverged_at_step, -1);
  EXPECT_EQ(replayed.trace_hash, original.trace_hash);
}

// A behaviour change anywhere in the model or scheduler shows up here first.
// If the change is intended, update the pinned value and say why in the commit.
TEST(Determinism, GoldenTraceHashOfCascade2pcSeed1) {
  const simulator::RunResult result = simulator::Run(LoadOrDie("cascade-2pc"), 1);
  EXPECT_EQ(simulator::HashToHex(result.trace_hash), "d2585e6b5f89690c");
}

}  // namespace
}  // namespace ckptsim::testing
