// Importing Flink's JSON execution plans (issue 12): the real plan of Flink's
// SQL EXPLAIN documentation imports into a scenario that sweeps clean, a
// golden file pins that scenario byte for byte, hand-written plans cover
// chaining (forks, unions, sinks split from tasks with outputs), every ship
// strategy, kind guesses, sink folding and both sink kinds, the JobGraph plan
// of the REST API, plans given to run and sweep directly, and one malformed
// plan per rule under data/flink-plans/bad/, each refused with exit 2 and
// the JSON path of its problem.
//
// Regenerate the golden file after an intended change:
//   CKPTSIM_UPDATE_GOLDEN=1 ./tests/ckptsim_tests --gtest_filter='PlanImport.*Golden*'
#include "scenarios/plan_import.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/loader.h"
#include "scenarios/plan_kinds.h"
#include "scenarios/plan_names.h"
#include "shell.h"

namespace ckptsim {
namespace {

using model::OperatorKind;
using model::Partitioning;

const std::string kPlans = std::string(CKPTSIM_TEST_DATA_DIR) + "/flink-plans";
const std::string kSqlDocPlan = kPlans + "/01_sql_explain_doc_streamgraph_plan.json";
const std::string kDataStreamPlan = kPlans + "/02_datastream_fork_window_broadcast_plan.json";
const std::string kRestPlan = kPlans + "/03_rest_jobgraph_plan.json";
const std::string kForkPlan = kPlans + "/04_fork_before_sink_plan.json";

std::filesystem::path Scratch(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ckptsim_plan_import_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

testing::ShellOutcome Cli(const std::string& arguments) { return testing::RunCkptsim(arguments); }

std::string Import(const std::string& plan, const scenarios::PlanImportOptions& options) {
  auto imported = scenarios::ImportPlanFile(plan, options);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&imported)) {
    ADD_FAILURE() << error->ToString();
    return "";
  }
  return std::get<scenarios::ImportedPlan>(imported).yaml;
}

simulator::RunConfig Load(const std::string& yaml) {
  auto loaded = scenarios::LoadScenarioText(yaml, "imported.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString() << "\n" << yaml;
    return {};
  }
  return std::get<simulator::RunConfig>(loaded);
}

const model::VertexSpec* FindVertex(const simulator::RunConfig& config, const std::string& name) {
  for (const model::VertexSpec& vertex : config.graph_spec.vertices) {
    if (vertex.name == name) return &vertex;
  }
  ADD_FAILURE() << "no vertex " << name;
  return nullptr;
}

// "Name:kind" per operator, head first.
std::vector<std::string> Chain(const model::VertexSpec* vertex) {
  std::vector<std::string> chain;
  if (vertex == nullptr) return chain;
  for (const model::OperatorSpec& op : vertex->operators) chain.push_back(op.name + ":" + std::string(Name(op.kind)));
  return chain;
}

std::string EdgeOf(const simulator::RunConfig& config, const std::string& from, const std::string& to) {
  const auto& vertices = config.graph_spec.vertices;
  for (const model::EdgeSpec& edge : config.graph_spec.edges) {
    if (vertices[edge.from].name == from && vertices[edge.to].name == to) return std::string(Name(edge.partitioning));
  }
  return "none";
}

// Every comment of a file as one line, so that a check does not depend on where wrapping broke it.
std::string Comments(const std::string& yaml) {
  std::string text;
  size_t begin = 0;
  while (begin < yaml.size()) {
    size_t end = yaml.find('\n', begin);
    if (end == std::string::npos) end = yaml.size();
    const std::string line = yaml.substr(begin, end - begin);
    const size_t hash = line.find_first_not_of(' ');
    if (hash != std::string::npos && line.compare(hash, 2, "# ") == 0) text += line.substr(hash + 2) + " ";
    begin = end + 1;
  }
  return text;
}

scenarios::PlanImportOptions Bounded(std::vector<std::pair<std::string, int64_t>> records) {
  return {.bounded_records = std::move(records)};
}

// The definition of done, with fewer seeds.
TEST(PlanImport, SqlExplainDocPlanImportsIntoAScenarioThatSweepsClean) {
  const std::string out = Scratch("sql-doc.yaml").string();
  const auto imported = Cli("import-plan " + kSqlDocPlan + " --bounded 17=5 --bounded 19=5 -o " + out);
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("wrote " + out + ": 4 plan nodes -> 3 tasks (1 sink added)"), std::string::npos)
      << imported.out;
  const auto sweep = Cli("sweep " + out + " --seeds 60 --json");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.out;
  const nlohmann::json summary = nlohmann::json::parse(sweep.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << sweep.out;
  EXPECT_EQ(summary["seeds"], 60);
  EXPECT_EQ(summary["violations"], 0) << sweep.out;
  EXPECT_EQ(summary["expectation_failures"], 0) << sweep.out;
}

TEST(PlanImport, SqlExplainDocPlanMatchesItsGoldenScenario) {
  const std::string actual = Import(kSqlDocPlan, Bounded({{"17", 5}, {"19", 5}}));
  const std::filesystem::path golden = kPlans + "/golden/01_sql_explain_doc_streamgraph_plan.bounded.yaml";
  if (std::getenv("CKPTSIM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    std::cout << "updated " << golden.string() << "\n";
    return;
  }
  EXPECT_EQ(ReadFile(golden), actual) << "regenerate with CKPTSIM_UPDATE_GOLDEN=1 if intended";
}

TEST(PlanImport, SqlExplainDocPlanChainsTheCalcIntoItsSourceAndAddsASinkAfterTheAggregate) {
  const std::string yaml = Import(kSqlDocPlan, Bounded({{"17", 5}, {"19", 5}}));
  const simulator::RunConfig config = Load(yaml);
  ASSERT_EQ(config.graph_spec.vertices.size(), 3u) << yaml;
  EXPECT_EQ(Chain(FindVertex(config, "Source_MyTable1_15")),
            (std::vector<std::string>{"Source_MyTable1_15:bounded_source", "Calc_16:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "Source_MyTable2_17")),
            (std::vector<std::string>{"Source_MyTable2_17:bounded_source"}));
  EXPECT_EQ(
      Chain(FindVertex(config, "GroupAggregate_20")),
      (std::vector<std::string>{"GroupAggregate_20:keyed_aggregate", "GroupAggregate_20-sink:two_phase_commit_sink"}));
  EXPECT_EQ(FindVertex(config, "Source_MyTable1_15")->records_per_subtask, (std::vector<int64_t>{5}));
  EXPECT_EQ(EdgeOf(config, "Source_MyTable1_15", "GroupAggregate_20"), "hash");
  EXPECT_EQ(EdgeOf(config, "Source_MyTable2_17", "GroupAggregate_20"), "hash");
  EXPECT_TRUE(config.expect.terminates);
  EXPECT_FALSE(config.stop.enabled);
  EXPECT_FALSE(config.faults.any());
  // The comments say what was decided.
  EXPECT_NE(Comments(yaml).find("task of nodes 17 -> 18: node 18 joins node 17 (FORWARD, parallelism 1 on both sides"),
            std::string::npos)
      << yaml;
  EXPECT_NE(Comments(yaml).find("keyed_aggregate (its type says 'aggregate'"), std::string::npos);
  EXPECT_NE(Comments(yaml).find("the plan has no sink after it (as EXPLAIN writes plans)"), std::string::npos);
}

TEST(PlanImport, UnboundedSourcesAreStoppedWithASavepointAndDrainSoTheJobEnds) {
  const std::string yaml = Import(kSqlDocPlan, Bounded({{"17", 5}}));
  const simulator::RunConfig config = Load(yaml);
  EXPECT_EQ(Chain(FindVertex(config, "Source_MyTable2_17")),
            (std::vector<std::string>{"Source_MyTable2_17:unbounded_source"}));
  EXPECT_TRUE(config.stop.enabled);
  EXPECT_TRUE(config.stop.drain);
  EXPECT_TRUE(config.expect.terminates);
  EXPECT_NE(Comments(yaml).find("Unbounded sources never end by themselves (node 19 \"Source: MyTable2[17]\")"),
            std::string::npos)
      << yaml;
}

TEST(PlanImport, RunAndSweepTakeAPlanWhereAScenarioGoes) {
  const auto run = Cli("run " + kSqlDocPlan + " --seed 3");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("scenario 01_sql_explain_doc_streamgraph_plan"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("result: job FINISHED"), std::string::npos) << run.out;
  const auto sweep = Cli("sweep " + kSqlDocPlan + " " + kRestPlan + " --seeds 8");
  EXPECT_EQ(sweep.exit_code, 0) << sweep.out;
  EXPECT_NE(sweep.out.find("0 failing run(s) of 16"), std::string::npos) << sweep.out;
  const auto bad = Cli("run " + kPlans + "/bad/unknown_predecessor_id.json --seed 1");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_EQ(bad.out, "ckptsim: error: " + kPlans +
                         "/bad/unknown_predecessor_id.json: nodes[3].predecessors[0].id: unknown node id 42\n");
}

TEST(PlanImport, DataStreamPlanChainsAsFlinkDoesAndNamesWhatItCouldNot) {
  const std::string yaml = Import(kDataStreamPlan, Bounded({{"1", 30}, {"8", 3}}));
  const simulator::RunConfig config = Load(yaml);
  EXPECT_EQ(
      Chain(FindVertex(config, "Source_Custom_Source")),
      (std::vector<std::string>{"Source_Custom_Source:bounded_source", "Timestamps_Watermarks:map", "enrich:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "Filter")), (std::vector<std::string>{"Filter:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "Window")),
            (std::vector<std::string>{"Window:event_time_window", "Sink_Print_to_Std._Out:two_phase_commit_sink"}));
  EXPECT_EQ(Chain(FindVertex(config, "Co-Process-Broadcast")),
            (std::vector<std::string>{"Co-Process-Broadcast:broadcast_state"}));
  EXPECT_EQ(Chain(FindVertex(config, "async_wait_operator")),
            (std::vector<std::string>{"async_wait_operator:buffering"}));
  EXPECT_EQ(Chain(FindVertex(config, "Keyed_Aggregation")),
            (std::vector<std::string>{"Keyed_Aggregation:keyed_aggregate", "Sink_Unnamed:two_phase_commit_sink"}));
  // Two sinks of one name: the second is made unique.
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Unnamed-2")),
            (std::vector<std::string>{"Sink_Unnamed-2:two_phase_commit_sink"}));
  EXPECT_EQ(EdgeOf(config, "Source_Custom_Source", "Filter"), "forward");
  EXPECT_EQ(EdgeOf(config, "Source_Custom_Source", "Window"), "hash");
  EXPECT_EQ(EdgeOf(config, "Source_rules", "Co-Process-Broadcast"), "broadcast");
  EXPECT_EQ(EdgeOf(config, "Co-Process-Broadcast", "async_wait_operator"), "rescale");
  EXPECT_EQ(EdgeOf(config, "async_wait_operator", "Keyed_Aggregation"), "rebalance");  // SHUFFLE
  EXPECT_EQ(EdgeOf(config, "async_wait_operator", "Sink_Unnamed-2"), "rebalance");     // GLOBAL
  EXPECT_NE(Comments(yaml).find("a fork inside one task"), std::string::npos) << yaml;
  EXPECT_NE(
      Comments(yaml).find("Flink sends from node 2, here the records leave the task from its last operator, node 3"),
      std::string::npos);
  EXPECT_NE(Comments(yaml).find("not chained: node 7 has 2 inputs"), std::string::npos);
  EXPECT_NE(Comments(yaml).find("SHUFFLE picks a random channel per record"), std::string::npos);
  EXPECT_NE(Comments(yaml).find("GLOBAL sends every record to the consumer's subtask 0"), std::string::npos);
  const std::string out = Scratch("datastream.yaml").string();
  std::ofstream(out) << yaml;
  const auto sweep = Cli("sweep " + out + " --seeds 40");
  EXPECT_EQ(sweep.exit_code, 0) << sweep.out;
}

TEST(PlanImport, RestJobGraphPlanKeepsItsTasksAndFoldsTheSinkV2Operators) {
  const scenarios::PlanImportOptions sink_v2{
      .bounded_records = {{"bc764cd8ddf7a0cff126f51c16239658", 20}, {"20ba6b65f97481d5570070de90e4e791", 4}},
      .sink_kind = scenarios::SinkKind::kSinkV2};
  const std::string yaml = Import(kRestPlan, sink_v2);
  const simulator::RunConfig config = Load(yaml);
  ASSERT_EQ(config.graph_spec.vertices.size(), 5u) << yaml;
  EXPECT_EQ(Chain(FindVertex(config, "Source_Clicks")),
            (std::vector<std::string>{"Source_Clicks:bounded_source", "Timestamps_Watermarks:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "TableSourceScan_3")),
            (std::vector<std::string>{"TableSourceScan_3:bounded_source"}));
  EXPECT_EQ(Chain(FindVertex(config, "Join_5")),
            (std::vector<std::string>{"Join_5:keyed_aggregate", "Calc_6:map", "GroupAggregate_7:keyed_aggregate"}));
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Writer")), (std::vector<std::string>{"Sink_Writer:sink_v2_writer"}));
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Committer")),
            (std::vector<std::string>{"Sink_Committer:sink_v2_committer"}));
  EXPECT_EQ(EdgeOf(config, "Sink_Writer", "Sink_Committer"), "forward");
  EXPECT_EQ(FindVertex(config, "Join_5")->parallelism, 4);

  const std::string two_phase = Import(kRestPlan, {});
  const simulator::RunConfig plain = Load(two_phase);
  EXPECT_EQ(Chain(FindVertex(plain, "Sink_Writer")), (std::vector<std::string>{"Sink_Writer:two_phase_commit_sink"}));
  EXPECT_EQ(plain.graph_spec.vertices.size(), 4u);
  EXPECT_TRUE(plain.stop.enabled);  // both sources unbounded
  EXPECT_NE(Comments(two_phase).find("with Sink: Committer, one sink here"), std::string::npos) << two_phase;
}

TEST(PlanImport, SinkChainedBehindAForkGetsAVertexOfItsOwn) {
  const std::string yaml = Import(kForkPlan, Bounded({{"1", 10}}));
  const simulator::RunConfig config = Load(yaml);
  EXPECT_EQ(Chain(FindVertex(config, "Source_Orders_1")),
            (std::vector<std::string>{"Source_Orders_1:bounded_source", "Calc_2:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Writer")), (std::vector<std::string>{"Sink_Writer:two_phase_commit_sink"}));
  EXPECT_EQ(EdgeOf(config, "Source_Orders_1", "Sink_Writer"), "forward");
  EXPECT_EQ(Chain(FindVertex(config, "LocalGroupAggregate_4")),
            (std::vector<std::string>{"LocalGroupAggregate_4:map"}));
  EXPECT_NE(Comments(yaml).find("a ckptsim sink ends a task without outputs"), std::string::npos) << yaml;
  const std::string out = Scratch("fork.yaml").string();
  std::ofstream(out) << yaml;
  EXPECT_EQ(Cli("sweep " + out + " --seeds 40").exit_code, 0);
}

// Found by sweeping the fork plan with --sink-kind sink-v2: the writer stayed in the task with outputs,
// which the model refuses (a writer's only output is its committer).
TEST(PlanImport, SinkV2WriterChainedBehindAForkGetsAVertexOfItsOwnBeforeItsCommitter) {
  const std::string yaml =
      Import(kForkPlan, {.bounded_records = {{"1", 10}}, .sink_kind = scenarios::SinkKind::kSinkV2});
  const simulator::RunConfig config = Load(yaml);
  EXPECT_EQ(Chain(FindVertex(config, "Source_Orders_1")),
            (std::vector<std::string>{"Source_Orders_1:bounded_source", "Calc_2:map"}));
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Writer")), (std::vector<std::string>{"Sink_Writer:sink_v2_writer"}));
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Committer")),
            (std::vector<std::string>{"Sink_Committer:sink_v2_committer"}));
  EXPECT_EQ(EdgeOf(config, "Source_Orders_1", "Sink_Writer"), "forward");
  EXPECT_EQ(EdgeOf(config, "Sink_Writer", "Sink_Committer"), "forward");
  // Sink_Collect is a writer too, chained behind its aggregate, with a committer of its own.
  EXPECT_EQ(Chain(FindVertex(config, "Sink_Collect-committer")),
            (std::vector<std::string>{"Sink_Collect-committer:sink_v2_committer"}));
  const std::string out = Scratch("fork-sink-v2.yaml").string();
  std::ofstream(out) << yaml;
  EXPECT_EQ(Cli("sweep " + out + " --seeds 40").exit_code, 0);
}

TEST(PlanImport, ImportIsAFunctionOfThePlanAndTheOptions) {
  const scenarios::PlanImportOptions options = Bounded({{"1", 30}, {"8", 3}});
  EXPECT_EQ(Import(kDataStreamPlan, options), Import(kDataStreamPlan, options));
  const auto a = Cli("import-plan " + kDataStreamPlan + " --bounded 1=30 --bounded 8=3");
  EXPECT_EQ(a.exit_code, 0) << a.out;
  EXPECT_EQ(a.out, Import(kDataStreamPlan, options));
  // Each --bounded takes one value, so the plan may come after them.
  const auto b = Cli("import-plan --bounded 1=30 --bounded 8=3 " + kDataStreamPlan);
  EXPECT_EQ(b.exit_code, 0) << b.out;
  EXPECT_EQ(b.out, a.out);
}

struct BadPlan {
  const char* file;
  const char* message;  // after "FILE: " (or "FILE:LINE: ")
};

// One file per rule; each names the JSON path (or line and column) of its problem.
const BadPlan kBadPlans[] = {
    {"not_json.json",
     "1: invalid JSON at column 2: syntax error while parsing value - invalid literal; last read: 'th'"},
    {"trailing_comma.json",
     "4: invalid JSON at column 123: syntax error while parsing value - unexpected ']'; expected '[', '{', or a "
     "literal"},
    {"empty_file.json", " the file holds no JSON; a plan is an object with a 'nodes' list"},
    {"top_level_array.json",
     " the top level: expected an object with a 'nodes' list (a Flink execution plan), got an array"},
    {"no_nodes.json", " the top level: missing required key 'nodes'"},
    {"nodes_not_a_list.json", " nodes: expected a list, got an object"},
    {"nodes_empty.json", " nodes: is empty; a plan lists at least one node"},
    {"node_of_neither_format.json",
     " nodes[0]: is neither a StreamGraph node (with 'type' and 'pact', as getExecutionPlan() writes) nor a JobGraph "
     "node (with 'description', as the REST API's plan writes)"},
    {"node_not_an_object.json", " nodes[1]: expected an object, got string \"Map\""},
    {"missing_id.json", " nodes[0]: missing required key 'id'"},
    {"missing_type.json", " nodes[0]: missing required key 'type'"},
    {"missing_parallelism.json", " nodes[1]: missing required key 'parallelism'"},
    {"parallelism_not_an_integer.json", " nodes[0].parallelism: expected an integer, got string \"4\""},
    {"parallelism_zero.json", " nodes[0].parallelism: must be between 1 and 1024, got 0"},
    {"id_not_an_integer.json", " nodes[0].id: expected a node id (an integer or a non-empty string), got number 1.5"},
    {"type_not_a_string.json", " nodes[0].type: expected a string, got number 7"},
    {"unknown_pact.json",
     " nodes[0].pact: unknown pact 'Data Sorce' (did you mean 'Data Source'?); known: Data Source, Operator, Data "
     "Sink"},
    {"id_used_twice.json", " nodes[1].id: node id 1 is used twice (first at nodes[0])"},
    {"unknown_predecessor_id.json", " nodes[3].predecessors[0].id: unknown node id 42"},
    {"unknown_ship_strategy.json",
     " nodes[1].predecessors[0].ship_strategy: unknown ship strategy 'ROUND_ROBIN'; known: FORWARD, HASH, REBALANCE, "
     "RESCALE, BROADCAST, GLOBAL, SHUFFLE, CUSTOM"},
    {"missing_ship_strategy.json", " nodes[1].predecessors[0]: missing required key 'ship_strategy'"},
    {"predecessors_not_a_list.json", " nodes[1].predecessors: expected a list, got an object"},
    {"predecessor_not_an_object.json", " nodes[1].predecessors[0]: expected an object, got number 1"},
    {"cycle.json", " nodes[1].predecessors[1].id: node 3 closes a cycle: 2 -> 3 -> 2"},
    {"self_loop.json", " nodes[1].predecessors[1].id: node 2 is its own predecessor"},
    {"source_with_input.json", " nodes[1].predecessors: a Data Source has no inputs, but this one lists 1"},
    {"operator_without_input.json", " nodes[1]: Operator node 2 has no predecessors; only a Data Source has no inputs"},
    {"sink_with_output.json", " nodes[2].predecessors[0].id: node 2 is a Data Sink, which has no outputs"},
    {"forward_between_parallelisms.json",
     " nodes[1].predecessors[0].ship_strategy: FORWARD joins equal parallelisms, but node 1 has 2 and node 2 has 4"},
    {"two_edges_between_two_tasks.json",
     " nodes[2].predecessors[1].id: a second edge from the task of node 2 into the task of node 3 (the first is "
     "nodes[2].predecessors[0]); a ckptsim job joins two tasks by one edge at most"},
    {"jobgraph_unknown_input.json", " plan.nodes[1].inputs[0].id: unknown node id c3"},
    {"jobgraph_self_input.json", " plan.nodes[1].inputs[1].id: node b2 is its own predecessor"},
    {"jobgraph_empty_description.json",
     " plan.nodes[0].description: names no operator; a task's description lists its chained operators"},
};

TEST(PlanImport, EveryMalformedPlanExitsTwoWithTheJsonPathOfItsProblemAndWritesNothing) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kPlans + "/bad")) files += entry.is_regular_file();
  EXPECT_EQ(files, std::size(kBadPlans)) << "each file under bad/ needs its row in kBadPlans";
  for (const BadPlan& bad : kBadPlans) {
    const std::string plan = kPlans + "/bad/" + bad.file;
    const std::filesystem::path out = Scratch(std::string(bad.file) + ".yaml");
    const auto o = Cli("import-plan " + plan + " --bounded 1=5 -o " + out.string());
    EXPECT_EQ(o.exit_code, 2) << bad.file << ": " << o.out;
    EXPECT_EQ(o.out, "ckptsim: error: " + plan + ":" + bad.message + "\n") << bad.file;
    EXPECT_FALSE(std::filesystem::exists(out)) << bad.file;
    EXPECT_FALSE(std::filesystem::exists(out.string() + ".tmp")) << bad.file;
    // The loader refuses it with the same words where a scenario is expected.
    auto loaded = scenarios::LoadScenario(plan);
    ASSERT_TRUE(std::holds_alternative<scenarios::ScenarioError>(loaded)) << bad.file;
    EXPECT_EQ(std::get<scenarios::ScenarioError>(loaded).ToString(), plan + ":" + bad.message) << bad.file;
  }
}

TEST(PlanImport, BadOptionsNameTheOption) {
  const std::string plan = kSqlDocPlan + ": ";
  const struct {
    std::string arguments;
    std::string message;
  } cases[] = {
      {"--bounded 42=5", plan + "--bounded 42=5: no node has id 42; the plan's sources are 17, 19"},
      {"--bounded 18=5", plan + "--bounded 18=5: node 18 \"Calc[16]\" is not a source; the plan's sources are 17, 19"},
      {"--bounded 17=5 --bounded 17=6", plan + "--bounded 17=6: source 17 is given twice"},
      {"--bounded 17",
       "--bounded '17': expected ID=N, a source's node id in the plan and the records each of its "
       "subtasks emits (N >= 0)"},
      {"--bounded 17=-1",
       "--bounded '17=-1': expected ID=N, a source's node id in the plan and the records each of "
       "its subtasks emits (N >= 0)"},
      {"--bounded =5",
       "--bounded '=5': expected ID=N, a source's node id in the plan and the records each of its "
       "subtasks emits (N >= 0)"},
      {"--sink-kind 3pc", "--sink-kind '3pc': expected 2pc or sink-v2"},
  };
  for (const auto& c : cases) {
    const auto o = Cli("import-plan " + kSqlDocPlan + " " + c.arguments);
    EXPECT_EQ(o.exit_code, 2) << c.arguments << ": " << o.out;
    EXPECT_EQ(o.out, "ckptsim: error: " + c.message + "\n") << c.arguments;
  }
  const auto missing = Cli("import-plan " + kPlans + "/no-such-plan.json");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.out, "ckptsim: error: " + kPlans + "/no-such-plan.json: no such plan file\n");
}

TEST(PlanImport, NamesAreSanitisedToTheScenarioRules) {
  EXPECT_EQ(scenarios::SanitizeName("Source: MyTable1[15]"), "Source_MyTable1_15");
  EXPECT_EQ(scenarios::SanitizeName("Window(TumblingEventTimeWindows(5000), EventTimeTrigger)"), "Window");
  EXPECT_EQ(scenarios::SanitizeName("[3]:TableSourceScan(table=[[a, b]], fields=[id])"), "TableSourceScan_3");
  EXPECT_EQ(scenarios::SanitizeName("Sink: Print to Std. Out"), "Sink_Print_to_Std._Out");
  EXPECT_EQ(scenarios::SanitizeName("Zählung → Fenster"), "Z_hlung_Fenster");
  EXPECT_EQ(scenarios::SanitizeName("  :: "), "operator");
  EXPECT_EQ(scenarios::SanitizeName(std::string(80, 'a')).size(), 48u);
  scenarios::NameSet names;
  EXPECT_EQ(names.Claim("Map"), "Map");
  EXPECT_EQ(names.Claim("Map"), "Map-2");
  EXPECT_EQ(names.Claim("Map"), "Map-3");
}

TEST(PlanImport, JobGraphDescriptionsSplitIntoTheirChainedOperators) {
  using V = std::vector<std::string>;
  EXPECT_EQ(scenarios::SplitChainDescription("Source: Custom Source -&gt; Map -&gt; Sink: Print to Std. Out"),
            (V{"Source: Custom Source", "Map", "Sink: Print to Std. Out"}));
  EXPECT_EQ(scenarios::SplitChainDescription("[1]:Source: s<br/>+- [2]:Calc(select=[a -&gt; b])<br/>   "
                                             "+- [3]:Sink(table=[t])<br/>"),
            (V{"[1]:Source: s", "[2]:Calc(select=[a -> b])", "[3]:Sink(table=[t])"}));
  EXPECT_EQ(scenarios::SplitChainDescription("DataSource (at x)<br/> -&gt; FlatMap (y)"),
            (V{"DataSource (at x)", "FlatMap (y)"}));
  EXPECT_EQ(scenarios::SplitChainDescription("Source: s -> (Map -> Sink: a, Filter)"),
            (V{"Source: s", "Map", "Sink: a", "Filter"}));
  EXPECT_EQ(scenarios::SplitChainDescription("A &amp; B &lt;br/&gt; C"), (V{"A & B <br/> C"}));
  EXPECT_TRUE(scenarios::SplitChainDescription("<br/> <br/>").empty());
}

TEST(PlanImport, KindsAreGuessedFromTheOperatorsNamesNotTheirArguments) {
  const auto kind = [](std::string_view type, std::string_view contents = "") {
    return std::string(Name(scenarios::GuessOperatorKind(type, contents).kind));
  };
  EXPECT_EQ(kind("GroupAggregate[20]"), "keyed_aggregate");
  EXPECT_EQ(kind("Keyed Reduce"), "keyed_aggregate");
  EXPECT_EQ(kind("Rank[4]"), "keyed_aggregate");
  EXPECT_EQ(kind("Join[5]"), "keyed_aggregate");
  EXPECT_EQ(kind("LookupJoin[5]"), "map");
  EXPECT_EQ(kind("LocalGroupAggregate[3]"), "map");
  EXPECT_EQ(kind("GroupWindowAggregate[6]"), "event_time_window");
  EXPECT_EQ(kind("OverAggregate[2]"), "event_time_window");
  EXPECT_EQ(kind("Co-Process-Broadcast-Keyed"), "broadcast_state");
  EXPECT_EQ(kind("async wait operator"), "buffering");
  EXPECT_EQ(kind("Sort[7]"), "buffering");
  EXPECT_EQ(kind("Calc[16]", "[16]:Calc(select=[window_start, count], where=[LIKE(word, 'F%')])"), "map");
  EXPECT_EQ(kind("my-step", "[9]:Deduplicate(keep=[FirstRow], key=[id])"), "keyed_aggregate");
  EXPECT_EQ(scenarios::GuessOperatorKind("Calc[16]", "").reason, "neither its type nor its contents name state");
}

}  // namespace
}  // namespace ckptsim
