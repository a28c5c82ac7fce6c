// Every property, not only the first (issue 13): with --all-violations a run
// goes on past its first violation to the end, so a second, different
// consequence is reported too; the first violation is the same one a
// stopping run reports, and the longer trace replays bit for bit.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.h"
#include "harness.h"
#include "shell.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

// sink-v2 with the pre-FLINK-37605 end-of-input sentinel: the committer
// commits end-of-input committables early, so a completed checkpoint no longer
// matches the records ahead of its barriers (P7, mid-run) and, in some seeds,
// a failure later commits them twice (P1), which a stopping run never sees.
simulator::RunConfig SinkV2WithSentinel() {
  simulator::RunConfig config = LoadOrDie("sink-v2");
  config.protocol.sink_v2_end_of_input_sentinel = true;
  return config;
}

TEST(AllViolations, ASecondPropertyIsReportedOnlyWhenTheRunGoesOn) {
  const simulator::RunConfig config = SinkV2WithSentinel();
  int seeds_with_more = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const simulator::RunResult first = simulator::Run(config, seed, {.stop_at_first_violation = true});
    if (first.violations.empty()) continue;
    const simulator::RunResult all = simulator::Run(config, seed, {.stop_at_first_violation = false});
    ASSERT_GE(all.violations.size(), first.violations.size()) << "seed " << seed;
    EXPECT_TRUE(all.all_violations);
    EXPECT_FALSE(first.all_violations);
    // The stopping run's violation is among those of the full run, at its step.
    bool found = false;
    for (const properties::Violation& v : all.violations) {
      if (v.property == first.violations[0].property) {
        EXPECT_EQ(v.step, first.violations[0].step) << "seed " << seed;
        found = true;
      }
    }
    EXPECT_TRUE(found) << "seed " << seed;
    if (all.violations.size() == first.violations.size()) continue;
    ++seeds_with_more;
    EXPECT_GT(all.steps, first.steps) << "seed " << seed;
    // The longer run's decision log replays to the same hash and verdicts.
    const simulator::RunResult replayed =
        simulator::Run(config, seed, {.stop_at_first_violation = false, .replay = &all.decisions});
    EXPECT_EQ(replayed.trace_hash, all.trace_hash) << "seed " << seed;
    EXPECT_EQ(replayed.violations.size(), all.violations.size()) << "seed " << seed;
  }
  EXPECT_GT(seeds_with_more, 0);
}

TEST(AllViolations, SweepCountsEveryPropertyAndRunRepeatsIt) {
  ScratchDir dir("all_violations", "sweep");
  const std::string scenario = (dir.path() / "sentinel.yaml").string();
  {
    std::ofstream out(scenario);
    out << ReadAll(std::filesystem::path(CKPTSIM_SOURCE_DIR) / "scenarios/library/sink-v2.yaml")
        << "\nprotocol: {sink_v2_end_of_input_sentinel: true}\n";
  }
  const std::string sweep = "sweep " + scenario + " --seeds 200 --jobs 2 --json";
  const ShellOutcome stopping = RunCkptsim(sweep + " 2>/dev/null");
  const ShellOutcome going_on = RunCkptsim(sweep + " --all-violations 2>/dev/null");
  ASSERT_EQ(stopping.exit_code, 1) << stopping.out;
  ASSERT_EQ(going_on.exit_code, 1) << going_on.out;
  const auto count = [](const std::string& json, const std::string& code) {
    return nlohmann::json::parse(json)["violations_by_property"].value(code, 0);
  };
  EXPECT_GT(count(going_on.out, "P1"), count(stopping.out, "P1"));
  EXPECT_EQ(count(going_on.out, "P7"), count(stopping.out, "P7"));
  // A failing run's replay command carries the flag, so it repeats the run.
  const ShellOutcome text = RunCkptsim("sweep " + scenario + " --seeds 5 --all-violations 2>&1");
  EXPECT_NE(text.out.find("--all-violations"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace ckptsim::testing
