// Handler-level tests of the Sink V2 writer and committer (docs/protocol.md
// section 8) and of the event-time window (sections 2 and 3: MAX_WATERMARK
// fires its timers; NO_DRAIN keeps them), each naming the section it checks.
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

using model::ActionKind;
using model::EventKind;
using model::MessageKind;
using model::OperatorCall;
using model::RpcKind;
using model::TransactionState;

// Writer and committer in two vertices joined by a forward edge.
constexpr const char* kSplit = R"(name: split
vertices:
  - {name: S, parallelism: 1, records: 3, operators: [{name: s, kind: bounded_source}]}
  - {name: W, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}]}
  - {name: C, parallelism: 1, operators: [{name: c, kind: sink_v2_committer}]}
edges:
  - {from: S, to: W, partitioning: forward}
  - {from: W, to: C, partitioning: forward}
recovery: {strategy: region}
)";

// Writer and committer chained in one vertex.
constexpr const char* kChained = R"(name: chained
vertices:
  - {name: S, parallelism: 1, records: 3, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}, {name: c, kind: sink_v2_committer}]}
edges:
  - {from: S, to: K, partitioning: forward}
)";

int ChannelIndex(const model::JobGraph& graph, const std::string& name) {
  for (int c = 0; c < graph.channel_count(); ++c) {
    if (graph.ChannelName(c) == name) return c;
  }
  ADD_FAILURE() << "no channel " << name;
  return 0;
}

const model::Transaction& Txn(const Script& s, int64_t id) { return s.system().store.transactions[id]; }

bool Transport(const model::System&, const model::Action& action) {
  return action.kind == ActionKind::kDeliver || action.kind == ActionKind::kDeliverAck ||
         action.kind == ActionKind::kDeliverRpc;
}

bool NoCoordinatorDecision(const model::System&, const model::Action& action) {
  return action.kind != ActionKind::kTriggerCheckpoint && action.kind != ActionKind::kExpireCheckpoint &&
         action.kind != ActionKind::kRestart;
}

void LoseNotification(Script& s, const std::string& subtask) {
  const int target = s.Subtask(subtask);
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kNotifyComplete && rpc.subtask == target) {
      s.Do("lose " + std::to_string(rpc.uid));
      return;
    }
  }
  ADD_FAILURE() << "no notify-complete for " << subtask << " in flight";
}

size_t IndexOfCall(const Script& s, const std::string& subtask, OperatorCall call) {
  const int target = s.Subtask(subtask);
  const auto& events = s.events();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind == EventKind::kOperatorCall && events[i].subtask == target &&
        events[i].aux == static_cast<uint8_t>(call)) {
      return i;
    }
  }
  return events.size();
}

std::multiset<uint32_t> CommittedSequences(const model::System& system) {
  std::multiset<uint32_t> out;
  for (const model::Transaction& txn : system.store.transactions) {
    if (txn.state != TransactionState::kCommitted) continue;
    for (const model::RecordId& r : txn.records) out.insert(r.sequence);
  }
  return out;
}

// One record into W's open transaction, then checkpoint 1 through S and W:
// returns the transaction W flushed before the barrier.
int64_t FlushThroughCheckpointOne(Script& s) {
  s.StartAll();
  s.Do("step S[0]").Do("deliver S[0]->W[0]");
  const int64_t txn = s.Sub("W[0]").operators[0].current_transaction;
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  s.Do("deliver S[0]->W[0]");  // barrier 1: prepareSnapshotPreBarrier flushes
  return txn;
}

// Continues FlushThroughCheckpointOne until checkpoint 1 completed; its
// notifications stay in flight.
void CompleteCheckpointOne(Script& s) {
  s.Do("deliver W[0]->C[0]").Do("deliver W[0]->C[0]");  // committable, barrier 1
  for (const char* name : {"S[0]", "W[0]", "C[0]"}) s.Rpc(RpcKind::kAcknowledge, name);
  ASSERT_EQ(s.system().coordinator.latest_completed_id, 1);
}

TEST(Section8SinkV2, TheWriterEmitsACommittableTaggedWithTheCheckpointBeforeItsBarrier) {
  Script s(kSplit);
  const int64_t txn = FlushThroughCheckpointOne(s);
  ASSERT_GE(txn, 0);
  const auto& queue = s.system().channels[ChannelIndex(s.graph(), "W[0]->C[0]")].queue;
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].kind, MessageKind::kCommittable);
  EXPECT_EQ(queue[0].transaction, txn);
  EXPECT_EQ(queue[0].tag, 1);
  EXPECT_EQ(queue[1].kind, MessageKind::kBarrier);
  EXPECT_EQ(queue[1].checkpoint_id, 1);
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kPrecommitted);
  EXPECT_EQ(Txn(s, txn).records.size(), 1u);
  // A new transaction is open, and the writer's snapshot holds nothing to commit.
  const model::OperatorState& writer = s.Sub("W[0]").operators[0];
  ASSERT_GE(writer.current_transaction, 0);
  EXPECT_NE(writer.current_transaction, txn);
  EXPECT_EQ(Txn(s, writer.current_transaction).state, TransactionState::kOpen);
  for (const model::Rpc& rpc : s.system().rpcs) {
    if (rpc.kind == RpcKind::kAcknowledge && rpc.subtask == s.Subtask("W[0]")) {
      EXPECT_TRUE(rpc.snapshot->operators[0].pending_transactions.empty());
    }
  }
}

// Flink keeps the sink's own edges aligned (FLINK-36287): with unaligned
// checkpoints the barrier still queues behind the committable.
TEST(Section8SinkV2, TheWritersEdgeStaysAlignedUnderUnalignedCheckpoints) {
  Script s(std::string(kSplit) + "checkpointing: {mode: unaligned}\n");
  s.StartAll();
  s.Do("step S[0]").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  const auto& into_writer = s.system().channels[ChannelIndex(s.graph(), "S[0]->W[0]")].queue;
  ASSERT_EQ(into_writer.size(), 2u);
  EXPECT_TRUE(into_writer[0].kind == MessageKind::kBarrier && into_writer[0].unaligned);  // overtook the record
  s.Do("deliver S[0]->W[0]");  // the unaligned barrier: W snapshots and flushes
  const auto& queue = s.system().channels[ChannelIndex(s.graph(), "W[0]->C[0]")].queue;
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].kind, MessageKind::kCommittable);
  EXPECT_EQ(queue[1].kind, MessageKind::kBarrier);
  EXPECT_FALSE(queue[1].unaligned);
}

TEST(Section8SinkV2, TheCommitterKeepsCommittablesInItsSnapshotAndCommitsOnlyOnNotifyComplete) {
  Script s(kSplit);
  const int64_t txn = FlushThroughCheckpointOne(s);
  CompleteCheckpointOne(s);
  const auto& completed = *s.system().coordinator.latest_completed;
  const auto expected = std::vector<std::pair<int64_t, int64_t>>{{1, txn}};
  EXPECT_EQ(completed.snapshots[s.Subtask("C[0]")]->operators[0].pending_transactions, expected);
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kPrecommitted);  // completed, not yet notified
  s.Rpc(RpcKind::kNotifyComplete, "S[0]").Rpc(RpcKind::kNotifyComplete, "W[0]");
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kPrecommitted);  // the writer never commits
  s.Rpc(RpcKind::kNotifyComplete, "C[0]");
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kCommitted);
  EXPECT_TRUE(s.Sub("C[0]").operators[0].pending_transactions.empty());
}

TEST(Section8SinkV2, ChainedTheWriterHandsItsCommittableToTheCommitterBeforeTheSnapshot) {
  Script s(kChained);
  s.StartAll();
  s.Do("step S[0]").Do("deliver S[0]->K[0]");
  const int64_t txn = s.Sub("K[0]").operators[0].current_transaction;
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 1; }, Transport);
  const auto& completed = *s.system().coordinator.latest_completed;
  const auto expected = std::vector<std::pair<int64_t, int64_t>>{{1, txn}};
  EXPECT_EQ(completed.snapshots[s.Subtask("K[0]")]->operators[1].pending_transactions, expected);
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kPrecommitted);
  EXPECT_EQ(std::count_if(s.events().begin(), s.events().end(),
                          [](const model::Event& e) {
                            return e.kind == EventKind::kSend && e.message.kind == MessageKind::kCommittable;
                          }),
            0);
  s.Rpc(RpcKind::kNotifyComplete, "K[0]");
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kCommitted);
}

// A minimal driver over a System built with chosen protocol options (the
// Script builds its System from the scenario's own options).
class OptionsDriver {
 public:
  OptionsDriver(const std::string& yaml, bool end_of_input_sentinel) : config_(LoadOrDie(yaml)) {
    config_.protocol.sink_v2_end_of_input_sentinel = end_of_input_sentinel;
    system_ = model::InitialSystem(config_.graph, config_.protocol);
  }
  const model::System& system() const { return system_; }
  int Subtask(const std::string& name) const {
    return static_cast<int>(model::ParseAction(*config_.graph, "step " + name)->target);
  }
  void Do(const std::string& text) {
    auto action = model::ParseAction(*config_.graph, text);
    ASSERT_TRUE(action && model::IsEnabled(system_, *action)) << text;
    Apply(*action);
  }
  void Rpc(RpcKind kind, const std::string& subtask) {
    for (const model::Rpc& rpc : system_.rpcs) {
      if (rpc.kind == kind && rpc.subtask == Subtask(subtask)) {
        Apply({ActionKind::kDeliverRpc, static_cast<int64_t>(rpc.uid)});
        return;
      }
    }
    ADD_FAILURE() << "no " << model::Name(kind) << " for " << subtask;
  }
  // Applies the first enabled action `allow` accepts until `done` holds.
  void RunUntil(const std::function<bool(const model::System&)>& done, const Script::Allow& allow) {
    std::vector<model::Action> enabled;
    for (int i = 0; i < 10000 && !done(system_); ++i) {
      model::EnabledActions(system_, enabled);
      auto it = std::find_if(enabled.begin(), enabled.end(),
                             [&](const model::Action& a) { return allow(system_, a); });
      if (it == enabled.end()) break;
      Apply(*it);
    }
    ASSERT_TRUE(done(system_));
  }

 private:
  void Apply(const model::Action& action) {
    std::vector<model::Event> events;
    model::Apply(system_, action, events);
  }
  simulator::RunConfig config_;
  model::System system_;
};

// Checkpoint 1 completes, but its notification to C is held back until C's
// input ended: a stale notify-complete for a checkpoint taken before the
// end-of-input committable existed. Returns that committable's transaction.
int64_t EndInputWithAStaleNotificationInFlight(OptionsDriver& d) {
  d.RunUntil(
      [](const model::System& sys) {
        return std::all_of(sys.coordinator.view.begin(), sys.coordinator.view.end(),
                           [](auto v) { return v == model::ExecutionState::kRunning; });
      },
      [](const model::System& sys, const model::Action& a) {
        if (a.kind == ActionKind::kStep) return sys.subtasks[a.target].phase <= model::SubtaskPhase::kInitializing;
        return a.kind == ActionKind::kDeliverRpc;
      });
  d.Do("step S[0]");
  d.Do("deliver S[0]->W[0]");
  d.Do("trigger");
  d.Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  d.Do("deliver S[0]->W[0]");
  d.Do("deliver W[0]->C[0]");
  d.Do("deliver W[0]->C[0]");
  for (const char* name : {"S[0]", "W[0]", "C[0]"}) d.Rpc(RpcKind::kAcknowledge, name);
  // The rest of the input, with C's notification for checkpoint 1 held back.
  const int c = d.Subtask("C[0]");
  d.RunUntil([c](const model::System& sys) { return sys.subtasks[c].operators[0].input_ended; },
             [c](const model::System& sys, const model::Action& a) {
               if (a.kind == ActionKind::kStep || a.kind == ActionKind::kDeliver) return true;
               if (a.kind != ActionKind::kDeliverRpc) return false;
               for (const model::Rpc& rpc : sys.rpcs) {
                 if (static_cast<int64_t>(rpc.uid) == a.target) return rpc.subtask != c;
               }
               return false;
             });
  const auto& pending = d.system().subtasks[c].operators[0].pending_transactions;
  EXPECT_EQ(pending.size(), 2u);  // checkpoint 1's and the end-of-input one
  return pending.back().second;
}

TEST(Section8SinkV2, EndOfInputCommittablesWaitForTheFinalCheckpointEvenPastAStaleNotification) {
  OptionsDriver d(kSplit, /*end_of_input_sentinel=*/false);
  const int64_t last = EndInputWithAStaleNotificationInFlight(d);
  const int c = d.Subtask("C[0]");
  // Current Flink (FLINK-37605): tagged with the writer's last known
  // checkpoint + 1, here the final checkpoint's id.
  EXPECT_EQ(d.system().subtasks[c].operators[0].pending_transactions.back().first, 2);
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kPrecommitted);  // not in endInput
  d.Rpc(RpcKind::kNotifyComplete, "C[0]");  // checkpoint 1, stale
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kPrecommitted);
  d.Do("trigger");
  d.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 2; }, Transport);
  EXPECT_EQ(d.system().subtasks[d.Subtask("W[0]")].final_checkpoint_min_id, 2);
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kPrecommitted);
  d.Rpc(RpcKind::kNotifyComplete, "C[0]");  // the final checkpoint
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kCommitted);
}

// Flink before FLINK-37605, as the reference's section 7.2 describes it: the
// committables are tagged EOI, and a committer whose input ended commits
// them on the first notification, before any checkpoint holds them.
TEST(Section8SinkV2, BeforeFlink37605TheEndOfInputSentinelCommitsOnAStaleNotification) {
  OptionsDriver d(kSplit, /*end_of_input_sentinel=*/true);
  const int64_t last = EndInputWithAStaleNotificationInFlight(d);
  const int c = d.Subtask("C[0]");
  EXPECT_EQ(d.system().subtasks[c].operators[0].pending_transactions.back().first, model::kEndOfInputTag);
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kPrecommitted);  // not in endInput
  d.Rpc(RpcKind::kNotifyComplete, "C[0]");  // checkpoint 1, taken before the committable existed
  EXPECT_EQ(d.system().store.transactions[last].state, TransactionState::kCommitted);
}

// Test the tester: the premature commit above duplicates records once a
// failure restores the checkpoint before it; P1 must see it in the built-in
// sink-v2 scenario, whose default (current Flink) runs stay clean.
TEST(Section8SinkV2, TheEndOfInputSentinelIsCaughtAsDuplicatesInTheSinkV2Scenario) {
  simulator::RunConfig config = LoadOrDie("sink-v2");
  config.protocol.sink_v2_end_of_input_sentinel = true;
  int duplicated_runs = 0;
  for (uint64_t seed = 1; seed <= 400 && duplicated_runs == 0; ++seed) {
    const simulator::RunResult result = simulator::Run(config, seed, {.stop_at_first_violation = false});
    duplicated_runs += std::any_of(result.violations.begin(), result.violations.end(), [](const auto& v) {
      return v.property == properties::PropertyId::kExactlyOnce;
    });
  }
  EXPECT_GT(duplicated_runs, 0);
}

TEST(Section8SinkV2, WithCheckpointingOffTheCommitterCommitsInEndInput) {
  Script s(std::string(kSplit) + "checkpointing: {enabled: false}\n");
  s.StartAll();
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  EXPECT_EQ(CommittedSequences(s.system()), (std::multiset<uint32_t>{0, 1, 2}));
  const size_t end_input = IndexOfCall(s, "C[0]", OperatorCall::kEndInput);
  const size_t finish = IndexOfCall(s, "C[0]", OperatorCall::kFinish);
  const auto& events = s.events();
  const auto commit = std::find_if(events.begin(), events.end(), [](const model::Event& e) {
    return e.kind == EventKind::kTransactionCommitted;
  }) - events.begin();
  EXPECT_GT(static_cast<size_t>(commit), end_input);
  EXPECT_LT(static_cast<size_t>(commit), finish);
  EXPECT_EQ(IndexOfCall(s, "C[0]", OperatorCall::kNotifyCheckpointComplete), events.size());
}

TEST(Section8SinkV2, RestoreRecommitsTheRecoveredCommittablesIdempotently) {
  Script s(kSplit);
  const int64_t txn = FlushThroughCheckpointOne(s);
  CompleteCheckpointOne(s);
  LoseNotification(s, "C[0]");
  s.Do("fail C[0]").Do("restart");
  ASSERT_EQ(Txn(s, txn).state, TransactionState::kPrecommitted);
  s.Do("step C[0]").Do("step C[0]");  // deploy, initializeState
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kCommitted);
  const size_t commits = s.CountEvents(EventKind::kTransactionCommitted);
  s.Do("fail C[0]").Do("restart").Do("step C[0]").Do("step C[0]");  // restores the same committable
  EXPECT_EQ(s.CountEvents(EventKind::kTransactionCommitted), commits);
  EXPECT_EQ(Txn(s, txn).state, TransactionState::kCommitted);
}

// After a restore from checkpoint 2 whose notification was lost: the
// committer re-commits checkpoint 2's committable, and the leftovers of the
// failed attempt (the open transaction, and a committable of checkpoint 3
// that never completed) are aborted; the writer's new transaction is not, even
// though the writer initializes first.
TEST(Section8SinkV2, RestoreAbortsTheWritersLeftoversButKeepsWhatTheCommitterRecovers) {
  Script s(kSplit);
  FlushThroughCheckpointOne(s);
  CompleteCheckpointOne(s);
  s.RunUntil([](const model::System& sys) { return sys.rpcs.empty(); }, Transport);
  s.Do("step S[0]").Do("deliver S[0]->W[0]");
  const int64_t second = s.Sub("W[0]").operators[0].current_transaction;
  s.Do("trigger");
  s.RunUntil([](const model::System& sys) { return sys.coordinator.latest_completed_id == 2; }, Transport);
  LoseNotification(s, "C[0]");
  s.RunUntil([](const model::System& sys) { return sys.rpcs.empty(); }, Transport);
  s.Do("step S[0]").Do("deliver S[0]->W[0]");
  const int64_t third = s.Sub("W[0]").operators[0].current_transaction;
  s.Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]").Do("deliver S[0]->W[0]");  // flush for checkpoint 3
  const int64_t open = s.Sub("W[0]").operators[0].current_transaction;
  ASSERT_EQ(Txn(s, second).state, TransactionState::kPrecommitted);
  ASSERT_EQ(Txn(s, third).state, TransactionState::kPrecommitted);
  s.Do("fail W[0]").Do("restart");
  ASSERT_EQ(s.Sub("C[0]").restored_checkpoint_id, 2);
  s.Do("step W[0]").Do("step W[0]");  // the writer initializes first
  EXPECT_EQ(Txn(s, open).state, TransactionState::kAborted);
  EXPECT_EQ(Txn(s, second).state, TransactionState::kPrecommitted);  // a committable: not the writer's to abort
  EXPECT_EQ(Txn(s, third).state, TransactionState::kPrecommitted);
  const int64_t fresh = s.Sub("W[0]").operators[0].current_transaction;
  s.Do("step C[0]").Do("step C[0]");
  EXPECT_EQ(Txn(s, second).state, TransactionState::kCommitted);
  EXPECT_EQ(Txn(s, third).state, TransactionState::kAborted);
  EXPECT_EQ(Txn(s, fresh).state, TransactionState::kOpen);
}

TEST(Section8SinkV2, ACommittableAfterEndOfDataDrainBreaksChannelDisciplineButNotAfterNoDrain) {
  for (model::StopMode mode : {model::StopMode::kDrain, model::StopMode::kNoDrain}) {
    Script s(kSplit);
    auto checker = properties::MakeChannelDisciplineChecker(s.system());
    const int channel = ChannelIndex(s.graph(), "W[0]->C[0]");
    const int producer = s.Subtask("W[0]");
    const std::vector<model::Event> events{
        {.kind = EventKind::kSend, .subtask = producer, .channel = channel,
         .message = {.kind = MessageKind::kEndOfData, .mode = mode}},
        {.kind = EventKind::kSend, .subtask = producer, .channel = channel,
         .message = {.kind = MessageKind::kCommittable, .transaction = 0, .tag = 1}}};
    checker->OnStep(s.system(), 1, events);
    EXPECT_EQ(checker->violation().has_value(), mode == model::StopMode::kDrain) << model::Name(mode);
  }
}

TEST(Section8SinkV2, RecordsEndAtTheWritersVertexForNoDataLossAndExactlyOnce) {
  Script s(kSplit);
  s.StartAll();
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  const properties::RunEnd end{.job_finished = true, .step = 1};
  auto complete = properties::MakeNoDataLossChecker(s.system());
  complete->OnEnd(s.system(), end);
  EXPECT_FALSE(complete->violation().has_value());
  // Drop one committed record: P2 names the writer's vertex.
  model::System lossy = s.system();
  for (model::Transaction& txn : lossy.store.transactions) {
    if (txn.state == TransactionState::kCommitted && !txn.records.empty()) {
      txn.records.pop_back();
      break;
    }
  }
  auto lost = properties::MakeNoDataLossChecker(lossy);
  lost->OnEnd(lossy, end);
  ASSERT_TRUE(lost->violation().has_value());
  EXPECT_NE(lost->violation()->details.front().find("sink W"), std::string::npos);
  // Commit a copy of a committed transaction: P1 sees the duplicate.
  model::System duplicated = s.system();
  auto source = std::find_if(duplicated.store.transactions.begin(), duplicated.store.transactions.end(),
                             [](const model::Transaction& t) {
                               return t.state == TransactionState::kCommitted && !t.records.empty();
                             });
  ASSERT_NE(source, duplicated.store.transactions.end());
  const int64_t original = source - duplicated.store.transactions.begin();
  const model::Transaction again = *source;
  duplicated.store.transactions.push_back(again);
  const int64_t copy = static_cast<int64_t>(duplicated.store.transactions.size()) - 1;
  auto exactly_once = properties::MakeExactlyOnceChecker(duplicated);
  const std::vector<model::Event> commits{{.kind = EventKind::kTransactionCommitted, .value = original},
                                          {.kind = EventKind::kTransactionCommitted, .value = copy}};
  exactly_once->OnStep(duplicated, 1, commits);
  EXPECT_TRUE(exactly_once->violation().has_value());
}

// Section 6: a stop without drain does not end the writer's input, so the
// savepoint's prepareSnapshotPreBarrier still flushes, after EndOfData(NO_DRAIN);
// the savepoint commits it and the resumed job loses and duplicates nothing.
TEST(Section8SinkV2, ANoDrainSavepointCarriesTheWritersLastCommittableAndResumesExactlyOnce) {
  Script s(R"(name: stop
vertices:
  - {name: S, parallelism: 1, records: 6, operators: [{name: s, kind: bounded_source}]}
  - {name: W, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}]}
  - {name: C, parallelism: 1, operators: [{name: c, kind: sink_v2_committer}]}
edges:
  - {from: S, to: W, partitioning: forward}
  - {from: W, to: C, partitioning: forward}
)");
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]");
  s.Do("stop no-drain").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  s.RunUntil([](const model::System& sys) { return sys.job_finished; }, NoCoordinatorDecision);
  ASSERT_TRUE(s.system().stopped_without_drain);
  EXPECT_EQ(CommittedSequences(s.system()), (std::multiset<uint32_t>{0, 1}));
  const int channel = ChannelIndex(s.graph(), "W[0]->C[0]");
  bool end_of_data = false;
  bool committable_after = false;
  for (const model::Event& e : s.events()) {
    if (e.kind != EventKind::kSend || e.channel != channel) continue;
    end_of_data |= e.message.kind == MessageKind::kEndOfData;
    committable_after |= end_of_data && e.message.kind == MessageKind::kCommittable;
  }
  EXPECT_TRUE(committable_after);
  s.Do("resume");
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  EXPECT_EQ(CommittedSequences(s.system()), (std::multiset<uint32_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Section8SinkV2, CompileRefusesWhatCommittablesCannotTravel) {
  const struct {
    const char* graph;
    const char* error;
  } cases[] = {
      {"  - {name: W, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}]}\n"
       "  - {name: C, parallelism: 1, operators: [{name: c, kind: sink_v2_committer}]}\n"
       "edges:\n  - {from: S, to: W, partitioning: forward}\n  - {from: W, to: C, partitioning: hash}\n",
       "only on a forward edge"},
      {"  - {name: W, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}]}\n"
       "edges:\n  - {from: S, to: W, partitioning: forward}\n",
       "needs exactly one outgoing edge"},
      {"  - {name: W, parallelism: 1, operators: [{name: w, kind: sink_v2_writer}, {name: m, kind: map}]}\n"
       "  - {name: C, parallelism: 1, operators: [{name: c, kind: sink_v2_committer}]}\n"
       "edges:\n  - {from: S, to: W, partitioning: forward}\n  - {from: W, to: C, partitioning: forward}\n",
       "followed in its chain only by a sink_v2_committer"},
      {"  - {name: C, parallelism: 1, operators: [{name: c, kind: sink_v2_committer}]}\n"
       "edges:\n  - {from: S, to: C, partitioning: forward}\n",
       "from a vertex whose chain ends with a sink_v2_writer"},
  };
  for (const auto& c : cases) {
    const std::string yaml = std::string("name: bad\nvertices:\n"
                                         "  - {name: S, parallelism: 1, records: 1, operators: "
                                         "[{name: s, kind: bounded_source}]}\n") +
                             c.graph;
    auto loaded = scenarios::LoadScenarioText(yaml, "bad.yaml");
    ASSERT_TRUE(std::holds_alternative<scenarios::ScenarioError>(loaded)) << c.error;
    EXPECT_NE(std::get<scenarios::ScenarioError>(loaded).message.find(c.error), std::string::npos)
        << std::get<scenarios::ScenarioError>(loaded).ToString();
  }
}

// An event-time window between a source and a 2PC sink.
constexpr const char* kWindow = R"(name: window
vertices:
  - {name: S, parallelism: 1, records: 6, operators: [{name: s, kind: bounded_source}]}
  - {name: Win, parallelism: 1, operators: [{name: win, kind: event_time_window}]}
  - {name: K, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: Win, partitioning: forward}
  - {from: Win, to: K, partitioning: forward}
)";

TEST(Section3EventTime, AWindowEmitsOnMaxWatermarkBeforeEndInput) {
  Script s(kWindow);
  s.StartAll();
  for (int i = 0; i < 6; ++i) s.Do("step S[0]").Do("deliver S[0]->Win[0]");
  EXPECT_EQ(s.Sub("Win[0]").operators[0].buffer.size(), 6u);
  const auto& out = s.system().channels[ChannelIndex(s.graph(), "Win[0]->K[0]")].queue;
  EXPECT_TRUE(out.empty());
  s.Do("step S[0]");               // endData(DRAIN): MAX_WATERMARK, EndOfData
  s.Do("deliver S[0]->Win[0]");    // MAX_WATERMARK fires every window
  ASSERT_EQ(out.size(), 7u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i].kind, MessageKind::kRecord);
  EXPECT_EQ(out[6].kind, MessageKind::kMaxWatermark);
  EXPECT_TRUE(s.Sub("Win[0]").operators[0].buffer.empty());
  s.Do("deliver S[0]->Win[0]");  // EndOfData: endInput, finish()
  EXPECT_LT(IndexOfCall(s, "Win[0]", OperatorCall::kProcessMaxWatermark),
            IndexOfCall(s, "Win[0]", OperatorCall::kEndInput));
  EXPECT_LT(IndexOfCall(s, "Win[0]", OperatorCall::kEndInput), IndexOfCall(s, "Win[0]", OperatorCall::kFinish));
}

TEST(Section2NoDrain, AWindowKeepsItsWindowsInTheSavepointAndTheResumedJobEmitsThem) {
  Script s(kWindow);
  s.StartAll();
  s.Do("step S[0]").Do("deliver S[0]->Win[0]").Do("step S[0]").Do("deliver S[0]->Win[0]");
  s.Do("stop no-drain").Do("trigger").Rpc(RpcKind::kTriggerCheckpoint, "S[0]");
  s.RunUntil([](const model::System& sys) { return sys.job_finished; }, NoCoordinatorDecision);
  ASSERT_TRUE(s.system().stopped_without_drain);
  const auto& savepoint = *s.system().coordinator.latest_savepoint;
  ASSERT_EQ(savepoint.kind, model::CheckpointKind::kSyncSavepoint);
  EXPECT_EQ(savepoint.snapshots[s.Subtask("Win[0]")]->operators[0].buffer.size(), 2u);
  EXPECT_FALSE(s.Sub("Win[0]").operators[0].saw_max_watermark);
  EXPECT_TRUE(CommittedSequences(s.system()).empty());
  s.Do("resume");
  EXPECT_EQ(s.Sub("Win[0]").operators[0].buffer.size(), 2u);
  s.RunUntil([](const model::System& sys) { return sys.job_finished; },
             [](const model::System&, const model::Action& a) { return a.kind != ActionKind::kExpireCheckpoint; });
  EXPECT_EQ(CommittedSequences(s.system()), (std::multiset<uint32_t>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace ckptsim::testing
