// The bug zoo (issue 14): each zoo variant is the FLIP-147 flow with one real
// Flink bug put back (model/options.h, model/names.cc). For each, a pinned
// seed of a built-in scenario where a general property of docs/protocol.md
// section 10 catches it, the run's decision log replaying to the same
// violation, and flip147 holding on the same seed: so the catch is the bug's,
// not the scenario's. The seeds were found with `ckptsim sweep SCENARIO
// --seeds 200 --variant V [--swarm]` (the findability table of tests/README.md).
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "model/options.h"
#include "properties/property.h"
#include "shell.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"

namespace ckptsim::testing {
namespace {

using properties::PropertyId;

struct ZooCase {
  model::Variant variant;
  const char* scenario;
  uint64_t seed;
  bool swarm;
  PropertyId caught_by;  // the first property the pinned run violates
};

// One pinned catch per variant caught on the built-ins.
const ZooCase kCaught[] = {
    {model::Variant::kAbortIfAnyFinished, "fig6", 1, false, PropertyId::kNoDataLoss},
    {model::Variant::kCommitOnEndInput, "sink-v2", 1, false, PropertyId::kTransactionHygiene},
    {model::Variant::kSilentTriggerDrop, "upgrade-partly-finished", 18, false, PropertyId::kTermination},
    {model::Variant::kNoLatestCompletedOnAbort, "union-offsets", 3, false, PropertyId::kTermination},
    {model::Variant::kEndInputOnNoDrain, "upgrade-rescale", 1, false, PropertyId::kChannelDiscipline},
    {model::Variant::kNoEndInputOnDrain, "stop-drain", 1, false, PropertyId::kLifecycleOrder},
    {model::Variant::kBeginTransactionAfterFinish, "unaligned", 1, false, PropertyId::kTransactionHygiene},
    {model::Variant::kUnionStatePartialOk, "union-state-partial", 2, false, PropertyId::kRestoredState},
    {model::Variant::kWriterDefersEndOfInputCommittables, "sink-v2", 1, false, PropertyId::kNoDataLoss},
    {model::Variant::kConstantEndOfInputId, "sink-v2", 1, false, PropertyId::kConsistentCut},
    {model::Variant::kEndOfDataBeforeFinalCommittables, "sink-v2-global-committer", 1, false,
     PropertyId::kChannelDiscipline},
};

// Zoo variants no built-in scenario catches yet, and why: the findability
// table's open rows (tests/README.md). A variant is in exactly one list.
struct NotCaught {
  model::Variant variant;
  const char* why;
};
const std::vector<NotCaught> kNotCaught = {};

void PrintTo(const ZooCase& c, std::ostream* out) {
  *out << model::Name(c.variant) << " on " << c.scenario << " seed " << c.seed << (c.swarm ? " (swarm)" : "");
}

simulator::RunConfig ConfigOf(const ZooCase& c, model::Variant variant) {
  simulator::RunConfig config = LoadOrDie(c.scenario);
  config.protocol.variant = variant;
  return c.swarm ? simulator::DrawSwarm(config, c.seed) : config;
}

std::string CaseName(const ::testing::TestParamInfo<ZooCase>& info) {
  std::string name(model::Name(info.param.variant));
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return name;
}

class Zoo : public ::testing::TestWithParam<ZooCase> {};

TEST_P(Zoo, CaughtByAGeneralPropertyReplayedAndCleanUnderFlip147) {
  const ZooCase& c = GetParam();
  const simulator::RunConfig config = ConfigOf(c, c.variant);
  const simulator::RunResult run = simulator::Run(config, c.seed);
  ASSERT_FALSE(run.violations.empty()) << model::Name(c.variant) << " on " << c.scenario << " seed " << c.seed
                                       << " is no longer caught";
  const properties::Violation& first = run.violations.front();
  EXPECT_EQ(properties::Info(first.property).code, properties::Info(c.caught_by).code) << first.summary;

  const simulator::RunResult replay = simulator::Run(config, c.seed, {.replay = &run.decisions});
  ASSERT_EQ(replay.diverged_at_step, -1) << replay.divergence;
  EXPECT_EQ(replay.trace_hash, run.trace_hash);
  ASSERT_FALSE(replay.violations.empty());
  EXPECT_EQ(replay.violations.front().property, first.property);
  EXPECT_EQ(replay.violations.front().step, first.step);
  EXPECT_EQ(replay.violations.front().summary, first.summary);

  const simulator::RunResult flip147 = simulator::Run(ConfigOf(c, model::Variant::kFlip147), c.seed);
  EXPECT_TRUE(flip147.violations.empty()) << "flip147 fails the same seed: " << flip147.violations.front().summary;
}

INSTANTIATE_TEST_SUITE_P(Variants, Zoo, ::testing::ValuesIn(kCaught), CaseName);

// Every zoo variant names the Flink issue it reproduces, parses back from its
// name, is listed by `ckptsim list variants`, and has a row in one of the two
// tables above.
TEST(ZooVariants, EachNamesItsFlinkIssueAndHasAFindabilityRow) {
  const ShellOutcome listed = RunCkptsim("list variants");
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  std::set<model::Variant> rows;
  for (const ZooCase& c : kCaught) EXPECT_TRUE(rows.insert(c.variant).second) << model::Name(c.variant);
  for (const NotCaught& n : kNotCaught) {
    EXPECT_TRUE(rows.insert(n.variant).second) << model::Name(n.variant);
    EXPECT_FALSE(std::string_view(n.why).empty()) << model::Name(n.variant);
  }
  int zoo = 0;
  for (model::Variant v : model::kAllVariants) {
    const std::string name(model::Name(v));
    EXPECT_EQ(model::ParseVariant(name), v) << name;
    EXPECT_NE(listed.out.find(name + " "), std::string::npos) << name << " not listed";
    if (!model::IsZooVariant(v)) continue;
    ++zoo;
    EXPECT_TRUE(model::IsFlip147Flow(v)) << name;
    EXPECT_EQ(std::string_view(model::Description(v)).substr(0, 6), "FLINK-") << name;
    EXPECT_TRUE(rows.count(v)) << name << " has no row in kCaught or kNotCaught";
  }
  EXPECT_EQ(zoo, static_cast<int>(model::kAllVariants.size()) - 2);
  EXPECT_EQ(rows.size(), static_cast<size_t>(zoo));
}

}  // namespace
}  // namespace ckptsim::testing
