#include <fmt/format.h>

#include <algorithm>

#include "properties/carry_over.h"
#include "properties/checks.h"
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
      {PropertyId::kRestoredState, "P9", "restored-state",
       "a restored attempt starts from what its checkpoint holds: every old subtask's union-state entry on every "
       "new subtask, broadcast state of a reporter, list entries neither lost nor duplicated"},
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

SubtaskTrack FreshSubtaskTrack(const model::System& system, int32_t subtask) {
  SubtaskTrack track;
  track.ops.assign(system.subtasks[subtask].operators.size(), OperatorTrack{});
  track.max_watermarks.assign(system.subtasks[subtask].operators.size(), 0);
  return track;
}

History InitialHistory(const model::System& initial) {
  History history;
  history.channels.assign(initial.channels.size(), ChannelTrack{});
  for (size_t s = 0; s < initial.subtasks.size(); ++s) {
    history.subtasks.push_back(FreshSubtaskTrack(initial, static_cast<int32_t>(s)));
  }
  history.max_cut_offset.assign(initial.subtasks.size(), 0);
  if (initial.graph_change) history.carry = std::make_shared<const CarryOver>(ComputeCarryOver(initial));
  return history;
}

bool Verdicts::Any() const {
  return std::any_of(first_.begin(), first_.end(), [](const auto& v) { return v.has_value(); });
}

void Verdicts::Report(Violation violation) {
  auto& slot = first_[static_cast<size_t>(violation.property)];
  if (!slot) slot = std::move(violation);
}

std::vector<Violation> Verdicts::All() const {
  std::vector<Violation> out;
  for (const auto& v : first_) {
    if (v) out.push_back(*v);
  }
  return out;
}

void StepCachesDeleter::operator()(StepCaches* caches) const { delete caches; }

StepCachesPtr MakeStepCaches() { return StepCachesPtr(new StepCaches()); }

namespace {

using StepCheck = void (*)(const StepContext&, std::optional<Violation>&);

// The safety properties checked at every step, in PropertyId order.
constexpr std::array<std::pair<PropertyId, StepCheck>, 9> kStepChecks = {{
    {PropertyId::kExactlyOnce, CheckExactlyOnce},
    {PropertyId::kTopologicalFinish, CheckTopologicalFinish},
    {PropertyId::kTransactionHygiene, CheckTransactionHygiene},
    {PropertyId::kChannelDiscipline, CheckChannelDiscipline},
    {PropertyId::kLifecycleOrder, CheckLifecycleOrder},
    {PropertyId::kConsistentCut, CheckConsistentCut},
    {PropertyId::kSavepointCut, CheckSavepointCut},
    {PropertyId::kRestoredState, CheckRestoredState},
    {PropertyId::kEventTime, CheckEventTime},
}};

// A resume into the job's new version is the first event of its step:
// subtask and channel indices changed, the history starts afresh for it.
void MaybeChangeGraph(const model::System& after, std::span<const model::Event> events, History& history) {
  if (!events.empty() && events.front().kind == model::EventKind::kJobGraphChanged) history = InitialHistory(after);
}

void CheckOne(PropertyId id, StepCheck check, const model::System& after, std::span<const model::Event> events,
              int64_t step, History& history, Verdicts& verdicts, StepCaches* caches) {
  if (verdicts.Violated(id)) return;  // only its first violation counts
  std::optional<Violation> violation;
  check(StepContext{.after = after, .events = events, .step = step, .history = history, .caches = caches},
        violation);
  if (violation) verdicts.Report(std::move(*violation));
}

}  // namespace

void CheckStep(const model::System& after, std::span<const model::Event> events, int64_t step, History& history,
               Verdicts& verdicts, StepCaches* caches) {
  MaybeChangeGraph(after, events, history);
  for (const auto& [id, check] : kStepChecks) CheckOne(id, check, after, events, step, history, verdicts, caches);
}

void CheckStepOf(PropertyId id, const model::System& after, std::span<const model::Event> events, int64_t step,
                 History& history, Verdicts& verdicts, StepCaches* caches) {
  MaybeChangeGraph(after, events, history);
  for (const auto& [property, check] : kStepChecks) {
    if (property == id) CheckOne(id, check, after, events, step, history, verdicts, caches);
  }
}

void CheckEndOf(PropertyId id, const model::System& final_state, const RunEnd& end, const History& history,
                Verdicts& verdicts) {
  if (verdicts.Violated(id)) return;
  std::optional<Violation> violation;
  switch (id) {
    case PropertyId::kNoDataLoss: CheckNoDataLossAtEnd(final_state, end, history, violation); break;
    case PropertyId::kTransactionHygiene: CheckTransactionHygieneAtEnd(final_state, end, violation); break;
    case PropertyId::kLifecycleOrder: CheckLifecycleOrderAtEnd(final_state, end, history, violation); break;
    default: break;
  }
  if (violation) verdicts.Report(std::move(*violation));
}

void CheckEnd(const model::System& final_state, const RunEnd& end, const History& history, Verdicts& verdicts) {
  for (PropertyId id : {PropertyId::kNoDataLoss, PropertyId::kTransactionHygiene, PropertyId::kLifecycleOrder}) {
    CheckEndOf(id, final_state, end, history, verdicts);
  }
}

PropertyChecker::PropertyChecker(PropertyId id, const model::System& initial)
    : id_(id), history_(InitialHistory(initial)), caches_(MakeStepCaches()) {}

void PropertyChecker::OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) {
  CheckStepOf(id_, system, events, step, history_, verdicts_, caches_.get());
}

void PropertyChecker::OnEnd(const model::System& system, const RunEnd& end) {
  CheckEndOf(id_, system, end, history_, verdicts_);
}

#define CKPTSIM_MAKE_CHECKER(Name, Id)                                                \
  std::unique_ptr<PropertyChecker> Make##Name##Checker(const model::System& initial) { \
    return std::make_unique<PropertyChecker>(PropertyId::Id, initial);               \
  }
CKPTSIM_MAKE_CHECKER(ExactlyOnce, kExactlyOnce)
CKPTSIM_MAKE_CHECKER(NoDataLoss, kNoDataLoss)
CKPTSIM_MAKE_CHECKER(TopologicalFinish, kTopologicalFinish)
CKPTSIM_MAKE_CHECKER(ChannelDiscipline, kChannelDiscipline)
CKPTSIM_MAKE_CHECKER(TransactionHygiene, kTransactionHygiene)
CKPTSIM_MAKE_CHECKER(LifecycleOrder, kLifecycleOrder)
CKPTSIM_MAKE_CHECKER(ConsistentCut, kConsistentCut)
CKPTSIM_MAKE_CHECKER(SavepointCut, kSavepointCut)
CKPTSIM_MAKE_CHECKER(RestoredState, kRestoredState)
CKPTSIM_MAKE_CHECKER(EventTime, kEventTime)
#undef CKPTSIM_MAKE_CHECKER

PropertySet::PropertySet(const model::System& initial)
    : history_(InitialHistory(initial)), caches_(MakeStepCaches()) {}

void PropertySet::OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) {
  CheckStep(system, events, step, history_, verdicts_, caches_.get());
}

void PropertySet::OnEnd(const model::System& system, const RunEnd& end) {
  CheckEnd(system, end, history_, verdicts_);
}

}  // namespace ckptsim::properties
