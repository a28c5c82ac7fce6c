// P4 transaction hygiene: with checkpointing on, nothing is committed except
// for a completed checkpoint (the transaction was pre-committed at or before
// a checkpoint whose completion is being notified); no transaction of a subtask is still
// open when that subtask reaches FINISHED; and when the job is FINISHED every
// transaction ever begun is committed or aborted.
#include <set>

#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {
namespace {

class TransactionHygieneChecker final : public PropertyChecker {
 public:
  PropertyId id() const override { return PropertyId::kTransactionHygiene; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    const model::JobGraph& graph = *system.graph;
    for (const model::Event& event : events) {
      switch (event.kind) {
        case model::EventKind::kCheckpointCompleted:
          completed_.insert(event.checkpoint);
          break;
        case model::EventKind::kTransactionCommitted: {
          // Without checkpointing a sink commits at end of input: nothing to check.
          if (!system.options.checkpointing_enabled) break;
          const model::Transaction& txn = system.store.transactions[event.value];
          const bool notified_completed = completed_.contains(event.checkpoint);
          // Sink V2 end-of-input committables carry no checkpoint id: any
          // completed checkpoint after them may commit them.
          const bool end_of_input = txn.precommit_checkpoint_id == model::kEndOfInputTag;
          if (!notified_completed || (!end_of_input && txn.precommit_checkpoint_id > event.checkpoint)) {
            Report(Violation{
                .property = id(),
                .step = step,
                .summary = fmt::format("transaction {} of {} committed for checkpoint {}, which {}", event.value,
                                       graph.SubtaskName(txn.owner_subtask), event.checkpoint,
                                       notified_completed ? "is older than its pre-commit" : "never completed"),
                .details = {fmt::format("pre-committed for checkpoint {}; completed checkpoints so far: {}",
                                        txn.precommit_checkpoint_id, completed_.size())}});
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
            Report(Violation{.property = id(),
                             .step = step,
                             .summary = fmt::format("{} reached FINISHED with transaction {} still open",
                                                    graph.SubtaskName(event.subtask), t)});
            return;
          }
          break;
        }
        default:
          break;
      }
    }
  }

  // Nothing here is indexed by subtask; the transactions moved with their owners.
  bool OnGraphChange(const model::System&) override { return true; }

  void OnEnd(const model::System& system, const RunEnd& end) override {
    if (!end.job_finished) return;
    const auto& transactions = system.store.transactions;
    for (size_t t = 0; t < transactions.size(); ++t) {
      const model::Transaction& txn = transactions[t];
      if (txn.state == model::TransactionState::kCommitted || txn.state == model::TransactionState::kAborted) continue;
      Report(Violation{.property = id(),
                       .step = end.step,
                       .summary = fmt::format("job FINISHED but transaction {} of {} (attempt {}) is still {}", t,
                                              system.graph->SubtaskName(txn.owner_subtask), txn.owner_attempt,
                                              model::Name(txn.state)),
                       .details = {fmt::format("{} record(s), pre-committed for checkpoint {}", txn.records.size(),
                                               txn.precommit_checkpoint_id)}});
      return;
    }
  }

 private:
  // Completed checkpoints; a restore re-commits under the restored id, which completed too.
  std::set<int64_t> completed_;
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeTransactionHygieneChecker(const model::System&) {
  return std::make_unique<TransactionHygieneChecker>();
}

}  // namespace ckptsim::properties
