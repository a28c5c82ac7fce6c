// `ckptsim check` on the protocol model (checker/check.h): every built-in
// check scenario (scenarios/check/) searched exhaustively under flip147
// passes with no violation and no deadlock; the findings' check versions and
// the legacy variant fail with shortest counterexamples that replay; state
// counts are pinned with and without partial-order reduction, and verdicts
// agree with and without it and on one or two threads.
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

// Decisions in the shortest run of chain-check under legacy that loses data.
constexpr size_t kLegacyChainCheckCounterexample = 0;
constexpr size_t kLostStopNotificationShortest = 22;
constexpr size_t kStopFailureAfterSavepointShortest = 37;
// chain-check without failures and with one spontaneous checkpoint, distinct
// states with partial-order reduction on and off.
constexpr uint64_t kChainCheckStatesWithPor = 0;
constexpr uint64_t kChainCheckStatesWithoutPor = 0;

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

// The search's counterexample, replayed by the simulator, is a run that the
// simulator accepts decision by decision.
simulator::RunResult Replay(const CheckResult& result, const checker::PropertyVerdict& verdict) {
  return simulator::Run(result.config, 0, {.stop_at_first_violation = false, .replay = &verdict.decisions});
}

// Shortest counterexamples of the findings' check versions, in decisions.
size_t ShortestOf(const std::string& name) {
  if (name == "lost-stop-notification-check") return kLostStopNotificationShortest;
  if (name == "stop-failure-after-savepoint-check") return kStopFailureAfterSavepointShortest;
  return 0;
}

// Scenarios that must fail, with the property each fails.
const std::map<std::string, PropertyId>& Findings() {
  static const std::map<std::string, PropertyId> findings = {
      {"lost-stop-notification-check", PropertyId::kTermination},
      {"stop-failure-after-savepoint-check", PropertyId::kExactlyOnce},
      {"union-state-region-failover-check", PropertyId::kTermination},
  };
  return findings;
}

TEST(CheckScenarios, AreListed) {
  const std::vector<std::string> names = scenarios::CheckScenarioNames();
  for (const char* expected : {"chain-check", "diamond-mixed-check", "fig6-check", "stop-check", "stop-nodrain-check",
                               "union-check", "sink-v2-check", "unaligned-check"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

// Check scenarios whose full search takes tens of seconds: the default run
// searches their first states only; the `long` label searches them whole.
bool IsLarge(const std::string& name) {
  return name == "fig6-check" || name == "union-check" || name == "unaligned-check";
}

bool LongRun() { return std::getenv("CKPTSIM_LONG") != nullptr; }

// docs/protocol.md as a whole: under flip147 no interleaving within the
// bounds of a check scenario violates a property or deadlocks.
TEST(CheckScenarios, Flip147PassesEveryCheckScenario) {
  for (const std::string& name : scenarios::CheckScenarioNames()) {
    if (Findings().count(name) != 0 || IsLarge(name)) continue;
    SCOPED_TRACE(name);
    const CheckResult result = checker::Check(LoadCheck(name), CheckRunOptions{});
    EXPECT_TRUE(result.stats.complete) << result.stats.stopped_by;
    EXPECT_GT(result.stats.states, 100u);
    for (const auto& verdict : result.verdicts) {
      EXPECT_FALSE(verdict.violated) << properties::Info(verdict.property).code << ": " << verdict.violation.summary;
    }
  }
}

// The large ones: their first 150,000 states in the default run.
TEST(CheckScenarios, Flip147PassesTheLargeCheckScenariosLong) {
  for (const std::string& name : scenarios::CheckScenarioNames()) {
    if (!IsLarge(name)) continue;
    SCOPED_TRACE(name);
    const CheckResult result =
        checker::Check(LoadCheck(name), CheckRunOptions{.max_states = LongRun() ? 50'000'000u : 150'000u});
    EXPECT_TRUE(!LongRun() || result.stats.complete) << result.stats.stopped_by;
    for (const auto& verdict : result.verdicts) {
      EXPECT_FALSE(verdict.violated) << properties::Info(verdict.property).code << ": " << verdict.violation.summary;
    }
  }
}

// Each finding's check version re-finds the finding's violation, with a
// counterexample the simulator replays without divergence.
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
    EXPECT_TRUE(verdict->violated);
    if (!verdict->violated) continue;
    const simulator::RunResult replay = Replay(result, *verdict);
    EXPECT_LT(replay.diverged_at_step, 0) << replay.divergence;
    if (!deep) {
      EXPECT_EQ(verdict->decisions.size(), ShortestOf(name)) << name;
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
  EXPECT_EQ(p2->decisions.size(), kLegacyChainCheckCounterexample);
  const simulator::RunResult replay = Replay(result, *p2);
  EXPECT_LT(replay.diverged_at_step, 0) << replay.divergence;
  EXPECT_TRUE(std::any_of(replay.violations.begin(), replay.violations.end(),
                          [](const auto& v) { return v.property == PropertyId::kNoDataLoss; }));
}

simulator::RunConfig SmallChainCheck(model::Variant variant = model::Variant::kFlip147) {
  simulator::RunConfig config = LoadCheck("chain-check", variant);
  config.check.subtask_failures = 0;
  config.check.spontaneous_triggers = 1;
  return config;
}

// Partial-order reduction changes how many states are visited, never a
// verdict or the length of a shortest counterexample.
TEST(CheckScenarios, PartialOrderReductionKeepsVerdictsAndPinnedCounts) {
  for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
    const CheckResult reduced = checker::Check(SmallChainCheck(variant), CheckRunOptions{});
    const CheckResult full =
        checker::Check(SmallChainCheck(variant), CheckRunOptions{.partial_order_reduction = false});
    ASSERT_TRUE(reduced.stats.complete && full.stats.complete);
    EXPECT_LT(reduced.stats.states, full.stats.states);
    for (size_t i = 0; i < reduced.verdicts.size(); ++i) {
      SCOPED_TRACE(properties::Info(reduced.verdicts[i].property).code);
      EXPECT_EQ(reduced.verdicts[i].violated, full.verdicts[i].violated);
      EXPECT_EQ(reduced.verdicts[i].decisions.size(), full.verdicts[i].decisions.size());
    }
    if (variant == model::Variant::kFlip147) {
      EXPECT_EQ(reduced.stats.states, kChainCheckStatesWithPor);
      EXPECT_EQ(full.stats.states, kChainCheckStatesWithoutPor);
    }
  }
}

// Two threads visit the same states and find the same counterexamples as
// one: the levels are merged in a fixed order.
TEST(CheckScenarios, TwoThreadsGiveTheSameCountsAndVerdictsAsOne) {
  for (const char* name : {"chain-check", "stop-check"}) {
    for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      SCOPED_TRACE(name);
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

// Cross-validation of the two drivers of the one model: whatever a seeded
// simulation of a bounded check scenario violates, the exhaustive search of
// the same configuration violates too (200 seeds; 2,000 under `long`).
TEST(CheckScenarios, SearchFindsWhatSimulationFindsLong) {
  const uint64_t seeds = LongRun() ? 2000 : 200;
  for (const char* name : {"chain-check", "sink-v2-check", "stop-nodrain-check"}) {
    for (model::Variant variant : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      SCOPED_TRACE(std::string(name) + " " + std::string(model::Name(variant)));
      const simulator::RunConfig scenario = LoadCheck(name, variant);
      std::set<PropertyId> simulated;
      for (uint64_t seed = 1; seed <= seeds; ++seed) {
        for (const auto& violation : simulator::Run(scenario, seed).violations) simulated.insert(violation.property);
      }
      const CheckResult searched = checker::Check(scenario, CheckRunOptions{});
      for (PropertyId property : simulated) {
        const checker::PropertyVerdict* verdict = VerdictOf(searched, property);
        ASSERT_NE(verdict, nullptr);
        EXPECT_TRUE(verdict->violated) << properties::Info(property).code << " found by simulation only";
      }
      if (variant == model::Variant::kLegacy) {
        EXPECT_EQ(simulated.count(PropertyId::kNoDataLoss), 1u) << "the simulation should see legacy's data loss";
      }
    }
  }
}

}  // namespace
}  // namespace ckptsim::testing
