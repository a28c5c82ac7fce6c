#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {

const std::vector<PropertyInfo>& AllProperties() {
  static const std::vector<PropertyInfo> kAll = {
      {PropertyId::kExactlyOnce, "P1", "exactly-once",
       "no record is visible in the external store twice, across failures, restarts and stop/resume"},
      {PropertyId::kNoDataLoss, "P2", "no-data-loss",
       "when the job reaches FINISHED, every record the sources produced is visible exactly once"},
      {PropertyId::kTopologicalFinish, "P3", "topological-finish",
       "no subtask finishes before its upstream; completed checkpoints never mark an operator fully finished "
       "below one that is not"},
      {PropertyId::kTransactionHygiene, "P4", "transaction-hygiene",
       "commits only for completed checkpoints; no transaction open at FINISHED; none left undecided at job end"},
      {PropertyId::kChannelDiscipline, "P5", "channel-discipline",
       "per channel: EndOfData once, after every record; EndOfPartition last; nothing emitted after finish()"},
      {PropertyId::kLifecycleOrder, "P6", "lifecycle-order",
       "per operator and attempt: initializeState, open, endInput, finish (DRAIN only), close exactly once; "
       "completion notified only for checkpoints taken"},
      {PropertyId::kConsistentCut, "P7", "consistent-cut",
       "every completed checkpoint holds exactly the records before its barriers: in sinks' covered transactions, "
       "operator buffers, channel state and keyed counts"},
      {PropertyId::kSavepointCut, "P8", "savepoint-cut",
       "a stop-with-savepoint ends with one savepoint holding every subtask, and it alone releases them"},
      {PropertyId::kTermination, "L1", "termination",
       "after the faults stop, a bounded or stopped job reaches FINISHED (not FAILED) within the liveness budget"},
      {PropertyId::kCheckpointProgress, "L2", "checkpoint-progress",
       "after the faults stop, a running job completes a checkpoint within every liveness budget window"},
      {PropertyId::kEventTime, "L3", "event-time",
       "after inputs end with DRAIN, every operator saw MAX_WATERMARK exactly once, before finish()"},
  };
  return kAll;
}

const PropertyInfo& Info(PropertyId id) {
  for (const PropertyInfo& info : AllProperties()) {
    if (info.id == id) return info;
  }
  return AllProperties().front();
}

std::optional<PropertyId> ParseProperty(std::string_view code_or_name) {
  for (const PropertyInfo& info : AllProperties()) {
    if (info.code == code_or_name || info.name == code_or_name) return info.id;
  }
  return std::nullopt;
}

std::string DescribeRecord(const model::JobGraph& graph, const model::RecordId& record) {
  return fmt::format("{}[{}]#{} (lineage {:016x})", graph.vertices()[record.source_vertex].name,
                     record.source_subtask, record.sequence, record.lineage);
}

PropertySet::PropertySet(const model::System& initial)
    : factories_{MakeExactlyOnceChecker,        MakeNoDataLossChecker,     MakeTopologicalFinishChecker,
                 MakeTransactionHygieneChecker, MakeChannelDisciplineChecker, MakeLifecycleOrderChecker,
                 MakeConsistentCutChecker,      MakeSavepointCutChecker,   MakeEventTimeChecker} {
  for (Factory factory : factories_) checkers_.push_back(factory(initial));
}

void PropertySet::OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) {
  // A resume into the job's new version is the first event of its step.
  if (!events.empty() && events.front().kind == model::EventKind::kJobGraphChanged) {
    for (size_t i = 0; i < checkers_.size(); ++i) {
      if (checkers_[i]->violation() || checkers_[i]->OnGraphChange(system)) continue;
      checkers_[i] = factories_[i](system);
    }
  }
  for (auto& checker : checkers_) {
    if (!checker->violation()) checker->OnStep(system, step, events);  // only its first violation counts
  }
}

void PropertySet::OnEnd(const model::System& system, const RunEnd& end) {
  for (auto& checker : checkers_) {
    if (!checker->violation()) checker->OnEnd(system, end);
  }
}

bool PropertySet::AnyViolated() const {
  for (const auto& checker : checkers_) {
    if (checker->violation()) return true;
  }
  return false;
}

std::vector<Violation> PropertySet::Violations() const {
  std::vector<Violation> out;
  for (const auto& checker : checkers_) {
    if (checker->violation()) out.push_back(*checker->violation());
  }
  return out;
}

}  // namespace ckptsim::properties
