// Evaluating conditions against a session's state and history.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "schedules/condition.h"
#include "schedules/describe.h"
#include "schedules/names.h"

namespace ckptsim::schedules {
namespace {

using model::JobGraph;

bool Holds(Compare op, int64_t actual, int64_t expected) {
  switch (op) {
    case Compare::kEqual: return actual == expected;
    case Compare::kNotEqual: return actual != expected;
    case Compare::kLess: return actual < expected;
    case Compare::kLessOrEqual: return actual <= expected;
    case Compare::kGreater: return actual > expected;
    case Compare::kGreaterOrEqual: return actual >= expected;
  }
  return false;
}

std::string_view Name(CheckpointStatus status) {
  switch (status) {
    case CheckpointStatus::kPending: return "pending";
    case CheckpointStatus::kCompleted: return "completed";
    case CheckpointStatus::kAborted: return "aborted";
  }
  return "?";
}

std::string_view Name(CheckpointSet set) {
  switch (set) {
    case CheckpointSet::kTriggers: return "triggers";
    case CheckpointSet::kWaitsFor: return "waits for";
    case CheckpointSet::kNotifies: return "notifies";
    case CheckpointSet::kTakenBy: return "taken by";
    case CheckpointSet::kAcknowledgedBy: return "acknowledged by";
  }
  return "?";
}

std::string_view Name(Counter counter) {
  switch (counter) {
    case Counter::kTriggered: return "checkpoints triggered";
    case Counter::kCompleted: return "checkpoints completed";
    case Counter::kAborted: return "checkpoints aborted";
    case Counter::kRefused: return "checkpoints refused";
    case Counter::kLatestCompleted: return "latest completed checkpoint";
    case Counter::kRestarts: return "restarts";
  }
  return "?";
}

std::string Bracketed(const JobGraph& graph, const std::vector<int32_t>& subtasks) {
  return subtasks.empty() ? "[]" : fmt::format("[{}]", SubtaskList(graph, subtasks));
}

std::string NeverTriggered(const Observation& o, int64_t id) {
  const auto& checkpoints = o.history.checkpoints();
  if (checkpoints.empty()) return fmt::format("checkpoint {} was never triggered (no checkpoint was)", id);
  return fmt::format("checkpoint {} was never triggered (the latest is {})", id, checkpoints.back().id);
}

std::string Status(const CheckpointRecord& record) {
  if (record.status == CheckpointStatus::kAborted) {
    return fmt::format("checkpoint {} is aborted with {}", record.id, model::Name(record.reason));
  }
  return fmt::format("checkpoint {} is {}", record.id, Name(record.status));
}

Verdict Phase(const Observation& o, const PhaseIs& atom) {
  const JobGraph& graph = *o.system.graph;
  bool holds = true;
  std::vector<std::string> found;
  for (int32_t s : atom.subtasks) {
    const model::Subtask& sub = o.system.subtasks[s];
    if (!atom.phase) {
      holds = holds && sub.deployed_as_finished != atom.negated;
      found.push_back(sub.deployed_as_finished
                          ? fmt::format("{} is FINISHED_ON_RESTORE ({})", graph.SubtaskName(s), model::Name(sub.phase))
                          : fmt::format("{} is not FINISHED_ON_RESTORE ({}, attempt {})", graph.SubtaskName(s),
                                        model::Name(sub.phase), sub.attempt));
      continue;
    }
    holds = holds && (sub.phase == *atom.phase) != atom.negated;
    found.push_back(fmt::format("{} is {}", graph.SubtaskName(s), model::Name(sub.phase)));
  }
  return {holds, fmt::format("{}", fmt::join(found, ", "))};
}

int64_t FieldValue(const model::Subtask& sub, SubtaskField field) {
  switch (field) {
    case SubtaskField::kFinalCheckpointMinId: return sub.final_checkpoint_min_id;
    case SubtaskField::kSyncSavepoint: return sub.sync_savepoint_id;
    case SubtaskField::kLatestReportCheckpointId: return sub.latest_report_checkpoint_id;
    case SubtaskField::kLastCheckpointId: return sub.last_checkpoint_id;
    case SubtaskField::kPendingAlignment: return sub.pending_alignment_id;
    case SubtaskField::kAttempt: return sub.attempt;
    case SubtaskField::kRestoredCheckpointId: return sub.restored_checkpoint_id;
    case SubtaskField::kEndOfData: return sub.end_of_data ? 1 : 0;
    case SubtaskField::kFinalCheckpointCompleted: return sub.final_checkpoint_completed ? 1 : 0;
  }
  return 0;
}

Verdict Field(const Observation& o, const FieldIs& atom) {
  const int64_t actual = FieldValue(o.system.subtasks[atom.subtask], atom.field);
  const bool boolean = atom.field == SubtaskField::kEndOfData || atom.field == SubtaskField::kFinalCheckpointCompleted;
  const std::string value = boolean ? (actual != 0 ? "true" : "false") : fmt::format("{}", actual);
  return {Holds(atom.op, actual, atom.value), fmt::format("{}.{} = {}", o.system.graph->SubtaskName(atom.subtask),
                                                          SubtaskFieldNames()[static_cast<size_t>(atom.field)], value)};
}

Verdict View(const Observation& o, const ViewIs& atom) {
  bool holds = true;
  std::vector<std::string> found;
  for (int32_t s : atom.subtasks) {
    const model::ExecutionState state = o.system.coordinator.view[s];
    holds = holds && state == atom.state;
    found.push_back(fmt::format("{} as {}", o.system.graph->SubtaskName(s), model::Name(state)));
  }
  return {holds, fmt::format("the coordinator sees {}", fmt::join(found, ", "))};
}

Verdict Checkpoint(const Observation& o, const CheckpointIs& atom) {
  const CheckpointRecord* record = o.history.Find(atom.id);
  if (record == nullptr) return {false, NeverTriggered(o, atom.id)};
  const bool holds = record->status == atom.status && (!atom.reason || *atom.reason == record->reason);
  return {holds, Status(*record)};
}

Verdict Savepoint(const Observation& o, const CheckpointIsSavepoint& atom) {
  const CheckpointRecord* record = o.history.Find(atom.id);
  if (record == nullptr) return {false, NeverTriggered(o, atom.id)};
  const bool savepoint = record->kind == model::CheckpointKind::kSyncSavepoint;
  return {savepoint,
          fmt::format("checkpoint {} is {}", atom.id, savepoint ? "a savepoint" : "a checkpoint, not a savepoint")};
}

Verdict CheckpointMembers(const Observation& o, const CheckpointSubtasks& atom) {
  const CheckpointRecord* record = o.history.Find(atom.id);
  if (record == nullptr) return {false, NeverTriggered(o, atom.id)};
  std::vector<int32_t> actual;
  switch (atom.set) {
    case CheckpointSet::kTriggers: actual = record->plan.to_trigger; break;
    case CheckpointSet::kWaitsFor: actual = record->plan.to_wait_for; break;
    case CheckpointSet::kNotifies: actual = record->plan.to_commit_to; break;
    case CheckpointSet::kTakenBy: actual = record->performed_by; break;
    case CheckpointSet::kAcknowledgedBy: actual = record->acknowledged_by; break;
  }
  std::sort(actual.begin(), actual.end());
  return {actual == atom.subtasks,
          fmt::format("checkpoint {} {} {}", atom.id, Name(atom.set), Bracketed(*o.system.graph, actual))};
}

Verdict Marks(const Observation& o, const CheckpointMarks& atom) {
  const CheckpointRecord* record = o.history.Find(atom.id);
  if (record == nullptr) return {false, NeverTriggered(o, atom.id)};
  if (record->status != CheckpointStatus::kCompleted) {
    return {false, fmt::format("{}: only a completed checkpoint marks finished operators", Status(*record))};
  }
  std::vector<int> actual;
  std::vector<std::string> names;
  for (size_t v = 0; v < record->vertex_status.size(); ++v) {
    if (record->vertex_status[v] != atom.status) continue;
    actual.push_back(static_cast<int>(v));
    names.push_back(o.system.graph->vertices()[v].name);
  }
  const bool fully = atom.status == model::VertexFinishedStatus::kFullyFinished;
  return {actual == atom.vertices, fmt::format("checkpoint {} marks {} finished [{}]", atom.id,
                                               fully ? "fully" : "partly", fmt::join(names, ", "))};
}

Verdict CounterValue(const Observation& o, const CounterIs& atom) {
  const model::CheckpointCounters& counters = o.system.coordinator.counters;
  int64_t actual = 0;
  switch (atom.counter) {
    case Counter::kTriggered: actual = counters.triggered; break;
    case Counter::kCompleted: actual = counters.completed; break;
    case Counter::kAborted: actual = counters.aborted; break;
    case Counter::kRefused: actual = counters.refused; break;
    case Counter::kLatestCompleted: actual = o.system.coordinator.latest_completed_id; break;
    case Counter::kRestarts: actual = o.system.restarts; break;
  }
  return {Holds(atom.op, actual, atom.value), fmt::format("{} = {}", Name(atom.counter), actual)};
}

RecordKey KeyOf(const JobGraph& graph, const model::RecordId& record) {
  return RecordKey{graph.SubtaskOf(record.source_vertex, record.source_subtask), record.sequence};
}

bool MessageMatches(const JobGraph& graph, const MessagePattern& pattern, const model::Message& message) {
  if (pattern.kind != message.kind) return false;
  if (pattern.checkpoint && *pattern.checkpoint != message.checkpoint_id) return false;
  if (pattern.mode && *pattern.mode != message.mode) return false;
  if (pattern.record && *pattern.record != KeyOf(graph, message.record)) return false;
  if (pattern.savepoint && !message.savepoint) return false;
  if (pattern.unaligned && !message.unaligned) return false;
  return true;
}

Verdict Holds(const Observation& o, const ChannelHolds& atom) {
  const JobGraph& graph = *o.system.graph;
  const model::Channel& channel = o.system.channels[atom.channel];
  bool holds = channel.queue.size() == atom.messages.size();
  for (size_t i = 0; holds && i < atom.messages.size(); ++i) {
    holds = MessageMatches(graph, atom.messages[i], channel.queue[i]);
  }
  return {holds, fmt::format("{} holds {}", graph.ChannelName(atom.channel), DescribeQueue(graph, channel))};
}

Verdict ChannelStateOf(const Observation& o, const ChannelIs& atom) {
  const JobGraph& graph = *o.system.graph;
  const model::Channel& channel = o.system.channels[atom.channel];
  const std::string name = graph.ChannelName(atom.channel);
  switch (atom.state) {
    case ChannelState::kEmpty:
      return {channel.queue.empty(), fmt::format("{} holds {}", name, DescribeQueue(graph, channel))};
    case ChannelState::kBlocked:
      return {channel.blocked, fmt::format("{} is {}blocked", name, channel.blocked ? "" : "not ")};
    case ChannelState::kAcknowledged:
      return {channel.ack_received,
              channel.ack_received ? fmt::format("{} is acknowledged", name)
                                   : fmt::format("{} is not acknowledged{}", name,
                                                 channel.ack_in_flight ? " (the acknowledgement is in flight)" : "")};
  }
  return {false, ""};
}

Verdict Rpc(const Observation& o, const RpcInFlight& atom) {
  std::vector<std::string> in_flight;
  bool holds = false;
  for (const model::Rpc& rpc : o.system.rpcs) {
    holds = holds || atom.rpc.Matches(rpc);
    if (rpc.subtask == atom.rpc.subtask) in_flight.push_back(DescribeRpc(*o.system.graph, rpc));
  }
  const std::string subtask = o.system.graph->SubtaskName(atom.rpc.subtask);
  if (in_flight.empty()) return {holds, fmt::format("no RPC to or from {} is in flight", subtask)};
  return {holds, fmt::format("in flight to or from {}: {}", subtask, fmt::join(in_flight, ", "))};
}

// Visible records, with how often each is visible.
std::map<RecordKey, int> CommittedBy(const Observation& o, const std::vector<int32_t>& owners) {
  std::map<RecordKey, int> committed;
  for (const model::Transaction& txn : o.system.store.transactions) {
    if (txn.state != model::TransactionState::kCommitted) continue;
    if (!owners.empty() && std::find(owners.begin(), owners.end(), txn.owner_subtask) == owners.end()) continue;
    for (const model::RecordId& record : txn.records) ++committed[KeyOf(*o.system.graph, record)];
  }
  return committed;
}

// "S[0]#0..4, S2[0]#2" from ascending keys.
std::string Ranges(const JobGraph& graph, const std::vector<RecordKey>& keys) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j + 1 < keys.size() && keys[j + 1].source_subtask == keys[i].source_subtask &&
           keys[j + 1].sequence == keys[j].sequence + 1) {
      ++j;
    }
    parts.push_back(j == i ? fmt::format("{}#{}", graph.SubtaskName(keys[i].source_subtask), keys[i].sequence)
                           : fmt::format("{}#{}..{}", graph.SubtaskName(keys[i].source_subtask), keys[i].sequence,
                                         keys[j].sequence));
    i = j + 1;
  }
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

std::string Committer(const JobGraph& graph, const std::vector<int32_t>& owners) {
  return owners.empty() ? "committed" : fmt::format("{} committed", SubtaskList(graph, owners));
}

Verdict Records(const Observation& o, const CommittedRecords& atom) {
  const JobGraph& graph = *o.system.graph;
  const std::map<RecordKey, int> committed = CommittedBy(o, atom.owners);
  std::vector<RecordKey> keys;
  std::vector<RecordKey> twice;
  for (const auto& [key, count] : committed) {
    keys.push_back(key);
    if (count > 1) twice.push_back(key);
  }
  std::string found = fmt::format("{} {}", Committer(graph, atom.owners), Ranges(graph, keys));
  if (!twice.empty()) found += fmt::format(" (more than once: {})", Ranges(graph, twice));
  return {keys == atom.records, found};
}

Verdict Count(const Observation& o, const CommittedCount& atom) {
  int64_t total = 0;
  for (const auto& [key, count] : CommittedBy(o, atom.owners)) total += count;
  return {Holds(atom.op, total, atom.value), fmt::format("{} = {}", Committer(*o.system.graph, atom.owners), total)};
}

bool CallMatches(const CallPattern& pattern, const CallRecord& call) {
  return pattern.call == call.call && (!pattern.op || *pattern.op == call.op) &&
         (!pattern.argument || *pattern.argument == call.argument);
}

std::string DescribeCall(const JobGraph& graph, const CallRecord& call) {
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[call.subtask].vertex];
  std::string text = vertex.operators.size() > 1 ? vertex.operators[call.op].name + "." : "";
  text += OperatorCallNames()[static_cast<size_t>(call.call)];
  switch (call.call) {
    case model::OperatorCall::kProcessMaxWatermark: return text + "(MAX)";
    case model::OperatorCall::kEndInput:
    case model::OperatorCall::kPrepareSnapshotPreBarrier:
    case model::OperatorCall::kSnapshotState:
    case model::OperatorCall::kNotifyCheckpointComplete:
    case model::OperatorCall::kNotifyCheckpointAborted: return fmt::format("{}({})", text, call.argument);
    case model::OperatorCall::kInitializeState:
    case model::OperatorCall::kOpen:
    case model::OperatorCall::kFinish:
    case model::OperatorCall::kClose: return text;
  }
  return text;
}

Verdict Calls(const Observation& o, const Called& atom) {
  const JobGraph& graph = *o.system.graph;
  std::vector<const CallRecord*> calls;
  for (const CallRecord& call : o.history.calls()) {
    if (call.subtask == atom.subtask) calls.push_back(&call);
  }
  bool holds = false;
  if (atom.exactly) {
    holds = calls.size() == atom.calls.size();
    for (size_t i = 0; holds && i < calls.size(); ++i) holds = CallMatches(atom.calls[i], *calls[i]);
  } else {
    size_t matched = 0;
    for (const CallRecord* call : calls) {
      if (matched < atom.calls.size() && CallMatches(atom.calls[matched], *call)) ++matched;
    }
    holds = matched == atom.calls.size();
  }
  std::vector<std::string> names;
  for (const CallRecord* call : calls) names.push_back(DescribeCall(graph, *call));
  return {holds, fmt::format("{} called [{}]", graph.SubtaskName(atom.subtask), fmt::join(names, ", "))};
}

Verdict Union(const Observation& o, const RestoredUnion& atom) {
  const JobGraph& graph = *o.system.graph;
  const model::Subtask& sub = o.system.subtasks[atom.subtask];
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[atom.subtask].vertex];
  std::vector<int64_t> entries;
  for (size_t i = 0; i < vertex.operators.size() && i < sub.operators.size(); ++i) {
    if (vertex.operators[i].kind != model::OperatorKind::kUnionState) continue;
    entries.insert(entries.end(), sub.operators[i].union_entries.begin(), sub.operators[i].union_entries.end());
  }
  return {entries == atom.entries,
          fmt::format("{} restored union state [{}]", graph.SubtaskName(atom.subtask), fmt::join(entries, ", "))};
}

Verdict Job(const Observation& o, const JobIs& atom) {
  const JobState state = o.system.job_failed     ? JobState::kFailed
                         : o.system.job_finished ? JobState::kFinished
                                                 : JobState::kRunning;
  const std::string_view names[] = {"RUNNING", "FINISHED", "FAILED"};
  return {state == atom.state, fmt::format("job is {}", names[static_cast<size_t>(state)])};
}

Verdict Property(const Observation& o, const PropertyIs& atom) {
  const properties::PropertyInfo& info = properties::Info(atom.property);
  for (const properties::Violation& violation : o.violations()) {
    if (violation.property != atom.property) continue;
    return {atom.violated, fmt::format("{} is violated at step {}: {}", info.code, violation.step, violation.summary)};
  }
  return {!atom.violated, fmt::format("{} holds", info.code)};
}

Verdict EvaluateAtom(const Atom& atom, const Observation& o) {
  return std::visit(
      [&](const auto& a) -> Verdict {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, PhaseIs>) return Phase(o, a);
        if constexpr (std::is_same_v<T, FieldIs>) return Field(o, a);
        if constexpr (std::is_same_v<T, ViewIs>) return View(o, a);
        if constexpr (std::is_same_v<T, CheckpointIs>) return Checkpoint(o, a);
        if constexpr (std::is_same_v<T, CheckpointIsSavepoint>) return Savepoint(o, a);
        if constexpr (std::is_same_v<T, CheckpointSubtasks>) return CheckpointMembers(o, a);
        if constexpr (std::is_same_v<T, CheckpointMarks>) return Marks(o, a);
        if constexpr (std::is_same_v<T, CounterIs>) return CounterValue(o, a);
        if constexpr (std::is_same_v<T, ChannelHolds>) return Holds(o, a);
        if constexpr (std::is_same_v<T, ChannelIs>) return ChannelStateOf(o, a);
        if constexpr (std::is_same_v<T, RpcInFlight>) return Rpc(o, a);
        if constexpr (std::is_same_v<T, CommittedRecords>) return Records(o, a);
        if constexpr (std::is_same_v<T, CommittedCount>) return Count(o, a);
        if constexpr (std::is_same_v<T, Called>) return Calls(o, a);
        if constexpr (std::is_same_v<T, RestoredUnion>) return Union(o, a);
        if constexpr (std::is_same_v<T, JobIs>) return Job(o, a);
        if constexpr (std::is_same_v<T, PropertyIs>) return Property(o, a);
      },
      atom);
}

void CollectViolations(const Condition& condition, bool negated, std::vector<properties::PropertyId>* out) {
  if (condition.op == Condition::Op::kAtom) {
    const auto* property = std::get_if<PropertyIs>(&condition.atom);
    if (property != nullptr && property->violated != negated) out->push_back(property->property);
    return;
  }
  for (const Condition& term : condition.terms) {
    CollectViolations(term, negated != (condition.op == Condition::Op::kNot), out);
  }
}

}  // namespace

Verdict Evaluate(const Condition& condition, const Observation& observation) {
  switch (condition.op) {
    case Condition::Op::kAtom: return EvaluateAtom(condition.atom, observation);
    case Condition::Op::kNot: {
      const Verdict inner = Evaluate(condition.terms.front(), observation);
      return {!inner.holds, inner.found};
    }
    case Condition::Op::kAnd: {
      std::vector<std::string> found;
      for (const Condition& term : condition.terms) {
        Verdict verdict = Evaluate(term, observation);
        if (!verdict.holds) return verdict;
        found.push_back(std::move(verdict.found));
      }
      return {true, fmt::format("{}", fmt::join(found, "; "))};
    }
    case Condition::Op::kOr: {
      std::vector<std::string> found;
      for (const Condition& term : condition.terms) {
        Verdict verdict = Evaluate(term, observation);
        if (verdict.holds) return verdict;
        found.push_back(std::move(verdict.found));
      }
      return {false, fmt::format("{}", fmt::join(found, "; "))};
    }
  }
  return {false, ""};
}

std::vector<properties::PropertyId> ExpectedViolations(const Condition& condition) {
  std::vector<properties::PropertyId> out;
  CollectViolations(condition, false, &out);
  return out;
}

}  // namespace ckptsim::schedules
