// `ckptsim check` as a user runs it (README "Model checking"): the summary
// and exit codes, the counterexample as an ordinary trace that `replay`
// reproduces and `render` draws, the `--bound` override, bad input.
#include <filesystem>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <unistd.h>

#include "shell.h"

namespace {

using Outcome = ckptsim::testing::ShellOutcome;  // stdout and stderr together

Outcome RunCli(const std::string& arguments) { return ckptsim::testing::RunCkptsim(arguments); }

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("ckptsim_check_cli_test_" + std::to_string(::getpid()) + "_" + name);
}

TEST(CheckCli, Flip147HoldsOnChainCheckWithItsStatistics) {
  const Outcome o = RunCli("check chain-check");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("128,518 distinct states"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("every reachable state explored"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("fingerprint collision probability"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("P2 no-data-loss         held"), std::string::npos) << o.out;
}

// The legacy counterexample is a trace like any other: replay reproduces
// its hash and its violation (exit 1), render draws it.
TEST(CheckCli, LegacyCounterexampleReplaysAndRenders) {
  const std::filesystem::path trace = TempPath("legacy.cex.jsonl");
  const Outcome check = RunCli("check chain-check --variant legacy -o " + trace.string());
  ASSERT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("P2 no-data-loss         VIOLATED (shortest: 26 decisions)"), std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("replay: ckptsim replay " + trace.string()), std::string::npos) << check.out;
  const Outcome replay = RunCli("replay " + trace.string());
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.out.find(" MATCH"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("P2 VIOLATED"), std::string::npos) << replay.out;
  const std::filesystem::path dot = TempPath("legacy.dot");
  const Outcome render = RunCli("render " + trace.string() + " --view spacetime -o " + dot.string());
  EXPECT_EQ(render.exit_code, 0) << render.out;
  EXPECT_GT(std::filesystem::file_size(dot), 100u);
  std::filesystem::remove(trace);
  std::filesystem::remove(dot);
}

TEST(CheckCli, BoundOverridesTheCheckSection) {
  const Outcome o = RunCli("check chain-check --bound records=1 --json");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.find("\"states\":128518"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"complete\":true"), std::string::npos) << o.out;
}

TEST(CheckCli, BadBoundsAndOptionsExitTwoWithOneLine) {
  for (const char* arguments : {"check chain-check --bound nosuch=1", "check chain-check --bound records=-1",
                                "check chain-check --bound records", "check chain-check --shard 3/2 --swarm 2",
                                "check no-such-scenario"}) {
    SCOPED_TRACE(arguments);
    const Outcome o = RunCli(arguments);
    EXPECT_EQ(o.exit_code, 2) << o.out;
    EXPECT_NE(o.out.find("error"), std::string::npos) << o.out;
  }
}

// Cross-validation of the drivers' lengths: a failing legacy simulation of
// chain-check, shrunk, is at most 1.5x the shortest run the search finds (26
// decisions; the shrinker may also halve the records, so it can be shorter).
TEST(CheckCli, AShrunkLegacySimulationIsAtMostOneAndAHalfTimesTheShortestRun) {
  const std::filesystem::path trace = TempPath("sim.jsonl");
  const std::filesystem::path shrunk = TempPath("shrunk.jsonl");
  ASSERT_EQ(RunCli("run chain-check --variant legacy --seed 1 --trace " + trace.string()).exit_code, 1);
  ASSERT_EQ(RunCli("shrink " + trace.string() + " -o " + shrunk.string()).exit_code, 1);  // still failing
  const Outcome replay = RunCli("replay " + shrunk.string());
  const size_t at = replay.out.find(" decisions, seed");
  ASSERT_NE(at, std::string::npos) << replay.out;
  const size_t open = replay.out.rfind('(', at);
  const int decisions = std::stoi(replay.out.substr(open + 1, at - open - 1));
  EXPECT_LE(decisions, 26 * 3 / 2) << replay.out;
  EXPECT_GT(decisions, 0);
  std::filesystem::remove(trace);
  std::filesystem::remove(shrunk);
}

// Issue 12: a search killed with SIGINT or SIGTERM stops cleanly with its
// partial statistics and exit 128 + the signal.
TEST(CheckCli, ASignalStopsTheSearchWithPartialStatistics) {
  for (const auto& [name, code] : {std::pair{"INT", 130}, std::pair{"TERM", 143}}) {
    SCOPED_TRACE(name);
    const Outcome o = ckptsim::testing::RunShell(std::string("(") + CKPTSIM_BINARY +
                                                 " check fig6-check 2>&1 & pid=$!; sleep 1; kill -" + name +
                                                 " $pid; wait $pid; echo exit=$?)");
    EXPECT_NE(o.out.find("exit=" + std::to_string(code)), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("stopped: interrupted"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("P2 no-data-loss         no violation found"), std::string::npos) << o.out;
  }
}

// A swarm split over three shards and merged is the swarm of one machine:
// the same states in all, the same verdicts, the same shortest length.
TEST(CheckCli, MergedSwarmShardsEqualOneMachinesSwarm) {
  const std::string whole = RunCli("check chain-check --variant legacy --swarm 6 --seed 3 --json -o " +
                                   TempPath("whole.cex.jsonl").string()).out;
  std::string files;
  for (int i = 0; i < 3; ++i) {
    const std::string json = TempPath("shard" + std::to_string(i) + ".json").string();
    const Outcome shard = RunCli("check chain-check --variant legacy --swarm 6 --seed 3 --shard " + std::to_string(i) +
                                 "/3 --json -o " + TempPath("shard.cex.jsonl").string() + " > " + json);
    EXPECT_EQ(shard.exit_code, 1) << shard.out;
    files += " " + json;
  }
  const Outcome merged = RunCli("merge --json" + files);
  EXPECT_EQ(merged.exit_code, 1) << merged.out;
  const auto number_after = [](const std::string& text, const std::string& key) {
    const size_t at = text.find("\"" + key + "\":");
    return at == std::string::npos ? std::string("?") : text.substr(at + key.size() + 3, text.find_first_of(",}", at) - at - key.size() - 3);
  };
  EXPECT_EQ(number_after(merged.out, "states_summed_over_shards"), number_after(whole, "states")) << merged.out << whole;
  EXPECT_EQ(number_after(merged.out, "length"), number_after(whole, "length")) << merged.out << whole;
  EXPECT_NE(merged.out.find("\"shards_missing\":0"), std::string::npos) << merged.out;
  const Outcome partial = RunCli("merge" + files.substr(0, files.rfind(' ')));
  EXPECT_EQ(partial.exit_code, 2) << partial.out;
  EXPECT_NE(partial.out.find("MISSING"), std::string::npos) << partial.out;
}

}  // namespace
