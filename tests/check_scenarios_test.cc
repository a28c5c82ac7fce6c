// `ckptsim check` on the protocol model (checker/check.h). Under flip147
// every built-in check scenario (scenarios/check/) passes, with no violation
// and no deadlock: the small ones searched whole here, the large ones by a
// swarm of randomized depth-first searches here and whole under the `long`
// label (CKPTSIM_LONG). The findings' check versions and the legacy variant
// fail with shortest counterexamples that the simulator replays. State
// counts are pinned, with and without partial-order reduction; one and two
// threads agree; what seeded simulation finds, the search finds too.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "checker/check.h"
#include "model/options.h"
#include "properties/property.h"
#include "scenarios/loader.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

using checker::CheckResult;
using checker::CheckRunOptions;
using properties::PropertyId;

// Decisions in the shortest runs that violate a property.
constexpr size_t kLegacyChainCheckShortest = 26;       // P2
constexpr size_t kLostStopNotificationShortest = 20;   // L1
// Distinct states of chain-check as shipped (no failure, no spontaneous
// checkpoint), without and with partial-order reduction.
constexpr uint64_t kChainCheckStates = 128'518;
constexpr uint64_t kChainCheckStatesWithPor = 1'321;

bool LongRun() { return std::getenv("CKPTSIM_LONG") != nullptr; }

simulator::RunConfig LoadCheck(const std::string& name, model::Variant variant = model::Variant::kFlip147) {
  auto loaded = scenarios::LoadScenario(name);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    return {};
  }
  simulator::RunConfig config = std::get<simulator::RunConfig>(std::move(loaded));
  config.protocol.variant = variant;
  return config;
}

const checker::PropertyVerdict* VerdictOf(const CheckResult& result, PropertyId id) {
  for (const auto& verdict : result.verdicts) {
    if (verdict.property == id) return &verdict;
  }
  return nullptr;
}

bool Violates(const CheckResult& result, PropertyId id) {
  const checker::PropertyVerdict* verdict = VerdictOf(result, id);
  return verdict != nullptr && verdict->violated;
}

void ExpectNoViolation(const CheckResult& result) {
  for (const auto& verdict : result.verdicts) {
    EXPECT_FALSE(verdict.violated) << properties::Info(verdict.property).code << ": " << verdict.violation.summary;
  }
}

// The search's counterexample, replayed by the simulator decision by decision.
simulator::RunResult Replay(const CheckResult& result, const checker::PropertyVerdict& verdict) {
  return simulator::Run(result.config, 0, {.stop_at_first_violation = false, .replay = &verdict.decisions});
}

// Check scenarios searched whole in the default run (a few seconds each).
const std::set<std::string>& Small() {
  static const std::set<std::string> small = {"chain-check", "sink-v2-check", "stop-check"};
  return small;
}

// Scenarios that must fail, with the property each fails.
const std::map<std::string, PropertyId>& Findings() {
  static const std::map<std::string, PropertyId> findings = {
      {"lost-stop-notification-check", PropertyId::kTermination},
      {"union-state-region-failover-check", PropertyId::kTermination},
  };
  return findings;
}

TEST(CheckScenarios, AreListedAndLoadByName) {
  const std::vector<std::string> names = scenarios::CheckScenarioNames();
  for (const char* expected : {"chain-check", "diamond-mixed-check", "fig6-check", "stop-check", "stop-nodrain-check",
                               "union-check", "sink-v2-check", "unaligned-check"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const auto& [name, property] : Findings()) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

// docs/protocol.md as a whole: under flip147 no interleaving within the
// bounds of a small check scenario violates a property or deadlocks.
TEST(CheckScenarios, Flip147PassesTheSmallCheckScenariosWhole) {
  for (const std::string& name : Small()) {
    SCOPED_TRACE(name);
    const CheckResult result = checker::Check(LoadCheck(name), CheckRunOptions{});
    EXPECT_TRUE(result.stats.complete) << result.stats.stopped_by;
    EXPECT_GT(result.stats.states, 10'000u);
    ExpectNoViolation(result);
  }
}

// The others have millions of states without a reduction: a swarm of
// randomized depth-first searches (every run followed to its end) in the
// default run, the whole breadth-first search under `long`.
TEST(CheckScenarios, Flip147PassesTheLargeCheckScenariosLong) {
  for (const std::string& name : scenarios::CheckScenarioNames()) {
    if (Small().count(name) != 0 || Findings().count(name) != 0) continue;
    SCOPED_TRACE(name);
    CheckRunOptions options{.mode = checker::SearchMode::kSwarm, .max_states = 60'000, .max_depth = 400};
    options.searches = 4;
    options.seed = 147;
    if (LongRun()) options = CheckRunOptions{.max_states = 40'000'000, .jobs = 2};
    const CheckResult result = checker::Check(LoadCheck(name), options);
    EXPECT_GT(result.stats.states, 1'000u);
    ExpectNoViolation(result);
    if (LongRun()) {
      std::printf("%s: %llu states, %s\n", name.c_str(), static_cast<unsigned long long>(result.stats.states),
                  result.stats.complete ? "complete" : result.stats.stopped_by.c_str());
    }
  }
}

// Each finding's check version re-finds the finding's violation, with a
// shortest counterexample the simulator replays without divergence.
TEST(CheckScenarios, FindingsFailWithShortestCounterexamples) {
  for (const auto& [name, property] : Findings()) {
    SCOPED_TRACE(name);
    // union-state-region-failover-check's violation lies deeper than a
    // breadth-first search reaches in a test's time: depth-first finds it.
    const bool deep = name == "union-state-region-failover-check";
    const CheckResult result = checker::Check(
        LoadCheck(name), CheckRunOptions{.mode = deep ? checker::SearchMode::kDfs : checker::SearchMode::kBfs,
                                         .max_depth = deep ? 150 : -1,
                                         .stop_at_first = true});
    const checker::PropertyVerdict* verdict = VerdictOf(result, property);
    ASSERT_NE(verdict, nullptr);
    ASSERT_TRUE(verdict->violated);
    const simulator::RunResult replay = Replay(result, *verdict);
    EXPECT_LT(replay.diverged_at_step, 0) << replay.divergence;
    if (name == "lost-stop-notification-check") {
      EXPECT_EQ(verdict->decisions.size(), kLostStopNotificationShortest);
    }
  }
}

// The legacy flow aborts the sink's last transaction at close(): P2 fails,
// and the shortest run that shows it is pinned.
TEST(CheckScenarios, LegacyChainCheckFailsP2WithAPinnedShortestCounterexample) {
  const CheckResult result = checker::Check(LoadCheck("chain-check", model::Variant::kLegacy), CheckRunOptions{});
  const checker::PropertyVerdict* p2 = VerdictOf(result, PropertyId::kNoDataLoss);
  ASSERT_NE(p2, nullptr);
  ASSERT_TRUE(p2->violated);
  EXPECT_EQ(p2->decisions.size(), kLegacyChainCheckShortest);
  const simulator::RunResult replay = Replay(result, *p2);
  EXPECT_LT(replay.diverged_at_step, 0) << replay.divergence;
  EXPECT_TRUE(std::any_of(replay.violations.begin(), replay.violations.end(),
                          [](const auto& v) { return v.property == PropertyId::kNoDataLoss; }));
}

// Partial-order reduction (checker/ample.h) is off unless asked for, because
// it misses interleavings: under legacy, with one spontaneous checkpoint,
// the sink may close before that checkpoint's notify-complete reaches it and
// leave a pre-committed transaction behind (P4); the reduced search does not
// see that run. When the reduction is made sound this test must change.
TEST(CheckScenarios, PartialOrderReductionIsOffBecauseItMissesALegacyP4Run) {
  EXPECT_FALSE(CheckRunOptions{}.partial_order_reduction);
  simulator::RunConfig legacy = LoadCheck("chain-check", model::Variant::kLegacy);
  legacy.check.spontaneous_triggers = 1;
  const CheckResult full = checker::Check(legacy, CheckRunOptions{});
  const CheckResult reduced = checker::Check(legacy, CheckRunOptions{.partial_order_reduction = true});
  EXPECT_TRUE(Violates(full, PropertyId::kTransactionHygiene));
  EXPECT_FALSE(Violates(reduced, PropertyId::kTransactionHygiene));
  EXPECT_TRUE(Violates(full, PropertyId::kNoDataLoss) && Violates(reduced, PropertyId::kNoDataLoss));

  const CheckResult shipped = checker::Check(LoadCheck("chain-check"), CheckRunOptions{});
  const CheckResult shipped_reduced =
      checker::Check(LoadCheck("chain-check"), CheckRunOptions{.partial_order_reduction = true});
  EXPECT_EQ(shipped.stats.states, kChainCheckStates);
  EXPECT_EQ(shipped_reduced.stats.states, kChainCheckStatesWithPor);
}

// Two threads visit the same states and find the same counterexamples as
// one: the levels are merged in a fixed order.
TEST(CheckScenarios, TwoThreadsGiveTheSameCountsAndVerdictsAsOne) {
  for (const char* name : {"chain-check", "sink-v2-check"}) {
    for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      SCOPED_TRACE(std::string(name) + " " + std::string(model::Name(variant)));
      const CheckResult one = checker::Check(LoadCheck(name, variant), CheckRunOptions{.jobs = 1});
      const CheckResult two = checker::Check(LoadCheck(name, variant), CheckRunOptions{.jobs = 2});
      EXPECT_EQ(one.stats.states, two.stats.states);
      EXPECT_EQ(one.stats.transitions, two.stats.transitions);
      ASSERT_EQ(one.verdicts.size(), two.verdicts.size());
      for (size_t i = 0; i < one.verdicts.size(); ++i) {
        EXPECT_EQ(one.verdicts[i].violated, two.verdicts[i].violated);
        EXPECT_EQ(one.verdicts[i].decisions, two.verdicts[i].decisions);
      }
    }
  }
}

// Cross-validation of the two drivers of the one model: whatever seeded
// simulation of a small check scenario violates, the exhaustive search of
// the same configuration violates too (200 seeds; 2,000 under `long`).
TEST(CheckScenarios, SearchFindsWhatSimulationFindsLong) {
  const uint64_t seeds = LongRun() ? 2000 : 200;
  for (const std::string& name : Small()) {
    for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      SCOPED_TRACE(name + " " + std::string(model::Name(variant)));
      const simulator::RunConfig scenario = LoadCheck(name, variant);
      std::set<PropertyId> simulated;
      for (uint64_t seed = 1; seed <= seeds; ++seed) {
        for (const auto& violation : simulator::Run(scenario, seed).violations) simulated.insert(violation.property);
      }
      const CheckResult searched = checker::Check(scenario, CheckRunOptions{});
      for (PropertyId property : simulated) {
        EXPECT_TRUE(Violates(searched, property)) << properties::Info(property).code << " found by simulation only";
      }
      if (variant == model::Variant::kLegacy && name == "chain-check") {
        EXPECT_EQ(simulated.count(PropertyId::kNoDataLoss), 1u) << "the simulation should see legacy's data loss";
      }
    }
  }
}

}  // namespace
}  // namespace ckptsim::testing
