// The recipes of deploy/ (issue 12, "Beyond one machine"), run on this
// machine with 3 shards: GNU parallel's script itself, the Slurm scripts with
// the array variables Slurm would set, the Kubernetes pod scripts with the
// completion index an Indexed Job would set. Each merge must equal one
// machine's sweep of the same seeds, text and JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "scenarios/plan_import.h"
#include "shell.h"

namespace ckptsim {
namespace {

using Json = nlohmann::json;

const std::string kSource = CKPTSIM_SOURCE_DIR;
const std::string kDeploy = kSource + "/deploy";
const std::string kBinary = CKPTSIM_BINARY;
const std::string kPlan = std::string(CKPTSIM_TEST_DATA_DIR) + "/flink-plans/01_sql_explain_doc_streamgraph_plan.json";
// Failing runs (tiny-legacy loses records) and a Flink plan, so the merge has something to get right.
const std::string kScenarios = "fig6 " + std::string(CKPTSIM_TEST_DATA_DIR) + "/sweep/tiny-legacy.yaml " + kPlan;
const std::string kSweepOptions = "--seeds 18";

std::filesystem::path Scratch(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ckptsim_deploy_test_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A JSON summary without the figures that depend on the wall clock.
Json WithoutTimings(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return Json("not JSON: " + text);
  for (const char* timing : {"seconds", "runs_per_second", "steps_per_second"}) json.erase(timing);
  return json;
}

// A text summary without its first line (what was swept or merged) and its throughput.
std::string WithoutHeaderAndThroughput(const std::string& text) {
  std::string kept;
  size_t begin = text.find('\n');
  while (begin != std::string::npos && begin + 1 < text.size()) {
    const size_t end = text.find('\n', begin + 1);
    const std::string line = text.substr(begin + 1, end == std::string::npos ? std::string::npos : end - begin - 1);
    if (line.rfind("throughput:", 0) != 0) kept += line + "\n";
    begin = end;
  }
  return kept;
}

struct OneMachine {
  int exit_code = -1;
  std::string text;
  Json json;
};

const OneMachine& OneMachineSweep() {
  static const OneMachine one = [] {
    OneMachine o;
    const auto text = testing::RunShell(kBinary + " sweep " + kScenarios + " " + kSweepOptions + " --jobs 2");
    const auto json = testing::RunShell(kBinary + " sweep " + kScenarios + " " + kSweepOptions + " --jobs 2 --json");
    o.exit_code = text.exit_code;
    o.text = WithoutHeaderAndThroughput(text.out);
    o.json = WithoutTimings(json.out);
    return o;
  }();
  return one;
}

// The summaries a recipe left in `results` are one machine's.
void ExpectSameAsOneMachine(const std::filesystem::path& results) {
  const OneMachine& one = OneMachineSweep();
  ASSERT_EQ(one.exit_code, 1);  // tiny-legacy fails P2
  EXPECT_EQ(one.json["seeds"], 54);
  EXPECT_EQ(WithoutTimings(ReadFile(results / "summary.json")), one.json);
  EXPECT_EQ(WithoutHeaderAndThroughput(ReadFile(results / "summary.txt")), one.text);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::filesystem::exists(results / ("shard-" + std::to_string(i) + ".jsonl"))) << i;
  }
}

std::string Env(const std::filesystem::path& results) {
  return "CKPTSIM=" + kBinary + " RESULTS=" + results.string() + " ";
}

TEST(DeployRecipes, GnuParallelRunsThreeLocalShardsWhoseMergeEqualsOneMachine) {
  ASSERT_EQ(testing::RunShell("command -v parallel").exit_code, 0)
      << "GNU parallel is missing: run scripts/setup.sh (Debian package 'parallel')";
  const std::filesystem::path results = Scratch("parallel");
  const auto o = testing::RunShell(Env(results) + "bash " + kDeploy + "/parallel/sweep.sh 3 " + kScenarios + " " +
                                   kSweepOptions + " 2>&1");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  ExpectSameAsOneMachine(results);
  EXPECT_EQ(WithoutHeaderAndThroughput(o.out), OneMachineSweep().text);  // it prints the merged summary
}

TEST(DeployRecipes, GnuParallelStopsWithExitTwoWhenAShardCannotRun) {
  const std::filesystem::path results = Scratch("parallel-bad");
  const auto o =
      testing::RunShell(Env(results) + "bash " + kDeploy + "/parallel/sweep.sh 3 no-such-scenario --seeds 3 2>&1");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("unknown scenario 'no-such-scenario'"), std::string::npos) << o.out;
  EXPECT_FALSE(std::filesystem::exists(results / "summary.txt"));
}

TEST(DeployRecipes, SlurmArrayTasksRunAsShardsAndTheirMergeEqualsOneMachine) {
  const std::filesystem::path results = Scratch("slurm");
  // An array --array=4-6: the shard is the task id minus the smallest one.
  for (int task = 4; task <= 6; ++task) {
    const auto o = testing::RunShell(Env(results) + "SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
                                     " SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 bash " +
                                     kDeploy + "/slurm/sweep.sbatch " + kScenarios + " " + kSweepOptions + " 2>&1");
    EXPECT_EQ(o.exit_code, 0) << "task " << task << ": " << o.out;  // a violation is a result, not a failed task
  }
  const auto merge = testing::RunShell(Env(results) + "SHARDS=3 bash " + kDeploy + "/slurm/merge.sbatch 2>&1");
  EXPECT_EQ(merge.exit_code, 1) << merge.out;
  ExpectSameAsOneMachine(results);
  const auto missing = testing::RunShell(Env(results) + "SHARDS=4 bash " + kDeploy + "/slurm/merge.sbatch 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("missing shard file " + (results / "shard-3.jsonl").string()), std::string::npos)
      << missing.out;
}

TEST(DeployRecipes, KubernetesIndexedJobPodsRunAsShardsAndTheMergeJobEqualsOneMachine) {
  const std::filesystem::path results = Scratch("kubernetes");
  for (int index = 0; index < 3; ++index) {
    const auto o = testing::RunShell(Env(results) + "JOB_COMPLETION_INDEX=" + std::to_string(index) +
                                     " SHARDS=3 SWEEP_JOBS=1 SCENARIO=fig6 SWEEP_ARGS='" + kScenarios.substr(5) + " " +
                                     kSweepOptions + "' bash " + kDeploy + "/kubernetes/shard.sh 2>&1");
    EXPECT_EQ(o.exit_code, 0) << "pod " << index << ": " << o.out;
    EXPECT_TRUE(std::filesystem::exists(results / ("shard-" + std::to_string(index) + ".done")));
  }
  const auto merge = testing::RunShell(Env(results) + "SHARDS=3 bash " + kDeploy + "/kubernetes/merge.sh 2>&1");
  EXPECT_EQ(merge.exit_code, 1) << merge.out;
  ExpectSameAsOneMachine(results);
  const auto early =
      testing::RunShell(Env(results) + "SHARDS=4 WAIT_SECONDS=0 bash " + kDeploy + "/kubernetes/merge.sh 2>&1");
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_NE(early.out.find("shard 3 of 4 has not finished"), std::string::npos) << early.out;
}

std::string Value(const std::string& text, const std::string& pattern) {
  std::smatch match;
  return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : "";
}

TEST(DeployRecipes, KubernetesManifestsAgreeOnTheShardCountAndBuild) {
  const std::string sweep = ReadFile(kDeploy + "/kubernetes/sweep-job.yaml");
  const std::string merge = ReadFile(kDeploy + "/kubernetes/merge-job.yaml");
  const std::string completions = Value(sweep, R"(completions: (\d+))");
  ASSERT_FALSE(completions.empty());
  EXPECT_NE(sweep.find("completionMode: Indexed"), std::string::npos);
  EXPECT_EQ(Value(sweep, R"re(\{name: SHARDS, value: "(\d+)"\})re"), completions);
  EXPECT_EQ(Value(merge, R"re(\{name: SHARDS, value: "(\d+)"\})re"), completions);
  const std::string kustomization = ReadFile(kDeploy + "/kubernetes/kustomization.yaml");
  for (const char* file :
       {"results-pvc.yaml", "sweep-job.yaml", "merge-job.yaml", "shard.sh", "merge.sh", "scenario.yaml"}) {
    EXPECT_NE(kustomization.find(std::string("- ") + file), std::string::npos) << file;
    EXPECT_TRUE(std::filesystem::exists(kDeploy + "/kubernetes/" + file)) << file;
  }
  if (testing::RunShell("command -v kubectl >/dev/null").exit_code == 0) {
    const auto built = testing::RunShell("kubectl kustomize " + kDeploy + "/kubernetes 2>&1");
    EXPECT_EQ(built.exit_code, 0) << built.out;
    // The Jobs' volumes point at the generated ConfigMaps, hash suffix and all.
    const std::string scripts = Value(built.out, R"(\n  name: (ckptsim-scripts-\w+))");
    ASSERT_FALSE(scripts.empty()) << built.out;
    EXPECT_NE(built.out.find("- configMap:\n          name: " + scripts), std::string::npos) << built.out;
  }
}

// The shipped example is what import-plan makes of the Flink documentation's plan today.
TEST(DeployRecipes, KubernetesScenarioIsTheImportedFlinkPlan) {
  auto imported = scenarios::ImportPlanFile(kPlan, {});
  ASSERT_TRUE(std::holds_alternative<scenarios::ImportedPlan>(imported));
  EXPECT_EQ(ReadFile(kDeploy + "/kubernetes/scenario.yaml"), std::get<scenarios::ImportedPlan>(imported).yaml)
      << "regenerate: ckptsim import-plan " << kPlan << " -o deploy/kubernetes/scenario.yaml";
}

// MODE=check: the recipe runs a sharded swarm search and merges the check
// summaries; the merge holds the shortest counterexample of all shards.
TEST(DeployRecipes, GnuParallelCheckModeMergesThreeSwarmShards) {
  const std::filesystem::path results = Scratch("parallel-check");
  const auto o = testing::RunShell(Env(results) + "MODE=check SWARM=6 SEED=3 bash " + kDeploy +
                                   "/parallel/sweep.sh 3 chain-check --variant legacy 2>&1");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("merge of 3 check shard(s) of chain-check (6 swarm searches run"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("P2 no-data-loss         VIOLATED"), std::string::npos) << o.out;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::filesystem::exists(results / ("check-" + std::to_string(i) + ".json")));
}

}  // namespace
}  // namespace ckptsim
