#include "simulator/scheduler.h"

#include <algorithm>
#include <limits>

#include "model/check.h"
#include "model/system.h"

namespace ckptsim::simulator {

using model::ActionKind;
using model::EventKind;

Scheduler::Scheduler(const RunConfig& config, uint64_t seed)
    : timing_(config.timing),
      faults_(config.faults),
      stop_(config.stop),
      latency_(seed, Stream::kLatency),
      fault_draws_(seed, Stream::kFaults),
      rpc_delay_(seed, Stream::kRpcDelay),
      channel_ready_(config.graph->channel_count()),
      channel_last_ready_(config.graph->channel_count(), 0),
      priority_slots_(config.graph->channel_count(), 0),
      ack_due_(config.graph->channel_count()),
      rpc_last_due_(2 * static_cast<size_t>(config.graph->subtask_count()), 0),
      step_due_(config.graph->subtask_count()) {
  for (Slot& slot : step_due_) slot = Stamp(0);
  periodic_trigger_ = Stamp(config.timing.checkpoint_interval_ticks);
  if (stop_.enabled) stop_due_ = Stamp(stop_.at_tick);
}

void Scheduler::AddScenarioActions(const model::System& system, std::vector<model::Action>& enabled) const {
  if (stop_.enabled && !stop_issued_) {
    const model::Action stop{ActionKind::kStopWithSavepoint, stop_.drain ? 0 : 1};
    if (model::IsEnabled(system, stop)) enabled.push_back(stop);
  }
  if (stop_.enabled && stop_.resume) {
    const model::Action resume{ActionKind::kResume, 0};
    if (model::IsEnabled(system, resume)) enabled.push_back(resume);
  }
}

std::optional<model::Action> Scheduler::MaybeFault(const model::System& system, int64_t now) {
  // A delay drawn when its RPC was sent strikes at once, before anything else.
  while (!pending_delays_.empty()) {
    const model::Action delay{ActionKind::kDelayRpc, static_cast<int64_t>(pending_delays_.front())};
    pending_delays_.erase(pending_delays_.begin());
    if (model::IsEnabled(system, delay)) return delay;
  }
  if (!faults_.InPhase(now)) return std::nullopt;
  struct Kind {
    int* used;
    int max;
    int64_t ppm;
    ActionKind action;
  };
  const Kind kinds[] = {
      {&injected_.subtask_failures, faults_.subtask_failures_max, faults_.subtask_failure_ppm,
       ActionKind::kFailSubtask},
      {&injected_.task_manager_failures, faults_.task_manager_failures_max, faults_.task_manager_failure_ppm,
       ActionKind::kFailTaskManager},
      {&injected_.lost_notifications, faults_.lost_notifications_max, faults_.lost_notification_ppm,
       ActionKind::kLoseRpc},
      {&injected_.delayed_rpcs, faults_.delayed_rpcs_max, 0, ActionKind::kDelayRpc},
      {&injected_.checkpoint_timeouts, faults_.checkpoint_timeouts_max, faults_.checkpoint_timeout_ppm,
       ActionKind::kExpireEarly},
  };
  if (window_fault_armed_) {
    // A window is open: one fault of any kind with budget left, drawn
    // uniformly among those enabled now.
    window_fault_armed_ = false;
    fault_candidates_.clear();
    model::EnabledFaults(system, all_faults_);
    for (const model::Action& a : all_faults_) {
      for (const Kind& kind : kinds) {
        if (a.kind == kind.action && *kind.used < kind.max) fault_candidates_.push_back(a);
      }
    }
    if (!fault_candidates_.empty()) {
      const model::Action fault = fault_candidates_[fault_draws_.Below(fault_candidates_.size())];
      // A delay is counted by Observe, which replay runs too: the count
      // decides whether a later RPC may still be delayed when it is sent.
      for (const Kind& kind : kinds) {
        if (fault.kind == kind.action && fault.kind != ActionKind::kDelayRpc) ++*kind.used;
      }
      ++injected_.window_faults;
      return fault;  // a delayed RPC gets its later due time in Observe
    }
  }
  for (const Kind& kind : kinds) {
    if (*kind.used >= kind.max || kind.ppm <= 0 || !fault_draws_.ChancePpm(kind.ppm)) continue;
    fault_candidates_.clear();
    model::EnabledFaults(system, all_faults_);
    for (const model::Action& a : all_faults_) {
      if (a.kind == kind.action) fault_candidates_.push_back(a);
    }
    if (fault_candidates_.empty()) continue;
    ++*kind.used;
    return fault_candidates_[fault_draws_.Below(fault_candidates_.size())];
  }
  return std::nullopt;
}

void Scheduler::ArmWindow(const model::Event& event, int64_t now) {
  if (window_fault_armed_ || !faults_.InPhase(now)) return;
  for (size_t w = 0; w < kFaultWindowCount; ++w) {
    if (kFaultWindows[w].opens != event.kind || faults_.window_ppm[w] <= 0) continue;
    if (fault_draws_.ChancePpm(faults_.window_ppm[w])) window_fault_armed_ = true;
    return;
  }
}

Scheduler::Slot Scheduler::Due(const model::System& system, const model::Action& action, int64_t now) const {
  Slot slot;
  switch (action.kind) {
    case ActionKind::kStep:
      slot = step_due_[action.target];
      break;
    case ActionKind::kDeliver:
      slot = channel_ready_[action.target].front();
      break;
    case ActionKind::kDeliverAck:
      slot = ack_due_[action.target];
      break;
    case ActionKind::kDeliverRpc: {
      auto it = std::lower_bound(rpc_due_.begin(), rpc_due_.end(), static_cast<uint64_t>(action.target),
                                 [](const auto& entry, uint64_t uid) { return entry.first < uid; });
      CKPTSIM_CHECK(it != rpc_due_.end() && it->first == static_cast<uint64_t>(action.target));
      slot = it->second;
      break;
    }
    case ActionKind::kTriggerCheckpoint:
      if (system.coordinator.immediate_trigger_requested) {
        slot = Slot{now, next_sequence_};  // requested by the step just taken: the newest entry
      } else {
        slot = periodic_trigger_;
        slot.tick = std::max(slot.tick, earliest_after_completion_);
      }
      break;
    case ActionKind::kExpireCheckpoint:
      slot = Slot{std::numeric_limits<int64_t>::max(), std::numeric_limits<uint64_t>::max()};
      for (const auto& [id, when] : expiry_) {
        if (id == action.target) slot = when;
      }
      break;
    case ActionKind::kRestart:
      slot = restart_due_;
      break;
    case ActionKind::kFailSubtask:
    case ActionKind::kFailTaskManager:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc:
    case ActionKind::kExpireEarly:
      slot = Slot{now, next_sequence_};  // a fault strikes when it is drawn
      break;
    case ActionKind::kStopWithSavepoint:
      slot = stop_due_;
      break;
    case ActionKind::kResume:
      slot = resume_due_;
      break;
    case ActionKind::kEndLogs:
      slot = Slot{now, next_sequence_};  // exhaustive checking only
      break;
  }
  slot.tick = std::max(slot.tick, now);
  return slot;
}

std::pair<size_t, int64_t> Scheduler::Choose(const model::System& system, const std::vector<model::Action>& enabled,
                                             int64_t now) {
  size_t best_index = 0;
  Slot best{std::numeric_limits<int64_t>::max(), std::numeric_limits<uint64_t>::max()};
  for (size_t i = 0; i < enabled.size(); ++i) {
    const Slot slot = Due(system, enabled[i], now);
    if (slot.tick < best.tick || (slot.tick == best.tick && slot.sequence < best.sequence)) {
      best = slot;
      best_index = i;
    }
  }
  return {best_index, best.tick};
}

void Scheduler::Observe(const model::System& system, const model::Action& action,
                        std::span<const model::Event> events, int64_t now) {
  const model::JobGraph& graph = *system.graph;
  const auto draw = [&](const TickRange& range) { return latency_.Range(range.min, range.max); };
  if (action.kind == ActionKind::kStep) {
    const auto s = static_cast<int32_t>(action.target);
    const bool emitting = system.subtasks[s].phase == model::SubtaskPhase::kProcessing &&
                          graph.vertices()[graph.subtasks()[s].vertex].is_source;
    step_due_[s] = Stamp(now + draw(emitting ? timing_.source_emit_ticks : timing_.processing_ticks));
  }
  // Something the subtask waits for happened: its next step comes after a processing delay.
  const auto wake = [&](int32_t subtask) {
    const int64_t tick = now + draw(timing_.processing_ticks);
    if (tick > step_due_[subtask].tick) step_due_[subtask] = Stamp(tick);
  };
  for (const model::Event& event : events) {
    ArmWindow(event, now);
    switch (event.kind) {
      case EventKind::kSend:
      case EventKind::kChannelStateRestored: {
        const int64_t arrival = now + draw(timing_.channel_latency_ticks);
        if (event.kind == EventKind::kSend && event.message.kind == model::MessageKind::kBarrier &&
            event.message.unaligned) {
          // Behind the priority barriers already waiting, ahead of all data.
          channel_ready_[event.channel].insert(static_cast<size_t>(priority_slots_[event.channel]++), Stamp(arrival));
        } else {
          const int64_t ready = std::max(arrival, channel_last_ready_[event.channel]);
          channel_last_ready_[event.channel] = ready;
          channel_ready_[event.channel].push_back(Stamp(ready));
        }
        break;
      }
      case EventKind::kReceive:
        channel_ready_[event.channel].pop_front();
        if (event.message.kind == model::MessageKind::kBarrier && event.message.unaligned) {
          --priority_slots_[event.channel];
        }
        break;
      case EventKind::kAckSent:
        ack_due_[event.channel] = Stamp(now + draw(timing_.channel_latency_ticks));
        break;
      case EventKind::kRpcSent: {
        const bool to_subtask = model::IsToSubtask(static_cast<model::RpcKind>(event.aux));
        int64_t& last = rpc_last_due_[2 * static_cast<size_t>(event.subtask) + (to_subtask ? 0 : 1)];
        if (faults_.rpc_delay_ppm > 0 && injected_.delayed_rpcs < faults_.delayed_rpcs_max &&
            faults_.InPhase(now) && rpc_delay_.ChancePpm(faults_.rpc_delay_ppm)) {
          // A delayed RPC: held back, and later RPCs on the same path overtake
          // it. The delay is a fault decision of its own (kDelayRpc), taken
          // at once, so that replay knows the RPC left its path's order.
          ++injected_.delayed_rpcs;
          const int64_t due = now + rpc_delay_.Range(faults_.rpc_delay_ticks.min, faults_.rpc_delay_ticks.max);
          rpc_due_.emplace_back(static_cast<uint64_t>(event.value), Stamp(due));
          pending_delays_.push_back(static_cast<uint64_t>(event.value));
          delayed_at_send_.push_back(static_cast<uint64_t>(event.value));
          break;
        }
        last = std::max(last, now + draw(timing_.rpc_latency_ticks));
        rpc_due_.emplace_back(static_cast<uint64_t>(event.value), Stamp(last));
        break;
      }
      case EventKind::kRpcDelayed: {
        // A delay drawn at sending has its due time already; one aimed at a
        // window is held back from now on (a delay a schedule or the checker
        // takes keeps its due time, as before windows). Replay runs this too,
        // so its clock follows the live run's.
        const auto uid = static_cast<uint64_t>(event.value);
        if (std::erase(delayed_at_send_, uid) > 0) break;
        auto it = std::lower_bound(rpc_due_.begin(), rpc_due_.end(), uid,
                                   [](const auto& entry, uint64_t u) { return entry.first < u; });
        if (it != rpc_due_.end() && it->first == uid && faults_.AnyWindow()) {
          ++injected_.delayed_rpcs;
          it->second = Stamp(now + rpc_delay_.Range(faults_.rpc_delay_ticks.min, faults_.rpc_delay_ticks.max));
        }
        break;
      }
      case EventKind::kRpcLost:
      case EventKind::kRpcDelivered: {
        auto it = std::lower_bound(rpc_due_.begin(), rpc_due_.end(), static_cast<uint64_t>(event.value),
                                   [](const auto& entry, uint64_t uid) { return entry.first < uid; });
        if (it != rpc_due_.end() && it->first == static_cast<uint64_t>(event.value)) rpc_due_.erase(it);
        break;
      }
      case EventKind::kCheckpointTriggered:
        expiry_.emplace_back(event.checkpoint, Stamp(now + timing_.checkpoint_timeout_ticks));
        periodic_trigger_ = Stamp(now + timing_.checkpoint_interval_ticks);
        break;
      case EventKind::kCheckpointRefused:
        periodic_trigger_ = Stamp(now + timing_.checkpoint_interval_ticks);
        break;
      case EventKind::kCheckpointCompleted:
        earliest_after_completion_ = now + timing_.min_pause_ticks;
        [[fallthrough]];
      case EventKind::kCheckpointAborted:
        std::erase_if(expiry_, [&](const auto& entry) { return entry.first == event.checkpoint; });
        break;
      case EventKind::kFinalCheckpointDone:
      case EventKind::kAckReceived:
      case EventKind::kEndOfInput:
        wake(event.subtask);
        break;
      case EventKind::kChannelReset:
        channel_ready_[event.channel].clear();
        channel_last_ready_[event.channel] = now;
        priority_slots_[event.channel] = 0;
        break;
      case EventKind::kSubtaskFailed:
      case EventKind::kGlobalFailure:
        if (!restart_scheduled_) {
          restart_scheduled_ = true;
          restart_due_ = Stamp(now + draw(timing_.restart_delay_ticks));
        }
        break;
      case EventKind::kRestarted:
        restart_scheduled_ = false;
        step_due_[event.subtask] = Stamp(now + draw(timing_.processing_ticks));
        break;
      case EventKind::kJobFailed:
        restart_scheduled_ = false;
        break;
      case EventKind::kStopRequested:
        stop_issued_ = true;
        break;
      case EventKind::kStopFailed:
        if (stop_.retry_after_ticks > 0) {
          stop_issued_ = false;  // the user tries again
          stop_due_ = Stamp(now + stop_.retry_after_ticks);
        }
        break;
      case EventKind::kJobFinished:
        resume_due_ = Stamp(now + stop_.resume_after_ticks);
        break;
      case EventKind::kJobGraphChanged: {
        // The job's new version: new subtasks and channels, all idle.
        const auto channels = static_cast<size_t>(graph.channel_count());
        const auto subtasks = static_cast<size_t>(graph.subtask_count());
        channel_ready_.assign(channels, {});
        channel_last_ready_.assign(channels, now);
        priority_slots_.assign(channels, 0);
        ack_due_.assign(channels, Slot{});
        rpc_last_due_.assign(2 * subtasks, now);
        step_due_.assign(subtasks, Stamp(now));
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace ckptsim::simulator
