// P2 no data loss at job end: when the job reaches FINISHED after its bounded
// sources ran out (or a stop-with-savepoint --drain), every record the
// sources produced is visible at every sink it is routed to. The expected set
// comes from the model's own routing functions applied to the job graph. A
// record ends at the vertex whose operator writes it into the store (a 2PC
// sink, or a Sink V2 writer even when its committer is the next vertex):
// that is the vertex owning the transaction.
#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "model/routing.h"
#include "properties/carry_over.h"
#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

using SinkRecord = std::pair<int, model::RecordId>;

void Propagate(const model::JobGraph& graph, int32_t subtask, const model::RecordId& record,
               std::set<SinkRecord>& expected) {
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  if (std::any_of(vertex.operators.begin(), vertex.operators.end(),
                  [](const model::OperatorSpec& op) { return model::WritesToStore(op.kind); })) {
    expected.emplace(graph.subtasks()[subtask].vertex, record);
    return;
  }
  std::vector<std::pair<int32_t, model::RecordId>> targets;
  model::RouteRecord(graph, subtask, record, targets);
  for (const auto& [channel, copy] : targets) {
    const int32_t consumer = graph.channels()[channel].consumer;
    Propagate(graph, consumer, model::EnterVertex(graph, consumer, copy), expected);
  }
}

}  // namespace

void CheckNoDataLossAtEnd(const model::System& system, const RunEnd& end, const History& history,
                          std::optional<Violation>& out) {
  const CarryOver* carry = history.carry.get();
  if (!end.job_finished || end.stopped_without_drain) return;
  const model::JobGraph& graph = *system.graph;
  std::set<SinkRecord> expected;
  if (carry) {
    // Resumed into the job's new version: what the old version wrote
    // before the savepoint, and what it held there, from where it went.
    if (!carry->lost.empty()) {
      out = Violation{.property = PropertyId::kNoDataLoss,
                       .step = end.step,
                       .summary = fmt::format("{} record(s) held at the savepoint were not restored into the "
                                              "job's new version",
                                              carry->lost.size()),
                       .details = {carry->lost.front()}};
      return;
    }
    expected = carry->in_store;
    for (const HeldRecord& held : carry->held) Propagate(graph, held.subtask, held.record, expected);
  }
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const model::SubtaskInfo& info = graph.subtasks()[s];
    const model::VertexInfo& vertex = graph.vertices()[info.vertex];
    if (!vertex.is_source) continue;
    // An unbounded source promises nothing, unless a stop drained it or its
    // finite log (exhaustive checking) ended.
    if (vertex.is_unbounded_source && !end.stopped_with_drain && !system.logs_ended) return;
    // What the job consumed is the final attempt's offset: records emitted
    // by an attempt that was rolled back and not re-read (a stop came
    // sooner the second time) were never part of the job's input. A source
    // deployed as finished consumed everything it had.
    const model::Subtask& sub = system.subtasks[s];
    int64_t produced = sub.next_sequence;
    if (sub.deployed_as_finished) {
      produced = vertex.is_unbounded_source ? system.source_high_water[s] : vertex.records_per_subtask[info.index];
    }
    for (int64_t seq = carry ? carry->floor[s] : 0; seq < produced; ++seq) {
      Propagate(graph, s, model::SourceRecord(graph, s, static_cast<uint32_t>(seq)), expected);
    }
  }
  std::set<SinkRecord> visible;
  for (const model::Transaction& txn : system.store.transactions) {
    if (txn.state != model::TransactionState::kCommitted) continue;
    const int sink_vertex = graph.subtasks()[txn.owner_subtask].vertex;
    for (const model::RecordId& record : txn.records) visible.emplace(sink_vertex, record);
  }
  std::vector<SinkRecord> lost;
  for (const SinkRecord& item : expected) {
    if (!visible.contains(item)) lost.push_back(item);
  }
  if (lost.empty()) return;
  Violation violation{.property = PropertyId::kNoDataLoss,
                      .step = end.step,
                      .summary = fmt::format("job FINISHED but {} of {} expected records are not visible",
                                             lost.size(), expected.size())};
  constexpr size_t kShown = 8;
  for (size_t i = 0; i < lost.size() && i < kShown; ++i) {
    const auto& [sink, record] = lost[i];
    std::string where = "never written";
    for (size_t t = 0; t < system.store.transactions.size(); ++t) {
      const model::Transaction& txn = system.store.transactions[t];
      if (graph.subtasks()[txn.owner_subtask].vertex != sink) continue;
      for (const model::RecordId& r : txn.records) {
        if (r == record) where = fmt::format("in transaction {} ({})", t, model::Name(txn.state));
      }
    }
    violation.details.push_back(
        fmt::format("lost at sink {}: {} — {}", graph.vertices()[sink].name, DescribeRecord(graph, record), where));
  }
  if (lost.size() > kShown) violation.details.push_back(fmt::format("... and {} more", lost.size() - kShown));
  out = std::move(violation);
}

}  // namespace ckptsim::properties
