// P1 exactly-once commit: a record becomes visible when the transaction
// holding it commits; it must never become visible twice at the same sink.
#include <map>
#include <utility>

#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {
namespace {

class ExactlyOnceChecker final : public PropertyChecker {
 public:
  PropertyId id() const override { return PropertyId::kExactlyOnce; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    for (const model::Event& event : events) {
      if (event.kind != model::EventKind::kTransactionCommitted) continue;
      const model::Transaction& txn = system.store.transactions[event.value];
      const int sink_vertex = system.graph->subtasks()[txn.owner_subtask].vertex;
      for (const model::RecordId& record : txn.records) {
        auto [it, inserted] = visible_.try_emplace(std::make_pair(sink_vertex, record), event.value);
        if (inserted) continue;
        const model::Transaction& first = system.store.transactions[it->second];
        Report(Violation{
            .property = id(),
            .step = step,
            .summary = fmt::format("record {} became visible twice at sink {}",
                                   DescribeRecord(*system.graph, record),
                                   system.graph->vertices()[sink_vertex].name),
            .details = {fmt::format("first in transaction {} of {} (pre-committed for checkpoint {})", it->second,
                                    system.graph->SubtaskName(first.owner_subtask), first.precommit_checkpoint_id),
                        fmt::format("again in transaction {} of {} (pre-committed for checkpoint {})", event.value,
                                    system.graph->SubtaskName(txn.owner_subtask), txn.precommit_checkpoint_id)}});
        return;
      }
    }
  }

  void OnEnd(const model::System&, const RunEnd&) override {}

  // The store's transactions moved to the new job's subtasks: what is
  // visible is keyed anew (a duplicate would have been reported already).
  bool OnGraphChange(const model::System& after) override {
    visible_.clear();
    const auto& transactions = after.store.transactions;
    for (size_t t = 0; t < transactions.size(); ++t) {
      if (transactions[t].state != model::TransactionState::kCommitted) continue;
      const int sink_vertex = after.graph->subtasks()[transactions[t].owner_subtask].vertex;
      for (const model::RecordId& record : transactions[t].records) {
        visible_.try_emplace(std::make_pair(sink_vertex, record), static_cast<int64_t>(t));
      }
    }
    return true;
  }

 private:
  std::map<std::pair<int, model::RecordId>, int64_t> visible_;  // -> first transaction
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeExactlyOnceChecker(const model::System&) {
  return std::make_unique<ExactlyOnceChecker>();
}

}  // namespace ckptsim::properties
