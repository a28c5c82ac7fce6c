#include "simulator/runner.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/check.h"
#include "model/system.h"
#include "properties/liveness.h"
#include "simulator/scheduler.h"

namespace ckptsim::simulator {
namespace {

// Folds 64-bit words into one hash; the encoding of each step is fixed, so
// the hash is a function of the decisions, ticks and events only.
class TraceHasher {
 public:
  void Add(uint64_t word) {
    state_ ^= word + 0x9e3779b97f4a7c15ULL + (state_ << 6) + (state_ >> 2);
    state_ = (state_ ^ (state_ >> 31)) * 0x7fb5d329728ea185ULL;
    state_ = (state_ ^ (state_ >> 27)) * 0x81dadef4bc2dd44dULL;
    state_ ^= state_ >> 33;
  }
  void AddEvent(const model::Event& e) {
    Add(static_cast<uint64_t>(e.kind) | (static_cast<uint64_t>(e.aux) << 8) |
        (static_cast<uint64_t>(static_cast<uint32_t>(e.subtask)) << 32));
    Add(static_cast<uint64_t>(static_cast<uint32_t>(e.channel)) |
        (static_cast<uint64_t>(static_cast<uint32_t>(e.op)) << 32));
    Add(static_cast<uint64_t>(e.checkpoint));
    Add(static_cast<uint64_t>(e.value));
    if (e.kind == model::EventKind::kSend || e.kind == model::EventKind::kReceive) {
      const model::Message& m = e.message;
      Add(static_cast<uint64_t>(m.kind) | (static_cast<uint64_t>(m.mode) << 8) |
          (static_cast<uint64_t>(m.unaligned) << 16) | (static_cast<uint64_t>(m.savepoint) << 24));
      Add(static_cast<uint64_t>(m.checkpoint_id));
      Add(m.record.lineage);
      Add(m.record.sequence | (static_cast<uint64_t>(m.record.source_vertex) << 32) |
          (static_cast<uint64_t>(m.record.source_subtask) << 48));
    }
  }
  uint64_t value() const { return state_; }

 private:
  uint64_t state_ = 0x636b707473696d31ULL;  // "ckptsim1"
};

void CollectStats(const model::System& system, RunStats& stats) {
  const model::CheckpointCounters& counters = system.coordinator.counters;
  stats.checkpoints_triggered = counters.triggered;
  stats.checkpoints_completed = counters.completed;
  stats.checkpoints_aborted = counters.aborted;
  stats.checkpoints_refused = counters.refused;
  for (size_t r = 0; r < counters.aborted_by_reason.size(); ++r) {
    if (counters.aborted_by_reason[r] == 0) continue;
    stats.aborted_by_reason.emplace_back(std::string(model::Name(static_cast<model::AbortReason>(r))),
                                         counters.aborted_by_reason[r]);
  }
  for (const model::Subtask& sub : system.subtasks) {
    if (sub.phase == model::SubtaskPhase::kFinished) ++stats.subtasks_finished;
  }
  stats.subtasks = system.graph->subtask_count();
  stats.resume_refusal = system.resume_refusal;
  for (int s = 0; s < system.graph->subtask_count(); ++s) {
    if (system.graph->vertices()[system.graph->subtasks()[s].vertex].is_source) {
      stats.records_emitted += system.source_high_water[s];
    }
  }
  stats.restarts = system.restarts;
  stats.job_failed = system.job_failed;
  for (const model::Transaction& txn : system.store.transactions) {
    if (txn.state == model::TransactionState::kCommitted) stats.records_committed += static_cast<int64_t>(txn.records.size());
  }
}

properties::LivenessOptions LivenessOptionsOf(const RunConfig& config) {
  properties::LivenessOptions options;
  options.healed_from_tick = config.faults.any() ? config.faults.fault_phase_ticks : 0;
  options.budget_ticks = config.limits.liveness_budget_ticks > 0
                             ? config.limits.liveness_budget_ticks
                             : config.timing.checkpoint_timeout_ticks + 10 * config.timing.checkpoint_interval_ticks;
  options.expect_termination = config.expect.terminates;
  options.stop_retried = config.stop.retry_after_ticks > 0;
  return options;
}

}  // namespace

std::string HashToHex(uint64_t hash) { return fmt::format("{:016x}", hash); }

model::System InitialSystemOf(const RunConfig& config) {
  model::System system = model::InitialSystem(config.graph, config.protocol);
  if (config.stop.resume) system.resume_graph = config.stop.resume_into;
  if (config.check.finite_logs) system.unbounded_log_records = config.check.unbounded_log_records;
  return system;
}

RunResult Run(const RunConfig& config, uint64_t seed, const RunOptions& options) {
  model::SetCheckContext(fmt::format("scenario {} seed {} variant {}", config.scenario_name, seed,
                                     model::Name(config.protocol.variant)));
  RunResult result;
  result.seed = seed;
  model::System system = InitialSystemOf(config);
  Scheduler scheduler(config, seed);
  properties::PropertySet properties(system);
  properties::LivenessMonitor liveness(LivenessOptionsOf(config));
  bool ended_idle = false;
  TraceHasher hasher;
  hasher.Add(seed);
  std::vector<model::Action> enabled;
  std::vector<model::Event> events;
  int64_t now = 0;
  int64_t step = 0;
  int64_t finished_on_restore = 0;
  const size_t replay_length = options.replay != nullptr ? options.replay->size() : 0;
  size_t cursor = 0;
  bool replaying = options.replay != nullptr;
  while (true) {
    model::Action action;
    int64_t tick = now;
    if (replaying) {
      bool found = false;
      bool diverged = false;
      while (cursor < replay_length && !found) {
        action = (*options.replay)[cursor++];
        found = model::IsEnabled(system, action);
        if (!found && !options.lenient_replay) {
          result.diverged_at_step = step;
          result.divergence =
              fmt::format("step {}: '{}' is not enabled", step, model::Describe(*system.graph, action));
          diverged = true;
          break;
        }
      }
      if (diverged) break;
      if (found) {
        tick = scheduler.Due(system, action, now).tick;
      } else if (options.finish_after_replay) {
        replaying = false;  // the log is used up: the scheduler takes over, without faults
      } else {
        break;
      }
    }
    if (!replaying) {
      model::EnabledActions(system, enabled);
      scheduler.AddScenarioActions(system, enabled);
      if (enabled.empty()) {
        ended_idle = true;
        break;
      }
      if (step >= config.limits.max_steps) {
        result.hit_step_limit = true;
        break;
      }
      auto [index, due] = scheduler.Choose(system, enabled, now);
      if (due > config.limits.max_ticks) {
        result.hit_tick_limit = true;
        break;
      }
      action = enabled[index];
      tick = due;
      // A fault may strike first, at the current tick.
      std::optional<model::Action> fault;
      if (options.replay == nullptr) fault = scheduler.MaybeFault(system, now);
      if (fault) {
        action = *fault;
        tick = now;
      }
    }
    now = tick;
    events.clear();
    model::Apply(system, action, events);
    result.decisions.push_back(action);
    hasher.Add(static_cast<uint64_t>(action.kind) | (static_cast<uint64_t>(now) << 8));
    hasher.Add(static_cast<uint64_t>(action.target));
    for (const model::Event& event : events) hasher.AddEvent(event);
    scheduler.Observe(system, action, events, now);
    for (const model::Event& event : events) {
      if (event.kind == model::EventKind::kRestarted && event.aux != 0) ++finished_on_restore;
      if (event.kind == model::EventKind::kJobFailed && event.aux == 1) {
        result.stats.job_failed_after_stop_savepoint = true;
      }
      properties::CountSometimes(system, event, result.stats.sometimes);
    }
    if (action.kind == model::ActionKind::kFailSubtask) ++result.stats.subtask_failures;
    if (action.kind == model::ActionKind::kFailTaskManager) ++result.stats.task_manager_failures;
    if (action.kind == model::ActionKind::kLoseRpc) ++result.stats.lost_notifications;
    properties.OnStep(system, step, events);
    if (options.observer != nullptr) options.observer->OnStep(system, step, now, action, events);
    liveness.OnStep(system, step, now, events);
    ++step;
    if (options.stop_at_first_violation && (properties.AnyViolated() || liveness.Violated())) break;
  }
  result.steps = step;
  result.ticks = now;
  result.all_violations = !options.stop_at_first_violation;
  result.job_finished = system.job_finished;
  properties.OnEnd(system, properties::RunEnd{.job_finished = system.job_finished,
                                              .stopped_with_drain = system.stopped_with_drain,
                                              .stopped_without_drain = system.stopped_without_drain,
                                              .step = step});
  result.violations = properties.Violations();
  if (liveness.violation()) {
    result.violations.push_back(*liveness.violation());
  } else if (ended_idle && liveness.ExpectsTermination() && !system.job_finished && !system.job_failed &&
             result.violations.empty()) {
    // Nothing can ever happen again, and the job is not FINISHED: L1 fails now.
    result.violations.push_back(properties::JobStuck(system, step));
  }
  std::stable_sort(result.violations.begin(), result.violations.end(),
                   [](const properties::Violation& a, const properties::Violation& b) { return a.property < b.property; });
  result.trace_hash = hasher.value();
  CollectStats(system, result.stats);
  result.stats.stop_abandoned = config.expect.terminates && !liveness.ExpectsTermination();
  const Scheduler::FaultCounts& faults = scheduler.faults_injected();
  result.stats.delayed_rpcs = faults.delayed_rpcs;
  result.stats.checkpoint_timeouts = faults.checkpoint_timeouts;
  result.stats.finished_on_restore = finished_on_restore;
  return result;
}

}  // namespace ckptsim::simulator
