// Handler-level tests of the Sink V2 global committer (docs/protocol.md
// section 8): committers forward their committables with a summary per
// checkpoint on notify-complete (Flink's CommitterOperator with a post-commit
// topology), the global committer commits a checkpoint once every committer's
// summary and announced committables arrived, in checkpoint order
// (GlobalCommitterOperator, CheckpointCommittableManagerImpl
// .hasGloballyReceivedAll), and a committer's EndOfData waits for the final
// checkpoint's committables (FLINK-38614).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "model/job_graph.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

using model::ActionKind;
using model::EventKind;
using model::MessageKind;
using model::RpcKind;
using model::TransactionState;

// Two writers chained with their committers, one global committer.
constexpr const char* kGlobal = R"(name: global
vertices:
  - {name: S, parallelism: 2, records: [3, 3], operators: [{name: s, kind: bounded_source}]}
  - {name: W, parallelism: 2, operators: [{name: w, kind: sink_v2_writer}, {name: c, kind: sink_v2_committer}]}
  - {name: G, parallelism: 1, operators: [{name: g, kind: sink_v2_global_committer}]}
edges:
  - {from: S, to: W, partitioning: forward}
  - {from: W, to: G, partitioning: rebalance}
recovery: {strategy: region}
)";

int ChannelIndex(const model::JobGraph& graph, const std::string& name) {
  for (int c = 0; c < graph.channel_count(); ++c) {
    if (graph.ChannelName(c) == name) return c;
  }
  ADD_FAILURE() << "no channel " << name;
  return 0;
}

const model::Fifo<model::Message>& Queue(const Script& s, const std::string& channel) {
  return s.system().channels[ChannelIndex(s.graph(), channel)].queue;
}

// Transport, except notify-complete for the committers (W[0], W[1]: subtasks 2 and 3).
bool NoNotification(const model::System& system, const model::Action& action) {
  if (action.kind == ActionKind::kDeliverRpc) {
    for (const model::Rpc& rpc : system.rpcs) {
      if (rpc.uid == static_cast<uint64_t>(action.target)) {
        return rpc.kind != RpcKind::kNotifyComplete || (rpc.subtask != 2 && rpc.subtask != 3);
      }
    }
  }
  return action.kind == ActionKind::kDeliver || action.kind == ActionKind::kDeliverAck ||
         action.kind == ActionKind::kDeliverRpc;
}

// One record into each writer's transaction, checkpoint 1 completed with its
// notifications still in flight. Returns the two flushed transactions.
std::vector<int64_t> CompleteCheckpointOneHoldingNotifications(Script& s) {
  s.StartAll();
  s.Do("step S[0]").Do("step S[1]").Do("deliver S[0]->W[0]").Do("deliver S[1]->W[1]");
  std::vector<int64_t> txns = {s.Sub("W[0]").operators[0].current_transaction,
                               s.Sub("W[1]").operators[0].current_transaction};
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 1; }, NoNotification);
  return txns;
}

TEST(Section8GlobalCommitter, TheCommitterForwardsASummaryAndItsCommittablesOnNotifyWithoutCommitting) {
  Script s(kGlobal);
  const std::vector<int64_t> txns = CompleteCheckpointOneHoldingNotifications(s);
  EXPECT_TRUE(Queue(s, "W[0]->G[0]").empty() || Queue(s, "W[0]->G[0]").front().kind == MessageKind::kBarrier);
  s.Rpc(RpcKind::kNotifyComplete, "W[0]");
  const auto& queue = Queue(s, "W[0]->G[0]");
  std::vector<model::Message> forwarded;
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue[i].kind == MessageKind::kCommittableSummary || queue[i].kind == MessageKind::kCommittable) {
      forwarded.push_back(queue[i]);
    }
  }
  ASSERT_EQ(forwarded.size(), 2u);
  EXPECT_EQ(forwarded[0].kind, MessageKind::kCommittableSummary);
  EXPECT_EQ(forwarded[0].tag, 1);
  EXPECT_EQ(forwarded[0].committables, 1);
  EXPECT_EQ(forwarded[1].kind, MessageKind::kCommittable);
  EXPECT_EQ(forwarded[1].transaction, txns[0]);
  EXPECT_EQ(forwarded[1].tag, 1);
  // The committer's commit is not the visible one: the transaction waits for G.
  EXPECT_EQ(s.system().store.transactions[txns[0]].state, TransactionState::kPrecommitted);
  EXPECT_TRUE(s.Sub("W[0]").operators[1].pending_transactions.empty());
}

TEST(Section8GlobalCommitter, TheGlobalCommitterCommitsACheckpointOnlyOnceEveryCommittersSummaryArrived) {
  Script s(kGlobal);
  const std::vector<int64_t> txns = CompleteCheckpointOneHoldingNotifications(s);
  s.Rpc(RpcKind::kNotifyComplete, "W[0]");
  s.RunUntil([](const model::System& sys) { return !sys.subtasks[4].operators[0].pending_transactions.empty(); },
             [](const model::System&, const model::Action& a) { return a.kind == ActionKind::kDeliver; });
  const model::OperatorState& g = s.Sub("G[0]").operators[0];
  ASSERT_EQ(g.summaries.size(), 1u);
  EXPECT_EQ(g.summaries[0].subtask, 0);
  EXPECT_EQ(g.summaries[0].announced, 1);
  EXPECT_EQ(g.summaries[0].received, 1);
  // One of two committers: not globally received, nothing visible.
  EXPECT_EQ(s.system().store.transactions[txns[0]].state, TransactionState::kPrecommitted);
  s.Rpc(RpcKind::kNotifyComplete, "W[1]");
  s.RunUntil([&](const model::System& sys) { return sys.store.transactions[txns[1]].state == TransactionState::kCommitted; },
             [](const model::System&, const model::Action& a) { return a.kind == ActionKind::kDeliver; });
  EXPECT_EQ(s.system().store.transactions[txns[0]].state, TransactionState::kCommitted);
  EXPECT_TRUE(s.Sub("G[0]").operators[0].summaries.empty());
  EXPECT_TRUE(s.Sub("G[0]").operators[0].pending_transactions.empty());
  // The commits are G's.
  for (const model::Event& e : s.events()) {
    if (e.kind == EventKind::kTransactionCommitted) {
      EXPECT_EQ(e.subtask, s.Subtask("G[0]"));
    }
  }
}

TEST(Section8GlobalCommitter, ANotificationToTheGlobalCommitterCommitsNothing) {
  Script s(kGlobal);
  const std::vector<int64_t> txns = CompleteCheckpointOneHoldingNotifications(s);
  s.Rpc(RpcKind::kNotifyComplete, "W[0]");
  s.RunUntil([](const model::System& sys) { return !sys.subtasks[4].operators[0].pending_transactions.empty(); },
             [](const model::System&, const model::Action& a) { return a.kind == ActionKind::kDeliver; });
  s.Rpc(RpcKind::kNotifyComplete, "G[0]");  // commitOnInput: notify-complete is no trigger
  EXPECT_EQ(s.system().store.transactions[txns[0]].state, TransactionState::kPrecommitted);
}

// W[1]'s notification of checkpoint 1 is lost: its notification of 2
// forwards both checkpoints, ascending, and G commits 1 before 2.
TEST(Section8GlobalCommitter, CheckpointsCommitInOrder) {
  Script s(kGlobal);
  CompleteCheckpointOneHoldingNotifications(s);
  s.Rpc(RpcKind::kNotifyComplete, "W[0]");
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kNotifyComplete && rpc.subtask == s.Subtask("W[1]")) {
      s.Do("lose " + std::to_string(rpc.uid));
      break;
    }
  }
  s.Do("step S[0]").Do("step S[1]").Do("deliver S[0]->W[0]").Do("deliver S[1]->W[1]");
  const int64_t second = s.Sub("W[1]").operators[0].current_transaction;
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 2; }, NoNotification);
  s.Rpc(RpcKind::kNotifyComplete, "W[0]");
  s.Rpc(RpcKind::kNotifyComplete, "W[1]");
  s.RunUntil([&](const model::System& sys) { return sys.store.transactions[second].state == TransactionState::kCommitted; },
             [](const model::System&, const model::Action& a) { return a.kind == ActionKind::kDeliver; });
  std::vector<int64_t> tags;
  for (const model::Event& e : s.events()) {
    if (e.kind == EventKind::kTransactionCommitted) tags.push_back(e.checkpoint);
  }
  EXPECT_EQ(tags, (std::vector<int64_t>{1, 1, 2, 2}));
}

// FLINK-38614: the committer's EndOfData follows the final checkpoint's
// committables; with the bug back, it precedes them and G drops them.
TEST(Section8GlobalCommitter, TheCommittersEndOfDataWaitsForTheFinalCheckpointsCommittables) {
  for (const bool bug : {false, true}) {
    SCOPED_TRACE(bug ? "end-of-data-before-final-committables" : "flip147");
    Script s(std::string(kGlobal) + (bug ? "variant: end-of-data-before-final-committables\n" : ""));
    s.RunUntil([](const model::System& sys) { return sys.job_finished; }, nullptr, 200000);
    ASSERT_TRUE(s.system().job_finished);
    // Order of what W[0] sent G: the last committable before or after EndOfData.
    const int channel = ChannelIndex(s.graph(), "W[0]->G[0]");
    int64_t end_of_data = -1;
    int64_t last_committable = -1;
    for (size_t i = 0; i < s.events().size(); ++i) {
      const model::Event& e = s.events()[i];
      if (e.kind != EventKind::kSend || e.channel != channel) continue;
      if (e.message.kind == MessageKind::kEndOfData) end_of_data = static_cast<int64_t>(i);
      if (e.message.kind == MessageKind::kCommittable) last_committable = static_cast<int64_t>(i);
    }
    ASSERT_GE(end_of_data, 0);
    ASSERT_GE(last_committable, 0);
    int64_t visible = 0;
    for (const model::Transaction& txn : s.system().store.transactions) {
      if (txn.state == TransactionState::kCommitted) visible += static_cast<int64_t>(txn.records.size());
    }
    if (bug) {
      EXPECT_GT(last_committable, end_of_data);
      EXPECT_LT(visible, 6);
    } else {
      EXPECT_LT(last_committable, end_of_data);
      EXPECT_EQ(visible, 6);
    }
  }
}

TEST(Section8GlobalCommitter, TheGraphRefusesAGlobalCommitterNotOfParallelismOneOrNotAfterACommitter) {
  const auto refused = [](const std::string& yaml) {
    auto loaded = scenarios::LoadScenarioText(yaml, "test");
    return std::holds_alternative<scenarios::ScenarioError>(loaded);
  };
  std::string two = kGlobal;
  two.replace(two.find("{name: G, parallelism: 1"), 24, "{name: G, parallelism: 2");
  EXPECT_TRUE(refused(two));
  EXPECT_TRUE(refused(R"(name: bad
vertices:
  - {name: S, parallelism: 1, records: 3, operators: [{name: s, kind: bounded_source}]}
  - {name: G, parallelism: 1, operators: [{name: g, kind: sink_v2_global_committer}]}
edges:
  - {from: S, to: G, partitioning: forward}
)"));
  EXPECT_FALSE(refused(kGlobal));
}

// The library scenario, end to end: every record visible through G alone.
TEST(Section8GlobalCommitter, TheBuiltInScenarioMakesEveryRecordVisibleThroughTheGlobalCommitter) {
  const simulator::RunConfig config = LoadOrDie("sink-v2-global-committer");
  const simulator::RunResult run = simulator::Run(config, 1);
  EXPECT_TRUE(run.violations.empty()) << run.violations.front().summary;
  EXPECT_TRUE(run.job_finished);
  EXPECT_EQ(run.stats.records_committed, 110);
}

}  // namespace
}  // namespace ckptsim::testing
