// The external-store side of the sink operators (docs/protocol.md section 8):
// transactions of the TwoPhaseCommitSinkFunction-style sink, and the Sink V2
// split, where a writer flushes its transaction into a committable that a
// committer commits once a checkpoint holding it completed.
//
// Who owns what: a transaction belongs to the subtask that writes it (the 2PC
// sink, or the Sink V2 writer). A writer's committable reaches its committer
// either inside the chain (the next operator) or over the one forward edge
// JobGraph::Compile allows out of a writer, so committer i commits writer i's
// transactions.
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
  if (t.system.options.sink_v2_end_of_input_sentinel) return kEndOfInputTag;
  const Subtask& sub = t.system.subtasks[subtask];
  return std::max(sub.last_checkpoint_id, sub.restored_checkpoint_id) + 1;
}

}  // namespace

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
  if (writer + 1 < vertex.operators.size()) {
    // Chained: the committer's processElement, right away.
    sub.operators[writer + 1].pending_transactions.emplace_back(tag, txn_id);
    return;
  }
  t.Send(CommittableChannel(t.graph, subtask),
         Message{.kind = MessageKind::kCommittable, .transaction = txn_id, .tag = tag});
}

void ProcessCommittable(Transition& t, int32_t subtask, const Message& message) {
  Subtask& sub = t.system.subtasks[subtask];
  CKPTSIM_CHECK(!sub.deployed_as_finished && "a committable reached a subtask deployed as finished");
  CKPTSIM_CHECK(t.graph.vertices()[t.graph.subtasks()[subtask].vertex].operators.front().kind ==
                OperatorKind::kSinkV2Committer);
  sub.operators.front().pending_transactions.emplace_back(message.tag, message.transaction);
}

}  // namespace ckptsim::model
