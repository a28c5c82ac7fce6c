// `ckptsim zoo` (issue 14, README "Variants"): every protocol variant through
// the default `sweep --swarm` and a bounded breadth-first `check`; a bug
// variant must be caught by the general properties and flip147 must stay
// clean. Here on a few scenarios and seeds, so the default suite stays fast;
// the whole zoo with its defaults under the `long` label (CKPTSIM_LONG).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "model/options.h"
#include "shell.h"

namespace ckptsim::testing {
namespace {

using Json = nlohmann::json;

// legacy on fig6 and cascade-2pc, and chain-check searched far enough for
// the legacy P2 counterexample (26 decisions, check_scenarios_test.cc).
constexpr const char* kSmallZoo =
    "zoo --seeds 6 --ranges 3 --jobs 2 --variant legacy --scenario fig6 --scenario cascade-2pc "
    "--check-scenario chain-check --max-states 20000";
constexpr size_t kLegacyChainCheckShortest = 26;

// Standard output alone (the timing lines go to standard error).
ShellOutcome RunZoo(const std::string& arguments) {
  return RunShell(std::string(CKPTSIM_BINARY) + " " + arguments + " 2>/dev/null");
}

const Json* VariantNamed(const Json& zoo, const std::string& name) {
  for (const Json& variant : zoo["variants"]) {
    if (variant["name"] == name) return &variant;
  }
  return nullptr;
}

// Every variant Name() knows is one AllVariants lists, so `list variants`,
// ParseVariant and `zoo` pick a new variant up without another list to edit.
TEST(ZooCommand, AllVariantsListsEveryVariantOnceFlip147First) {
  const auto all = model::AllVariants();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), model::Variant::kFlip147);
  std::set<model::Variant> listed(all.begin(), all.end());
  EXPECT_EQ(listed.size(), all.size());
  for (int value = 0; value < 256; ++value) {
    const auto variant = static_cast<model::Variant>(value);
    if (model::Name(variant) == "?") continue;
    EXPECT_TRUE(listed.contains(variant)) << model::Name(variant) << " is missing from model::AllVariants";
    EXPECT_EQ(model::ParseVariant(model::Name(variant)), variant);
  }
}

// The legacy flow aborts a 2PC sink's last transaction at close() (README
// "Variants"): the sweep and the search both see P2; flip147 holds on the
// same seeds and bounds. Exit 0: every bug variant run was caught.
TEST(ZooCommand, LegacyIsCaughtByP2AndFlip147IsClean) {
  const ShellOutcome o = RunZoo(kSmallZoo);
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("flip147: clean\n  sweep: 0 of 12 run(s) fail\n  check: no violation in 1 scenario(s)\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("legacy: caught by P2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("    chain-check P2 (26 decisions)\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("seeds to the first failure: median 1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("zoo: 1 of 1 variant(s) caught; flip147 clean\n"), std::string::npos) << o.out;
}

TEST(ZooCommand, JsonParsesWithTheContractFields) {
  const ShellOutcome o = RunZoo(std::string(kSmallZoo) + " --json");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  const Json zoo = Json::parse(o.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(zoo.is_object()) << o.out;
  EXPECT_EQ(zoo["flip147_clean"], true);
  ASSERT_EQ(zoo["variants"].size(), 2u);
  for (const Json& variant : zoo["variants"]) {
    for (const char* field : {"name", "caught", "properties", "scenarios", "seeds_to_first_failure_median",
                              "seeds_to_first_failure_max", "check_counterexample_length", "shrunk_length"}) {
      EXPECT_TRUE(variant.contains(field)) << field;
    }
  }
  const Json* flip147 = VariantNamed(zoo, "flip147");
  ASSERT_NE(flip147, nullptr);
  EXPECT_EQ((*flip147)["caught"], false);
  EXPECT_TRUE((*flip147)["properties"].empty());
  EXPECT_TRUE((*flip147)["seeds_to_first_failure_median"].is_null());
  EXPECT_TRUE((*flip147)["shrunk_length"].is_null());

  const Json* legacy = VariantNamed(zoo, "legacy");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ((*legacy)["caught"], true);
  const Json& properties = (*legacy)["properties"];
  EXPECT_NE(std::find(properties.begin(), properties.end(), "P2"), properties.end()) << properties;
  const Json& scenarios = (*legacy)["scenarios"];
  EXPECT_TRUE(std::is_sorted(scenarios.begin(), scenarios.end())) << scenarios;
  for (const char* name : {"cascade-2pc", "chain-check", "fig6"}) {
    EXPECT_NE(std::find(scenarios.begin(), scenarios.end(), name), scenarios.end()) << name << " in " << scenarios;
  }
  const int64_t median = (*legacy)["seeds_to_first_failure_median"];
  const int64_t max = (*legacy)["seeds_to_first_failure_max"];
  EXPECT_GE(median, 1);
  EXPECT_LE(median, max);
  EXPECT_LE(max, 2);  // ranges of 2 seeds, each with a failure
  EXPECT_EQ((*legacy)["check_counterexample_length"], kLegacyChainCheckShortest);
  // The shrunk run is shorter than the run the sweep made.
  const int64_t shrunk = (*legacy)["shrunk_length"];
  EXPECT_GT(shrunk, 0);
  EXPECT_LT(shrunk, (*legacy)["first_failure"]["decisions"].get<int64_t>());
}

// Results come back in (scenario, seed) order and the search merges its
// levels in a fixed order: the output does not depend on --jobs.
TEST(ZooCommand, OutputIsTheSameForOneAndTwoThreads) {
  const std::string arguments =
      "zoo --seeds 4 --variant legacy --scenario fig6 --check-scenario sink-v2-check --max-states 5000 --jobs ";
  const ShellOutcome one = RunZoo(arguments + "1");
  const ShellOutcome two = RunZoo(arguments + "2");
  EXPECT_EQ(one.exit_code, 0) << one.out;
  EXPECT_EQ(one.out, two.out);
}

// Exit 1 when flip147 fails: the check version of a finding (L1, 20
// decisions, README "What ckptsim finds") is one flip147 fails because Flink
// does, which is why the default check scenarios leave it out.
TEST(ZooCommand, ExitsOneWhenFlip147IsNotClean) {
  const ShellOutcome o = RunZoo(
      "zoo --seeds 2 --variant legacy --scenario fig6 --check-scenario lost-stop-notification-check --max-states 20000");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("flip147: NOT CLEAN: violates L1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("lost-stop-notification-check L1 (20 decisions)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("; flip147 NOT CLEAN\n"), std::string::npos) << o.out;
}

// Exit 1 when a bug variant is not caught: a job with nothing to lose (one
// source without data, no sink) cannot tell legacy from flip147.
TEST(ZooCommand, ExitsOneWhenAVariantIsNotCaught) {
  const std::filesystem::path bare = std::filesystem::temp_directory_path() /
                                     ("ckptsim_zoo_test_" + std::to_string(::getpid()) + "_bare.yaml");
  std::ofstream(bare) << "name: bare\ndescription: one bounded source without data and no sink\nvertices:\n"
                         "  - {name: S, parallelism: 1, records: 0, operators: [{name: s, kind: bounded_source}]}\n";
  const ShellOutcome o = RunZoo("zoo --seeds 3 --variant legacy --max-states 0 --scenario " + bare.string());
  std::filesystem::remove(bare);
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("legacy: NOT CAUGHT"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("zoo: 0 of 1 variant(s) caught (not caught: legacy); flip147 clean\n"), std::string::npos)
      << o.out;
}

TEST(ZooCommand, BadOptionsExitTwoWithOneLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"zoo --seeds 0", "--seeds"},
      {"zoo --seeds -3", "--seeds"},
      {"zoo --ranges 0", "--ranges"},
      {"zoo --jobs -1", "--jobs"},
      {"zoo --max-states 1x", "--max-states"},
      {"zoo --shrink-runs 0", "--shrink-runs"},
      {"zoo --variant nope", "--variant 'nope': unknown variant (flip147, legacy"},
      {"zoo --scenario no-such-scenario", "no-such-scenario"},
      {"zoo --check-scenario no-such-check", "no-such-check"},
      {"zoo --scenario fig6 --scenario fig6", "are both the scenario named 'fig6'"},
      {"zoo --bogus", "--bogus"},
  };
  for (const auto& [arguments, expected] : cases) {
    SCOPED_TRACE(arguments);
    const ShellOutcome o = RunCkptsim(arguments);
    EXPECT_EQ(o.exit_code, 2) << o.out;
    EXPECT_NE(o.out.find(expected), std::string::npos) << o.out;
    EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
  }
}

// The whole zoo with its defaults (ctest -L long): every variant caught,
// flip147 clean, on 200 seeds of every built-in scenario.
TEST(ZooCommand, EveryVariantIsCaughtAndFlip147IsCleanLong) {
  if (std::getenv("CKPTSIM_LONG") == nullptr) GTEST_SKIP() << "the whole zoo runs under ctest -L long";
  const ShellOutcome o = RunZoo("zoo --jobs 2 --json");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  const Json zoo = Json::parse(o.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(zoo.is_object()) << o.out;
  EXPECT_EQ(zoo["flip147_clean"], true);
  EXPECT_EQ(zoo["variants"].size(), model::AllVariants().size());
  for (const Json& variant : zoo["variants"]) {
    if (variant["name"] == "flip147") continue;
    EXPECT_EQ(variant["caught"], true) << variant["name"];
  }
}

}  // namespace
}  // namespace ckptsim::testing
