#include "simulator/scheduler.h"

#include <algorithm>
#include <limits>

#include "model/check.h"

namespace ckptsim::simulator {

using model::ActionKind;
using model::EventKind;

Scheduler::Scheduler(const RunConfig& config, uint64_t seed)
    : timing_(config.timing),
      latency_(seed, Stream::kLatency),
      ties_(seed, Stream::kTies),
      channel_ready_(config.graph->channel_count()),
      channel_last_ready_(config.graph->channel_count(), 0),
      ack_due_(config.graph->channel_count(), 0),
      step_due_(config.graph->subtask_count(), 0),
      next_periodic_trigger_(config.timing.checkpoint_interval_ticks) {}

int64_t Scheduler::Due(const model::System& system, const model::Action& action, int64_t now) const {
  int64_t due = now;
  switch (action.kind) {
    case ActionKind::kStep:
      due = step_due_[action.target];
      break;
    case ActionKind::kDeliver:
      due = channel_ready_[action.target].front();
      break;
    case ActionKind::kDeliverAck:
      due = ack_due_[action.target];
      break;
    case ActionKind::kDeliverRpc: {
      auto it = std::lower_bound(rpc_due_.begin(), rpc_due_.end(), std::make_pair(static_cast<uint64_t>(action.target),
                                                                                   std::numeric_limits<int64_t>::min()));
      CKPTSIM_CHECK(it != rpc_due_.end() && it->first == static_cast<uint64_t>(action.target));
      due = it->second;
      break;
    }
    case ActionKind::kTriggerCheckpoint:
      due = system.coordinator.immediate_trigger_requested
                ? now
                : std::max(next_periodic_trigger_, earliest_after_completion_);
      break;
    case ActionKind::kExpireCheckpoint:
      due = std::numeric_limits<int64_t>::max();
      for (const auto& [id, tick] : expiry_) {
        if (id == action.target) due = tick;
      }
      break;
  }
  return std::max(due, now);
}

std::pair<size_t, int64_t> Scheduler::Choose(const model::System& system, const std::vector<model::Action>& enabled,
                                             int64_t now) {
  int64_t best = std::numeric_limits<int64_t>::max();
  ties_scratch_.clear();
  for (size_t i = 0; i < enabled.size(); ++i) {
    const int64_t due = Due(system, enabled[i], now);
    if (due < best) {
      best = due;
      ties_scratch_.clear();
    }
    if (due == best) ties_scratch_.push_back(i);
  }
  const size_t pick = ties_scratch_.size() == 1 ? 0 : ties_.Below(ties_scratch_.size());
  return {ties_scratch_[pick], best};
}

void Scheduler::Observe(const model::System& system, const model::Action& action,
                        std::span<const model::Event> events, int64_t now) {
  const model::JobGraph& graph = *system.graph;
  if (action.kind == ActionKind::kStep) {
    const auto s = static_cast<int32_t>(action.target);
    const bool emitting = system.subtasks[s].phase == model::SubtaskPhase::kProcessing &&
                          graph.vertices()[graph.subtasks()[s].vertex].is_source;
    const TickRange& range = emitting ? timing_.source_emit_ticks : timing_.processing_ticks;
    step_due_[s] = now + latency_.Range(range.min, range.max);
  }
  const auto wake = [&](int32_t subtask) {
    step_due_[subtask] =
        std::max(step_due_[subtask], now + latency_.Range(timing_.processing_ticks.min, timing_.processing_ticks.max));
  };
  for (const model::Event& event : events) {
    switch (event.kind) {
      case EventKind::kSend: {
        const int64_t arrival =
            now + latency_.Range(timing_.channel_latency_ticks.min, timing_.channel_latency_ticks.max);
        if (event.message.kind == model::MessageKind::kBarrier && event.message.unaligned) {
          channel_ready_[event.channel].push_front(arrival);
        } else {
          const int64_t ready = std::max(arrival, channel_last_ready_[event.channel]);
          channel_last_ready_[event.channel] = ready;
          channel_ready_[event.channel].push_back(ready);
        }
        break;
      }
      case EventKind::kReceive:
        channel_ready_[event.channel].pop_front();
        break;
      case EventKind::kAckSent:
        ack_due_[event.channel] =
            now + latency_.Range(timing_.channel_latency_ticks.min, timing_.channel_latency_ticks.max);
        break;
      case EventKind::kRpcSent:
        rpc_due_.emplace_back(static_cast<uint64_t>(event.value),
                              now + latency_.Range(timing_.rpc_latency_ticks.min, timing_.rpc_latency_ticks.max));
        break;
      case EventKind::kRpcDelivered: {
        auto it = std::lower_bound(rpc_due_.begin(), rpc_due_.end(),
                                   std::make_pair(static_cast<uint64_t>(event.value), std::numeric_limits<int64_t>::min()));
        if (it != rpc_due_.end() && it->first == static_cast<uint64_t>(event.value)) rpc_due_.erase(it);
        break;
      }
      case EventKind::kCheckpointTriggered:
        expiry_.emplace_back(event.checkpoint, now + timing_.checkpoint_timeout_ticks);
        next_periodic_trigger_ = now + timing_.checkpoint_interval_ticks;
        break;
      case EventKind::kCheckpointRefused:
        next_periodic_trigger_ = now + timing_.checkpoint_interval_ticks;
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
      default:
        break;
    }
  }
}

}  // namespace ckptsim::simulator
