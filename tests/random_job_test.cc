// `ckptsim sweep random` (issue 13, "wider default sweeps";
// scenarios/random_job.h): a job per seed from one generator. The generator
// is deterministic, every job it writes loads, over a few hundred seeds it
// reaches every shape it promises, flip147 keeps every property on them, the
// legacy flow is caught, and the sweep is the same for any --jobs.
#include <set>
#include <string>
#include <variant>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.h"
#include "harness.h"
#include "scenarios/random_job.h"
#include "shell.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

constexpr uint64_t kSeeds = 300;

simulator::RunConfig Drawn(uint64_t seed) {
  auto drawn = scenarios::DrawRandomJob(seed);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&drawn)) {
    ADD_FAILURE() << "seed " << seed << ": " << error->ToString() << "\n" << scenarios::RandomJobYaml(seed);
    return {};
  }
  return std::get<simulator::RunConfig>(drawn);
}

TEST(RandomJob, TheSameSeedWritesTheSameJobAndEverySeedLoads) {
  EXPECT_EQ(scenarios::RandomJobYaml(7), scenarios::RandomJobYaml(7));
  EXPECT_NE(scenarios::RandomJobYaml(7), scenarios::RandomJobYaml(8));
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const simulator::RunConfig config = Drawn(seed);
    EXPECT_TRUE(config.random_job);
    EXPECT_EQ(config.scenario_name, "random");
  }
}

// Each shape the generator promises turns up within the seeds.
TEST(RandomJob, TheSeedsReachEveryShape) {
  std::set<std::string> seen;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const simulator::RunConfig config = Drawn(seed);
    if (!config.graph) continue;
    for (const model::VertexInfo& vertex : config.graph->vertices()) {
      for (const model::OperatorSpec& op : vertex.operators) seen.insert(std::string(model::Name(op.kind)));
    }
    const std::string yaml = scenarios::RandomJobYaml(seed);
    for (const char* key : {"records: [0", "strategy: region", "strategy: full", "mode: unaligned", "max_concurrent: 2",
                            "subtask_failures_max", "task_manager_failures_max", "lost_notifications_max",
                            "delayed_rpcs_max", "checkpoint_timeouts_max", "after_checkpoint_completed_ppm",
                            "during_restore_ppm", "drain: true", "drain: false, resume: true", "Bsrc", "Csrc"}) {
      if (yaml.find(key) != std::string::npos) seen.insert(key);
    }
  }
  for (const char* kind : {"bounded_source", "map", "keyed_aggregate", "union_state", "broadcast_state", "buffering",
                           "event_time_window", "two_phase_commit_sink", "sink_v2_writer", "sink_v2_committer"}) {
    EXPECT_TRUE(seen.contains(kind)) << kind;
  }
  for (const char* key : {"records: [0", "strategy: region", "strategy: full", "mode: unaligned", "max_concurrent: 2",
                          "subtask_failures_max", "task_manager_failures_max", "lost_notifications_max",
                          "delayed_rpcs_max", "checkpoint_timeouts_max", "after_checkpoint_completed_ppm",
                          "during_restore_ppm", "drain: true", "drain: false, resume: true", "Bsrc", "Csrc"}) {
    EXPECT_TRUE(seen.contains(key)) << key;
  }
}

TEST(RandomJob, Flip147KeepsEveryPropertyAndLegacyIsCaught) {
  int legacy_caught = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    simulator::RunConfig config = Drawn(seed);
    if (!config.graph) continue;
    const simulator::RunResult result = simulator::Run(config, seed);
    EXPECT_TRUE(result.violations.empty()) << "seed " << seed << ": " << result.violations[0].summary << "\n"
                                           << scenarios::RandomJobYaml(seed);
    config.protocol.variant = model::Variant::kLegacy;
    if (!simulator::Run(config, seed).violations.empty()) ++legacy_caught;
  }
  EXPECT_GT(legacy_caught, 75);
}

TEST(RandomJob, TheSweepIsTheSameForAnyJobsAndARunReplays) {
  const std::string sweep = "sweep random --seeds 40 --swarm --json 2>/dev/null";
  ShellOutcome one = RunCkptsim(sweep + " --jobs 1");
  ShellOutcome two = RunCkptsim(sweep + " --jobs 2");
  ASSERT_EQ(one.exit_code, 0) << one.out;
  nlohmann::json a = nlohmann::json::parse(one.out);
  nlohmann::json b = nlohmann::json::parse(two.out);
  for (const char* timing : {"seconds", "runs_per_second", "steps_per_second"}) {
    a.erase(timing);
    b.erase(timing);
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["runs_by_scenario"][0]["runs"], 40);
  ScratchDir dir("random_job", "replay");
  const std::string trace = (dir.path() / "t.jsonl").string();
  ASSERT_EQ(RunCkptsim("run random --seed 11 --trace " + trace + " >/dev/null 2>&1").exit_code, 0);
  const ShellOutcome replay = RunCkptsim("replay " + trace + " 2>&1");
  EXPECT_EQ(replay.exit_code, 0) << replay.out;
  EXPECT_NE(replay.out.find("MATCH"), std::string::npos) << replay.out;
}

}  // namespace
}  // namespace ckptsim::testing
