// Handler-level tests of the protocol rules, each naming the docs/protocol.md
// section it checks. Every test drives the model action by action.
#include <algorithm>

#include <gtest/gtest.h>

#include "harness.h"

namespace ckptsim::testing {
namespace {

using model::EventKind;
using model::RpcKind;
using model::SubtaskPhase;

// S1 has no data and finishes at once; S2 keeps J busy; K is a 2PC sink.
constexpr const char* kTwoSources = R"(name: two-sources
vertices:
  - {name: S1, parallelism: 1, records: 0, operators: [{name: s1, kind: bounded_source}]}
  - {name: S2, parallelism: 1, records: 3, operators: [{name: s2, kind: bounded_source}]}
  - {name: J, parallelism: 1, operators: [{name: j, kind: map}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S1, to: J, partitioning: hash}
  - {from: S2, to: J, partitioning: hash}
  - {from: J, to: K, partitioning: forward}
)";

// Runs checkpoint 1 with S1 already at end of data, and completes it.
void CompleteFirstCheckpointAfterS1EndData(Script& s) {
  s.StartAll();
  s.Do("step S1[0]");  // no records: endData(DRAIN) at once
  ASSERT_TRUE(s.Sub("S1[0]").end_of_data);
  s.Do("trigger");
  s.Rpc(RpcKind::kTriggerCheckpoint, "S1[0]").Rpc(RpcKind::kTriggerCheckpoint, "S2[0]");
  s.Do("deliver S1[0]->J[0]");  // MAX_WATERMARK
  s.Do("deliver S1[0]->J[0]");  // EndOfData
  s.Do("deliver S1[0]->J[0]");  // barrier 1: blocks the channel
  s.Do("deliver S2[0]->J[0]");  // barrier 1: alignment complete
  s.Do("deliver J[0]->K[0]");   // barrier 1
  for (const char* name : {"S1[0]", "S2[0]", "J[0]", "K[0]"}) s.Rpc(RpcKind::kAcknowledge, name);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
}

TEST(Section2FinalCheckpoint, MinIdIsTheFirstCheckpointAfterEndData) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  EXPECT_EQ(s.Sub("S1[0]").final_checkpoint_min_id, 1);
  // S2 took checkpoint 1 before its own endData: it does not qualify.
  EXPECT_EQ(s.Sub("S2[0]").final_checkpoint_min_id, 0);
  s.RunUntil([](const model::System& sys) { return sys.subtasks[1].end_of_data; },
             [](const model::System&, const model::Action& a) { return a.kind == model::ActionKind::kStep; });
  s.Do("trigger");
  s.Rpc(RpcKind::kTriggerCheckpoint, "S2[0]");
  EXPECT_EQ(s.Sub("S2[0]").final_checkpoint_min_id, 2);
}

TEST(Section2FinalCheckpoint, CloseFollowsNotifyCompleteAndEndOfPartitionFollowsClose) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  s.Do("ack S1[0]->J[0]");
  // Waiting: the final checkpoint completed at the coordinator, but S1 has not been told.
  EXPECT_EQ(s.Phase("S1[0]"), SubtaskPhase::kWaitingForFinalCheckpoint);
  EXPECT_FALSE(model::IsEnabled(s.system(), {model::ActionKind::kStep, s.Subtask("S1[0]")}));
  s.Rpc(RpcKind::kNotifyComplete, "S1[0]");
  s.Do("step S1[0]").Do("step S1[0]");
  EXPECT_EQ(s.Phase("S1[0]"), SubtaskPhase::kFinished);
  const auto& events = s.events();
  auto find = [&](auto predicate) {
    return std::find_if(events.begin(), events.end(), predicate) - events.begin();
  };
  const int s1 = s.Subtask("S1[0]");
  const auto released = find([&](const model::Event& e) { return e.kind == EventKind::kFinalCheckpointDone && e.subtask == s1; });
  const auto closed = find([&](const model::Event& e) {
    return e.kind == EventKind::kOperatorCall && e.subtask == s1 && e.aux == static_cast<uint8_t>(model::OperatorCall::kClose);
  });
  const auto end_of_partition = find([&](const model::Event& e) {
    return e.kind == EventKind::kSend && e.subtask == s1 && e.message.kind == model::MessageKind::kEndOfPartition;
  });
  ASSERT_LT(end_of_partition, static_cast<long>(events.size()));
  EXPECT_LT(released, closed);
  EXPECT_LT(closed, end_of_partition);
}

TEST(Section2FinalCheckpoint, WaitsForDownstreamEndOfDataAcknowledgement) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  s.Rpc(RpcKind::kNotifyComplete, "S1[0]");
  EXPECT_TRUE(s.Sub("S1[0]").final_checkpoint_completed);
  // Condition (b) is still open: J's acknowledgement of EndOfData is in flight.
  EXPECT_FALSE(model::IsEnabled(s.system(), {model::ActionKind::kStep, s.Subtask("S1[0]")}));
  s.Do("ack S1[0]->J[0]");
  EXPECT_TRUE(model::IsEnabled(s.system(), {model::ActionKind::kStep, s.Subtask("S1[0]")}));
}

TEST(Section4Alignment, AlignedBarrierBlocksItsChannel) {
  Script s(kTwoSources);
  s.StartAll();
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S1[0]");
  s.Do("step S1[0]");  // endData after the barrier this time
  s.Do("deliver S1[0]->J[0]");  // barrier 1
  EXPECT_EQ(s.Sub("J[0]").pending_alignment_id, 1);
  EXPECT_FALSE(model::IsEnabled(s.system(), *model::ParseAction(s.graph(), "deliver S1[0]->J[0]")));
}

TEST(Section4Alignment, EndOfPartitionCompletesAnAlignment) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  s.Do("ack S1[0]->J[0]").Rpc(RpcKind::kNotifyComplete, "S1[0]").Do("step S1[0]").Do("step S1[0]");
  s.Rpc(RpcKind::kReportFinished, "S1[0]");
  s.Do("trigger");
  // Section 5 plan: S1 finished, S2 running; J has a running ALL_TO_ALL upstream: not triggered.
  const model::CheckpointPlan& plan = s.system().coordinator.pending.back().plan;
  EXPECT_EQ(plan.to_trigger, std::vector<int32_t>{s.Subtask("S2[0]")});
  EXPECT_EQ(plan.finished_subtasks, std::vector<int32_t>{s.Subtask("S1[0]")});
  s.Rpc(RpcKind::kTriggerCheckpoint, "S2[0]");
  s.Do("deliver S2[0]->J[0]");  // barrier 2 from the running input
  EXPECT_EQ(s.Sub("J[0]").pending_alignment_id, 2);
  EXPECT_EQ(s.Sub("J[0]").last_checkpoint_id, 1);
  s.Do("deliver S1[0]->J[0]");  // EndOfPartition: the finished channel counts as aligned
  EXPECT_EQ(s.Sub("J[0]").last_checkpoint_id, 2);
  EXPECT_EQ(s.Sub("J[0]").pending_alignment_id, 0);
}

TEST(Section5Coordinator, TriggerReachingAFinishedSubtaskAbortsTheCheckpoint) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  s.Do("ack S1[0]->J[0]").Rpc(RpcKind::kNotifyComplete, "S1[0]").Do("step S1[0]").Do("step S1[0]");
  // The FINISHED report is still in flight: the coordinator plans S1 as running.
  s.Do("trigger");
  const int64_t id = s.system().coordinator.pending.back().id;
  s.Rpc(RpcKind::kTriggerCheckpoint, "S1[0]");
  s.Rpc(RpcKind::kDecline, "S1[0]");
  EXPECT_TRUE(s.system().coordinator.pending.empty());
  EXPECT_EQ(s.system().coordinator.counters.aborted_by_reason[static_cast<size_t>(
                model::AbortReason::kTaskCheckpointFailure)], 1);
  // Everyone in the plan is told, with the latest completed id piggy-backed.
  for (const char* name : {"S2[0]", "J[0]", "K[0]"}) EXPECT_TRUE(s.HasRpc(RpcKind::kNotifyAbort, name)) << name;
  const auto& rpcs = s.system().rpcs;
  const auto abort = std::find_if(rpcs.begin(), rpcs.end(), [](const model::Rpc& r) { return r.kind == RpcKind::kNotifyAbort; });
  EXPECT_EQ(abort->checkpoint_id, id);
  EXPECT_EQ(abort->latest_completed_id, 1);
}

TEST(Section5Coordinator, NotifyAbortCarryingLatestCompletedIdReleasesAWaitingSubtask) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  s.Do("ack S1[0]->J[0]");
  // notify-complete(1) for S1 stays in flight (delayed, a fault); checkpoint 2 times out.
  s.Delay(RpcKind::kNotifyComplete, "S1[0]");
  s.Do("trigger").Do("expire 2");
  s.Rpc(RpcKind::kNotifyAbort, "S1[0]");
  EXPECT_TRUE(s.Sub("S1[0]").final_checkpoint_completed);
  EXPECT_EQ(s.Sub("S1[0]").latest_report_checkpoint_id, 1);
  EXPECT_TRUE(model::IsEnabled(s.system(), {model::ActionKind::kStep, s.Subtask("S1[0]")}));
  // The late notify-complete(1) is ignored: id <= latestReportCheckpointId.
  const size_t before = s.CountEvents(EventKind::kOperatorCall);
  s.Rpc(RpcKind::kNotifyComplete, "S1[0]");
  EXPECT_EQ(s.CountEvents(EventKind::kOperatorCall), before);
}

TEST(Section5Coordinator, UnionStateRuleAbortsWhenOnlySomeSubtasksFinished) {
  Script s(R"(name: union
vertices:
  - {name: S, parallelism: 2, records: [0, 4], operators: [{name: s, kind: bounded_source}]}
  - {name: U, parallelism: 2, operators: [{name: u, kind: union_state}]}
  - {name: K, parallelism: 2, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: U, partitioning: forward}
  - {from: U, to: K, partitioning: forward}
)");
  s.StartAll();
  s.Do("step S[0]");  // S[0] has no data
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]").Rpc(RpcKind::kTriggerCheckpoint, "S[1]");
  // U[0] gets EndOfData then barrier 1: it ran finish() before snapshotting; U[1] did not.
  s.RunUntil([](const model::System& sys) { return sys.coordinator.pending.empty(); },
             [](const model::System& sys, const model::Action& a) {
               if (a.kind == model::ActionKind::kStep) return false;
               if (a.kind == model::ActionKind::kDeliverRpc) {
                 for (const auto& rpc : sys.rpcs) {
                   if (static_cast<int64_t>(rpc.uid) == a.target) {
                     return rpc.kind == RpcKind::kAcknowledge || rpc.kind == RpcKind::kReportEndOfData;
                   }
                 }
               }
               return a.kind == model::ActionKind::kDeliver;
             });
  EXPECT_EQ(s.system().coordinator.latest_completed_id, 0);
  EXPECT_EQ(s.system().coordinator.counters.aborted_by_reason[static_cast<size_t>(
                model::AbortReason::kUnionStatePartlyFinished)], 1);
}

TEST(Section8TwoPhaseCommit, SinkCommitsOnlyOnNotifyComplete) {
  Script s(kTwoSources);
  CompleteFirstCheckpointAfterS1EndData(s);
  const auto& store = s.system().store;
  const int k = s.Subtask("K[0]");
  auto committed = [&] {
    return std::count_if(store.transactions.begin(), store.transactions.end(), [&](const model::Transaction& t) {
      return t.owner_subtask == k && t.state == model::TransactionState::kCommitted;
    });
  };
  EXPECT_EQ(committed(), 0);  // pre-committed for checkpoint 1, not yet visible
  s.Rpc(RpcKind::kNotifyComplete, "K[0]");
  EXPECT_EQ(committed(), 1);
}

}  // namespace
}  // namespace ckptsim::testing

namespace ckptsim::testing {
namespace {

// Found in review: a late report-running must not move the coordinator's
// view of a FINISHED subtask back to RUNNING (Flink reports a task's state
// changes in order, and an execution never leaves FINISHED).
TEST(Section5Coordinator, ViewOfAFinishedSubtaskNeverGoesBackToRunning) {
  Script s(R"(name: legacy-short
variant: legacy
vertices:
  - {name: S, parallelism: 1, records: 0, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: forward}
)");
  s.Do("step S[0]").Do("step S[0]");  // deploy, open: report-running in flight
  s.Do("step S[0]").Do("step S[0]");  // legacy end of input: closing, then FINISHED
  ASSERT_EQ(s.Phase("S[0]"), SubtaskPhase::kFinished);
  s.Delay(RpcKind::kReportRunning, "S[0]");
  s.Rpc(RpcKind::kReportFinished, "S[0]");
  s.Rpc(RpcKind::kReportRunning, "S[0]");  // overtaken: arrives last
  EXPECT_EQ(s.system().coordinator.view[s.Subtask("S[0]")], model::ExecutionState::kFinished);
}

}  // namespace
}  // namespace ckptsim::testing
