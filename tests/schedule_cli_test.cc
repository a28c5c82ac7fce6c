// The command line of issue 6: `run --schedule` (exit 0 / 1 / 2, what a
// failed expectation found, which actions were enabled instead), traces of
// scripted runs that replay, `schedule-from-trace`, `plan` (including its
// refusals) and `step` driven from a here-document.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "shell.h"
#include <nlohmann/json.hpp>

namespace {

using Outcome = ckptsim::testing::ShellOutcome;  // stdout and stderr together

// A group, so that a here-document in `command` still ends on its own line.
Outcome Sh(const std::string& command) { return ckptsim::testing::RunShell("{ " + command + "\n} 2>&1"); }

Outcome Cli(const std::string& arguments) { return Sh(std::string(CKPTSIM_BINARY) + " " + arguments); }

std::string Schedules() { return std::string(CKPTSIM_SOURCE_DIR) + "/tests/schedules"; }
std::string TwoSources() { return Schedules() + "/scenarios/two-sources.yaml"; }

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("ckptsim_schedule_test_" + std::to_string(::getpid()) + "_" + name);
}

std::filesystem::path Write(const std::string& name, const std::string& text) {
  const std::filesystem::path path = TempPath(name);
  std::ofstream(path) << text;
  return path;
}

// The hex hash after "trace hash: " or "trace hash " (the step command's last line).
std::string HashIn(const std::string& out) {
  for (const std::string marker : {"trace hash: ", "trace hash "}) {
    const size_t at = out.rfind(marker);
    if (at != std::string::npos) return out.substr(at + marker.size(), 16);
  }
  return "";
}

TEST(ScheduleCli, APassingScheduleExitsZeroAndItsTraceReplays) {
  const std::filesystem::path trace = TempPath("race.jsonl");
  const Outcome o =
      Cli("run --schedule " + Schedules() + "/trigger-reaches-finished-subtask.yaml --trace " + trace.string());
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.rfind("seed 1 scenario two-sources variant flip147 schedule ", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("checkpoint 2 aborted: TASK_CHECKPOINT_FAILURE"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("schedule: all 30 steps taken, 6 expectation(s) held"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("replay: ckptsim run --schedule "), std::string::npos) << o.out;
  const Outcome replay = Cli("replay " + trace.string());
  EXPECT_EQ(replay.exit_code, 0) << replay.out;
  EXPECT_NE(replay.out.find("MATCH"), std::string::npos) << replay.out;
  EXPECT_EQ(HashIn(replay.out), HashIn(o.out));
  std::filesystem::remove(trace);
}

TEST(ScheduleCli, AFailedExpectationExitsOneWithWhatWasExpectedAndFound) {
  const std::filesystem::path schedule = Write("wrong.yaml", "scenario: " + TwoSources() + R"(
steps:
  - start
  - step S1[0]
  - expect: S1[0] is FINISHED
  - trigger
)");
  const std::filesystem::path trace = TempPath("wrong.jsonl");
  const Outcome o = Cli("run --schedule " + schedule.string() + " --trace " + trace.string());
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find(schedule.string() + ":5: expectation not met\n"
                                           "  expected: S1[0] is FINISHED\n"
                                           "  found:    S1[0] is WAITING_FOR_FINAL_CHECKPOINT\n"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("trigger  "), std::string::npos) << "steps after a failed expectation do not run";
  // The run up to the failure is a trace like any other.
  EXPECT_EQ(Cli("replay " + trace.string()).exit_code, 0);
  std::filesystem::remove(schedule);
  std::filesystem::remove(trace);
}

TEST(ScheduleCli, AStepThatIsNotEnabledExitsTwoNamingItsLineAndTheEnabledActions) {
  const std::filesystem::path schedule = Write("disabled.yaml", R"(steps:
  - start
  - trigger
  - deliver S1[0]->J[0]
)");
  const std::filesystem::path trace = TempPath("disabled.jsonl");
  const Outcome o = Cli("run " + TwoSources() + " --schedule " + schedule.string() + " --trace " + trace.string());
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("ckptsim: error: " + schedule.string() +
                       ":4: step 'deliver S1[0]->J[0]' is not enabled after 13 steps: channel S1[0]->J[0] is empty\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  enabled now:\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("    rpc trigger 1 -> S1[0]"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("    step S1[0]"), std::string::npos) << o.out;
  EXPECT_FALSE(std::filesystem::exists(trace)) << "bad input writes nothing";
  std::filesystem::remove(schedule);
}

TEST(ScheduleCli, BadSchedulesExitTwoWithOneLineNamingFileAndLine) {
  const std::string bad = std::string(CKPTSIM_TEST_DATA_DIR) + "/bad_schedules/";
  const std::filesystem::path no_scenario = Write("no-scenario.yaml", "steps: [trigger]\n");
  const std::pair<std::string, std::string> cases[] = {
      {"run --schedule " + bad + "unknown_subtask.yaml", bad + "unknown_subtask.yaml:5: step 'step S3[0]': no vertex"},
      {"run --schedule " + bad + "unknown_phase.yaml", bad + "unknown_phase.yaml:5: expect 'S1[0] is FINSHED'"},
      {"run --schedule " + bad + "flow_list_with_subtask.yaml", "flow_list_with_subtask.yaml:5: invalid YAML"},
      {"run --schedule /no/such/schedule.yaml", "/no/such/schedule.yaml: no such schedule file"},
      {"run --schedule " + no_scenario.string(), "no scenario: give one on the command line"},
      {"run fig6 --schedule " + bad + "unknown_subtask.yaml", "no vertex 'S3'; vertices: A, B, C, D, E, F, G"},
      {"run " + TwoSources() + " --schedule " + no_scenario.string() + " --swarm", "--swarm cannot be combined"},
      {"run", "run: SCENARIO is required"},
      {"plan fig6 --finished 'X[0]'", "--finished 'X[0]': no vertex 'X'"},
      {"plan fig6 --finished 'A[2]'", "no subtask A[2]: vertex 'A' has parallelism 2"},
      {"plan fig6 --finished 'A[0],'", "--finished '': empty name"},
      {"schedule-from-trace /no/such/trace.jsonl", "/no/such/trace.jsonl"},
      {"step fig6 --variant nope", "unknown variant 'nope'"},
  };
  for (const auto& [arguments, expected] : cases) {
    const Outcome o = Cli(arguments);
    EXPECT_EQ(o.exit_code, 2) << arguments << "\n" << o.out;
    EXPECT_NE(o.out.find(expected), std::string::npos) << arguments << "\n" << o.out;
    EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << arguments << "\n" << o.out;
  }
  std::filesystem::remove(no_scenario);
}

TEST(ScheduleCli, AViolationTheScheduleDidNotExpectFailsTheRun) {
  // The legacy schedule expects P2 to be violated: it passes.
  const std::string legacy = Schedules() + "/legacy-no-checkpoint-after-a-task-finished.yaml";
  const Outcome expected = Cli("run --schedule " + legacy);
  EXPECT_EQ(expected.exit_code, 0) << expected.out;
  EXPECT_NE(expected.out.find("VIOLATED at step 38: job FINISHED but 3 of 3 expected records are not visible "
                              "(expected by the schedule)"),
            std::string::npos)
      << expected.out;
  // The same steps without that expectation: exit 1.
  const std::filesystem::path schedule = Write("legacy.yaml", "scenario: " + TwoSources() + R"(
variant: legacy
steps:
  - start
  - step S1[0]
  - step S1[0]
  - until: job is FINISHED
)");
  const Outcome unexpected = Cli("run --schedule " + schedule.string());
  EXPECT_EQ(unexpected.exit_code, 1) << unexpected.out;
  EXPECT_NE(unexpected.out.find("schedule: all 4 steps taken"), std::string::npos) << unexpected.out;
  // --variant on the command line wins over the file's: with FLIP-147, S1
  // waits for its final checkpoint instead of closing at once.
  const Outcome flip147 = Cli("run --schedule " + schedule.string() + " --variant flip147");
  EXPECT_EQ(flip147.exit_code, 2) << flip147.out;
  EXPECT_NE(flip147.out.find(":6: step 'step S1[0]' is not enabled after 13 steps: S1[0] waits for a final "
                             "checkpoint (none taken since its end of data)"),
            std::string::npos)
      << flip147.out;
  std::filesystem::remove(schedule);
}

TEST(ScheduleCli, ATracesDecisionLogBecomesAScheduleThatReplaysToItsHash) {
  const std::filesystem::path trace = TempPath("fig6.jsonl");
  const std::filesystem::path schedule = TempPath("fig6-schedule.yaml");
  const std::filesystem::path again = TempPath("fig6-again.jsonl");
  const Outcome run = Cli("run fig6 --seed 4 --trace " + trace.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const Outcome converted = Cli("schedule-from-trace " + trace.string() + " -o " + schedule.string());
  ASSERT_EQ(converted.exit_code, 0) << converted.out;
  std::ifstream in(schedule);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("scenario: fig6\n"), std::string::npos) << text.substr(0, 400);
  EXPECT_NE(text.find("seed: 4\n"), std::string::npos);
  EXPECT_NE(text.find("  - rpc report-running <- "), std::string::npos) << "RPCs by kind and subtask";
  const Outcome scripted = Cli("run --schedule " + schedule.string() + " --trace " + again.string());
  EXPECT_EQ(scripted.exit_code, 0) << scripted.out.substr(scripted.out.size() -
                                                          std::min<size_t>(2000, scripted.out.size()));
  EXPECT_EQ(HashIn(scripted.out), HashIn(run.out));
  // Cut: the first 100 decisions, and the run goes on from there.
  const Outcome cut = Cli("schedule-from-trace " + trace.string() + " --steps 100");
  EXPECT_EQ(cut.exit_code, 0);
  EXPECT_EQ(std::count(cut.out.begin(), cut.out.end(), '\n'), 5 + 100) << cut.out.substr(0, 500);
  for (const auto& p : {trace, schedule, again}) std::filesystem::remove(p);
}

TEST(ScheduleCli, PlanAnswersTheTriggerQuestion) {
  const std::string fan_out = Schedules() + "/scenarios/fan-out.yaml";
  const Outcome o = Cli("plan " + fan_out + " --finished 'S[0]'");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("  trigger   (2): S[1], F[0]\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  partly finished vertices: S\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("H[0]   not triggered: its hash (ALL_TO_ALL) input S has running subtasks S[1]"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("F[0]   triggered: every upstream subtask it reads from is finished"), std::string::npos);
  const Outcome json = Cli("plan " + fan_out + " --finished S --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const auto plan = nlohmann::json::parse(json.out);
  EXPECT_EQ(plan["refused"], false);
  EXPECT_EQ(plan["trigger"], (std::vector<std::string>{"H[0]", "H[1]", "F[0]", "F[1]"}));
  EXPECT_EQ(plan["fully_finished_vertices"], std::vector<std::string>{"S"});
  EXPECT_EQ(plan["wait_for"].size(), 8u);
  // Nothing finished: the sources.
  const Outcome none = Cli("plan fig6 --json");
  EXPECT_EQ(nlohmann::json::parse(none.out)["trigger"], (std::vector<std::string>{"A[0]", "A[1]", "C[0]"}));
}

TEST(ScheduleCli, PlanSaysWhyTheCoordinatorRefuses) {
  const Outcome legacy = Cli("plan fig6 --finished 'C[0]' --variant legacy");
  EXPECT_EQ(legacy.exit_code, 0) << legacy.out;
  EXPECT_NE(legacy.out.find("checkpoint: REFUSED (NOT_ALL_REQUIRED_TASKS_RUNNING): the legacy protocol"),
            std::string::npos)
      << legacy.out;
  const Outcome off = Cli("plan " + Schedules() + "/scenarios/no-checkpoints-after-finish.yaml --finished S1 --json");
  const auto refused = nlohmann::json::parse(off.out);
  EXPECT_EQ(refused["refused"], true);
  EXPECT_EQ(refused["abort_reason"], "NOT_ALL_REQUIRED_TASKS_RUNNING");
  EXPECT_NE(refused["reason"].get<std::string>().find("checkpoints-after-tasks-finish is off"), std::string::npos);
  EXPECT_TRUE(refused["trigger"].empty());
  const Outcome all = Cli("plan fig6 --finished A,B,C,D,E,F,G");
  EXPECT_NE(all.out.find("every subtask is finished"), std::string::npos) << all.out;
  // Union list state: created at trigger time, aborted at completion.
  const Outcome union_state = Cli("plan " + Schedules() + "/scenarios/union.yaml --finished 'S[0],U[0]' --json");
  const auto plan = nlohmann::json::parse(union_state.out);
  EXPECT_EQ(plan["refused"], false);
  EXPECT_EQ(plan["union_state_abort_at_completion"], std::vector<std::string>{"U"});
  // A state Flink never reaches is answered, with a note.
  const Outcome odd = Cli("plan fig6 --finished 'G[0]'");
  EXPECT_NE(odd.out.find("note: G[0] is finished while its upstream D[0] is running"), std::string::npos) << odd.out;
}

TEST(ScheduleCli, StepFromAHereDocumentReachesFinishedAndWritesAScheduleThatReplays) {
  const std::filesystem::path schedule = TempPath("stepped.yaml");
  const std::filesystem::path trace = TempPath("stepped.jsonl");
  const std::string session = std::string(CKPTSIM_BINARY) + " step " + Schedules() +
                              "/scenarios/source-sink.yaml --seed 2 <<'EOF'\n"
                              "start\n"
                              "1\n"
                              "c S[0]->K[0] holds [record S[0]#0]\n"
                              "r 3\n"
                              "u\n"
                              "trigger\n"
                              "until job is FINISHED\n"
                              "w " +
                              schedule.string() +
                              "\n"
                              "q\n"
                              "EOF";
  const Outcome o = Sh(session);
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("> 1\nstep S[0]\n"), std::string::npos) << "a transcript shows what was typed\n" << o.out;
  EXPECT_NE(o.out.find("holds: S[0]->K[0] holds [record S[0]#0]"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("undone: back at step"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("holds after"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("job FINISHED"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("wrote " + schedule.string()), std::string::npos) << o.out;
  // Deterministic: the same input gives the same transcript.
  EXPECT_EQ(Sh(session).out, o.out);
  // The written schedule replays to the session's trace hash.
  const Outcome replayed = Cli("run --schedule " + schedule.string() + " --trace " + trace.string());
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_FALSE(HashIn(o.out).empty());
  EXPECT_EQ(HashIn(replayed.out), HashIn(o.out)) << o.out << "\n" << replayed.out;
  EXPECT_NE(Cli("replay " + trace.string()).out.find("MATCH"), std::string::npos);
  for (const auto& p : {schedule, trace}) std::filesystem::remove(p);
}

TEST(ScheduleCli, AScriptedStepSessionStopsAtABadCommand) {
  const Outcome o = Sh(std::string(CKPTSIM_BINARY) + " step fig6 <<'EOF'\nstart\n99\nq\nEOF");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("ckptsim: error: stdin:2: pick an action from 1 to"), std::string::npos) << o.out;
  const Outcome typo = Sh(std::string(CKPTSIM_BINARY) + " step fig6 <<'EOF'\ndeliver A[0]->Q[0]\nEOF");
  EXPECT_EQ(typo.exit_code, 2) << typo.out;
  EXPECT_NE(typo.out.find("stdin:1: 'deliver A[0]->Q[0]': no vertex 'Q'"), std::string::npos) << typo.out;
}

}  // namespace
