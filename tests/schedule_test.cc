// Schedules (issue 6): every schedule under tests/schedules/ runs and holds
// (each asks a question Flink's own tests ask, step by step); malformed
// schedules are refused at the line at fault (tests/data/bad_schedules/, one
// rule per file, "# <- error" on the line the error must name); conditions
// parse strictly and say what they found; and a scripted run is an ordinary
// run: its decisions replay to the same trace hash.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "scenarios/loader.h"
#include "schedules/condition.h"
#include "schedules/describe.h"
#include "schedules/executor.h"
#include "schedules/schedule.h"
#include "schedules/session.h"
#include "schedules/step.h"
#include "schedules/writer.h"
#include "simulator/runner.h"

namespace ckptsim::schedules {
namespace {

const std::filesystem::path kScheduleDir = std::filesystem::path(CKPTSIM_SOURCE_DIR) / "tests" / "schedules";
const std::filesystem::path kBadScheduleDir = std::filesystem::path(CKPTSIM_TEST_DATA_DIR) / "bad_schedules";

std::vector<std::string> YamlFiles(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path().stem().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

simulator::RunConfig LoadOrFail(const std::string& scenario, const std::string& variant = "") {
  auto loaded = scenarios::LoadScenario(scenario);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    return {};
  }
  simulator::RunConfig config = std::get<simulator::RunConfig>(std::move(loaded));
  if (!variant.empty()) config.protocol.variant = *model::ParseVariant(variant);
  return config;
}

struct Loaded {
  simulator::RunConfig config;
  ScheduleFile file;
  std::vector<ScheduleStep> steps;
  std::string error;  // the first problem, "file:line: message"
};

Loaded Load(const std::string& path) {
  Loaded loaded;
  auto read = ReadScheduleFile(path);
  if (auto* error = std::get_if<ScheduleError>(&read)) {
    loaded.error = error->ToString();
    return loaded;
  }
  loaded.file = std::get<ScheduleFile>(std::move(read));
  loaded.config = LoadOrFail(loaded.file.scenario, loaded.file.variant);
  if (!loaded.config.graph) return loaded;
  auto compiled = CompileSchedule(loaded.file, *loaded.config.graph);
  if (auto* error = std::get_if<ScheduleError>(&compiled)) {
    loaded.error = error->ToString();
    return loaded;
  }
  loaded.steps = std::get<std::vector<ScheduleStep>>(std::move(compiled));
  return loaded;
}

// --- Every schedule under tests/schedules/ passes. ---

class EverySchedule : public ::testing::TestWithParam<std::string> {};

TEST_P(EverySchedule, RunsAndEveryExpectationHolds) {
  const std::string path = (kScheduleDir / (GetParam() + ".yaml")).string();
  Loaded loaded = Load(path);
  ASSERT_TRUE(loaded.error.empty()) << loaded.error;
  EXPECT_FALSE(loaded.file.description.empty()) << path << ": say which question the schedule asks";
  Session session(loaded.config, loaded.file.seed.value_or(1));
  const ScheduleResult result = Execute(loaded.steps, session, nullptr);
  ASSERT_EQ(result.outcome, ScheduleOutcome::kPassed)
      << path << ":" << result.failed->line << ": " << result.failed->text << ": " << result.problem
      << "\n  found: " << result.found;
  EXPECT_GE(result.expectations_held, 1) << path << " checks nothing";
  // The run is an ordinary one: its properties hold (or fail as the schedule
  // expects), and its decisions replay to one hash.
  const simulator::RunResult replayed = session.Replay();
  for (const properties::Violation& v : replayed.violations) {
    EXPECT_NE(std::find(result.expected_violations.begin(), result.expected_violations.end(), v.property),
              result.expected_violations.end())
        << path << ": " << properties::Info(v.property).code << " violated: " << v.summary;
  }
  EXPECT_EQ(replayed.steps, session.steps());
  EXPECT_EQ(session.Replay().trace_hash, replayed.trace_hash);
}

INSTANTIATE_TEST_SUITE_P(TestsSchedules, EverySchedule, ::testing::ValuesIn(YamlFiles(kScheduleDir)),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(Schedules, AtLeastADozenProtocolQuestionsAreAsked) { EXPECT_GE(YamlFiles(kScheduleDir).size(), 12u); }

// --- Malformed schedules: the first problem, at its line. ---

// The 1-based line holding "# <- error".
int MarkedLine(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find("# <- error") != std::string::npos) return number;
  }
  return 0;
}

struct BadCase {
  const char* file;    // in tests/data/bad_schedules, without .yaml
  const char* phrase;  // part of the message
};

TEST(Schedules, MalformedSchedulesAreRefusedAtTheirLine) {
  const BadCase cases[] = {
      {"unknown_subtask", "no vertex 'S3'"},
      {"subtask_index_out_of_range", "no subtask J[1]: vertex 'J' has parallelism 1"},
      {"unknown_phase", "unknown phase 'FINSHED' (did you mean 'FINISHED'?)"},
      {"condition_trailing_words", "unexpected 'soon' after a complete condition"},
      {"condition_unknown_subject", "'sink' starts no condition"},
      {"unknown_action", "unknown action 'tirgger' (did you mean 'trigger'?)"},
      {"unknown_step_key", "unknown key 'expcet' (did you mean 'expect'?)"},
      {"two_verbs", "a step has one verb"},
      {"within_without_until", "only 'until' takes 'within'"},
      {"run_zero", "run: expected a number of steps from 1"},
      {"rpc_wrong_direction", "expected '<-' and a subtask after 'acknowledge'"},
      {"lose_a_trigger", "only notifications (notify-complete, notify-abort) can be lost"},
      {"no_such_channel", "no channel S1[0]->K[0]"},
      {"fault_in_filter", "'fail' is a fault"},
      {"only_and_except", "give 'only' or 'except', not both"},
      {"flow_list_with_subtask", "must be quoted"},
      {"unknown_top_level_key", "unknown key 'sead' (did you mean 'seed'?)"},
      {"no_steps", "the schedule has no steps"},
      {"record_of_a_non_source", "J[0] is not a source subtask"},
      {"unknown_abort_reason", "unknown abort reason 'EXPIRED'"},
      {"boolean_field_compared_with_number", "endOfData is true or false"},
      {"unknown_operator_call", "unknown operator call 'notifyComplete'"},
  };
  EXPECT_EQ(std::size(cases), YamlFiles(kBadScheduleDir).size()) << "every file of bad_schedules has a case";
  for (const BadCase& c : cases) {
    const std::filesystem::path path = kBadScheduleDir / (std::string(c.file) + ".yaml");
    const Loaded loaded = Load(path.string());
    ASSERT_FALSE(loaded.error.empty()) << c.file << " was accepted";
    const std::string where = path.string() + ":" + std::to_string(MarkedLine(path)) + ": ";
    EXPECT_EQ(loaded.error.rfind(where, 0), 0u) << c.file << ": " << loaded.error;
    EXPECT_NE(loaded.error.find(c.phrase), std::string::npos) << c.file << ": " << loaded.error;
    EXPECT_EQ(loaded.error.find('\n'), std::string::npos) << "one line: " << loaded.error;
  }
}

// --- Conditions and steps, against a small job. ---

class Conditions : public ::testing::Test {
 protected:
  Conditions() : config_(LoadOrFail((kScheduleDir / "scenarios" / "two-sources.yaml").string())), session_(config_, 1) {
    std::vector<std::string> notes;
    StartAll(session_, &notes);
  }
  Verdict Check(const std::string& text) {
    std::string error;
    auto condition = ParseCondition(session_.graph(), text, &error);
    EXPECT_TRUE(condition.has_value()) << text << ": " << error;
    if (!condition) return {};
    return EvaluateNow(*condition, session_);
  }
  std::string Error(const std::string& text) {
    std::string error;
    EXPECT_FALSE(ParseCondition(session_.graph(), text, &error).has_value()) << text;
    return error;
  }
  void Do(const std::string& text) {
    std::string error;
    auto step = ParseActionStep(session_.graph(), text, &error);
    ASSERT_TRUE(step.has_value()) << text << ": " << error;
    auto action = ResolveActionStep(session_.system(), *step, &error);
    ASSERT_TRUE(action.has_value()) << text << ": " << error;
    session_.Apply(*action);
  }

  simulator::RunConfig config_;
  Session session_;
};

TEST_F(Conditions, SayWhatTheyFoundInTheirOwnWords) {
  EXPECT_TRUE(Check("all are RUNNING").holds);
  EXPECT_TRUE(Check("coordinator sees all as RUNNING").holds);
  Do("step S1[0]");
  const Verdict phase = Check("S1[0] is FINISHED");
  EXPECT_FALSE(phase.holds);
  EXPECT_EQ(phase.found, "S1[0] is WAITING_FOR_FINAL_CHECKPOINT");
  EXPECT_TRUE(Check("S1[0] is not FINISHED and not S1[0] is RUNNING").holds);
  EXPECT_EQ(Check("S1[0].finalCheckpointMinId = 1").found, "S1[0].finalCheckpointMinId = 0");
  EXPECT_TRUE(Check("S1[0].endOfData = true and S2[0].endOfData != true").holds);
  const Verdict queue = Check("S1[0]->J[0] holds [EndOfData]");
  EXPECT_FALSE(queue.holds);
  EXPECT_EQ(queue.found, "S1[0]->J[0] holds [MAX_WATERMARK, EndOfData(DRAIN)]");
  EXPECT_TRUE(Check(queue.found).holds) << "what a condition finds reads back as a condition";
  EXPECT_TRUE(Check("S1[0]->J[0] holds [MAX_WATERMARK, EndOfData(DRAIN)] or job is FINISHED").holds);
  EXPECT_EQ(Check("checkpoint 1 is completed").found, "checkpoint 1 was never triggered (no checkpoint was)");
  Do("trigger");
  EXPECT_TRUE(Check("checkpoint 1 is pending and checkpoint 1 triggers [S1, S2[0]]").holds);
  Do("rpc trigger 1 -> S1[0]");
  EXPECT_TRUE(Check("rpc acknowledge 1 <- S1[0] is in flight").holds);
  EXPECT_TRUE(Check("checkpoint 1 taken by [S1[0]] and S1[0].finalCheckpointMinId = 1").holds);
  EXPECT_TRUE(Check("S1[0] called exactly [initializeState, open, finish, prepareSnapshotPreBarrier(1), "
                    "snapshotState(1)]")
                  .holds);
  EXPECT_TRUE(Check("S1[0] called [open, s1.snapshotState]").holds);
  EXPECT_FALSE(Check("S1[0] called [snapshotState(1), finish]").holds) << "order matters";
  EXPECT_TRUE(Check("committed = 0 and K[0] committed [] and P1 holds and not P2 is violated").holds);
  EXPECT_TRUE(Check("(job is RUNNING or job is FAILED) and checkpoints triggered >= 1").holds);
}

TEST_F(Conditions, AreParsedStrictly) {
  EXPECT_NE(Error("S1[0] is finished").find("unknown phase 'finished'"), std::string::npos);
  EXPECT_NE(Error("S1[0].finalCheckpointMinID = 1").find("(did you mean 'finalCheckpointMinId'?)"), std::string::npos);
  EXPECT_NE(Error("S1[0] is FINISHED and").find("end of text"), std::string::npos);
  EXPECT_NE(Error("checkpoint one is completed").find("expected a checkpoint id"), std::string::npos);
  EXPECT_NE(Error("checkpoint 1 is pending with EXPIRED").find("only 'aborted' takes 'with REASON'"),
            std::string::npos);
  EXPECT_NE(Error("S1[0]->J[0] holds [EndOfData(LATER)]").find("expected DRAIN or NO_DRAIN"), std::string::npos);
  EXPECT_NE(Error("J[0] committed = 1").find("J[0] writes nothing to the external store"), std::string::npos);
  EXPECT_NE(Error("S1[0] is FINISHED $").find("unexpected character '$'"), std::string::npos);
  EXPECT_NE(Error("").find("empty condition"), std::string::npos);
}

// 10,000 nested '(' overflowed the stack of the recursive descent parser
// (SIGSEGV): nesting is bounded at kConditionDepthMax.
TEST_F(Conditions, DeepNestingIsRefusedNotAStackOverflow) {
  const std::string deep = std::string(10'000, '(') + "S1[0] is RUNNING" + std::string(10'000, ')');
  EXPECT_NE(Error(deep).find("nests deeper than 100 levels"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 10'000; ++i) nots += "not ";
  EXPECT_NE(Error(nots + "S1[0] is RUNNING").find("nests deeper than 100 levels"), std::string::npos);
  const std::string allowed = std::string(kConditionDepthMax - 1, '(') + "S1[0] is RUNNING" +
                              std::string(kConditionDepthMax - 1, ')');
  EXPECT_TRUE(Check(allowed).holds);
}

TEST_F(Conditions, RpcsAreNamedByKindCheckpointAndSubtaskOrByUid) {
  Do("trigger");
  std::string error;
  // Two RPCs in flight to the same subtask, of different kinds: unambiguous.
  auto trigger = ParseActionStep(session_.graph(), "rpc trigger -> S2[0]", &error);
  ASSERT_TRUE(trigger) << error;
  auto action = ResolveActionStep(session_.system(), *trigger, &error);
  ASSERT_TRUE(action) << error;
  EXPECT_EQ(DescribeStep(session_.system(), *action), "rpc trigger 1 -> S2[0]");
  // The decision-log form names the same action.
  auto by_uid = ParseActionStep(session_.graph(), "rpc " + std::to_string(action->target), &error);
  ASSERT_TRUE(by_uid) << error;
  EXPECT_EQ(ResolveActionStep(session_.system(), *by_uid, &error), action);
  // Nothing of that kind in flight: the error lists what is.
  auto missing = ParseActionStep(session_.graph(), "rpc notify-complete 1 -> S2[0]", &error);
  ASSERT_TRUE(missing) << error;
  EXPECT_FALSE(ResolveActionStep(session_.system(), *missing, &error));
  EXPECT_NE(error.find("no RPC 'notify-complete 1 -> S2[0]' is in flight; in flight: trigger 1 -> S1[0]"),
            std::string::npos)
      << error;
  // An action that is not enabled says why.
  auto deliver = ParseActionStep(session_.graph(), "deliver: S1[0] -> J[0]", &error);
  ASSERT_FALSE(deliver) << "a mapping's colon is not part of the step text";
  deliver = ParseActionStep(session_.graph(), "deliver S1[0] -> J[0]", &error);
  ASSERT_TRUE(deliver) << error;
  EXPECT_FALSE(ResolveActionStep(session_.system(), *deliver, &error));
  EXPECT_EQ(error, "channel S1[0]->J[0] is empty");
}

// --- A scripted run is an ordinary run. ---

TEST(Schedules, TraceDecisionsBecomeAScheduleThatReplaysToTheSameHash) {
  const simulator::RunConfig config = LoadOrFail("fig6");
  const simulator::RunResult original = simulator::Run(config, 7);
  Session session(config, 7);
  std::string error;
  auto written = StepsFromDecisions(session, original.decisions, &error);
  ASSERT_TRUE(written) << error;
  const std::string text = FormatSchedule({.scenario = "fig6", .seed = 7}, *written);
  auto read = ReadScheduleText(text, "fig6-seed7.yaml", "");
  ASSERT_TRUE(std::holds_alternative<ScheduleFile>(read)) << std::get<ScheduleError>(read).ToString();
  auto compiled = CompileSchedule(std::get<ScheduleFile>(read), *config.graph);
  ASSERT_TRUE(std::holds_alternative<std::vector<ScheduleStep>>(compiled))
      << std::get<ScheduleError>(compiled).ToString();
  Session scripted(config, 7);
  const ScheduleResult result = Execute(std::get<std::vector<ScheduleStep>>(compiled), scripted, nullptr);
  ASSERT_EQ(result.outcome, ScheduleOutcome::kPassed) << result.problem;
  EXPECT_EQ(scripted.decisions(), original.decisions);
  EXPECT_EQ(scripted.Replay().trace_hash, original.trace_hash);
}

TEST(Schedules, RunStepsAreTheSchedulersOwnChoices) {
  // "run: N" picks exactly what `ckptsim run` would: the first N decisions of
  // the seed's run, so a schedule can fast-forward and then take over.
  const simulator::RunConfig config = LoadOrFail("wide");
  const simulator::RunResult original = simulator::Run(config, 11);
  Session session(config, 11);
  for (int i = 0; i < 300; ++i) {
    auto next = session.Next(nullptr);
    ASSERT_TRUE(next);
    session.Apply(*next);
  }
  EXPECT_TRUE(std::equal(session.decisions().begin(), session.decisions().end(), original.decisions.begin()));
}

TEST(Schedules, PerSubtaskRecordCountsLoad) {
  const simulator::RunConfig config = LoadOrFail((kScheduleDir / "scenarios" / "split-source.yaml").string());
  ASSERT_EQ(config.graph_spec.vertices.size(), 2u);
  EXPECT_EQ(config.graph_spec.vertices[0].records_per_subtask, (std::vector<int64_t>{0, 5}));
}

}  // namespace
}  // namespace ckptsim::schedules
