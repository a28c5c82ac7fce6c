// The command-line contract (docs/design.md): exit codes 0/1/2, one-line errors
// naming the problem, traces that replay to the same hash.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "shell.h"
#include "simulator/trace.h"

namespace {

using Outcome = ckptsim::testing::ShellOutcome;  // stdout and stderr together

Outcome RunCli(const std::string& arguments) { return ckptsim::testing::RunCkptsim(arguments); }

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("ckptsim_cli_test_" + std::to_string(::getpid()) + "_" + name);
}

TEST(Cli, RunFig6SeedOneHoldsEverythingAndPrintsTheSeedFirst) {
  const Outcome o = RunCli("run fig6 --seed 1");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.rfind("seed 1 ", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("job FINISHED"), std::string::npos);
  EXPECT_NE(o.out.find("replay: ckptsim run fig6 --seed 1"), std::string::npos);
}

TEST(Cli, LegacyCascadeExitsOneNamingP2) {
  const Outcome o = RunCli("run cascade-2pc --variant legacy --seed 1");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("P2 no-data-loss         VIOLATED"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("lost at sink"), std::string::npos);
  // P2 is checked at job end: the run did finish, it was not cut short.
  EXPECT_NE(o.out.find("result: job FINISHED"), std::string::npos) << o.out;
}

// Section 7, changed jobs: the report says which version ran at the end, or
// why Flink refused the new one (that is not a failure: exit 0).
TEST(Cli, RunSaysWhetherTheNewVersionWasDeployedOrRefused) {
  const Outcome deployed = RunCli("run upgrade-rescale --seed 7");
  EXPECT_EQ(deployed.exit_code, 0) << deployed.out;
  EXPECT_NE(deployed.out.find("new version: the savepoint was restored into the changed job (11 subtasks, was 6)"),
            std::string::npos)
      << deployed.out;
  const Outcome refused = RunCli("run upgrade-partly-finished --seed 80 --json");
  EXPECT_EQ(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.out.find("\"resume_refused\":\"cannot restore vertex 'Enrich': its operators have mixed "
                             "finished statuses"),
            std::string::npos)
      << refused.out;
}

TEST(Cli, JsonSummaryHasTheContractFields) {
  const Outcome o = RunCli("run wide --seed 3 --json");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  for (const char* field : {"\"scenario\"", "\"variant\"", "\"seed\"", "\"steps\"", "\"ticks\"", "\"trace_hash\"",
                            "\"properties\""}) {
    EXPECT_NE(o.out.find(field), std::string::npos) << field;
  }
}

TEST(Cli, BadInputExitsTwoWithOneLine) {
  const std::filesystem::path bad = TempPath("bad.yaml");
  std::ofstream(bad) << "name: x\nvertices:\n  - name: A\n    parallelism: zero\n";
  const std::pair<std::string, std::string> cases[] = {
      {"run no-such-scenario", "no-such-scenario"},
      {"run fig6 --variant nope", "unknown variant 'nope'"},
      {"run fig6 --bogus-flag", "--bogus-flag"},
      {"run " + bad.string(), bad.string() + ":4:"},
      {"run /no/such/file.yaml", "/no/such/file.yaml"},
      {"sweep fig6 --seeds 2 --shard 3/2", "--shard '3/2'"},
      {"sweep fig6 --seeds 2 --resume", "--resume needs --out"},
      {"sweep fig6 fig6 --seeds 2", "are both the scenario named 'fig6'"},
      {"merge /no/such/runs.jsonl", "/no/such/runs.jsonl: cannot read"},
      {"list nothing", "unknown list 'nothing'"},
      {"replay /no/such/trace.jsonl", "/no/such/trace.jsonl"},
      {"replay " + bad.string(), bad.string() + ":1:"},
      {"shrink /no/such/trace.jsonl -o /tmp/x.jsonl", "/no/such/trace.jsonl"},
      {"shrink " + bad.string() + " -o /tmp/x.jsonl --property P10", bad.string()},
  };
  for (const auto& [arguments, expected] : cases) {
    const Outcome o = RunCli(arguments);
    EXPECT_EQ(o.exit_code, 2) << arguments << "\n" << o.out;
    EXPECT_NE(o.out.find(expected), std::string::npos) << arguments << "\n" << o.out;
    EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << arguments << "\n" << o.out;
  }
  std::filesystem::remove(bad);
}

TEST(Cli, TraceReplaysToTheSameHashAndOldVersionsAreRefused) {
  const std::filesystem::path trace = TempPath("fig6.jsonl");
  ASSERT_EQ(RunCli("run fig6 --seed 5 --trace " + trace.string()).exit_code, 0);
  ASSERT_TRUE(std::filesystem::exists(trace));
  EXPECT_FALSE(std::filesystem::exists(trace.string() + ".tmp"));
  const Outcome replay = RunCli("replay " + trace.string());
  EXPECT_EQ(replay.exit_code, 0) << replay.out;
  EXPECT_NE(replay.out.find("MATCH"), std::string::npos);
  // Rewrite the header's version: the trace must be refused, not misread.
  std::ifstream in(trace);
  std::string header;
  std::getline(in, header);
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const std::string version = fmt::format("\"version\":{}", ckptsim::simulator::kTraceVersion);
  const size_t at = header.find(version);
  ASSERT_NE(at, std::string::npos);
  header.replace(at, version.size(), "\"version\":99");
  std::ofstream(trace) << header << "\n" << rest;
  const Outcome refused = RunCli("replay " + trace.string());
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("version 99 is not supported"), std::string::npos) << refused.out;
  std::filesystem::remove(trace);
}

TEST(Cli, SweepOutputIsTheSameOnOneAndTwoThreads) {
  const std::filesystem::path one = TempPath("one.jsonl");
  const std::filesystem::path two = TempPath("two.jsonl");
  ASSERT_EQ(RunCli("sweep fig6 wide --seeds 30 --jobs 1 --out " + one.string()).exit_code, 0);
  ASSERT_EQ(RunCli("sweep fig6 wide --seeds 30 --jobs 2 --out " + two.string()).exit_code, 0);
  std::ifstream a(one);
  std::ifstream b(two);
  const std::string text_a((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
  const std::string text_b((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
  EXPECT_EQ(std::count(text_a.begin(), text_a.end(), '\n'), 60);
  EXPECT_EQ(text_a, text_b);
  std::filesystem::remove(one);
  std::filesystem::remove(two);
}

TEST(Cli, LegacySweepFailsWithReplayCommands) {
  const Outcome o = RunCli("sweep cascade-2pc --seeds 5 --variant legacy");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("replay: ckptsim run cascade-2pc --seed 1 --variant legacy"), std::string::npos) << o.out;
}

}  // namespace

namespace {

// Issue 4: a shrunk trace is smaller, still fails the same property, and
// replays like any other; a trace that fails nothing is refused.
TEST(Cli, ShrinkWritesASmallerTraceThatReplaysAndStillFails) {
  const std::filesystem::path trace = TempPath("legacy.jsonl");
  const std::filesystem::path small = TempPath("legacy-small.jsonl");
  ASSERT_EQ(RunCli("run fig6 --variant legacy --seed 1 --trace " + trace.string()).exit_code, 1);
  const Outcome shrunk = RunCli("shrink " + trace.string() + " -o " + small.string());
  EXPECT_EQ(shrunk.exit_code, 1) << shrunk.out;
  EXPECT_NE(shrunk.out.find("P2 no-data-loss still fails"), std::string::npos) << shrunk.out;
  EXPECT_NE(shrunk.out.find("replay: ckptsim replay"), std::string::npos);
  const Outcome replay = RunCli("replay " + small.string());
  EXPECT_NE(replay.out.find("MATCH"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("P2 VIOLATED"), std::string::npos) << replay.out;
  EXPECT_LT(std::filesystem::file_size(small), std::filesystem::file_size(trace) / 10);
  const Outcome unknown = RunCli("shrink " + trace.string() + " -o " + small.string() + " --property P10");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("--property 'P10' is not a property"), std::string::npos) << unknown.out;
  const std::filesystem::path passing = TempPath("passing.jsonl");
  ASSERT_EQ(RunCli("run fig6 --seed 1 --trace " + passing.string()).exit_code, 0);
  const Outcome refused = RunCli("shrink " + passing.string() + " -o " + small.string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.out.find("nothing to shrink"), std::string::npos) << refused.out;
  for (const auto& p : {trace, small, passing}) std::filesystem::remove(p);
}

}  // namespace

namespace {

// Issue 3: restoring a savepoint into a changed job runs Flink's finished-state
// check; illegal changes are refused with the rule (exit 1), legal ones pass.
TEST(Cli, RestoreCheckAppliesFlinksRulesToAChangedJob) {
  const std::string dir = std::string(CKPTSIM_TEST_DATA_DIR) + "/restore/";
  const std::string old_job = "restore-check " + dir + "old.yaml --seed 1 --into " + dir;
  const Outcome same = RunCli(old_job + "same.yaml");
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_NE(same.out.find("ak-sink                  fully finished"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("legal"), std::string::npos);
  const Outcome chained = RunCli(old_job + "chained-into-finished.yaml");
  EXPECT_EQ(chained.exit_code, 1) << chained.out;
  EXPECT_NE(chained.out.find("refused: cannot restore vertex 'AK': its operators have mixed finished statuses"),
            std::string::npos)
      << chained.out;
  const Outcome inserted = RunCli(old_job + "vertex-before-finished.yaml");
  EXPECT_EQ(inserted.exit_code, 1) << inserted.out;
  EXPECT_NE(inserted.out.find("its predecessor 'X' is all running"), std::string::npos) << inserted.out;
  EXPECT_NE(same.out.find("\nnon-restored-state check passed\nfinished-state check passed\n"), std::string::npos)
      << same.out;
  const Outcome missing = RunCli(old_job + "no-such.yaml");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_EQ(std::count(missing.out.begin(), missing.out.end(), '\n'), 1) << missing.out;
}

}  // namespace

namespace {

// Issue 12: `restore-check fig6 --seed 1 --into wide` said "legal" although
// fig6's stateful operators are not in wide; Flink refuses that unless the
// user allows non-restored state.
TEST(Cli, RestoreCheckFig6IntoWideIsRefusedUnlessNonRestoredStateIsAllowed) {
  const Outcome refused = RunCli("restore-check fig6 --seed 1 --into wide");
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("refused: cannot restore "), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("is not in the new job"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("--allow-non-restored-state"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("\nfinished-state check passed\n"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.out.find("legal"), std::string::npos) << refused.out;
  const Outcome allowed = RunCli("restore-check fig6 --seed 1 --into wide --allow-non-restored-state");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
  EXPECT_NE(allowed.out.find("non-restored-state check passed: the state of "), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("\nfinished-state check passed\n"), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("legal: Flink accepts this restore"), std::string::npos) << allowed.out;
  const Outcome json = RunCli("restore-check fig6 --seed 1 --into wide --json");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  EXPECT_NE(json.out.find("\"legal\":false"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"finished_state_refusal\":\"\""), std::string::npos) << json.out;
}

}  // namespace
