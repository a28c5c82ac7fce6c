// Handler-level tests of unaligned checkpoints (docs/protocol.md sections 3 and
// 4): priority barriers, channel state, and its restore.
#include <gtest/gtest.h>

#include "harness.h"

namespace ckptsim::testing {
namespace {

using model::MessageKind;
using model::RpcKind;

// Two sources into one consumer over a hash exchange, then a 2PC sink.
constexpr const char* kTwoInputs = R"(name: unaligned-two-inputs
vertices:
  - {name: S, parallelism: 2, records: [4, 4], operators: [{name: s, kind: bounded_source}]}
  - {name: A, parallelism: 1, operators: [{name: a, kind: keyed_aggregate}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: A, partitioning: hash}
  - {from: A, to: K, partitioning: forward}
checkpointing: {mode: unaligned}
recovery: {strategy: full}
)";

int ChannelOf(const Script& s, const std::string& name) {
  auto action = model::ParseAction(s.graph(), "deliver " + name);
  EXPECT_TRUE(action.has_value()) << name;
  return action ? static_cast<int>(action->target) : 0;
}

TEST(Section3Unaligned, APriorityBarrierOvertakesQueuedRecords) {
  Script s(kTwoInputs);
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]");  // two records queued on S[0]->A[0]
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  const auto& channel = s.system().channels[ChannelOf(s, "S[0]->A[0]")];
  ASSERT_EQ(channel.queue.size(), 3u);
  EXPECT_EQ(channel.queue[0].kind, MessageKind::kBarrier);
  EXPECT_TRUE(channel.queue[0].unaligned);
  EXPECT_EQ(channel.queue[1].kind, MessageKind::kRecord);
  EXPECT_EQ(channel.priority_overtaken, std::vector<int32_t>{2});
}

TEST(Section4Unaligned, SnapshotAtTheFirstBarrierAckAfterTheLastWithChannelState) {
  Script s(kTwoInputs);
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]").Do("step S[1]");
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  s.Do("deliver S[0]->A[0]");  // the barrier: A snapshots now, nothing blocks
  const auto& a = s.Sub("A[0]");
  ASSERT_TRUE(a.unaligned_snapshot);
  EXPECT_FALSE(s.system().channels[ChannelOf(s, "S[0]->A[0]")].blocked);
  EXPECT_EQ(a.unaligned_snapshot->channel_state.size(), 2u);  // the two overtaken records
  EXPECT_FALSE(s.HasRpc(RpcKind::kAcknowledge, "A[0]"));
  // S[1]'s record arrives before S[1]'s barrier: processed, and channel state too.
  s.Do("deliver S[1]->A[0]");
  EXPECT_EQ(s.Sub("A[0]").unaligned_snapshot->channel_state.size(), 3u);
  s.Rpc(RpcKind::kTriggerCheckpoint, "S[1]").Do("deliver S[1]->A[0]");
  EXPECT_FALSE(s.Sub("A[0]").unaligned_snapshot);
  ASSERT_TRUE(s.HasRpc(RpcKind::kAcknowledge, "A[0]"));
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kAcknowledge && rpc.subtask == s.Subtask("A[0]")) {
      EXPECT_EQ(rpc.snapshot->channel_state.size(), 3u);
    }
  }
}

TEST(Section3Unaligned, EndOfDataAndEndOfPartitionAreNeverChannelState) {
  Script s(R"(name: unaligned-eod
vertices:
  - {name: S, parallelism: 1, records: 1, operators: [{name: s, kind: bounded_source}]}
  - {name: A, parallelism: 1, operators: [{name: a, kind: map}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: A, partitioning: forward}
  - {from: A, to: K, partitioning: forward}
checkpointing: {mode: unaligned}
)");
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]");  // the record, then MAX_WATERMARK and EndOfData
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  const auto& channel = s.system().channels[0];
  ASSERT_EQ(channel.priority_overtaken, std::vector<int32_t>{3});
  s.Do("deliver S[0]->A[0]");  // the barrier; single input: the ack goes at once
  ASSERT_TRUE(s.HasRpc(RpcKind::kAcknowledge, "A[0]"));
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind != RpcKind::kAcknowledge || rpc.subtask != s.Subtask("A[0]")) continue;
    ASSERT_EQ(rpc.snapshot->channel_state.size(), 1u);  // the record only
    EXPECT_EQ(rpc.snapshot->channel_state[0].record.sequence, 0u);
  }
}

TEST(Section3Unaligned, RestorePutsChannelStateBackAheadOfNewInput) {
  Script s(kTwoInputs);
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]");
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]").Rpc(RpcKind::kTriggerCheckpoint, "S[1]");
  s.Do("deliver S[0]->A[0]").Do("deliver S[1]->A[0]").Do("deliver A[0]->K[0]");
  for (const char* name : {"S[0]", "S[1]", "A[0]", "K[0]"}) s.Rpc(RpcKind::kAcknowledge, name);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
  const auto& snapshot = *s.system().coordinator.latest_completed->snapshots[s.Subtask("A[0]")];
  ASSERT_EQ(snapshot.channel_state.size(), 2u);
  // A processes the two records after its snapshot; then everything fails.
  s.Do("deliver S[0]->A[0]").Do("deliver S[0]->A[0]");
  s.Do("fail A[0]").Do("restart");
  const auto& channel = s.system().channels[ChannelOf(s, "S[0]->A[0]")];
  ASSERT_EQ(channel.queue.size(), 2u);
  EXPECT_EQ(channel.queue[0].record, snapshot.channel_state[0].record);
  EXPECT_EQ(channel.queue[1].record, snapshot.channel_state[1].record);
  EXPECT_EQ(s.Sub("S[0]").next_sequence, 2u);  // the source resumes after them
  EXPECT_EQ(s.CountEvents(model::EventKind::kChannelStateRestored), 2u);
}

// Found in review: a cancel marker for the checkpoint whose unaligned
// snapshot is already taken (barriers still missing) aborts it, as
// SingleCheckpointBarrierHandler.processCancellationBarrier does.
TEST(Section4Unaligned, ACancelMarkerAbortsAnUnalignedCheckpointInProgress) {
  Script s(kTwoInputs);
  s.StartAll();
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]").Do("deliver S[0]->A[0]");
  ASSERT_TRUE(s.Sub("A[0]").unaligned_snapshot);
  s.Delay(RpcKind::kTriggerCheckpoint, "S[1]");  // the abort overtakes it
  s.Do("expire 1").Rpc(RpcKind::kNotifyAbort, "S[1]");
  s.Rpc(RpcKind::kTriggerCheckpoint, "S[1]");  // already aborted: S[1] sends a cancel marker
  s.Do("deliver S[1]->A[0]");
  EXPECT_FALSE(s.Sub("A[0]").unaligned_snapshot);
  EXPECT_TRUE(s.HasRpc(RpcKind::kDecline, "A[0]"));
  const auto& out = s.system().channels[ChannelOf(s, "A[0]->K[0]")].queue;
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[out.size() - 1].kind, MessageKind::kCancelMarker);
}

TEST(Section6StopWithSavepoint, SavepointBarriersStayAlignedInUnalignedMode) {
  Script s(kTwoInputs);
  s.StartAll();
  s.Do("step S[0]").Do("stop drain").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  const auto& channel = s.system().channels[ChannelOf(s, "S[0]->A[0]")];
  ASSERT_FALSE(channel.queue.empty());
  const model::Message& last = channel.queue[channel.queue.size() - 1];
  EXPECT_EQ(last.kind, MessageKind::kBarrier);
  EXPECT_TRUE(last.savepoint);
  EXPECT_FALSE(last.unaligned);
  EXPECT_TRUE(channel.priority_overtaken.empty());
}

}  // namespace
}  // namespace ckptsim::testing
