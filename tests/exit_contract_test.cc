// The exit-code contract of every subcommand (DESIGN.md, issue 12): 0 only
// when every property held, 1 for a violation or a diverged replay, 2 for bad
// input with one line naming it, 3 for an internal error.
#include <algorithm>
#include <filesystem>
#include <string>

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

}  // namespace
