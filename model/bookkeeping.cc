#include "model/bookkeeping.h"

#include <vector>

#include <fmt/format.h>

namespace ckptsim::model {
namespace {

bool IsStarting(SubtaskPhase phase) {
  return phase == SubtaskPhase::kDeploying || phase == SubtaskPhase::kInitializing;
}

}  // namespace

std::optional<std::string> BookkeepingProblem(const System& system) {
  const JobGraph& graph = *system.graph;
  const Coordinator& coordinator = system.coordinator;
  const int n = graph.subtask_count();
  if (static_cast<int>(coordinator.view.size()) != n || static_cast<int>(coordinator.end_of_data_reported.size()) != n) {
    return fmt::format("the coordinator tracks {} subtasks in its view, the job has {}", coordinator.view.size(), n);
  }
  for (int s = 0; s < n; ++s) {
    const Subtask& sub = system.subtasks[s];
    // Only a report of the live attempt counts, and a failover clears it.
    if (coordinator.end_of_data_reported[s] && !sub.end_of_data && !sub.deployed_as_finished) {
      return fmt::format("the coordinator counts {} as having reported end of data, but its attempt {} has not "
                         "ended its data",
                         graph.SubtaskName(s), sub.attempt);
    }
    if (coordinator.view[s] == ExecutionState::kFinished && sub.phase != SubtaskPhase::kFinished) {
      return fmt::format("the coordinator sees {} FINISHED, but its attempt {} is {}", graph.SubtaskName(s),
                         sub.attempt, Name(sub.phase));
    }
  }
  if (coordinator.latest_completed && coordinator.latest_completed->id != coordinator.latest_completed_id) {
    return fmt::format("the latest completed checkpoint is {}, but its id is kept as {}",
                       coordinator.latest_completed->id, coordinator.latest_completed_id);
  }
  if (coordinator.stop_savepoint_id != 0 && !coordinator.stop_requested) {
    return fmt::format("savepoint {} is kept as the stop's, but no stop is requested", coordinator.stop_savepoint_id);
  }
  int64_t previous = 0;
  for (const PendingCheckpoint& pending : coordinator.pending) {
    if (pending.id <= previous || pending.id >= coordinator.next_checkpoint_id) {
      return fmt::format("pending checkpoint {} is out of order (after {}, next id {})", pending.id, previous,
                         coordinator.next_checkpoint_id);
    }
    previous = pending.id;
    if (static_cast<int>(pending.acknowledged.size()) != n || static_cast<int>(pending.snapshots.size()) != n) {
      return fmt::format("pending checkpoint {} tracks acknowledgements of {} subtasks, the job has {}", pending.id,
                         pending.acknowledged.size(), n);
    }
    std::vector<bool> waited(n, false);
    for (int32_t s : pending.plan.to_wait_for) waited[s] = true;
    int32_t missing = 0;
    for (int s = 0; s < n; ++s) {
      if (pending.acknowledged[s] && !waited[s]) {
        return fmt::format("pending checkpoint {} counts an acknowledgement of {}, which it does not wait for",
                           pending.id, graph.SubtaskName(s));
      }
      if (pending.snapshots[s] && !pending.acknowledged[s]) {
        return fmt::format("pending checkpoint {} holds a snapshot of {} without its acknowledgement", pending.id,
                           graph.SubtaskName(s));
      }
      // A pending checkpoint outlives no failover (they are aborted at it):
      // an acknowledged subtask is one that took the checkpoint.
      if (pending.acknowledged[s] && IsStarting(system.subtasks[s].phase)) {
        return fmt::format("pending checkpoint {} counts an acknowledgement of {}, whose attempt {} is still {}",
                           pending.id, graph.SubtaskName(s), system.subtasks[s].attempt,
                           Name(system.subtasks[s].phase));
      }
      if (waited[s] && !pending.acknowledged[s]) ++missing;
    }
    if (missing != pending.acks_missing) {
      return fmt::format("pending checkpoint {} expects {} more acknowledgement(s), but {} of the subtasks it waits "
                         "for have not acknowledged",
                         pending.id, pending.acks_missing, missing);
    }
  }
  return std::nullopt;
}

}  // namespace ckptsim::model
