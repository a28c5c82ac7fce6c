// Tests of the scenario loader: the built-in scenarios, the format's defaults
// and shorthands, and one malformed file per rule in tests/data/bad_scenarios
// (each file's first line says which rule it breaks; "# <- error" marks the
// line the error must point at). Also that a loaded RunConfig survives the
// JSON of a trace header.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "scenarios/loader.h"
#include "simulator/config_json.h"

namespace ckptsim::scenarios {
namespace {

using simulator::RunConfig;

const std::string kBadScenarioDir = std::string(CKPTSIM_TEST_DATA_DIR) + "/bad_scenarios";

// A small valid scenario to vary in tests.
constexpr std::string_view kMinimal = R"(name: minimal
vertices:
  - name: A
    parallelism: 3
    records: 7
    operators:
      - {name: A-source, kind: bounded_source}
  - name: B
    parallelism: 3
    operators:
      - {name: B-sink, kind: two_phase_commit_sink}
edges:
  - {from: A, to: B, partitioning: forward}
)";

RunConfig ExpectLoads(const std::variant<RunConfig, ScenarioError>& result) {
  if (const auto* error = std::get_if<ScenarioError>(&result)) {
    ADD_FAILURE() << "unexpected error: " << error->ToString();
    return {};
  }
  return std::get<RunConfig>(result);
}

ScenarioError ExpectError(const std::variant<RunConfig, ScenarioError>& result) {
  if (std::holds_alternative<RunConfig>(result)) {
    ADD_FAILURE() << "the scenario loaded, but an error was expected";
    return {};
  }
  return std::get<ScenarioError>(result);
}

// Sets an environment variable for the lifetime of the guard, then restores it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_value_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (old_value_) {
      ::setenv(name_, old_value_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_value_;
};

TEST(BuiltinScenariosTest, ShipsTheFourDocumentedScenariosSorted) {
  std::vector<std::string> names = BuiltinScenarioNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* name : {"cascade-2pc", "fig6", "mixed-sources", "wide"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

TEST(BuiltinScenariosTest, EveryBuiltinLoadsCompilesAndIsNamedAfterItsFile) {
  for (const std::string& name : BuiltinScenarioNames()) {
    SCOPED_TRACE(name);
    RunConfig config = ExpectLoads(LoadScenario(name));
    ASSERT_NE(config.graph, nullptr);
    EXPECT_EQ(config.scenario_name, name);
    EXPECT_FALSE(config.description.empty());
    EXPECT_NE(config.description.back(), '\n');
    EXPECT_EQ(config.graph->vertices().size(), config.graph_spec.vertices.size());
    EXPECT_EQ(config.graph->edges().size(), config.graph_spec.edges.size());
  }
}

TEST(BuiltinScenariosTest, Fig6HasTheShapeOfTheBlogExample) {
  RunConfig config = ExpectLoads(LoadScenario("fig6"));
  ASSERT_NE(config.graph, nullptr);
  const model::JobGraph& graph = *config.graph;
  ASSERT_EQ(graph.vertices().size(), 7u);
  EXPECT_EQ(graph.vertices()[*graph.FindVertex("A")].records_per_subtask, (std::vector<int64_t>{200, 200}));
  EXPECT_EQ(graph.vertices()[*graph.FindVertex("C")].records_per_subtask, (std::vector<int64_t>{20}));
  EXPECT_EQ(graph.vertices()[*graph.FindVertex("E")].input_edges.size(), 2u);
  EXPECT_EQ(config.timing.checkpoint_interval_ticks, 60);
  EXPECT_TRUE(config.expect.terminates);
}

TEST(BuiltinScenariosTest, MixedSourcesIsNotExpectedToTerminate) {
  RunConfig config = ExpectLoads(LoadScenario("mixed-sources"));
  EXPECT_FALSE(config.expect.terminates);
  EXPECT_EQ(config.limits.max_ticks, 3000);
}

TEST(ScenarioLoaderTest, ScalarRecordsExpandToOneCountPerSubtask) {
  RunConfig config = ExpectLoads(LoadScenarioText(kMinimal, "minimal.yaml"));
  ASSERT_EQ(config.graph_spec.vertices.size(), 2u);
  EXPECT_EQ(config.graph_spec.vertices[0].records_per_subtask, (std::vector<int64_t>{7, 7, 7}));
  EXPECT_TRUE(config.graph_spec.vertices[1].records_per_subtask.empty());
}

TEST(ScenarioLoaderTest, ScalarTaskManagerPutsEverySubtaskOnIt) {
  std::string yaml(kMinimal);
  yaml.replace(yaml.find("    records: 7"), 0, "    task_managers: 4\n");
  RunConfig config = ExpectLoads(LoadScenarioText(yaml, "minimal.yaml"));
  EXPECT_EQ(config.graph_spec.vertices[0].task_manager_of_subtask, (std::vector<int>{4, 4, 4}));
}

TEST(ScenarioLoaderTest, OmittedSectionsKeepTheDefaultsOfTheOptionStructs) {
  RunConfig config = ExpectLoads(LoadScenarioText(kMinimal, "minimal.yaml"));
  RunConfig defaults;
  EXPECT_EQ(config.protocol.variant, defaults.protocol.variant);
  EXPECT_EQ(config.protocol.checkpointing_enabled, defaults.protocol.checkpointing_enabled);
  EXPECT_EQ(config.protocol.checkpoint_mode, defaults.protocol.checkpoint_mode);
  EXPECT_EQ(config.protocol.max_concurrent_checkpoints, defaults.protocol.max_concurrent_checkpoints);
  EXPECT_EQ(config.timing.checkpoint_interval_ticks, defaults.timing.checkpoint_interval_ticks);
  EXPECT_EQ(config.timing.channel_latency_ticks.max, defaults.timing.channel_latency_ticks.max);
  EXPECT_EQ(config.faults.delayed_rpcs_max, defaults.faults.delayed_rpcs_max);
  EXPECT_EQ(config.faults.checkpoint_timeouts_max, defaults.faults.checkpoint_timeouts_max);
  EXPECT_EQ(config.faults.rpc_delay_ppm, defaults.faults.rpc_delay_ppm);
  EXPECT_EQ(config.faults.checkpoint_timeout_ppm, defaults.faults.checkpoint_timeout_ppm);
  EXPECT_EQ(config.faults.rpc_delay_ticks.min, defaults.faults.rpc_delay_ticks.min);
  EXPECT_EQ(config.faults.rpc_delay_ticks.max, defaults.faults.rpc_delay_ticks.max);
  EXPECT_EQ(config.faults.fault_phase_ticks, defaults.faults.fault_phase_ticks);
  EXPECT_EQ(config.faults.fault_phase_start_ticks, defaults.faults.fault_phase_start_ticks);
  EXPECT_EQ(config.protocol.failover_strategy, defaults.protocol.failover_strategy);
  EXPECT_EQ(config.protocol.restart_attempts, defaults.protocol.restart_attempts);
  EXPECT_EQ(config.timing.restart_delay_ticks.min, defaults.timing.restart_delay_ticks.min);
  EXPECT_EQ(config.timing.restart_delay_ticks.max, defaults.timing.restart_delay_ticks.max);
  EXPECT_FALSE(config.stop.enabled);
  EXPECT_EQ(config.limits.max_steps, defaults.limits.max_steps);
  EXPECT_TRUE(config.expect.terminates);
  EXPECT_TRUE(config.description.empty());
}

// kMinimal with every optional key set to a value other than its default.
std::string EveryKeyYaml() {
  return std::string(kMinimal) + R"(description: all settings
variant: legacy
checkpointing:
  enabled: false
  interval_ticks: 11
  timeout_ticks: 12
  min_pause_ticks: 13
  max_concurrent: 2
  mode: unaligned
  checkpoints_after_tasks_finish: false
  immediate_final_checkpoint: false
timing:
  channel_latency_ticks: [2, 5]
  rpc_latency_ticks: [3, 6]
  processing_ticks: 4
  source_emit_ticks: [0, 9]
faults:
  subtask_failures_max: 1
  task_manager_failures_max: 2
  lost_notifications_max: 3
  delayed_rpcs_max: 4
  checkpoint_timeouts_max: 5
  subtask_failure_ppm: 100
  task_manager_failure_ppm: 200
  lost_notification_ppm: 300
  rpc_delay_ppm: 1_000_000
  checkpoint_timeout_ppm: 500
  rpc_delay_ticks: [7, 70]
  fault_phase_start_ticks: 40
  fault_phase_ticks: 400
recovery:
  strategy: full
  restarts_max: 0
  restart_delay_ticks: 3
stop_with_savepoint: {at_tick: 70, drain: true, resume: true, resume_after_ticks: 8, retry_after_ticks: 9}
limits: {max_steps: 1_000, max_ticks: 2_000, liveness_budget_ticks: 700}
expect: {terminates: false}
)";
}

// Every value EveryKeyYaml() sets.
void ExpectEveryKeyOfTheFile(const RunConfig& config) {
  EXPECT_EQ(config.description, "all settings");
  EXPECT_EQ(config.protocol.variant, model::Variant::kLegacy);
  EXPECT_FALSE(config.protocol.checkpointing_enabled);
  EXPECT_EQ(config.timing.checkpoint_interval_ticks, 11);
  EXPECT_EQ(config.timing.checkpoint_timeout_ticks, 12);
  EXPECT_EQ(config.timing.min_pause_ticks, 13);
  EXPECT_EQ(config.protocol.max_concurrent_checkpoints, 2);
  EXPECT_EQ(config.protocol.checkpoint_mode, model::CheckpointMode::kUnaligned);
  EXPECT_FALSE(config.protocol.checkpoints_after_tasks_finish);
  EXPECT_FALSE(config.protocol.immediate_final_checkpoint);
  EXPECT_EQ(config.timing.channel_latency_ticks.min, 2);
  EXPECT_EQ(config.timing.channel_latency_ticks.max, 5);
  EXPECT_EQ(config.timing.rpc_latency_ticks.min, 3);
  EXPECT_EQ(config.timing.rpc_latency_ticks.max, 6);
  EXPECT_EQ(config.timing.processing_ticks.min, 4);  // a single number is a fixed delay
  EXPECT_EQ(config.timing.processing_ticks.max, 4);
  EXPECT_EQ(config.timing.source_emit_ticks.min, 0);
  EXPECT_EQ(config.timing.source_emit_ticks.max, 9);
  EXPECT_EQ(config.faults.subtask_failures_max, 1);
  EXPECT_EQ(config.faults.task_manager_failures_max, 2);
  EXPECT_EQ(config.faults.lost_notifications_max, 3);
  EXPECT_EQ(config.faults.delayed_rpcs_max, 4);
  EXPECT_EQ(config.faults.checkpoint_timeouts_max, 5);
  EXPECT_EQ(config.faults.subtask_failure_ppm, 100);
  EXPECT_EQ(config.faults.task_manager_failure_ppm, 200);
  EXPECT_EQ(config.faults.lost_notification_ppm, 300);
  EXPECT_EQ(config.faults.rpc_delay_ppm, 1'000'000);  // the upper bound is allowed
  EXPECT_EQ(config.faults.checkpoint_timeout_ppm, 500);
  EXPECT_EQ(config.faults.rpc_delay_ticks.min, 7);
  EXPECT_EQ(config.faults.rpc_delay_ticks.max, 70);
  EXPECT_EQ(config.faults.fault_phase_ticks, 400);
  EXPECT_EQ(config.faults.fault_phase_start_ticks, 40);
  EXPECT_EQ(config.protocol.failover_strategy, model::FailoverStrategy::kFull);
  EXPECT_EQ(config.protocol.restart_attempts, 0);
  EXPECT_EQ(config.timing.restart_delay_ticks.min, 3);
  EXPECT_EQ(config.timing.restart_delay_ticks.max, 3);
  EXPECT_TRUE(config.stop.enabled);
  EXPECT_EQ(config.stop.at_tick, 70);
  EXPECT_TRUE(config.stop.drain);
  EXPECT_TRUE(config.stop.resume);
  EXPECT_EQ(config.stop.resume_after_ticks, 8);
  EXPECT_EQ(config.stop.retry_after_ticks, 9);
  EXPECT_EQ(config.limits.max_steps, 1000);  // '_' separates digits
  EXPECT_EQ(config.limits.max_ticks, 2000);
  EXPECT_EQ(config.limits.liveness_budget_ticks, 700);
  EXPECT_FALSE(config.expect.terminates);
}

TEST(ScenarioLoaderTest, EveryKeyOfEverySectionReachesTheRunConfig) {
  ExpectEveryKeyOfTheFile(ExpectLoads(LoadScenarioText(EveryKeyYaml(), "all.yaml")));
}

// A trace's header carries the resolved RunConfig, so that a trace replays
// without its scenario file: no setting may be lost on the way.
TEST(ConfigJsonTest, EveryKeySurvivesTheTraceHeaderRoundTrip) {
  RunConfig loaded = ExpectLoads(LoadScenarioText(EveryKeyYaml(), "all.yaml"));
  nlohmann::ordered_json json = simulator::ConfigToJson(loaded);
  EXPECT_EQ(json["recovery"]["strategy"], "full");
  EXPECT_FALSE(json["faults"].contains("restarts_max")) << "restarts_max belongs to recovery";
  std::string error;
  std::optional<RunConfig> restored = simulator::ConfigFromJson(json, &error);
  ASSERT_TRUE(restored.has_value()) << error;
  ASSERT_NE(restored->graph, nullptr);
  // Field by field, so that a field both directions forget is caught too.
  ExpectEveryKeyOfTheFile(*restored);
  EXPECT_EQ(simulator::ConfigToJson(*restored), json);
}

TEST(ConfigJsonTest, HeaderWithoutRecoveryIsRefused) {
  RunConfig loaded = ExpectLoads(LoadScenarioText(kMinimal, "minimal.yaml"));
  nlohmann::ordered_json json = simulator::ConfigToJson(loaded);
  json.erase("recovery");
  std::string error;
  EXPECT_FALSE(simulator::ConfigFromJson(json, &error).has_value());
  EXPECT_NE(error.find("recovery"), std::string::npos) << error;
}

TEST(ScenarioLoaderTest, UnboundedSourceWithStopWithSavepointMayTerminate) {
  std::string yaml(kMinimal);
  yaml.replace(yaml.find("    records: 7\n"), 14, "");
  yaml.replace(yaml.find("bounded_source"), 14, "unbounded_source");
  yaml += "stop_with_savepoint: {at_tick: 100}\n";
  RunConfig config = ExpectLoads(LoadScenarioText(yaml, "stop.yaml"));
  EXPECT_TRUE(config.stop.enabled);
  EXPECT_TRUE(config.graph->vertices()[0].is_unbounded_source);
}

TEST(ScenarioLoaderTest, UnknownBuiltinNameListsTheBuiltins) {
  ScenarioError error = ExpectError(LoadScenario("fig7"));
  EXPECT_EQ(error.line, 0);
  EXPECT_NE(error.message.find("unknown scenario 'fig7' (did you mean 'fig6'?)"), std::string::npos)
      << error.message;
  for (const std::string& name : BuiltinScenarioNames()) {
    EXPECT_NE(error.message.find(name), std::string::npos) << name;
  }
}

TEST(ScenarioLoaderTest, NameWithSlashOrYamlSuffixIsAPath) {
  ScenarioError error = ExpectError(LoadScenario("no-such-scenario.yaml"));
  EXPECT_EQ(error.ToString(), "no-such-scenario.yaml: no such scenario file");
  RunConfig config = ExpectLoads(LoadScenario(BuiltinScenarioDir() + "/wide.yaml"));
  EXPECT_EQ(config.scenario_name, "wide");
}

TEST(ScenarioLoaderTest, EnvironmentVariableOverridesTheBuiltinDir) {
  ScopedEnvironment environment("CKPTSIM_SCENARIO_DIR", kBadScenarioDir);
  EXPECT_EQ(BuiltinScenarioDir(), kBadScenarioDir);
  std::vector<std::string> names = BuiltinScenarioNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "cycle"), names.end());
  ScenarioError error = ExpectError(LoadScenario("cycle"));
  EXPECT_EQ(error.file, kBadScenarioDir + "/cycle.yaml");
}

TEST(ScenarioErrorTest, ToStringIsFileColonLineColonMessage) {
  EXPECT_EQ((ScenarioError{"a.yaml", 3, "bad"}).ToString(), "a.yaml:3: bad");
  EXPECT_EQ((ScenarioError{"a.yaml", 0, "bad"}).ToString(), "a.yaml: bad");
}

// One malformed file, the line its error must name and a phrase of the message.
struct BadScenario {
  const char* file;  // in tests/data/bad_scenarios, without .yaml
  int line;
  const char* phrase;
};

const BadScenario kBadScenarios[] = {
    {"boolean_not_true_or_false", 16, "checkpointing: enabled: expected true or false, got 'yes'"},
    {"committer_not_tail_of_chain", 9, "operator 'B-committer': a sink must be the tail of its chain"},
    {"cycle", 19, "edge B -> C closes a cycle"},
    {"duplicate_key", 7, "key 'records' is given twice (first on line 6)"},
    {"duplicate_vertex_name", 9, "name: 'A' is already used on line 4"},
    {"edge_to_unknown_vertex", 14, "to: unknown vertex 'C'; vertices: A, B"},
    {"empty_file", 0, "holds no YAML document"},
    {"empty_operator_list", 6, "vertex 'A': operators: must list at least one operator"},
    {"fault_budget_without_phase", 17,
     "faults: delayed_rpcs_max: a fault budget needs a fault phase, but fault_phase_ticks is 0"},
    {"forward_parallelism_mismatch", 14, "forward needs equal parallelism (1 vs 2)"},
    {"invalid_name", 2, "'my scenario' is not a valid name"},
    {"merge_key", 10, "vertex 'B': YAML merge keys ('<<') are not supported"},
    {"missing_name", 2, "missing required key 'name'"},
    {"missing_parallelism", 4, "vertex 'A': missing required key 'parallelism'"},
    {"no_vertices", 3, "the job graph has no vertices"},
    {"negative_delayed_rpcs", 16, "faults: delayed_rpcs_max: must not be negative, got -1"},
    {"negative_parallelism", 10, "vertex 'B': parallelism: must be at least 1, got -2"},
    {"negative_records", 8, "vertex 'A': records[1]: must not be negative, got -1"},
    {"negative_ticks", 17, "timing: channel_latency_ticks[0]: must not be negative, got -1"},
    {"parallelism_not_integer", 5, "vertex 'A': parallelism: expected an integer, got 'abc'"},
    {"probability_out_of_range", 16, "subtask_failure_ppm: must be at most 1000000, got 2000000"},
    {"quoted_integer", 16, "max_steps: expected an integer, got the quoted string \"1000\""},
    {"range_min_greater_than_max", 16, "timing: rpc_latency_ticks: min 8 is greater than max 1"},
    {"range_wrong_length", 16, "processing_ticks: expected [min, max], got a list of 3 values"},
    {"records_length_mismatch", 6, "records: lists 3 values, but parallelism is 1"},
    {"records_missing", 4,
     "missing required key 'records' (its head operator 'A-source' is a bounded_source)"},
    {"records_on_non_source", 11, "only a vertex whose head operator is a bounded_source has records"},
    {"restarts_max_under_faults", 18,
     "faults: unknown key 'restarts_max' (it moved to the recovery section: recovery: {restarts_max: ...})"},
    {"rpc_delay_ppm_out_of_range", 16, "faults: rpc_delay_ppm: must be at most 1000000, got 1000001"},
    {"sink_not_tail_of_chain", 9, "operator 'B-sink': a sink must be the tail of its chain"},
    {"sink_vertex_with_output", 19, "edge B -> C: a sink vertex has no output"},
    {"stop_without_at_tick", 15, "stop_with_savepoint: missing required key 'at_tick'"},
    {"resume_into_kind_changed", 11,
     "stop_with_savepoint: resume_into: operator 'B-count' is a keyed_aggregate in the old job but a union_state "
     "in the new one"},
    {"resume_into_source_rescaled", 11,
     "resume_into: source 'A-source' has parallelism 1 in the old job and 2 in the new one"},
    {"resume_into_without_resume", 10,
     "resume_into: a job resumes into a new version only after a stop without drain; set resume: true"},
    {"resume_into_missing_file", 11, "resume_into: cannot load the new version:"},
    {"tab_indentation", 4, "indented with a tab; YAML allows only spaces"},
    {"task_managers_length_mismatch", 7, "task_managers: lists 2 values, but parallelism is 1"},
    {"two_documents", 16, "a second YAML document starts here"},
    {"unbounded_must_terminate", 14, "vertex 'U' is an unbounded source and there is no stop_with_savepoint"},
    {"unknown_checkpoint_mode", 16, "unknown checkpoint mode 'unalinged' (did you mean 'unaligned'?)"},
    {"unknown_checkpointing_key", 16,
     "checkpointing: unknown key 'interval' (did you mean 'interval_ticks'?)"},
    {"unknown_failover_strategy", 16,
     "recovery: strategy: unknown failover strategy 'regoin' (did you mean 'region'?); allowed: region, full"},
    {"unknown_operator_key", 12, "operator 'B-sink': unknown key 'uid'; allowed keys: name, kind"},
    {"unknown_operator_kind", 12,
     "unknown operator kind 'two_phase_commit_sinc' (did you mean 'two_phase_commit_sink'?); allowed: "
     "bounded_source, unbounded_source, map,"},
    {"unknown_partitioning", 14,
     "unknown partitioning 'shuffle'; allowed: forward, rescale, hash, rebalance, broadcast"},
    {"unknown_recovery_key", 17,
     "recovery: unknown key 'restart_delay' (did you mean 'restart_delay_ticks'?); allowed keys: strategy, "
     "restarts_max, restart_delay_ticks"},
    {"unknown_top_level_key", 15,
     "unknown key 'checkpoint' (did you mean 'checkpointing'?); allowed keys: name,"},
    {"unknown_variant", 15, "unknown variant 'flip-147' (did you mean 'flip147'?); allowed: flip147, legacy"},
    {"unknown_vertex_key", 7, "vertex 'A': unknown key 'paralelism' (did you mean 'parallelism'?)"},
    {"vertices_not_a_list", 3, "vertices: expected a list, got 'A'"},
    {"yaml_syntax_error", 7, "invalid YAML"},
    {"zero_interval", 16, "checkpointing: interval_ticks: must be at least 1, got 0"},
    {"zero_parallelism", 5, "vertex 'A': parallelism: must be at least 1, got 0"},
};

void PrintTo(const BadScenario& bad, std::ostream* out) { *out << bad.file << ".yaml"; }

class BadScenarioTest : public testing::TestWithParam<BadScenario> {};

TEST_P(BadScenarioTest, ErrorNamesTheLineAndTheBrokenRule) {
  const BadScenario& bad = GetParam();
  std::string path = kBadScenarioDir + "/" + bad.file + ".yaml";
  ScenarioError error = ExpectError(LoadScenarioFile(path));
  EXPECT_EQ(error.file, path);
  EXPECT_EQ(error.line, bad.line) << error.ToString();
  EXPECT_NE(error.message.find(bad.phrase), std::string::npos)
      << "message: " << error.message << "\nexpected phrase: " << bad.phrase;
}

INSTANTIATE_TEST_SUITE_P(BadScenarios, BadScenarioTest, testing::ValuesIn(kBadScenarios),
                         [](const testing::TestParamInfo<BadScenario>& param_info) {
                           return std::string(param_info.param.file);
                         });

TEST(BadScenarioFolderTest, EveryFileHasAnEntryInTheTable) {
  for (const auto& entry : std::filesystem::directory_iterator(kBadScenarioDir)) {
    std::string stem = entry.path().stem().string();
    bool listed = std::any_of(std::begin(kBadScenarios), std::end(kBadScenarios),
                              [&](const BadScenario& bad) { return stem == bad.file; });
    EXPECT_TRUE(listed) << entry.path() << " is not checked by BadScenarioTest";
  }
}

}  // namespace
}  // namespace ckptsim::scenarios
