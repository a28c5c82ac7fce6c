// P4 transaction hygiene: with checkpointing on, a transaction is committed
// only once a checkpoint that covers it completed (one at or after the one
// that pre-committed it), and for a notification at or after its pre-commit;
// no transaction of a subtask is still open when that subtask reaches
// FINISHED; and when the job is FINISHED every transaction ever begun is
// committed or aborted.
#include <algorithm>

#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

// The highest checkpoint or savepoint id that ever completed. Completed ids
// only grow: the store's latest checkpoint, and the latest savepoint (which
// a resume makes the store's latest).
int64_t MaxCompleted(const model::Coordinator& coordinator) {
  int64_t max = coordinator.latest_completed_id;
  if (coordinator.latest_savepoint) max = std::max(max, coordinator.latest_savepoint->id);
  return max;
}

}  // namespace

void CheckTransactionHygiene(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  for (const model::Event& event : c.events) {
    switch (event.kind) {
      case model::EventKind::kTransactionCommitted: {
        // Without checkpointing a sink commits at end of input: nothing to check.
        if (!system.options.checkpointing_enabled) break;
        const model::Transaction& txn = system.store.transactions[event.value];
        const int64_t completed = MaxCompleted(system.coordinator);
        // Sink V2 end-of-input committables carry no checkpoint id: any
        // completed checkpoint after them may commit them.
        const bool end_of_input = txn.precommit_checkpoint_id == model::kEndOfInputTag;
        const bool covered = end_of_input || txn.precommit_checkpoint_id <= completed;
        const bool notified_completed = event.checkpoint <= completed;
        if (!covered || !notified_completed ||
            (!end_of_input && txn.precommit_checkpoint_id > event.checkpoint)) {
          out = Violation{
              .property = PropertyId::kTransactionHygiene,
              .step = c.step,
              .summary = fmt::format("transaction {} of {} committed for checkpoint {}, which {}", event.value,
                                     graph.SubtaskName(txn.owner_subtask), event.checkpoint,
                                     !notified_completed || !covered ? "never completed"
                                                                     : "is older than its pre-commit"),
              .details = {fmt::format("pre-committed for checkpoint {}; the latest checkpoint that completed is {}",
                                      txn.precommit_checkpoint_id, completed)}};
          return;
        }
        break;
      }
      case model::EventKind::kSubtaskFinished: {
        const uint32_t attempt = system.subtasks[event.subtask].attempt;
        const auto& transactions = system.store.transactions;
        for (size_t t = 0; t < transactions.size(); ++t) {
          const model::Transaction& txn = transactions[t];
          if (txn.owner_subtask != event.subtask || txn.owner_attempt != attempt) continue;
          if (txn.state != model::TransactionState::kOpen) continue;
          out = Violation{.property = PropertyId::kTransactionHygiene,
                          .step = c.step,
                          .summary = fmt::format("{} reached FINISHED with transaction {} still open",
                                                 graph.SubtaskName(event.subtask), t)};
          return;
        }
        break;
      }
      default:
        break;
    }
  }
}

void CheckTransactionHygieneAtEnd(const model::System& system, const RunEnd& end, std::optional<Violation>& out) {
  if (!end.job_finished) return;
  const auto& transactions = system.store.transactions;
  for (size_t t = 0; t < transactions.size(); ++t) {
    const model::Transaction& txn = transactions[t];
    if (txn.state == model::TransactionState::kCommitted || txn.state == model::TransactionState::kAborted) continue;
    out = Violation{.property = PropertyId::kTransactionHygiene,
                    .step = end.step,
                    .summary = fmt::format("job FINISHED but transaction {} of {} (attempt {}) is still {}", t,
                                           system.graph->SubtaskName(txn.owner_subtask), txn.owner_attempt,
                                           model::Name(txn.state)),
                    .details = {fmt::format("{} record(s), pre-committed for checkpoint {}", txn.records.size(),
                                            txn.precommit_checkpoint_id)}};
    return;
  }
}

}  // namespace ckptsim::properties
