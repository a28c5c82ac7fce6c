// P1 exactly-once commit: a record becomes visible when the transaction
// holding it commits; it must never become visible twice at the same sink.
// Read off the store: at each commit, no other transaction of that sink that
// is already committed holds one of its records. (A linear run keeps an index
// of what is visible instead of scanning; the verdict is the same.)
#include <algorithm>

#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

int SinkVertex(const model::System& system, const model::Transaction& txn) {
  return system.graph->subtasks()[txn.owner_subtask].vertex;
}

Violation Duplicate(const model::System& system, int64_t step, const model::RecordId& record, int sink_vertex,
                    int64_t first, int64_t again) {
  const model::Transaction& a = system.store.transactions[first];
  const model::Transaction& b = system.store.transactions[again];
  return Violation{
      .property = PropertyId::kExactlyOnce,
      .step = step,
      .summary = fmt::format("record {} became visible twice at sink {}", DescribeRecord(*system.graph, record),
                             system.graph->vertices()[sink_vertex].name),
      .details = {fmt::format("first in transaction {} of {} (pre-committed for checkpoint {})", first,
                              system.graph->SubtaskName(a.owner_subtask), a.precommit_checkpoint_id),
                  fmt::format("again in transaction {} of {} (pre-committed for checkpoint {})", again,
                              system.graph->SubtaskName(b.owner_subtask), b.precommit_checkpoint_id)}};
}

// The index of what is visible, rebuilt from the store (a new run, or the
// store moved to a job's new version).
void Rebuild(const model::System& system, ExactlyOnceCache& cache) {
  cache.visible.clear();
  const auto& transactions = system.store.transactions;
  for (size_t t = 0; t < transactions.size(); ++t) {
    if (transactions[t].state != model::TransactionState::kCommitted) continue;
    for (const model::RecordId& record : transactions[t].records) {
      cache.visible.try_emplace({SinkVertex(system, transactions[t]), record}, static_cast<int64_t>(t));
    }
  }
}

}  // namespace

void CheckExactlyOnce(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const auto& transactions = system.store.transactions;
  if (c.caches != nullptr) {
    ExactlyOnceCache& cache = c.caches->exactly_once;
    for (const model::Event& event : c.events) {
      if (event.kind == model::EventKind::kJobGraphChanged) Rebuild(system, cache);
      if (event.kind != model::EventKind::kTransactionCommitted) continue;
      const model::Transaction& txn = transactions[event.value];
      const int sink = SinkVertex(system, txn);
      for (const model::RecordId& record : txn.records) {
        auto [it, inserted] = cache.visible.try_emplace({sink, record}, event.value);
        if (inserted || it->second == event.value) continue;
        out = Duplicate(system, c.step, record, sink, it->second, event.value);
        return;
      }
    }
    return;
  }
  // From the store alone. A transaction committed later in this same step is
  // not visible yet at an earlier commit event.
  std::vector<int64_t> committed_here;
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kTransactionCommitted) committed_here.push_back(event.value);
  }
  for (size_t e = 0; e < committed_here.size(); ++e) {
    const int64_t id = committed_here[e];
    const model::Transaction& txn = transactions[id];
    const int sink = SinkVertex(system, txn);
    const auto visible_before = [&](size_t t) {
      const model::Transaction& other = transactions[t];
      if (static_cast<int64_t>(t) == id || other.state != model::TransactionState::kCommitted) return false;
      if (SinkVertex(system, other) != sink) return false;
      return std::find(committed_here.begin() + static_cast<long>(e) + 1, committed_here.end(),
                       static_cast<int64_t>(t)) == committed_here.end();
    };
    for (const model::RecordId& record : txn.records) {
      for (size_t t = 0; t < transactions.size(); ++t) {
        const auto& records = transactions[t].records;
        if (std::find(records.begin(), records.end(), record) == records.end() || !visible_before(t)) continue;
        out = Duplicate(system, c.step, record, sink, static_cast<int64_t>(t), id);
        return;
      }
    }
  }
}

}  // namespace ckptsim::properties
