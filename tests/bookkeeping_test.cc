// The coordinator's bookkeeping describes the current attempts (model/
// bookkeeping.h; docs/protocol.md sections 4 and 7, Flink's
// CheckpointCoordinator and PendingCheckpoint): checked after every step of
// every built-in, plain and swarm, and of random jobs; and each rule, broken
// by hand in a real state, is reported.
#include <optional>
#include <span>
#include <string>

#include <gtest/gtest.h>

#include "harness.h"
#include "model/bookkeeping.h"
#include "scenarios/builtin.h"
#include "scenarios/random_job.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"

namespace ckptsim::testing {
namespace {

class BookkeepingObserver final : public simulator::RunObserver {
 public:
  void OnStep(const model::System& system, int64_t step, int64_t, const model::Action&,
              std::span<const model::Event>) override {
    ++steps;
    if (problem) return;
    if (auto found = model::BookkeepingProblem(system)) problem = "step " + std::to_string(step) + ": " + *found;
  }
  std::optional<std::string> problem;
  int64_t steps = 0;
};

void ExpectConsistent(const simulator::RunConfig& config, uint64_t seed, const std::string& what) {
  BookkeepingObserver observer;
  simulator::Run(config, seed, {.observer = &observer});
  EXPECT_GT(observer.steps, 0) << what;
  EXPECT_FALSE(observer.problem) << what << " seed " << seed << ": " << *observer.problem;
}

TEST(Bookkeeping, HoldsAfterEveryStepOfEveryBuiltinPlainAndSwarm) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig config = LoadOrDie(name);
    for (uint64_t seed = 1; seed <= 15; ++seed) {
      ExpectConsistent(config, seed, name);
      ExpectConsistent(simulator::DrawSwarm(config, seed), seed, name + " (swarm)");
    }
  }
}

TEST(Bookkeeping, HoldsAfterEveryStepOfRandomJobs) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    ExpectConsistent(LoadOrDie(scenarios::RandomJobYaml(seed)), seed, "random job");
  }
}

// A state in which checkpoint 1 is pending and only S[0] acknowledged it.
Script Pending() {
  Script s(R"(name: pending
vertices:
  - {name: S, parallelism: 1, records: 0, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
)");
  s.StartAll();
  s.Do("trigger").Rpc(model::RpcKind::kTriggerCheckpoint, "S[0]").Rpc(model::RpcKind::kAcknowledge, "S[0]");
  return s;
}

TEST(Bookkeeping, EachBrokenRuleIsReported) {
  const Script s = Pending();
  ASSERT_EQ(s.system().coordinator.pending.size(), 1u);
  const auto problem = model::BookkeepingProblem(s.system());
  ASSERT_FALSE(problem) << *problem;
  const auto broken = [&](auto edit) {
    model::System system = s.system();
    edit(system);
    return model::BookkeepingProblem(system).value_or("");
  };
  const int k = s.Subtask("K[0]");
  EXPECT_NE(broken([](model::System& m) { ++m.coordinator.pending[0].acks_missing; }).find("expects 2 more"),
            std::string::npos);
  EXPECT_NE(broken([&](model::System& m) { m.coordinator.end_of_data_reported[k] = true; })
                .find("K[0] as having reported end of data"),
            std::string::npos);
  EXPECT_NE(broken([&](model::System& m) { m.coordinator.view[k] = model::ExecutionState::kFinished; })
                .find("sees K[0] FINISHED"),
            std::string::npos);
  EXPECT_NE(broken([&](model::System& m) {
              m.coordinator.pending[0].acknowledged[k] = true;
              --m.coordinator.pending[0].acks_missing;
              m.subtasks[k].phase = model::SubtaskPhase::kDeploying;
            }).find("still DEPLOYING"),
            std::string::npos);
  EXPECT_NE(broken([](model::System& m) { m.coordinator.pending[0].id = m.coordinator.next_checkpoint_id; })
                .find("out of order"),
            std::string::npos);
}

}  // namespace
}  // namespace ckptsim::testing
