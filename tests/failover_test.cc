// Handler-level tests of failures, restore and stop-with-savepoint, each
// naming the docs/protocol.md section it checks (sections 2, 6, 7 and 8).
#include <algorithm>

#include <gtest/gtest.h>

#include "harness.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"

namespace ckptsim::testing {
namespace {

using model::ActionKind;
using model::EventKind;
using model::RpcKind;
using model::SubtaskPhase;

// Two independent pipelines: A (no data) -> AK, and B (5 records) -> BK.
std::string TwoPipelines(const char* strategy) {
  return std::string(R"(name: two-pipelines
vertices:
  - {name: A, parallelism: 1, records: 0, operators: [{name: a, kind: bounded_source}]}
  - {name: AK, parallelism: 1, operators: [{name: ak, kind: two_phase_commit_sink}]}
  - {name: B, parallelism: 1, records: 5, operators: [{name: b, kind: bounded_source}]}
  - {name: BK, parallelism: 1, operators: [{name: bk, kind: two_phase_commit_sink}]}
edges:
  - {from: A, to: AK, partitioning: forward}
  - {from: B, to: BK, partitioning: forward}
recovery: {strategy: )") + strategy + "}\n";
}

// Everything but new checkpoints, expiries and restarts: lets the job move
// until nothing but a coordinator decision is left.
bool NoCoordinatorDecision(const model::System&, const model::Action& action) {
  return action.kind != ActionKind::kTriggerCheckpoint && action.kind != ActionKind::kExpireCheckpoint &&
         action.kind != ActionKind::kRestart;
}

bool Quiet(const model::System& system) {
  std::vector<model::Action> enabled;
  model::EnabledActions(system, enabled);
  return std::none_of(enabled.begin(), enabled.end(),
                      [&](const model::Action& a) { return NoCoordinatorDecision(system, a); });
}

// Only messages move: channel deliveries, EndOfData acks and RPCs.
bool Transport(const model::System&, const model::Action& action) {
  return action.kind == ActionKind::kDeliver || action.kind == ActionKind::kDeliverAck ||
         action.kind == ActionKind::kDeliverRpc;
}

// Triggers one checkpoint and moves messages until it completed or aborted;
// its notifications stay in flight.
int64_t RunCheckpoint(Script& s) {
  s.Do("trigger");
  const int64_t id = s.system().coordinator.next_checkpoint_id - 1;
  s.RunUntil([](const model::System& sys) { return sys.coordinator.pending.empty(); }, Transport);
  return id;
}

// A's pipeline finishes (its final checkpoint is checkpoint 1), then
// checkpoint 2 records A and AK as fully finished while B still runs.
void FinishPipelineA(Script& s) {
  s.StartAll();
  s.Do("step A[0]");  // no data: endData(DRAIN)
  // Hold B back: only A's pipeline and RPCs move.
  const int b = s.Subtask("B[0]");
  auto a_only = [b](const model::System& sys, const model::Action& a) {
    if (a.kind == ActionKind::kStep && a.target == b) return false;
    return NoCoordinatorDecision(sys, a);
  };
  s.Do("trigger");
  s.RunUntil(
      [&](const model::System& sys) {
        return sys.coordinator.view[s.Subtask("AK[0]")] == model::ExecutionState::kFinished &&
               sys.coordinator.view[s.Subtask("A[0]")] == model::ExecutionState::kFinished;
      },
      a_only);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 2; }, a_only);
  const auto& completed = *s.system().coordinator.latest_completed;
  ASSERT_EQ(completed.vertex_status[0], model::VertexFinishedStatus::kFullyFinished);
  ASSERT_EQ(completed.vertex_status[1], model::VertexFinishedStatus::kFullyFinished);
  ASSERT_EQ(completed.vertex_status[2], model::VertexFinishedStatus::kRunning);
}

TEST(Section2Failure, AFailedSubtaskRunsCloseOnlyAndAbortsItsOpenTransaction) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("step B[0]").Do("deliver B[0]->BK[0]");  // one record into BK's open transaction
  const int bk = s.Subtask("BK[0]");
  const int64_t txn = s.Sub("BK[0]").operators[0].current_transaction;
  const size_t before = s.events().size();
  s.Do("fail BK[0]");
  std::vector<model::OperatorCall> calls;
  for (size_t i = before; i < s.events().size(); ++i) {
    const model::Event& e = s.events()[i];
    if (e.kind == EventKind::kOperatorCall && e.subtask == bk) calls.push_back(static_cast<model::OperatorCall>(e.aux));
  }
  EXPECT_EQ(calls, std::vector<model::OperatorCall>{model::OperatorCall::kClose});
  EXPECT_EQ(s.Phase("BK[0]"), SubtaskPhase::kFailed);
  EXPECT_EQ(s.system().store.transactions[txn].state, model::TransactionState::kAborted);
}

TEST(Section7Failover, RegionFailoverRestartsOnlyThePipelinedRegion) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("fail B[0]");
  EXPECT_EQ(s.Phase("BK[0]"), SubtaskPhase::kCanceled);
  EXPECT_EQ(s.Phase("A[0]"), SubtaskPhase::kProcessing);
  EXPECT_EQ(s.Phase("AK[0]"), SubtaskPhase::kProcessing);
  s.Do("restart");
  EXPECT_EQ(s.Sub("B[0]").attempt, 1u);
  EXPECT_EQ(s.Sub("BK[0]").attempt, 1u);
  EXPECT_EQ(s.Sub("A[0]").attempt, 0u);
}

// Regression: the failover used to cancel the failed subtask along with its
// region and so overwrote its FAILED with CANCELED. In Flink a failed
// execution stays FAILED (Execution.cancel() leaves it); the restart deploys
// a new attempt, which starts over at DEPLOYING.
TEST(Section7Failover, AFailedSubtaskStaysFailedInTheCoordinatorsView) {
  for (const char* strategy : {"region", "full"}) {
    Script s(TwoPipelines(strategy));
    s.StartAll();
    s.Do("fail B[0]");
    const auto& view = s.system().coordinator.view;
    EXPECT_EQ(view[s.Subtask("B[0]")], model::ExecutionState::kFailed) << strategy;
    EXPECT_EQ(view[s.Subtask("BK[0]")], model::ExecutionState::kCanceled) << strategy;
    s.Do("restart");
    EXPECT_EQ(s.Sub("B[0]").attempt, 1u) << strategy;
    EXPECT_EQ(s.system().coordinator.view[s.Subtask("B[0]")], model::ExecutionState::kDeploying) << strategy;
  }
}

TEST(Section7Failover, FullRestartRestartsEverySubtask) {
  Script s(TwoPipelines("full"));
  s.StartAll();
  s.Do("fail B[0]");
  EXPECT_EQ(s.Phase("A[0]"), SubtaskPhase::kCanceled);
  s.Do("restart");
  for (const char* name : {"A[0]", "AK[0]", "B[0]", "BK[0]"}) EXPECT_EQ(s.Sub(name).attempt, 1u) << name;
}

TEST(Section7Failover, PendingCheckpointsAreAbortedAndRefusedUntilTheRestart) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("trigger");
  s.Do("fail AK[0]");
  EXPECT_TRUE(s.system().coordinator.pending.empty());
  EXPECT_EQ(s.system().coordinator.counters.aborted_by_reason[static_cast<size_t>(model::AbortReason::kJobFailover)], 1);
  s.Do("trigger");  // a failed subtask is waited for: the plan is refused
  EXPECT_EQ(s.system().coordinator.counters.refused, 1);
}

TEST(Section7Restore, FullyFinishedVerticesAreDeployedFinishedAndRunNoUserCode) {
  Script s(TwoPipelines("full"));
  FinishPipelineA(s);
  s.Do("fail B[0]").Do("restart");
  EXPECT_TRUE(s.Sub("A[0]").deployed_as_finished);
  EXPECT_TRUE(s.Sub("AK[0]").deployed_as_finished);
  EXPECT_FALSE(s.Sub("B[0]").deployed_as_finished);
  const size_t restarted_at = s.events().size();
  s.StartAll();
  s.Do("step A[0]");  // no user code: MAX_WATERMARK and EndOfData(DRAIN) at once
  ASSERT_GE(s.system().channels[0].queue.size(), 2u);
  EXPECT_EQ(s.system().channels[0].queue[0].kind, model::MessageKind::kMaxWatermark);
  EXPECT_EQ(s.system().channels[0].queue[1].kind, model::MessageKind::kEndOfData);
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  const int a = s.Subtask("A[0]");
  const int ak = s.Subtask("AK[0]");
  for (size_t i = restarted_at; i < s.events().size(); ++i) {
    const model::Event& e = s.events()[i];
    EXPECT_FALSE(e.kind == EventKind::kOperatorCall && (e.subtask == a || e.subtask == ak))
        << "operator call on a subtask deployed as finished";
  }
  // The next checkpoint keeps them fully finished (FINISHED_ON_RESTORE acks).
  bool marked = false;
  for (size_t i = restarted_at; i < s.events().size(); ++i) marked |= s.events()[i].kind == EventKind::kCheckpointCompleted;
  EXPECT_TRUE(marked);
}

TEST(Section7Restore, SourcesResumeFromTheirRestoredOffsets) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("step B[0]").Do("step B[0]");  // records 0 and 1 before the checkpoint
  RunCheckpoint(s);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Do("step B[0]");  // record 2 after it
  ASSERT_EQ(s.Sub("B[0]").next_sequence, 3u);
  s.Do("fail B[0]").Do("restart");
  EXPECT_EQ(s.Sub("B[0]").next_sequence, 2u);
  EXPECT_EQ(s.Sub("B[0]").restored_checkpoint_id, 1);
  EXPECT_EQ(s.system().source_high_water[s.Subtask("B[0]")], 3u);
}

TEST(Section8TwoPhaseCommit, RestoreRecommitsPendingTransactionsAndAbortsTheOpenOne) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("step B[0]").Do("deliver B[0]->BK[0]");
  RunCheckpoint(s);  // pre-commits BK's first transaction under checkpoint 1...
  const int bk = s.Subtask("BK[0]");
  const auto& store = s.system().store;
  int64_t precommitted = -1;
  for (size_t t = 0; t < store.transactions.size(); ++t) {
    if (store.transactions[t].owner_subtask == bk && store.transactions[t].precommit_checkpoint_id == 1) {
      precommitted = static_cast<int64_t>(t);
    }
  }
  ASSERT_GE(precommitted, 0);
  // ... but the notify-complete to BK is lost before it commits.
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kNotifyComplete && rpc.subtask == bk) {
      s.Do("lose " + std::to_string(rpc.uid));
      break;
    }
  }
  ASSERT_EQ(store.transactions[precommitted].state, model::TransactionState::kPrecommitted);
  s.Do("step B[0]").Do("deliver B[0]->BK[0]");  // into the open transaction after checkpoint 1
  const int64_t open = s.Sub("BK[0]").operators[0].current_transaction;
  s.Do("fail B[0]").Do("restart");
  s.Do("step BK[0]").Do("step BK[0]");  // deploy, initializeState
  EXPECT_EQ(store.transactions[precommitted].state, model::TransactionState::kCommitted);
  EXPECT_EQ(store.transactions[open].state, model::TransactionState::kAborted);
  // Re-committing a committed transaction changes nothing (commit is idempotent).
  const size_t commits = s.CountEvents(EventKind::kTransactionCommitted);
  s.Do("fail BK[0]").Do("restart").Do("step BK[0]").Do("step BK[0]");
  EXPECT_EQ(s.CountEvents(EventKind::kTransactionCommitted), commits);
  EXPECT_EQ(store.transactions[precommitted].state, model::TransactionState::kCommitted);
}

// The broadcast-state-finished-subtask case: B[0] finishes first, the next
// checkpoint has no state for it, and after a failure the new B[0] gets the
// state of the (0 mod k)-th reporting subtask instead of nothing.
TEST(Section7Restore, BroadcastStateSurvivesAFinishedSubtaskZero) {
  Script s(R"(name: broadcast
vertices:
  - {name: S, parallelism: 1, records: 3, operators: [{name: s, kind: bounded_source}]}
  - {name: B, parallelism: 3, operators: [{name: b, kind: broadcast_state}]}
  - {name: K, parallelism: 3, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: B, partitioning: broadcast}
  - {from: B, to: K, partitioning: forward}
recovery: {strategy: full}
)");
  s.StartAll();
  const int b0 = s.Subtask("B[0]");
  const int b1 = s.Subtask("B[1]");
  const int b2 = s.Subtask("B[2]");
  // Hold every notification to B[1] and B[2] (and their sinks): they stay
  // RUNNING, waiting for their final checkpoint, while B[0] finishes.
  const auto held = [&](const model::Rpc& rpc) {
    const bool notify = rpc.kind == RpcKind::kNotifyComplete || rpc.kind == RpcKind::kNotifyAbort;
    const int vertex = s.graph().subtasks()[rpc.subtask].vertex;
    const int index = s.graph().subtasks()[rpc.subtask].index;
    return notify && vertex > 0 && index > 0;
  };
  s.DelayWhere(held);  // delayed (a fault), so that later RPCs to them overtake
  auto hold = [&](const model::System& sys, const model::Action& a) {
    if (a.kind == ActionKind::kExpireCheckpoint || a.kind == ActionKind::kRestart) return false;
    if (a.kind != ActionKind::kDeliverRpc) return true;
    for (const model::Rpc& rpc : sys.rpcs) {
      if (static_cast<int64_t>(rpc.uid) == a.target) return !held(rpc);
    }
    return true;
  };
  s.RunUntil(
      [&](const model::System& sys) {
        const auto& latest = sys.coordinator.latest_completed;
        return latest && latest->subtask_finished[b0] && latest->snapshots[b1] != nullptr;
      },
      hold);
  const auto& completed = *s.system().coordinator.latest_completed;
  ASSERT_EQ(completed.vertex_status[1], model::VertexFinishedStatus::kPartlyFinished);
  const int64_t value = completed.snapshots[b1]->operators[0].value;
  ASSERT_EQ(value, 3);
  ASSERT_EQ(completed.snapshots[b2]->operators[0].value, 3);
  s.Do("fail B[1]").Do("restart");
  EXPECT_EQ(s.Sub("B[0]").operators[0].value, value);  // from B[1], reporter 0 mod 2
  EXPECT_EQ(s.Sub("B[1]").operators[0].value, value);
  EXPECT_EQ(s.Sub("B[2]").operators[0].value, value);
  EXPECT_TRUE(s.Sub("S[0]").deployed_as_finished);
}

TEST(Section7Restore, UnionStateGoesToEverySubtask) {
  Script s(R"(name: union
vertices:
  - {name: S, parallelism: 2, records: [2, 3], operators: [{name: s, kind: bounded_source}]}
  - {name: U, parallelism: 2, operators: [{name: u, kind: union_state}]}
  - {name: K, parallelism: 2, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: U, partitioning: forward}
  - {from: U, to: K, partitioning: forward}
recovery: {strategy: full}
)");
  s.StartAll();
  s.Do("step S[0]").Do("step S[1]").Do("deliver S[0]->U[0]").Do("deliver S[1]->U[1]").Do("step S[1]");
  s.Do("deliver S[1]->U[1]");
  RunCheckpoint(s);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Do("fail U[0]").Do("restart");
  const std::vector<int64_t> expected{1, 2};
  EXPECT_EQ(s.Sub("U[0]").operators[0].union_entries, expected);
  EXPECT_EQ(s.Sub("U[1]").operators[0].union_entries, expected);
}

TEST(Section7Failover, RestartStrategyGivesUpAfterItsAttempts) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  for (int i = 0; i < 10; ++i) s.Do("fail B[0]").Do("restart");
  EXPECT_FALSE(s.system().job_failed);
  s.Do("fail B[0]");
  EXPECT_TRUE(s.system().job_failed);
  EXPECT_TRUE(s.system().awaiting_restart.empty());
  EXPECT_EQ(s.Phase("A[0]"), SubtaskPhase::kCanceled);
}

TEST(Section7Failover, ALostNotificationLeavesTheSubtaskWaitingForALaterCheckpoint) {
  Script s(TwoPipelines("region"));
  s.StartAll();
  s.Do("step A[0]");
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 1; }, NoCoordinatorDecision);
  const int a = s.Subtask("A[0]");
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kNotifyComplete && rpc.subtask == a) {
      s.Do("lose " + std::to_string(rpc.uid));
      break;
    }
  }
  s.RunUntil(Quiet, NoCoordinatorDecision);
  EXPECT_EQ(s.Phase("A[0]"), SubtaskPhase::kWaitingForFinalCheckpoint);
  EXPECT_FALSE(s.Sub("A[0]").final_checkpoint_completed);
  RunCheckpoint(s);  // checkpoint 2 (>= finalCheckpointMinId 1) releases it
  s.Rpc(RpcKind::kNotifyComplete, "A[0]");
  EXPECT_TRUE(s.Sub("A[0]").final_checkpoint_completed);
}

// Section 6: a stop-with-savepoint on an unbounded pipeline.
constexpr const char* kUnbounded = R"(name: unbounded
vertices:
  - {name: S, parallelism: 1, operators: [{name: s, kind: unbounded_source}]}
  - {name: M, parallelism: 1, operators: [{name: m, kind: map}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: M, partitioning: hash}
  - {from: M, to: K, partitioning: hash}
expect: {terminates: false}
)";

TEST(Section6StopWithSavepoint, SourcesEndTheirDataBeforeTheSavepointBarrier) {
  for (const char* mode : {"drain", "no-drain"}) {
    Script s(kUnbounded);
    s.StartAll();
    s.Do("step S[0]");
    s.Do(std::string("stop ") + mode);
    EXPECT_FALSE(s.system().coordinator.periodic_enabled);
    s.Do("trigger");
    ASSERT_EQ(s.system().coordinator.pending.size(), 1u);
    EXPECT_EQ(s.system().coordinator.pending[0].kind, model::CheckpointKind::kSyncSavepoint);
    s.Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
    const auto& queue = s.system().channels[0].queue;
    const bool drain = std::string(mode) == "drain";
    ASSERT_EQ(queue.size(), drain ? 4u : 3u) << mode;  // record, [MAX_WATERMARK], EndOfData, barrier
    EXPECT_EQ(queue[queue.size() - 2].kind, model::MessageKind::kEndOfData);
    EXPECT_EQ(queue[queue.size() - 2].mode, drain ? model::StopMode::kDrain : model::StopMode::kNoDrain);
    EXPECT_EQ(queue[queue.size() - 1].kind, model::MessageKind::kBarrier);
    EXPECT_TRUE(queue[queue.size() - 1].savepoint);
    s.RunUntil([](const model::System& sys) { return sys.job_finished; }, NoCoordinatorDecision);
    EXPECT_EQ(s.system().stopped_with_drain, drain);
    EXPECT_EQ(s.system().stopped_without_drain, !drain);
  }
}

// Flink's testTriggerStopWithSavepointWhenWaitingForFinalCheckpointOnSourceTask:
// the final checkpoint completes, but the task waits for the savepoint.
TEST(Section6StopWithSavepoint, OnlyThatSavepointReleasesTheWaitingSubtasks) {
  Script s(R"(name: waiting
vertices:
  - {name: S, parallelism: 1, records: 0, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
)");
  s.StartAll();
  s.Do("step S[0]");  // endData(DRAIN): S waits for a final checkpoint
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  ASSERT_EQ(s.Sub("S[0]").final_checkpoint_min_id, 1);
  // Checkpoint 1 completes before the stop (a checkpoint still pending at the
  // stop would be aborted by it); its notification to S is held back.
  s.Do("deliver S[0]->K[0]").Do("deliver S[0]->K[0]").Do("deliver S[0]->K[0]");  // MAX_WATERMARK, EndOfData, barrier 1
  s.Rpc(RpcKind::kAcknowledge, "S[0]").Rpc(RpcKind::kAcknowledge, "K[0]");
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Delay(RpcKind::kNotifyComplete, "S[0]");
  s.Do("stop drain").Do("trigger");  // savepoint 2
  ASSERT_EQ(s.system().coordinator.stop_savepoint_id, 2);
  s.Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  EXPECT_EQ(s.Sub("S[0]").sync_savepoint_id, 2);
  // Checkpoint 1's notification arrives now: S is not released by it.
  s.Rpc(RpcKind::kNotifyComplete, "S[0]");
  EXPECT_FALSE(s.Sub("S[0]").final_checkpoint_completed);
  // Savepoint 2 completes: now S is released.
  s.Do("deliver S[0]->K[0]");
  s.Rpc(RpcKind::kAcknowledge, "S[0]").Rpc(RpcKind::kAcknowledge, "K[0]");
  ASSERT_TRUE(s.system().coordinator.latest_savepoint);
  ASSERT_EQ(s.system().coordinator.latest_savepoint->id, 2);
  // A savepoint is not in the completed-checkpoint store: failovers still restore checkpoint 1.
  EXPECT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Rpc(RpcKind::kNotifyComplete, "S[0]");
  EXPECT_TRUE(s.Sub("S[0]").final_checkpoint_completed);
}

// Section 6, CheckpointCoordinator.stopCheckpointScheduler: the stop aborts
// the checkpoint pending at it (CHECKPOINT_COORDINATOR_SUSPEND), so that one
// can neither complete afterwards nor become the restore point of a later
// failover; the source's late acknowledgement is ignored.
TEST(Section6StopWithSavepoint, AStopAbortsTheCheckpointsPendingAtIt) {
  Script s(kUnbounded);
  s.StartAll();
  s.Do("step S[0]");
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");  // checkpoint 1: S took it, M and K not yet
  ASSERT_EQ(s.system().coordinator.pending.size(), 1u);
  s.Do("stop drain");
  EXPECT_TRUE(s.system().coordinator.pending.empty());
  EXPECT_EQ(s.system().coordinator.counters.aborted_by_reason[static_cast<size_t>(
                model::AbortReason::kCoordinatorSuspend)],
            1);
  EXPECT_TRUE(s.HasRpc(RpcKind::kNotifyAbort, "S[0]"));
  // Barrier 1 still travels; M and K take checkpoint 1 and acknowledge it,
  // which the coordinator no longer knows.
  s.RunUntil([](const model::System& sys) { return sys.rpcs.empty(); }, Transport);
  EXPECT_EQ(s.system().coordinator.latest_completed_id, 0);
  EXPECT_EQ(s.system().coordinator.counters.completed, 0);
  // A failure before the savepoint restores nothing of checkpoint 1.
  s.Do("trigger");
  ASSERT_EQ(s.system().coordinator.stop_savepoint_id, 2);
  s.Do("fail M[0]");
  s.Do("restart");
  EXPECT_EQ(s.Sub("S[0]").restored_checkpoint_id, 0);
}

// Two pipelines in two regions under region failover: A (no data) -> AK
// and B (unbounded) -> BK. A's final checkpoint 1 completes and A starts
// closing; then a stop-with-savepoint --drain triggers its savepoint, whose
// trigger to A is still in flight.
constexpr const char* kClosingAndUnbounded = R"(name: closing-and-unbounded
vertices:
  - {name: A, parallelism: 1, records: 0, operators: [{name: a, kind: bounded_source}]}
  - {name: AK, parallelism: 1, operators: [{name: ak, kind: two_phase_commit_sink}]}
  - {name: B, parallelism: 1, operators: [{name: b, kind: unbounded_source}]}
  - {name: BK, parallelism: 1, operators: [{name: bk, kind: two_phase_commit_sink}]}
edges:
  - {from: A, to: AK, partitioning: forward}
  - {from: B, to: BK, partitioning: forward}
recovery: {strategy: region}
expect: {terminates: false}
)";

void StopWhileAIsClosing(Script& s) {
  ASSERT_NE(s.graph().subtasks()[s.Subtask("A[0]")].region, s.graph().subtasks()[s.Subtask("B[0]")].region);
  s.StartAll();
  s.Do("step A[0]");  // no data: endData(DRAIN)
  const int b = s.Subtask("B[0]");
  s.Do("trigger");    // checkpoint 1: A's final checkpoint
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 1; },
             [b](const model::System& sys, const model::Action& a) {
               return !(a.kind == ActionKind::kStep && a.target == b) && NoCoordinatorDecision(sys, a);
             });
  s.Rpc(RpcKind::kNotifyComplete, "A[0]").Rpc(RpcKind::kNotifyComplete, "AK[0]");
  s.RunUntil([&](const model::System& sys) { return sys.subtasks[s.Subtask("A[0]")].phase == SubtaskPhase::kClosing; },
             [b](const model::System& sys, const model::Action& a) {
               return !(a.kind == ActionKind::kStep && a.target == b) && NoCoordinatorDecision(sys, a) &&
                      a.kind != ActionKind::kDeliverRpc;
             });
  s.Do("stop drain").Do("trigger");
  ASSERT_NE(s.system().coordinator.stop_savepoint_id, 0);
}

// Section 6, CheckpointFailureManager.handleTaskLevelCheckpointException: a
// task's decline of the synchronous savepoint fails the job as a whole, even
// under region failover: A, closing, declines it (TASK_CLOSING), and B's
// region restarts too.
TEST(Section6StopWithSavepoint, ATaskDecliningTheSavepointFailsTheWholeJobOverUnderRegionFailover) {
  Script s(kClosingAndUnbounded);
  StopWhileAIsClosing(s);
  ASSERT_EQ(s.Phase("A[0]"), SubtaskPhase::kClosing);
  s.Rpc(RpcKind::kTriggerCheckpoint, "A[0]");
  s.Rpc(RpcKind::kDecline, "A[0]");
  EXPECT_EQ(s.CountEvents(EventKind::kGlobalFailure), 1u);
  EXPECT_EQ(s.CountEvents(EventKind::kStopFailed), 1u);
  EXPECT_FALSE(s.system().coordinator.stop_requested);
  // Every subtask restarts, B's region too; none of them failed itself.
  EXPECT_EQ(s.system().awaiting_restart.size(), 4u);
  EXPECT_EQ(s.CountEvents(EventKind::kSubtaskFailed), 0u);
  for (const char* name : {"A[0]", "AK[0]", "B[0]", "BK[0]"}) {
    EXPECT_EQ(s.system().coordinator.view[s.Subtask(name)], model::ExecutionState::kCanceled) << name;
  }
  s.Do("restart");
  EXPECT_EQ(s.Sub("B[0]").restored_checkpoint_id, 1);
}

// A savepoint trigger that fails because the task is gone
// (TASK_CHECKPOINT_FAILURE) is no task's decline: the JobManager aborts the
// savepoint, which fails the stop and nothing else.
TEST(Section6StopWithSavepoint, ASavepointTriggerThatFindsItsTaskGoneFailsOnlyTheStop) {
  Script s(kClosingAndUnbounded);
  StopWhileAIsClosing(s);
  s.Do("step A[0]");  // close(): A is FINISHED before the trigger arrives
  ASSERT_EQ(s.Phase("A[0]"), SubtaskPhase::kFinished);
  s.Rpc(RpcKind::kTriggerCheckpoint, "A[0]");
  s.Rpc(RpcKind::kDecline, "A[0]");
  EXPECT_EQ(s.system().coordinator.counters.aborted_by_reason[static_cast<size_t>(
                model::AbortReason::kTaskCheckpointFailure)],
            1);
  EXPECT_EQ(s.CountEvents(EventKind::kStopFailed), 1u);
  EXPECT_EQ(s.CountEvents(EventKind::kGlobalFailure), 0u);
  EXPECT_TRUE(s.system().awaiting_restart.empty());
}

// Found by the swarm (stop-nodrain-resume --swarm, seed 88) once a declined
// savepoint failed the job globally: every subtask had finished, one FINISHED
// report was still in flight, and it marked the job FINISHED while the
// restart was pending, so the restarted sink's transaction stayed OPEN (P4).
// Flink's Execution cancels such an execution, and the late FINISHED report
// only completes the cancellation: the run now restarts and ends cleanly.
TEST(Section7Failover, AFinishedReportInFlightAtAGlobalFailureOnlyCompletesTheCancel) {
  const simulator::RunConfig config = simulator::DrawSwarm(LoadOrDie("stop-nodrain-resume"), 88);
  const simulator::RunResult result = simulator::Run(config, 88);
  EXPECT_TRUE(result.violations.empty()) << result.violations[0].summary;
  EXPECT_TRUE(result.job_finished);
  EXPECT_EQ(result.stats.restarts, 2);
}

TEST(Section6StopWithSavepoint, AnAbortedSavepointFailsTheSubtasksThatTookItAndTheJobRestarts) {
  Script s(kUnbounded);
  s.StartAll();
  s.Do("stop drain").Do("trigger");
  const int64_t savepoint = s.system().coordinator.stop_savepoint_id;
  s.Rpc(RpcKind::kTriggerCheckpoint, "S[0]");  // S takes it; M and K have not yet
  s.Do("expire " + std::to_string(savepoint));
  s.Rpc(RpcKind::kNotifyAbort, "S[0]");
  EXPECT_EQ(s.Phase("S[0]"), SubtaskPhase::kFailed);
  EXPECT_EQ(s.system().awaiting_restart.size(), 3u);
  // The stop failed with its savepoint (StopWithSavepointTerminationHandler:
  // periodic checkpoints resume, nothing retries); the user stops again.
  EXPECT_FALSE(s.system().coordinator.stop_requested);
  EXPECT_TRUE(s.system().coordinator.periodic_enabled);
  EXPECT_EQ(s.CountEvents(EventKind::kStopFailed), 1u);
  s.Do("restart");
  s.StartAll();
  s.Do("stop drain").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  EXPECT_GT(s.system().coordinator.stop_savepoint_id, savepoint);
  s.RunUntil([](const model::System& sys) { return sys.job_finished; }, NoCoordinatorDecision);
  EXPECT_TRUE(s.system().stopped_with_drain);
}

TEST(Section6StopWithSavepoint, ANoDrainSavepointResumesWithNothingLostOrDuplicated) {
  Script s(R"(name: resume
vertices:
  - {name: S, parallelism: 1, records: 6, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
)");
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]");
  s.Do("stop no-drain").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  s.RunUntil([](const model::System& sys) { return sys.job_finished; }, NoCoordinatorDecision);
  ASSERT_TRUE(s.system().stopped_without_drain);
  s.Do("resume");
  EXPECT_FALSE(s.system().job_finished);
  EXPECT_EQ(s.Sub("S[0]").next_sequence, 2u);
  EXPECT_FALSE(s.Sub("S[0]").deployed_as_finished);  // a no-drain savepoint finishes nothing
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  std::vector<uint32_t> committed;
  for (const model::Transaction& txn : s.system().store.transactions) {
    if (txn.state != model::TransactionState::kCommitted) continue;
    for (const model::RecordId& r : txn.records) committed.push_back(r.sequence);
  }
  std::sort(committed.begin(), committed.end());
  EXPECT_EQ(committed, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace ckptsim::testing
