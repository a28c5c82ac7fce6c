#include "checker/protocol_model.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "checker/ample.h"
#include "model/check.h"
#include "model/fingerprint.h"
#include "model/system.h"
#include "properties/liveness.h"
#include "properties/property.h"
#include "simulator/runner.h"

namespace ckptsim::checker {
namespace {

uint8_t Clamp(int value) { return static_cast<uint8_t>(std::clamp(value, 0, 255)); }

// Some subtask waits for a final checkpoint or for the stop's savepoint: a
// checkpoint must come for the job to end.
bool AwaitsCheckpoint(const model::System& system) {
  for (const model::Subtask& sub : system.subtasks) {
    const bool active = sub.phase == model::SubtaskPhase::kProcessing ||
                        sub.phase == model::SubtaskPhase::kDataFinished ||
                        sub.phase == model::SubtaskPhase::kWaitingForFinalCheckpoint;
    if (!active || sub.final_checkpoint_completed) continue;
    if (sub.phase == model::SubtaskPhase::kWaitingForFinalCheckpoint) return true;
    if (sub.sync_savepoint_id != 0) return true;
  }
  return false;
}

// What moves the job forward: a trigger in a row of idle ones does not count.
bool Progressed(std::span<const model::Event> events) {
  for (const model::Event& event : events) {
    switch (event.kind) {
      case model::EventKind::kRunning:
      case model::EventKind::kEndData:
      case model::EventKind::kEndOfInput:
      case model::EventKind::kSubtaskFinished:
      case model::EventKind::kCheckpointCompleted:
      case model::EventKind::kFinalCheckpointDone:
      case model::EventKind::kTransactionCommitted:
      case model::EventKind::kRestarted:
      case model::EventKind::kLogsEnded:
      case model::EventKind::kJobFinished:
      case model::EventKind::kAckReceived:
        return true;
      case model::EventKind::kRpcDelivered: {
        // The coordinator's view of a subtask moving forward is progress: a
        // trigger refused before a subtask reported RUNNING may succeed
        // after. Each happens at most once per attempt, so this cannot
        // feed a loop; checkpoint RPCs (acks, declines) do not count.
        const auto rpc = static_cast<model::RpcKind>(event.aux);
        if (rpc == model::RpcKind::kReportRunning || rpc == model::RpcKind::kReportEndOfData ||
            rpc == model::RpcKind::kReportFinished) {
          return true;
        }
        break;
      }
      case model::EventKind::kSend:
      case model::EventKind::kReceive:
        if (event.message.kind == model::MessageKind::kRecord ||
            event.message.kind == model::MessageKind::kEndOfData ||
            event.message.kind == model::MessageKind::kEndOfPartition) {
          return true;
        }
        break;
      default:
        break;
    }
  }
  return false;
}

void ReportAll(const properties::Verdicts& verdicts, size_t slot, Expansion<CheckState>& out) {
  for (const properties::Violation& v : verdicts.All()) {
    out.Report(slot, Finding{.property = static_cast<int>(v.property), .summary = v.summary, .details = v.details});
  }
}

void OverrideRecords(model::JobGraphSpec& spec, int64_t records) {
  for (model::VertexSpec& vertex : spec.vertices) {
    if (vertex.records_per_subtask.empty()) continue;  // not a bounded source
    std::fill(vertex.records_per_subtask.begin(), vertex.records_per_subtask.end(), records);
  }
}

std::shared_ptr<const model::JobGraph> Compile(const model::JobGraphSpec& spec) {
  model::GraphError error;
  auto graph = model::JobGraph::Compile(spec, &error);
  CKPTSIM_CHECK(graph.has_value() && "a scenario's graph with other record counts still compiles");
  return std::make_shared<const model::JobGraph>(std::move(*graph));
}

}  // namespace

simulator::RunConfig CheckConfig(const simulator::RunConfig& scenario) {
  simulator::RunConfig config = scenario;
  if (config.check.records >= 0) {
    OverrideRecords(config.graph_spec, config.check.records);
    config.graph = Compile(config.graph_spec);
    if (config.stop.resume_into) {
      OverrideRecords(config.stop.resume_into_spec, config.check.records);
      config.stop.resume_into = Compile(config.stop.resume_into_spec);
    }
  }
  if (config.check.restarts_max >= 0) config.protocol.restart_attempts = config.check.restarts_max;
  config.check.finite_logs = true;
  // A replay of a counterexample is judged by the search's verdict, not by
  // the simulator's clock.
  config.limits.liveness_budget_ticks = 1'000'000'000;
  config.limits.max_steps = std::numeric_limits<int32_t>::max();
  return config;
}

bool SetBound(simulator::CheckOptions& check, std::string_view name, int64_t value, std::string* error) {
  struct Bound {
    std::string_view name;
    int64_t min;
    int64_t max;
    int64_t* wide;  // the int64 fields
    int* narrow;    // the int fields
  };
  const Bound bounds[] = {
      {"records", 0, 1'000'000, &check.records, nullptr},
      {"unbounded_log_records", 0, 1'000'000, &check.unbounded_log_records, nullptr},
      {"subtask_failures", 0, 255, nullptr, &check.subtask_failures},
      {"task_manager_failures", 0, 255, nullptr, &check.task_manager_failures},
      {"lost_notifications", 0, 255, nullptr, &check.lost_notifications},
      {"delayed_rpcs", 0, 255, nullptr, &check.delayed_rpcs},
      {"checkpoint_timeouts", 0, 255, nullptr, &check.checkpoint_timeouts},
      {"spontaneous_triggers", 0, 255, nullptr, &check.spontaneous_triggers},
      {"idle_triggers", 1, 255, nullptr, &check.idle_triggers},
      {"stops", 0, 255, nullptr, &check.stops},
      {"restarts_max", 0, 255, nullptr, &check.restarts_max},
  };
  std::string known;
  for (const Bound& bound : bounds) {
    known += known.empty() ? "" : ", ";
    known += bound.name;
    if (bound.name != name) continue;
    if (value < bound.min || value > bound.max) {
      *error = fmt::format("bound {} must be between {} and {}, not {}", name, bound.min, bound.max, value);
      return false;
    }
    if (bound.wide != nullptr) *bound.wide = value;
    if (bound.narrow != nullptr) *bound.narrow = static_cast<int>(value);
    return true;
  }
  *error = fmt::format("no check bound named '{}' (known: {})", name, known);
  return false;
}

ProtocolModel::ProtocolModel(const simulator::RunConfig& config, bool partial_order_reduction)
    : config_(config), por_(partial_order_reduction) {}

void ProtocolModel::Initial(State& out) const {
  out.system = simulator::InitialSystemOf(config_);
  out.history = properties::InitialHistory(out.system);
  const simulator::CheckOptions& check = config_.check;
  out.budget = Budget{};
  out.budget.faults[static_cast<size_t>(model::FaultKind::kSubtaskFailure)] = Clamp(check.subtask_failures);
  out.budget.faults[static_cast<size_t>(model::FaultKind::kTaskManagerFailure)] = Clamp(check.task_manager_failures);
  out.budget.faults[static_cast<size_t>(model::FaultKind::kLostNotification)] = Clamp(check.lost_notifications);
  out.budget.faults[static_cast<size_t>(model::FaultKind::kDelayedRpc)] = Clamp(check.delayed_rpcs);
  out.budget.faults[static_cast<size_t>(model::FaultKind::kCheckpointTimeout)] = Clamp(check.checkpoint_timeouts);
  out.budget.triggers = Clamp(check.spontaneous_triggers);
  out.budget.stops = config_.stop.enabled ? Clamp(check.stops) : 0;
  out.depth = 0;
}

uint64_t ProtocolModel::Fingerprint(const State& state) const {
  model::FingerprintHasher hasher;
  hasher.Value(state);
  return hasher.Finish();
}

void ProtocolModel::Choices(const State& state, std::vector<Choice>& out) const {
  out.clear();
  const model::System& system = state.system;
  thread_local std::vector<model::Action> enabled;
  model::EnabledActions(system, enabled);
  const model::Action stop{model::ActionKind::kStopWithSavepoint, config_.stop.drain ? 0 : 1};
  const model::Action resume{model::ActionKind::kResume, 0};
  const model::Action end_logs{model::ActionKind::kEndLogs, 0};
  const bool can_stop = state.budget.stops > 0 && model::IsEnabled(system, stop);
  const bool can_resume = config_.stop.resume && model::IsEnabled(system, resume);
  const bool can_end_logs = model::IsEnabled(system, end_logs);
  // Something else than a timer can happen: a timeout is not due yet.
  bool busy = can_resume || can_end_logs;
  for (const model::Action& action : enabled) {
    busy = busy || (action.kind != model::ActionKind::kTriggerCheckpoint &&
                    action.kind != model::ActionKind::kExpireCheckpoint);
  }
  for (const model::Action& action : enabled) {
    switch (action.kind) {
      case model::ActionKind::kTriggerCheckpoint:
        if (system.coordinator.immediate_trigger_requested) {
          out.push_back({action, Allowance::kFree});
        } else if (AwaitsCheckpoint(system) && state.budget.idle < config_.check.idle_triggers) {
          out.push_back({action, Allowance::kIdle});
        } else if (state.budget.triggers > 0) {
          out.push_back({action, Allowance::kSpontaneous});
        }
        break;
      case model::ActionKind::kExpireCheckpoint:
        if (!busy) out.push_back({action, Allowance::kFree});
        break;
      default:
        out.push_back({action, Allowance::kFree});
        break;
    }
  }
  if (can_stop) out.push_back({stop, Allowance::kStop});
  if (can_resume) out.push_back({resume, Allowance::kFree});
  if (can_end_logs) out.push_back({end_logs, Allowance::kFree});
  thread_local std::vector<model::Action> faults;
  model::EnabledFaults(system, faults);
  for (const model::Action& fault : faults) {
    if (state.budget.faults[static_cast<size_t>(model::FaultKindOf(fault.kind))] > 0) {
      out.push_back({fault, Allowance::kFault});
    }
  }
}

void ProtocolModel::ApplyChoice(State& state, const Choice& choice, std::vector<model::Event>& events) const {
  model::Apply(state.system, choice.action, events);
  Budget& budget = state.budget;
  switch (choice.allowance) {
    case Allowance::kFault:
      --budget.faults[static_cast<size_t>(model::FaultKindOf(choice.action.kind))];
      if (choice.action.kind == model::ActionKind::kFailSubtask ||
          choice.action.kind == model::ActionKind::kFailTaskManager) {
        budget.failures = Clamp(budget.failures + 1);
      }
      break;
    case Allowance::kSpontaneous:
      --budget.triggers;
      break;
    case Allowance::kIdle:
      ++budget.idle;
      break;
    case Allowance::kStop:
      --budget.stops;
      break;
    case Allowance::kFree:
      break;
  }
  if (budget.idle > 0 && Progressed(events)) budget.idle = 0;
  ++state.depth;
}

bool ProtocolModel::Apply(State& state, uint16_t index, std::vector<model::Event>& events) const {
  std::vector<Choice> choices;
  Choices(state, choices);
  if (index >= choices.size()) return false;
  ApplyChoice(state, choices[index], events);
  return true;
}

void ProtocolModel::CheckEnd(const State& state, Expansion<State>& out) const {
  const model::System& system = state.system;
  properties::Verdicts verdicts;
  if (system.job_finished) {
    properties::CheckEnd(system,
                         properties::RunEnd{.job_finished = true,
                                            .stopped_with_drain = system.stopped_with_drain,
                                            .stopped_without_drain = system.stopped_without_drain,
                                            .step = state.depth},
                         state.history, verdicts);
    ReportAll(verdicts, kStateFinding, out);
    return;
  }
  if (system.job_failed) {
    // Failed by its injected failures: allowed. Failed with fewer injected
    // than the restarts allowed: the protocol spent the rest itself.
    if (state.budget.failures > config_.protocol.restart_attempts) return;
    out.Report(kStateFinding,
               Finding{.property = static_cast<int>(properties::PropertyId::kTermination),
                       .summary = fmt::format("the job FAILED: {} restart(s) allowed, {} failure(s) injected; the "
                                              "protocol caused the other restarts itself",
                                              config_.protocol.restart_attempts, state.budget.failures),
                       .details = properties::ExplainWaiting(system)});
    return;
  }
  properties::Violation stuck = properties::JobStuck(system, state.depth);
  if (state.budget.idle >= config_.check.idle_triggers) {
    stuck.details.insert(stuck.details.begin(),
                         fmt::format("{} checkpoint(s) in a row were triggered while the job made no progress (the "
                                     "search's bound: check.idle_triggers)",
                                     static_cast<int>(state.budget.idle)));
  }
  out.Report(kStateFinding, Finding{.property = static_cast<int>(stuck.property),
                                    .summary = std::move(stuck.summary),
                                    .details = std::move(stuck.details)});
}

void ProtocolModel::Expand(const State& state, Expansion<State>& out) const {
  thread_local std::vector<Choice> choices;
  thread_local std::vector<model::Event> events;
  thread_local std::vector<uint16_t> selected;
  Choices(state, choices);
  if (choices.empty()) {
    CheckEnd(state, out);
    return;
  }
  selected.clear();
  if (!por_ || !AmpleSet(state, choices, selected)) {
    for (size_t i = 0; i < choices.size(); ++i) selected.push_back(static_cast<uint16_t>(i));
  }
  for (uint16_t index : selected) {
    State& next = out.Push(index);
    next = state;
    events.clear();
    ApplyChoice(next, choices[index], events);
    properties::Verdicts verdicts;
    properties::CheckStep(next.system, events, state.depth, next.history, verdicts);
    if (verdicts.Any()) ReportAll(verdicts, out.count() - 1, out);
  }
}

}  // namespace ckptsim::checker
