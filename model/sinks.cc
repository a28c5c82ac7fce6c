// The external-store side of the sink operators (docs/protocol.md section 8):
// transactions of the TwoPhaseCommitSinkFunction-style sink, and the Sink V2
// split, where a writer flushes its transaction into a committable that a
// committer commits once a checkpoint holding it completed.
//
// Who owns what: a transaction belongs to the subtask that writes it (the 2PC
// sink, or the Sink V2 writer). A writer's committable reaches its committer
// either inside the chain (the next operator) or over the one forward edge
// JobGraph::Compile allows out of a writer, so committer i commits writer i's
// transactions. With a global committer after the committers (Flink's
// post-commit topology), a committer forwards what it would commit, with a
// summary per checkpoint, and the global committer's commit is the visible
// one: its transactions stay PRECOMMITTED until then.
#include <algorithm>
#include <optional>

#include "model/check.h"
#include "model/routing.h"
#include "model/system.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

void CommitTransaction(Transition& t, int32_t subtask, int64_t checkpoint_id, int64_t txn_id) {
  Transaction& txn = t.system.store.transactions[txn_id];
  if (txn.state == TransactionState::kCommitted) return;  // commit is idempotent
  CKPTSIM_CHECK(txn.state == TransactionState::kPrecommitted);
  txn.state = TransactionState::kCommitted;
  t.Emit(Event{.kind = EventKind::kTransactionCommitted, .subtask = subtask, .checkpoint = checkpoint_id,
               .value = txn_id});
}

// The subtask whose writer produced the committables a committer (operator
// `committer` of `subtask`'s chain) collects.
int32_t WriterSubtaskOf(const JobGraph& graph, int32_t subtask, size_t committer) {
  if (committer > 0) return subtask;  // chained: writer and committer share the subtask
  const SubtaskInfo& info = graph.subtasks()[subtask];
  CKPTSIM_CHECK(info.producers.size() == 1 && "a committer reads one forward channel from its writer");
  return info.producers.front();
}

// The tag of a writer's end-of-input committables. Current Flink
// (FLINK-37605) uses the writer's last known checkpoint id + 1: above every
// checkpoint this attempt took part in and the one it restored, and at most
// the checkpoint whose barrier follows the committables, so that checkpoint
// (the final one) commits them and no earlier notification can. Any checkpoint
// seen here counts as known, performed or declined; the argument holds alike.
// Before, the tag was the EOI sentinel.
int64_t EndOfInputTag(const Transition& t, int32_t subtask) {
  if (SinkV2EndOfInputSentinel(t.system.options)) return kEndOfInputTag;
  const Subtask& sub = t.system.subtasks[subtask];
  return std::max(sub.last_checkpoint_id, sub.restored_checkpoint_id) + 1;
}

const VertexInfo& VertexOfSubtask(const JobGraph& graph, int32_t subtask) {
  return graph.vertices()[graph.subtasks()[subtask].vertex];
}

// The one channel from a committer subtask to the global committer (a
// vertex of parallelism 1).
int32_t GlobalCommitterChannel(const JobGraph& graph, int32_t subtask) {
  const SubtaskInfo& info = graph.subtasks()[subtask];
  CKPTSIM_CHECK(info.output_channels.size() == 1 && "a committer feeds one global committer subtask");
  return info.output_channels.front();
}

// CommitterOperator.commitAndEmitCheckpoints with a post-commit topology:
// for each checkpoint up to `bound`, ascending, a CommittableSummary (this
// subtask, how many) and then the committables, to the global committer. The
// transactions stay pre-committed: the global committer's commit is the one
// that makes them visible (Delta and Iceberg-style sinks commit there).
void ForwardCommittables(Transition& t, int32_t subtask, OperatorState& op, int64_t bound) {
  auto& pending = op.pending_transactions;
  std::vector<int64_t> tags;
  for (const auto& [tag, txn] : pending) {
    if (tag <= bound && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  std::sort(tags.begin(), tags.end());
  const int32_t channel = GlobalCommitterChannel(t.graph, subtask);
  for (const int64_t tag : tags) {
    const auto count = std::count_if(pending.begin(), pending.end(), [tag](const auto& p) { return p.first == tag; });
    t.Send(channel, Message{.kind = MessageKind::kCommittableSummary, .tag = tag,
                            .committables = static_cast<int32_t>(count)});
    for (const auto& [pending_tag, txn] : pending) {
      if (pending_tag == tag) t.Send(channel, Message{.kind = MessageKind::kCommittable, .transaction = txn, .tag = tag});
    }
  }
  std::erase_if(pending, [bound](const auto& p) { return p.first <= bound; });
}

// GlobalCommitterOperator.commit: the checkpoints up to its
// lastCompletedCheckpointId (`value`), ascending, each committed once
// every committer subtask's summary arrived with all the committables it
// announced (CheckpointCommittableManagerImpl.hasGloballyReceivedAll); the
// first incomplete one stops it, so checkpoints commit in order.
void GlobalCommitReady(Transition& t, int32_t subtask, OperatorState& op) {
  const VertexInfo& vertex = VertexOfSubtask(t.graph, subtask);
  const int committers = t.graph.vertices()[t.graph.edges()[vertex.input_edges.front()].from].parallelism;
  while (true) {
    std::optional<int64_t> first;
    for (const CommittableSummaryEntry& entry : op.summaries) {
      if (entry.tag <= op.value && (!first || entry.tag < *first)) first = entry.tag;
    }
    if (!first) return;
    const int64_t tag = *first;
    int subtasks = 0;
    for (const CommittableSummaryEntry& entry : op.summaries) {
      if (entry.tag != tag) continue;
      if (entry.received != entry.announced) return;
      ++subtasks;
    }
    if (subtasks != committers) return;
    // An end-of-input sentinel names no checkpoint: the event names the
    // latest one this subtask was notified of.
    const int64_t label = tag == kEndOfInputTag ? t.system.subtasks[subtask].latest_report_checkpoint_id : tag;
    for (const auto& [pending_tag, txn] : op.pending_transactions) {
      if (pending_tag == tag) CommitTransaction(t, subtask, label, txn);
    }
    std::erase_if(op.pending_transactions, [tag](const auto& p) { return p.first == tag; });
    std::erase_if(op.summaries, [tag](const CommittableSummaryEntry& e) { return e.tag == tag; });
  }
}

// GlobalCommitterOperator.processElement (commitOnInput: a committer is
// upstream, so a committable arrives only after its checkpoint completed):
// collect it, raise lastCompletedCheckpointId to its tag, commit what is
// complete. A second summary of one subtask for one tag adds to it, as
// Flink merges end-of-input summaries (for a real checkpoint id Flink would
// refuse it; the model never sends one).
void ReceiveAtGlobalCommitter(Transition& t, int32_t subtask, int32_t committer_index, const Message& message) {
  OperatorState& op = t.system.subtasks[subtask].operators.front();
  auto entry = std::find_if(op.summaries.begin(), op.summaries.end(), [&](const CommittableSummaryEntry& e) {
    return e.tag == message.tag && e.subtask == committer_index;
  });
  if (message.kind == MessageKind::kCommittableSummary) {
    if (entry != op.summaries.end()) {
      entry->announced += message.committables;
    } else {
      op.summaries.push_back(CommittableSummaryEntry{
          .tag = message.tag, .subtask = committer_index, .announced = message.committables});
    }
  } else {
    CKPTSIM_CHECK(entry != op.summaries.end() && "a committable reached the global committer before its summary");
    ++entry->received;
    op.pending_transactions.emplace_back(message.tag, message.transaction);
  }
  op.value = std::max(op.value, message.tag);
  GlobalCommitReady(t, subtask, op);
}

// Whether a transaction is on its way to, or held by, the global committer a
// committer subtask feeds: then it is not a leftover to abort.
bool HeldByGlobalCommitter(const Transition& t, int32_t subtask, int64_t txn_id) {
  const int32_t channel = GlobalCommitterChannel(t.graph, subtask);
  const Fifo<Message>& queue = t.system.channels[channel].queue;
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue[i].kind == MessageKind::kCommittable && queue[i].transaction == txn_id) return true;
  }
  const Subtask& global = t.system.subtasks[t.graph.channels()[channel].consumer];
  if (global.operators.empty()) return false;
  const auto& held = global.operators.front().pending_transactions;
  return std::any_of(held.begin(), held.end(), [txn_id](const auto& p) { return p.second == txn_id; });
}

}  // namespace

bool DefersEndOfData(const Transition& t, int32_t subtask) {
  return VertexOfSubtask(t.graph, subtask).forwards_committables && FinalCheckpointsEnabled(t.system.options) &&
         !t.system.subtasks[subtask].deployed_as_finished && !t.Bug(Variant::kEndOfDataBeforeFinalCommittables);
}

void BeginTransaction(Transition& t, int32_t subtask, OperatorState& op) {
  Transaction txn;
  txn.owner_subtask = subtask;
  txn.owner_attempt = t.system.subtasks[subtask].attempt;
  t.system.store.transactions.push_back(std::move(txn));
  op.current_transaction = static_cast<int64_t>(t.system.store.transactions.size()) - 1;
  t.Emit(Event{.kind = EventKind::kTransactionBegun, .subtask = subtask, .value = op.current_transaction});
}

void AbortTransaction(Transition& t, int32_t subtask, int64_t txn_id) {
  Transaction& txn = t.system.store.transactions[txn_id];
  if (txn.state == TransactionState::kCommitted || txn.state == TransactionState::kAborted) return;
  txn.state = TransactionState::kAborted;
  t.Emit(Event{.kind = EventKind::kTransactionAborted, .subtask = subtask, .value = txn_id});
}

int64_t PrecommitTransaction(Transition& t, int32_t subtask, OperatorState& op, int64_t tag) {
  CKPTSIM_CHECK(op.current_transaction >= 0);
  const int64_t txn_id = op.current_transaction;
  Transaction& txn = t.system.store.transactions[txn_id];
  txn.state = TransactionState::kPrecommitted;
  txn.precommit_checkpoint_id = tag;
  t.Emit(Event{.kind = EventKind::kTransactionPrecommitted, .subtask = subtask, .checkpoint = tag, .value = txn_id});
  op.current_transaction = -1;
  return txn_id;
}

void CommitPendingUpTo(Transition& t, int32_t subtask, OperatorState& op, int64_t bound, int64_t checkpoint_id) {
  if (VertexOfSubtask(t.graph, subtask).forwards_committables && &op == &t.system.subtasks[subtask].operators.back()) {
    ForwardCommittables(t, subtask, op, bound);
    return;
  }
  auto& pending = op.pending_transactions;
  size_t kept = 0;
  for (size_t p = 0; p < pending.size(); ++p) {
    if (pending[p].first > bound) {
      pending[kept++] = pending[p];
      continue;
    }
    CommitTransaction(t, subtask, checkpoint_id, pending[p].second);
  }
  pending.resize(kept);
}

// Like Kafka's sinks, a restored sink cleans up what earlier attempts of the
// transactions' owner left behind, so that no transaction lingers. A 2PC sink
// and a committer abort everything they did not just re-commit; a writer
// aborts only open transactions, because its pre-committed ones are
// committables that the committer (in the next vertex, initialized in its own
// step) may still recover from its state.
void RecoverTransactions(Transition& t, int32_t subtask, size_t operator_index, bool open_only) {
  OperatorState& op = t.system.subtasks[subtask].operators[operator_index];
  const OperatorKind kind = t.graph.vertices()[t.graph.subtasks()[subtask].vertex].operators[operator_index].kind;
  if (kind == OperatorKind::kSinkV2GlobalCommitter) {
    // GlobalCommitterOperator.initializeState: commit what the restored
    // state holds complete up to the restored checkpoint. Its committables
    // are transactions of the writers, whose committers clean up.
    op.value = std::max(op.value, t.system.subtasks[subtask].restored_checkpoint_id);
    GlobalCommitReady(t, subtask, op);
    op.restored = false;
    return;
  }
  const bool forwards = kind == OperatorKind::kSinkV2Committer && VertexOfSubtask(t.graph, subtask).forwards_committables;
  const int32_t owner = kind == OperatorKind::kSinkV2Committer ? WriterSubtaskOf(t.graph, subtask, operator_index)
                                                                : subtask;
  CommitPendingUpTo(t, subtask, op, kEndOfInputTag, t.system.subtasks[subtask].restored_checkpoint_id);
  // The owner was redeployed with this subtask (same failover region): what its
  // new attempt began is not left over.
  const uint32_t attempt = t.system.subtasks[owner].attempt;
  ExternalStore& store = t.system.store;
  for (size_t id = 0; id < store.transactions.size(); ++id) {
    const Transaction& txn = store.transactions[id];
    if (txn.owner_subtask != owner || txn.owner_attempt >= attempt) continue;
    if (open_only && txn.state != TransactionState::kOpen) continue;
    if (forwards && HeldByGlobalCommitter(t, subtask, static_cast<int64_t>(id))) continue;
    AbortTransaction(t, subtask, static_cast<int64_t>(id));
  }
  op.current_transaction = -1;
  op.restored = false;
}

void FlushSinkWriter(Transition& t, int32_t subtask, size_t writer, std::optional<int64_t> checkpoint_id) {
  Subtask& sub = t.system.subtasks[subtask];
  const VertexInfo& vertex = t.graph.vertices()[t.graph.subtasks()[subtask].vertex];
  const int64_t tag = checkpoint_id ? *checkpoint_id : EndOfInputTag(t, subtask);
  const int64_t txn_id = PrecommitTransaction(t, subtask, sub.operators[writer], tag);
  if (checkpoint_id) BeginTransaction(t, subtask, sub.operators[writer]);
  // FLINK-26403's bug: endInput flushes, but the committable waits inside
  // the SinkWriter (not in its state) for a prepareCommit that the
  // checkpoints after endInput never make: it is never handed on.
  if (!checkpoint_id && t.Bug(Variant::kWriterDefersEndOfInputCommittables)) return;
  if (writer + 1 < vertex.operators.size()) {
    // Chained: the committer's processElement, right away.
    sub.operators[writer + 1].pending_transactions.emplace_back(tag, txn_id);
    return;
  }
  t.Send(CommittableChannel(t.graph, subtask),
         Message{.kind = MessageKind::kCommittable, .transaction = txn_id, .tag = tag});
}

void ProcessCommittable(Transition& t, int32_t subtask, int32_t channel, const Message& message) {
  Subtask& sub = t.system.subtasks[subtask];
  CKPTSIM_CHECK(!sub.deployed_as_finished && "a committable reached a subtask deployed as finished");
  const Channel& ch = t.system.channels[channel];
  // After EndOfData(DRAIN) the input of this channel is over: what follows
  // is not processed (FLINK-38614's loss). After EndOfData(NO_DRAIN) a
  // writer still flushes before the stop's savepoint barrier.
  if (ch.end_of_data_received && ch.end_of_data_mode == StopMode::kDrain) return;
  const OperatorKind kind = VertexOfSubtask(t.graph, subtask).operators.front().kind;
  if (kind == OperatorKind::kSinkV2GlobalCommitter) {
    ReceiveAtGlobalCommitter(t, subtask, t.graph.subtasks()[t.graph.channels()[channel].producer].index, message);
    return;
  }
  CKPTSIM_CHECK(kind == OperatorKind::kSinkV2Committer && message.kind == MessageKind::kCommittable);
  sub.operators.front().pending_transactions.emplace_back(message.tag, message.transaction);
}

}  // namespace ckptsim::model
