#include "properties/liveness.h"

#include <algorithm>

#include <fmt/format.h>

namespace ckptsim::properties {
namespace {

bool JobRunning(const model::System& system) { return !system.job_finished && !system.job_failed; }

bool HasUnboundedSource(const model::System& system) {
  for (const model::VertexInfo& vertex : system.graph->vertices()) {
    if (vertex.is_unbounded_source) return true;
  }
  return false;
}

// Periodic checkpoints are expected: on, not stopped for a stop-with-savepoint.
bool ExpectsCheckpoints(const model::System& system) {
  return system.options.checkpointing_enabled && system.coordinator.periodic_enabled &&
         !system.coordinator.stop_requested;
}

std::string Names(const model::JobGraph& graph, const std::vector<int32_t>& subtasks) {
  std::string out;
  for (int32_t s : subtasks) out += (out.empty() ? "" : ", ") + graph.SubtaskName(s);
  return out;
}

}  // namespace

int64_t LivenessMonitor::Deadline(const model::System& system) const {
  if (options_.budget_ticks <= 0 || !JobRunning(system)) return -1;
  const int64_t start = std::max(options_.healed_from_tick, last_completion_tick_);
  return start + options_.budget_ticks;
}

void LivenessMonitor::OnStep(const model::System& system, int64_t step, int64_t tick,
                             std::span<const model::Event> events) {
  if (options_.budget_ticks <= 0 || violation_) return;
  for (const model::Event& event : events) {
    if (event.kind == model::EventKind::kCheckpointCompleted) last_completion_tick_ = tick;
    if (event.kind == model::EventKind::kStopFailed && !options_.stop_retried && HasUnboundedSource(system)) {
      options_.expect_termination = false;  // nobody stops it again (Flink does not)
    }
    // Restarts the protocol itself spent after the faults stopped (a stop
    // whose savepoint keeps failing) used up the budget: the job never
    // reaches FINISHED.
    if (event.kind == model::EventKind::kJobFailed && options_.expect_termination &&
        tick > options_.healed_from_tick) {
      violation_ = Violation{
          .property = PropertyId::kTermination,
          .step = step,
          .summary = fmt::format("the job FAILED at tick {}, after the faults stopped (tick {}): the restart "
                                 "budget ran out on restarts the protocol caused itself ({} restarts)",
                                 tick, options_.healed_from_tick, system.restarts),
          .details = ExplainWaiting(system)};
      return;
    }
  }
  if (!JobRunning(system) || tick <= options_.healed_from_tick) return;
  const int64_t healed_for = tick - options_.healed_from_tick;
  if (options_.expect_termination && healed_for > options_.budget_ticks) {
    Violation v{.property = PropertyId::kTermination,
                .step = step,
                .summary = fmt::format("the job is not FINISHED {} ticks after the faults stopped (tick {}; budget {})",
                                       healed_for, options_.healed_from_tick, options_.budget_ticks),
                .details = ExplainWaiting(system)};
    violation_ = std::move(v);
    return;
  }
  const int64_t since = tick - std::max(options_.healed_from_tick, last_completion_tick_);
  if (ExpectsCheckpoints(system) && since > options_.budget_ticks) {
    Violation v{.property = PropertyId::kCheckpointProgress,
                .step = step,
                .summary = fmt::format("no checkpoint completed for {} ticks after the faults stopped (budget {}); "
                                       "latest completed: {}",
                                       since, options_.budget_ticks, system.coordinator.latest_completed_id),
                .details = ExplainWaiting(system)};
    violation_ = std::move(v);
  }
}

Violation JobStuck(const model::System& system, int64_t step) {
  return Violation{.property = PropertyId::kTermination,
                   .step = step,
                   .summary = "the job is stuck: nothing can happen any more and it is not FINISHED",
                   .details = ExplainWaiting(system)};
}

std::vector<std::string> ExplainWaiting(const model::System& system) {
  const model::JobGraph& graph = *system.graph;
  const model::Coordinator& coordinator = system.coordinator;
  std::vector<std::string> lines;
  if (!system.awaiting_restart.empty()) {
    lines.push_back(fmt::format("waiting for a restart: {}", Names(graph, system.awaiting_restart)));
  }
  if (coordinator.stop_requested) {
    lines.push_back(fmt::format("stop-with-savepoint ({}) requested; periodic checkpoints are off; {}",
                                model::Name(coordinator.stop_mode),
                                coordinator.stop_savepoint_id != 0
                                    ? fmt::format("savepoint {} taken", coordinator.stop_savepoint_id)
                                    : std::string("no savepoint pending")));
  }
  for (const model::PendingCheckpoint& pending : coordinator.pending) {
    std::vector<int32_t> missing;
    for (int32_t s : pending.plan.to_wait_for) {
      if (!pending.acknowledged[s]) missing.push_back(s);
    }
    lines.push_back(fmt::format("{} {} pending, waiting for acknowledgements from {}",
                                pending.kind == model::CheckpointKind::kSyncSavepoint ? "savepoint" : "checkpoint",
                                pending.id, Names(graph, missing)));
  }
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const model::Subtask& sub = system.subtasks[s];
    const std::string name = graph.SubtaskName(s);
    switch (sub.phase) {
      case model::SubtaskPhase::kWaitingForFinalCheckpoint: {
        std::string what;
        if (!sub.final_checkpoint_completed) {
          what = sub.sync_savepoint_id != 0
                     ? fmt::format("exactly savepoint {} to be notified complete", sub.sync_savepoint_id)
                     : fmt::format("a completed checkpoint >= {} to be notified (latest completed: {}, last "
                                   "notified here: {})",
                                   sub.final_checkpoint_min_id, coordinator.latest_completed_id,
                                   sub.latest_report_checkpoint_id);
          if (sub.final_checkpoint_min_id == 0 && sub.sync_savepoint_id == 0) {
            what = "its first checkpoint after endData (none taken yet)";
          }
        }
        std::vector<int32_t> unacked;
        for (int32_t c : graph.subtasks()[s].output_channels) {
          if (!system.channels[c].ack_received) unacked.push_back(graph.channels()[c].consumer);
        }
        if (!unacked.empty()) {
          what += fmt::format("{}EndOfData acknowledgements from {}", what.empty() ? "" : "; and ",
                              Names(graph, unacked));
        }
        lines.push_back(fmt::format("{} waits for its final checkpoint: {}", name, what));
        break;
      }
      case model::SubtaskPhase::kDataFinished: {
        std::vector<int32_t> open;
        for (int32_t c : graph.subtasks()[s].input_channels) {
          if (!system.channels[c].end_of_partition_received) open.push_back(graph.channels()[c].producer);
        }
        lines.push_back(fmt::format("{} ended its data and waits for EndOfPartition from {}", name, Names(graph, open)));
        break;
      }
      case model::SubtaskPhase::kProcessing:
        if (sub.sync_savepoint_id != 0) {
          lines.push_back(fmt::format("{} is blocked by savepoint {}", name, sub.sync_savepoint_id));
        }
        break;
      case model::SubtaskPhase::kDeploying:
      case model::SubtaskPhase::kInitializing:
        lines.push_back(fmt::format("{} is {}", name, model::Name(sub.phase)));
        break;
      default:
        break;
    }
  }
  std::string aborts;
  for (size_t r = 0; r < coordinator.counters.aborted_by_reason.size(); ++r) {
    const int64_t n = coordinator.counters.aborted_by_reason[r];
    if (n == 0) continue;
    aborts += fmt::format("{}{} x{}", aborts.empty() ? "" : ", ", model::Name(static_cast<model::AbortReason>(r)), n);
  }
  if (!aborts.empty()) {
    lines.push_back(fmt::format("checkpoints so far: {} completed (latest {}), aborted: {}", coordinator.counters.completed,
                                coordinator.latest_completed_id, aborts));
  }
  if (lines.empty()) lines.push_back("nothing is blocked: the job is still processing input");
  return lines;
}

}  // namespace ckptsim::properties
