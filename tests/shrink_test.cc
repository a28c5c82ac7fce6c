// Shrinking failing runs (simulator/shrink.h): the result still fails the
// same property, replays exactly, and is much smaller.
#include <gtest/gtest.h>

#include "harness.h"
#include "simulator/runner.h"
#include "simulator/shrink.h"

namespace ckptsim::testing {
namespace {

using properties::PropertyId;

// Pinned: a shrunk legacy fig6 run must not grow past this many decisions.
constexpr size_t kFig6LegacyShrunkBound = 60;  // 58 when pinned (from 1787)

TEST(Shrink, ALegacyFig6RunShrinksBelowThePinnedBoundAndStillFailsP2) {
  simulator::RunConfig config = LoadOrDie("fig6");
  config.protocol.variant = model::Variant::kLegacy;
  const simulator::RunResult original = simulator::Run(config, 1);
  ASSERT_FALSE(original.violations.empty());
  ASSERT_EQ(original.violations[0].property, PropertyId::kNoDataLoss);
  const simulator::ShrinkResult shrunk =
      simulator::Shrink(config, 1, original.decisions, PropertyId::kNoDataLoss);
  EXPECT_LE(shrunk.decisions.size(), kFig6LegacyShrunkBound)
      << "from " << original.decisions.size() << " in " << shrunk.runs << " runs";
  // The shrunk log replays exactly and still fails P2.
  const simulator::RunResult replayed =
      simulator::Run(shrunk.config, shrunk.seed, {.replay = &shrunk.decisions});
  EXPECT_EQ(replayed.diverged_at_step, -1) << replayed.divergence;
  EXPECT_EQ(replayed.trace_hash, shrunk.result.trace_hash);
  ASSERT_FALSE(replayed.violations.empty());
  EXPECT_EQ(replayed.violations[0].property, PropertyId::kNoDataLoss);
  // The scenario shrank too: one record per source subtask, one subtask per vertex.
  for (const model::VertexSpec& vertex : shrunk.config.graph_spec.vertices) {
    EXPECT_EQ(vertex.parallelism, 1) << vertex.name;
    for (int64_t records : vertex.records_per_subtask) EXPECT_LE(records, 1) << vertex.name;
  }
}

// A job that resumes into a new version keeps its shape while shrinking (the
// new version is written against it), but its sources read fewer records in
// both versions alike: an upgrade-rescale failure of end-input-on-no-drain
// (FLINK-21132, caught by P5) shrinks to at most 100 decisions, and the shrunk log replays exactly.
TEST(Shrink, AnUpgradeShrinksItsRecordsInBothVersions) {
  simulator::RunConfig config = LoadOrDie("upgrade-rescale");
  config.protocol.variant = model::Variant::kEndInputOnNoDrain;
  const simulator::RunResult original = simulator::Run(config, 1);
  ASSERT_FALSE(original.violations.empty());
  ASSERT_EQ(original.violations[0].property, PropertyId::kChannelDiscipline);
  const simulator::ShrinkResult shrunk =
      simulator::Shrink(config, 1, original.decisions, PropertyId::kChannelDiscipline);
  EXPECT_LE(shrunk.decisions.size(), 100u) << "from " << original.decisions.size() << " in " << shrunk.runs << " runs";
  const simulator::RunResult replayed = simulator::Run(shrunk.config, shrunk.seed, {.replay = &shrunk.decisions});
  EXPECT_EQ(replayed.trace_hash, shrunk.result.trace_hash);
  ASSERT_NE(shrunk.config.stop.resume_into, nullptr);
  const auto& old_source = shrunk.config.graph_spec.vertices[0];
  const auto& new_source = shrunk.config.stop.resume_into_spec.vertices[0];
  EXPECT_EQ(old_source.name, new_source.name);
  EXPECT_EQ(old_source.records_per_subtask, new_source.records_per_subtask);
  EXPECT_LT(old_source.records_per_subtask[0], 150);
  EXPECT_EQ(shrunk.config.stop.resume_into->vertices()[0].records_per_subtask, old_source.records_per_subtask);
}

TEST(Shrink, FaultsThatDoNotMatterAreDropped) {
  // The legacy loss needs no fault: a run with faults shrinks to one without.
  simulator::RunConfig config = LoadOrDie("failover-after-finish");
  config.protocol.variant = model::Variant::kLegacy;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const simulator::RunResult original = simulator::Run(config, seed);
    if (original.violations.empty() || original.stats.subtask_failures == 0) continue;
    const PropertyId property = original.violations[0].property;
    const simulator::ShrinkResult shrunk = simulator::Shrink(config, seed, original.decisions, property);
    EXPECT_LT(shrunk.decisions.size(), original.decisions.size());
    for (const model::Action& action : shrunk.decisions) EXPECT_FALSE(model::IsFault(action.kind));
    return;
  }
  GTEST_SKIP() << "no legacy run with a failure in the first 10 seeds";
}

}  // namespace
}  // namespace ckptsim::testing
