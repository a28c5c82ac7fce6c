// Each property checker, fed a state and events that break its rule, must
// report it; fed a correct run, must stay quiet (docs/protocol.md section 10).
#include <gtest/gtest.h>

#include "harness.h"
#include "properties/liveness.h"
#include "properties/property.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

using model::Event;
using model::EventKind;
using model::OperatorCall;
using properties::PropertyId;

constexpr const char* kPipeline = R"(name: pipeline
vertices:
  - {name: S, parallelism: 1, records: 2, operators: [{name: s, kind: bounded_source}, {name: m, kind: map}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
)";

std::unique_ptr<properties::PropertyChecker> Make(PropertyId id, const model::System& system) {
  switch (id) {
    case PropertyId::kTransactionHygiene: return properties::MakeTransactionHygieneChecker(system);
    case PropertyId::kLifecycleOrder: return properties::MakeLifecycleOrderChecker(system);
    case PropertyId::kSavepointCut: return properties::MakeSavepointCutChecker(system);
    case PropertyId::kEventTime: return properties::MakeEventTimeChecker(system);
    default: return nullptr;
  }
}

Event Call(int32_t subtask, int32_t op, OperatorCall call, int64_t checkpoint = 0) {
  return Event{.kind = EventKind::kOperatorCall, .aux = static_cast<uint8_t>(call), .subtask = subtask, .op = op,
               .checkpoint = checkpoint};
}

// A checker that has seen every subtask of `s` brought to RUNNING for real.
std::unique_ptr<properties::PropertyChecker> Started(PropertyId id, Script& s) {
  auto checker = Make(id, s.system());
  checker->OnStep(s.system(), 0, s.events());  // the real start-up events
  s.StartAll();
  checker->OnStep(s.system(), 1, s.events());
  return checker;
}

// A checker fed `events` after bringing every subtask to RUNNING for real.
std::optional<properties::Violation> Feed(PropertyId id, const std::vector<Event>& events) {
  Script s(kPipeline);
  auto checker = Started(id, s);
  checker->OnStep(s.system(), 2, events);
  return checker->violation();
}

TEST(P4TransactionHygiene, ACommitForACheckpointThatNeverCompletedIsReported) {
  Script s(kPipeline);
  auto checker = properties::MakeTransactionHygieneChecker(s.system());
  s.StartAll();
  const int k = s.Subtask("K[0]");
  const int64_t txn = s.Sub("K[0]").operators[0].current_transaction;
  checker->OnStep(s.system(), 1,
                  std::vector<Event>{Event{.kind = EventKind::kTransactionCommitted, .subtask = k, .checkpoint = 3,
                                           .value = txn}});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("never completed"), std::string::npos);
}

TEST(P4TransactionHygiene, AnOpenTransactionAtFinishedIsReported) {
  Script s(kPipeline);
  auto checker = properties::MakeTransactionHygieneChecker(s.system());
  s.StartAll();
  const int k = s.Subtask("K[0]");
  checker->OnStep(s.system(), 1, std::vector<Event>{Event{.kind = EventKind::kSubtaskFinished, .subtask = k}});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("still open"), std::string::npos);
}

TEST(P4TransactionHygiene, AnUndecidedTransactionAtJobEndIsReported) {
  Script s(kPipeline);
  auto checker = properties::MakeTransactionHygieneChecker(s.system());
  s.StartAll();
  checker->OnEnd(s.system(), properties::RunEnd{.job_finished = true, .step = 9});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("OPEN"), std::string::npos);
}

TEST(P6LifecycleOrder, FinishBeforeEndInputIsReported) {
  auto v = Feed(PropertyId::kLifecycleOrder, {Call(0, 1, OperatorCall::kFinish)});
  ASSERT_TRUE(v);
  EXPECT_NE(v->summary.find("finish() before endInput()"), std::string::npos);
}

TEST(P6LifecycleOrder, CloseTwiceIsReported) {
  auto v = Feed(PropertyId::kLifecycleOrder, {Call(1, 0, OperatorCall::kClose), Call(1, 0, OperatorCall::kClose)});
  ASSERT_TRUE(v);
  EXPECT_NE(v->summary.find("close() called twice"), std::string::npos);
}

TEST(P6LifecycleOrder, ANotificationForACheckpointNotTakenIsReported) {
  auto v = Feed(PropertyId::kLifecycleOrder, {Call(1, 0, OperatorCall::kNotifyCheckpointComplete, 4)});
  ASSERT_TRUE(v);
  EXPECT_NE(v->summary.find("did not perform"), std::string::npos);
}

// Issue 13: no exemption for the checkpoint the attempt was restored from;
// Flink's StreamTask filters such a notification out before any operator sees it.
TEST(P6LifecycleOrder, ANotificationForTheRestoredCheckpointIsReported) {
  Script s(kPipeline);
  auto checker = Started(PropertyId::kLifecycleOrder, s);
  model::System restored = s.system();
  restored.subtasks[1].restored_checkpoint_id = 4;
  checker->OnStep(restored, 2, std::vector<Event>{Call(1, 0, OperatorCall::kNotifyCheckpointComplete, 4)});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("did not perform"), std::string::npos);
}

TEST(P6LifecycleOrder, ASubtaskThatEndsWithoutCloseIsReported) {
  Script s(kPipeline);
  auto checker = Started(PropertyId::kLifecycleOrder, s);
  model::System ended = s.system();
  ended.subtasks[1].phase = model::SubtaskPhase::kFinished;  // as if it finished without close()
  checker->OnEnd(ended, properties::RunEnd{.step = 5});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("close() ran 0 time(s)"), std::string::npos);
}

TEST(L3EventTime, FinishWithoutMaxWatermarkIsReported) {
  auto v = Feed(PropertyId::kEventTime, {Call(1, 0, OperatorCall::kFinish)});
  ASSERT_TRUE(v);
  EXPECT_NE(v->summary.find("MAX_WATERMARK never reached it"), std::string::npos);
  auto twice = Feed(PropertyId::kEventTime, {Call(1, 0, OperatorCall::kProcessMaxWatermark),
                                             Call(1, 0, OperatorCall::kProcessMaxWatermark)});
  ASSERT_TRUE(twice);
}

TEST(P8SavepointCut, ASavepointMissingASubtaskIsReported) {
  Script s(kPipeline);
  auto checker = properties::MakeSavepointCutChecker(s.system());
  s.StartAll();
  model::System system = s.system();
  auto savepoint = std::make_shared<model::CompletedCheckpoint>();
  savepoint->id = 1;
  savepoint->kind = model::CheckpointKind::kSyncSavepoint;
  savepoint->subtask_finished.assign(2, false);
  savepoint->snapshots.assign(2, nullptr);
  savepoint->snapshots[0] = std::make_shared<model::SubtaskSnapshot>();
  system.coordinator.latest_savepoint = savepoint;
  checker->OnStep(system, 3, std::vector<Event>{Event{.kind = EventKind::kCheckpointCompleted, .checkpoint = 1}});
  ASSERT_TRUE(checker->violation());
  EXPECT_NE(checker->violation()->summary.find("without K[0]"), std::string::npos);
}

// P8 from the events (docs/protocol.md section 6): once a subtask took the
// stop's savepoint, only that savepoint releases it, it sends nothing but
// EndOfPartition, and it finishes only after the savepoint completed; a new
// attempt starts afresh.
TEST(P8SavepointCut, WhatASubtaskDoesAfterTakingTheStopsSavepointIsChecked) {
  Script s(kPipeline);
  s.StartAll();
  model::System system = s.system();
  system.coordinator.stop_requested = true;
  system.coordinator.stop_savepoint_id = 2;
  const int src = s.Subtask("S[0]");
  const int sink = s.Subtask("K[0]");
  const Event took_source{.kind = EventKind::kCheckpointPerformed, .subtask = src, .checkpoint = 2};
  const Event took_sink{.kind = EventKind::kCheckpointPerformed, .subtask = sink, .checkpoint = 2};
  const auto send = [&](model::MessageKind kind) {
    return Event{.kind = EventKind::kSend, .subtask = src, .channel = 0, .message = model::Message{.kind = kind}};
  };
  const auto check = [&](std::vector<Event> events) {
    auto checker = properties::MakeSavepointCutChecker(system);
    checker->OnStep(system, 5, events);
    return checker->violation() ? checker->violation()->summary : std::string();
  };
  EXPECT_EQ(check({took_source, send(model::MessageKind::kEndOfPartition)}), "");
  EXPECT_EQ(check({took_source, send(model::MessageKind::kRecord)}),
            "S[0] took the stop's savepoint 2, then sent record to K[0]");
  EXPECT_EQ(check({took_source, Event{.kind = EventKind::kRestarted, .subtask = src},
                   send(model::MessageKind::kRecord)}),
            "");
  EXPECT_EQ(check({took_sink, Event{.kind = EventKind::kFinalCheckpointDone, .subtask = sink, .checkpoint = 3}}),
            "K[0] took the stop's savepoint 2 but was released by checkpoint 3");
  EXPECT_EQ(check({took_sink, Event{.kind = EventKind::kSubtaskFinished, .subtask = sink}}),
            "K[0] took the stop's savepoint 2 and finished, but that savepoint never completed");
  auto savepoint = std::make_shared<model::CompletedCheckpoint>();
  savepoint->id = 2;
  savepoint->kind = model::CheckpointKind::kSyncSavepoint;
  system.coordinator.latest_savepoint = savepoint;
  EXPECT_EQ(check({took_sink, Event{.kind = EventKind::kSubtaskFinished, .subtask = sink}}), "");
  // A checkpoint that is not the stop's is not remembered.
  EXPECT_EQ(check({Event{.kind = EventKind::kCheckpointPerformed, .subtask = src, .checkpoint = 1},
                   send(model::MessageKind::kRecord)}),
            "");
}

// P7: a real checkpoint passes; the same checkpoint with its source offset
// moved, or a keyed count changed, is not a consistent cut.
TEST(P7ConsistentCut, ACheckpointThatDoesNotMatchItsOffsetsIsReported) {
  Script s(R"(name: keyed
vertices:
  - {name: S, parallelism: 1, records: 6, operators: [{name: s, kind: bounded_source}]}
  - {name: A, parallelism: 1, operators: [{name: a, kind: keyed_aggregate}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: A, partitioning: hash}
)");
  auto checker = properties::MakeConsistentCutChecker(s.system());
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]").Do("deliver S[0]->A[0]").Do("deliver S[0]->A[0]");
  s.Do("trigger").Rpc(model::RpcKind::kTriggerCheckpoint, "S[0]").Do("deliver S[0]->A[0]");
  s.Rpc(model::RpcKind::kAcknowledge, "S[0]").Rpc(model::RpcKind::kAcknowledge, "A[0]");
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  const std::vector<Event> completed{Event{.kind = EventKind::kCheckpointCompleted, .checkpoint = 1}};
  checker->OnStep(s.system(), 1, completed);
  EXPECT_FALSE(checker->violation()) << checker->violation()->summary;

  const auto tampered = [&](auto edit) {
    model::System system = s.system();
    auto checkpoint = std::make_shared<model::CompletedCheckpoint>(*system.coordinator.latest_completed);
    for (auto& snapshot : checkpoint->snapshots) snapshot = std::make_shared<model::SubtaskSnapshot>(*snapshot);
    edit(*checkpoint);
    system.coordinator.latest_completed = checkpoint;
    auto fresh = properties::MakeConsistentCutChecker(system);
    fresh->OnStep(system, 2, completed);
    return fresh->violation();
  };
  auto later_offset = tampered([](model::CompletedCheckpoint& c) {
    std::const_pointer_cast<model::SubtaskSnapshot>(c.snapshots[0])->source_next_sequence = 3;
  });
  ASSERT_TRUE(later_offset);
  EXPECT_NE(later_offset->summary.find("not in any transaction"), std::string::npos) << later_offset->summary;
  auto wrong_count = tampered([](model::CompletedCheckpoint& c) {
    auto snapshot = std::const_pointer_cast<model::SubtaskSnapshot>(c.snapshots[1]);
    ++snapshot->operators[0].key_counts[0];
  });
  ASSERT_TRUE(wrong_count);
  EXPECT_NE(wrong_count->summary.find("before the cut reach it"), std::string::npos) << wrong_count->summary;
}

// P7 keeps one expectation per keyed aggregation: two chained ones each count
// every record (found by the random-upgrades property: the checker once
// compared each with the sum of both).
TEST(P7ConsistentCut, TwoKeyedAggregationsInOneChainAreCheckedEachOnItsOwn) {
  const simulator::RunConfig config = LoadOrDie(std::string(R"(name: two-keyed
vertices:
  - {name: S, parallelism: 1, records: 5, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k1, kind: keyed_aggregate}, {name: k2, kind: keyed_aggregate},
                                          {name: t, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
checkpointing: {interval_ticks: 5}
)"));
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const simulator::RunResult result = simulator::Run(config, seed);
    ASSERT_TRUE(result.violations.empty()) << "seed " << seed << ": " << result.violations[0].summary;
    EXPECT_GT(result.stats.checkpoints_completed, 0);
  }
}

// Every new checker stays quiet over real runs of every built-in.
TEST(Properties, NoFalseAlarmsOnTheBuiltins) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig config = LoadOrDie(name);
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      const simulator::RunResult result = simulator::Run(config, seed);
      ASSERT_TRUE(result.violations.empty()) << name << " seed " << seed << ": " << result.violations[0].summary;
    }
  }
}

// L1: a stop whose savepoint notification is lost leaves a subtask waiting
// for good (only that savepoint may release it, and no checkpoint follows);
// the report says what it waits for.
TEST(L1Termination, ALostStopSavepointNotificationIsReportedWithWhatItWaitsFor) {
  simulator::RunConfig config = LoadOrDie(R"(name: lost-stop-notification
vertices:
  - {name: S, parallelism: 1, operators: [{name: s, kind: unbounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
stop_with_savepoint: {at_tick: 60, drain: true}
faults: {lost_notifications_max: 1, lost_notification_ppm: 1000000, fault_phase_start_ticks: 61, fault_phase_ticks: 400}
limits: {liveness_budget_ticks: 500}
)");
  bool found = false;
  for (uint64_t seed = 1; seed <= 20 && !found; ++seed) {
    const simulator::RunResult result = simulator::Run(config, seed);
    for (const auto& v : result.violations) {
      if (v.property != PropertyId::kTermination) continue;
      found = true;
      bool explained = false;
      for (const std::string& line : v.details) explained |= line.find("exactly savepoint") != std::string::npos;
      EXPECT_TRUE(explained) << v.summary;
    }
  }
  EXPECT_TRUE(found);
}

// docs/protocol.md section 6 and scenarios/README.md `retry_after_ticks`:
// Flink never issues a failed stop again, and by default neither does the
// simulated user. An unbounded job whose savepoint expired keeps running
// with its periodic checkpoints, which is neither an L1 violation nor an
// unmet `terminates` expectation; with a retry the same job is stopped.
TEST(L1Termination, AFailedStopNobodyRetriesLeavesAnUnboundedJobRunning) {
  const std::string yaml = R"(name: unretried-stop
vertices:
  - {name: S, parallelism: 1, operators: [{name: s, kind: unbounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
checkpointing: {interval_ticks: 1000}
faults: {checkpoint_timeouts_max: 1, checkpoint_timeout_ppm: 1000000, fault_phase_ticks: 400}
limits: {max_ticks: 4000}
)";
  simulator::RunConfig config = LoadOrDie(yaml + "stop_with_savepoint: {at_tick: 20, drain: true}\n");
  EXPECT_EQ(config.stop.retry_after_ticks, 0);
  const simulator::RunResult result = simulator::Run(config, 1);
  EXPECT_TRUE(result.violations.empty()) << result.violations[0].summary;
  EXPECT_FALSE(result.job_finished);
  EXPECT_TRUE(result.stats.stop_abandoned);
  EXPECT_EQ(result.stats.checkpoint_timeouts, 1);

  const simulator::RunConfig retried =
      LoadOrDie(yaml + "stop_with_savepoint: {at_tick: 20, drain: true, retry_after_ticks: 100}\n");
  const simulator::RunResult stopped = simulator::Run(retried, 1);
  EXPECT_TRUE(stopped.violations.empty());
  EXPECT_TRUE(stopped.job_finished);
  EXPECT_FALSE(stopped.stats.stop_abandoned);
}

// Found by the random-upgrades property (tests/data/liveness, seed 383; since
// a stop aborts the checkpoints pending at it, seed 15 replays it): a
// failed stop restarts regions that bring back two of three finished
// union-state subtasks; from then on every savepoint aborts, so each retried
// stop-with-savepoint fails its subtasks and costs a restart until the job
// FAILS, long after the injected fault. FAILED is not FINISHED: L1.
TEST(L1Termination, AJobThatFailsAfterTheFaultsStoppedIsReported) {
  const simulator::RunConfig config =
      LoadOrDie(std::string(CKPTSIM_TEST_DATA_DIR) + "/liveness/stop-retries-exhaust-restarts.yaml");
  const simulator::RunResult result = simulator::Run(config, 15);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].property, PropertyId::kTermination);
  EXPECT_NE(result.violations[0].summary.find("the job FAILED at tick"), std::string::npos)
      << result.violations[0].summary;
  EXPECT_GT(result.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kSavepointFailedAndRetried)], 5);
}

// Found by the random-job property: a union-state vertex whose subtasks all
// finished on one final checkpoint, then a region failover restarts just one
// of them. The restarted subtask must wait for a new final checkpoint, but
// every checkpoint now aborts (rule A: union state on a partly finished
// vertex), so it waits for good. Flink behaves the same way (its plan refuses
// such checkpoints); ckptsim reports it as an L1 violation with the reason.
TEST(L1Termination, UnionStateWithRegionFailoverCanNeverFinish) {
  const simulator::RunConfig config = LoadOrDie(R"(name: union-region-failover
vertices:
  - {name: V0, parallelism: 3, records: 0, operators: [{name: s, kind: bounded_source}]}
  - {name: V1, parallelism: 3, operators: [{name: u, kind: union_state}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: V0, to: V1, partitioning: forward}
checkpointing: {interval_ticks: 20}
faults: {subtask_failures_max: 1, subtask_failure_ppm: 20000, fault_phase_ticks: 150}
)");
  const simulator::RunResult result = simulator::Run(config, 128);
  ASSERT_EQ(result.violations.size(), 1u);
  const properties::Violation& v = result.violations[0];
  EXPECT_EQ(v.property, PropertyId::kTermination);
  bool union_named = false;
  for (const std::string& line : v.details) union_named |= line.find("UNION_STATE_PARTLY_FINISHED") != std::string::npos;
  EXPECT_TRUE(union_named) << v.summary;
}

}  // namespace
}  // namespace ckptsim::testing
