// The exit-code contract of every subcommand (DESIGN.md, issue 12): 0 only
// when every property held, 1 for a violation or a diverged replay, 2 for bad
// input with one line naming it, 3 for an internal error.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "shell.h"

namespace {

using Outcome = ckptsim::testing::ShellOutcome;  // stdout and stderr together

Outcome RunCli(const std::string& arguments) { return ckptsim::testing::RunCkptsim(arguments); }

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("ckptsim_exit_contract_test_" + std::to_string(::getpid()) + "_" + name);
}

// Issue 12: replay printed "P2 VIOLATED" and MATCH, and exited 0.
TEST(ExitContract, ReplayOfAViolatingTraceExitsOne) {
  const std::filesystem::path trace = TempPath("legacy.jsonl");
  ASSERT_EQ(RunCli("run cascade-2pc --variant legacy --seed 1 --trace " + trace.string()).exit_code, 1);
  const Outcome replay = RunCli("replay " + trace.string());
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.out.find(" MATCH\n"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("P2 VIOLATED"), std::string::npos) << replay.out;
  const Outcome json = RunCli("replay --json " + trace.string());
  EXPECT_EQ(json.exit_code, 1) << json.out;
  EXPECT_NE(json.out.find("\"replay_matches\":true"), std::string::npos) << json.out;
  std::filesystem::remove(trace);
}

TEST(ExitContract, ReplayHelpStatesTheExitCodes) {
  const Outcome help = RunCli("replay --help");
  EXPECT_EQ(help.exit_code, 0) << help.out;
  EXPECT_NE(help.out.find("Exit 0 when the hash matches and every property held"), std::string::npos) << help.out;
}

// Issue 12: `--seed -1` ran seed 2^64-1, `--jobs -1` was taken, and
// `--seeds 99999999999999999999` was clamped to 2^63-1 and then aborted.
// Every numeric option of every subcommand refuses a value out of its range,
// or one that is not a decimal whole number, with one line naming it.
TEST(ExitContract, NumericOptionsOutOfRangeExitTwoNamingTheOption) {
  struct Case {
    std::string command;  // with {} where the option and its value go
    std::string option;
    std::vector<std::string> bad_values;
  };
  const std::vector<std::string> common = {"-1", "99999999999999999999", "1x", "", "0x10", "+1"};
  const std::vector<Case> cases = {
      {"run fig6 {}", "--seed", common},
      {"sweep fig6 {}", "--seeds", {"0", "-5", "99999999999999999999", "ten"}},
      {"sweep fig6 --seeds 2 {}", "--first-seed", common},
      {"sweep fig6 --seeds 2 {}", "--jobs", {"-1", "1025", "99999999999999999999", "2.5"}},
      {"shrink t.jsonl -o s.jsonl {}", "--max-runs", {"0", "-1", "99999999999999999999"}},
      {"render t.jsonl --view jobgraph -o x.dot {}", "--step", common},
      {"render t.jsonl --view spacetime -o x.dot {}", "--from", common},
      {"render t.jsonl --view spacetime -o x.dot {}", "--to", common},
      {"render t.jsonl --view spacetime -o x.dot {}", "--max-nodes", common},
      {"timeline t.jsonl {}", "--from", common},
      {"timeline t.jsonl {}", "--to", common},
      {"report t.jsonl -o r.html {}", "--frames", {"1", "-1", "99999999999999999999"}},
      {"restore-check fig6 --into wide {}", "--seed", common},
      {"step fig6 {}", "--seed", common},
      {"schedule-from-trace t.jsonl {}", "--steps", common},
      {"zoo {}", "--seeds", {"0", "-5", "99999999999999999999", "ten"}},
      {"zoo {}", "--ranges", {"0", "-1", "99999999999999999999"}},
      {"zoo {}", "--jobs", {"-1", "1025", "2.5"}},
      {"zoo {}", "--max-states", {"-1", "99999999999999999999", "1x"}},
      {"zoo {}", "--shrink-runs", {"0", "-1", "99999999999999999999"}},
  };
  for (const Case& c : cases) {
    for (const std::string& value : c.bad_values) {
      std::string command = c.command;
      command.replace(command.find("{}"), 2, c.option + " '" + value + "'");
      const Outcome o = RunCli(command + " < /dev/null");
      EXPECT_EQ(o.exit_code, 2) << command << "\n" << o.out;
      EXPECT_EQ(o.out.rfind("ckptsim: error: " + c.option + ": ", 0), 0u) << command << "\n" << o.out;
      EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << command << "\n" << o.out;
    }
  }
}

// CLI11 alone read a leading zero as octal: `--seed 010` ran seed 8.
TEST(ExitContract, NumericOptionsAreDecimal) {
  const Outcome o = RunCli("run fig6 --seed 010");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.rfind("seed 10 ", 0), 0u) << o.out;
  const Outcome top = RunCli("run fig6 --seed 18446744073709551615");
  EXPECT_EQ(top.out.rfind("seed 18446744073709551615 ", 0), 0u) << top.out;
}

TEST(ExitContract, ASweepPastTheLastSeedIsRefused) {
  const Outcome o = RunCli("sweep fig6 --first-seed 18446744073709551615 --seeds 2");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("--first-seed 18446744073709551615 with --seeds 2"), std::string::npos) << o.out;
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
}

}  // namespace
