// The CheckpointCoordinator (docs/protocol.md section 5): the plan over finished
// subtasks, triggering, acknowledgements, completion with finished markers,
// the union-state rule, aborts, and the notifications that follow.
#include <algorithm>

#include "model/check.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

int FindPending(const System& system, int64_t checkpoint_id) {
  const auto& pending = system.coordinator.pending;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].id == checkpoint_id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

void AbortPendingCheckpoint(Transition& t, int index, AbortReason reason) {
  Coordinator& coordinator = t.system.coordinator;
  PendingCheckpoint checkpoint = std::move(coordinator.pending[index]);
  coordinator.pending.erase(coordinator.pending.begin() + index);
  // The stop's savepoint failed: so does the stop (StopWithSavepointTerminationHandler
  // restarts the periodic checkpoints and fails the operation; nothing retries it).
  const bool stop_failed = coordinator.stop_requested && checkpoint.id == coordinator.stop_savepoint_id;
  ++coordinator.counters.aborted;
  ++coordinator.counters.aborted_by_reason[static_cast<size_t>(reason)];
  t.Emit(Event{.kind = EventKind::kCheckpointAborted, .aux = static_cast<uint8_t>(reason),
               .checkpoint = checkpoint.id});
  // FLINK-21080's review added the latest completed id to notify-abort;
  // no-latest-completed-on-abort sends the abort without it.
  const int64_t latest_completed =
      t.Bug(Variant::kNoLatestCompletedOnAbort) ? 0 : coordinator.latest_completed_id;
  for (int32_t s : checkpoint.plan.to_commit_to) {
    t.SendRpc(Rpc{.kind = RpcKind::kNotifyAbort, .subtask = s, .attempt = t.system.subtasks[s].attempt,
                  .checkpoint_id = checkpoint.id, .latest_completed_id = latest_completed});
  }
  if (stop_failed) FailStop(t);
}

void FailStop(Transition& t) {
  Coordinator& coordinator = t.system.coordinator;
  const int64_t savepoint = coordinator.stop_savepoint_id;
  coordinator.stop_requested = false;
  coordinator.stop_savepoint_id = 0;
  coordinator.periodic_enabled = true;
  t.Emit(Event{.kind = EventKind::kStopFailed, .checkpoint = savepoint});
}

namespace {

// DefaultCheckpointPlan.fulfillFinishedTaskStatus and the union-state rules.
// Returns kNone if the checkpoint may complete.
AbortReason FinalizeStatus(const System& system, const PendingCheckpoint& checkpoint, CompletedCheckpoint* out) {
  const JobGraph& graph = *system.graph;
  const int vertex_count = static_cast<int>(graph.vertices().size());
  out->vertex_status.assign(vertex_count, VertexFinishedStatus::kRunning);
  out->subtask_finished.assign(graph.subtask_count(), false);
  std::vector<bool> subtask_terminal(graph.subtask_count(), false);
  for (int32_t s : checkpoint.plan.finished_subtasks) subtask_terminal[s] = true;
  const bool may_have_finished = CheckpointsAfterTasksFinish(system.options);
  const bool union_rule_off = system.options.variant == Variant::kUnionStatePartialOk;
  for (int v = 0; v < vertex_count; ++v) {
    const VertexInfo& vertex = graph.vertices()[v];
    const bool fully = checkpoint.plan.fully_finished_vertex[v] || checkpoint.deployed_as_finished_vertex[v];
    int terminal = 0;
    int finished_acks = 0;
    for (int i = 0; i < vertex.parallelism; ++i) {
      const int s = vertex.first_subtask + i;
      if (subtask_terminal[s]) ++terminal;
      if (checkpoint.finished_operators_ack[s]) ++finished_acks;
    }
    if (fully) {
      out->vertex_status[v] = VertexFinishedStatus::kFullyFinished;
      for (int i = 0; i < vertex.parallelism; ++i) out->subtask_finished[vertex.first_subtask + i] = true;
      continue;
    }
    if (!may_have_finished) continue;
    if (terminal > 0) {
      out->vertex_status[v] = VertexFinishedStatus::kPartlyFinished;
      // Rule A: a partly finished vertex must not use union list state
      // (union-state-partial-ok: the rule FLINK-21080 added is left out).
      if (vertex.has_union_state && !union_rule_off) return AbortReason::kUnionStatePartlyFinished;
      for (int i = 0; i < vertex.parallelism; ++i) {
        if (subtask_terminal[vertex.first_subtask + i]) out->subtask_finished[vertex.first_subtask + i] = true;
      }
    } else if (vertex.has_union_state && !union_rule_off && finished_acks > 0 && finished_acks < vertex.parallelism) {
      // Rule B: all or none of a union-state vertex's subtasks may have run finish().
      return AbortReason::kUnionStatePartlyFinished;
    }
  }
  return AbortReason::kNone;
}

void CompletePending(Transition& t, int index) {
  Coordinator& coordinator = t.system.coordinator;
  auto completed = std::make_shared<CompletedCheckpoint>();
  const AbortReason refusal = FinalizeStatus(t.system, coordinator.pending[index], completed.get());
  if (refusal != AbortReason::kNone) {
    AbortPendingCheckpoint(t, index, refusal);
    return;
  }
  PendingCheckpoint checkpoint = std::move(coordinator.pending[index]);
  coordinator.pending.erase(coordinator.pending.begin() + index);
  completed->id = checkpoint.id;
  completed->kind = checkpoint.kind;
  completed->mode = checkpoint.mode;
  completed->snapshots = std::move(checkpoint.snapshots);
  if (checkpoint.kind == CheckpointKind::kSyncSavepoint) {
    coordinator.latest_savepoint = completed;
  } else {
    coordinator.latest_completed = completed;
    coordinator.latest_completed_id = checkpoint.id;
  }
  ++coordinator.counters.completed;
  t.Emit(Event{.kind = EventKind::kCheckpointCompleted, .checkpoint = checkpoint.id});
  // Older pending checkpoints are subsumed, by a synchronous savepoint too
  // (savepoints themselves are never subsumed).
  for (int i = static_cast<int>(coordinator.pending.size()) - 1; i >= 0; --i) {
    if (coordinator.pending[i].id < checkpoint.id && coordinator.pending[i].kind == CheckpointKind::kCheckpoint) {
      AbortPendingCheckpoint(t, i, AbortReason::kSubsumed);
    }
  }
  for (int32_t s : checkpoint.plan.to_commit_to) {
    t.SendRpc(Rpc{.kind = RpcKind::kNotifyComplete, .subtask = s, .attempt = t.system.subtasks[s].attempt,
                  .checkpoint_id = checkpoint.id});
  }
}

void Acknowledge(Transition& t, const Rpc& rpc) {
  const int index = FindPending(t.system, rpc.checkpoint_id);
  if (index < 0 || rpc.attempt != t.system.subtasks[rpc.subtask].attempt) {
    t.Emit(Event{.kind = EventKind::kRpcIgnored, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                 .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
    return;
  }
  PendingCheckpoint& checkpoint = t.system.coordinator.pending[index];
  const auto& wait = checkpoint.plan.to_wait_for;
  if (checkpoint.acknowledged[rpc.subtask] || std::find(wait.begin(), wait.end(), rpc.subtask) == wait.end()) {
    t.Emit(Event{.kind = EventKind::kRpcIgnored, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                 .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
    return;
  }
  checkpoint.acknowledged[rpc.subtask] = true;
  --checkpoint.acks_missing;
  const int vertex = t.graph.subtasks()[rpc.subtask].vertex;
  if (rpc.deployed_as_finished) {
    checkpoint.deployed_as_finished_vertex[vertex] = true;
  } else {
    checkpoint.snapshots[rpc.subtask] = rpc.snapshot;
    checkpoint.finished_operators_ack[rpc.subtask] = rpc.finished_operators;
  }
  t.Emit(Event{.kind = EventKind::kCheckpointAcknowledged, .subtask = rpc.subtask, .checkpoint = rpc.checkpoint_id});
  if (checkpoint.acks_missing == 0) CompletePending(t, index);
}

}  // namespace

bool ComputePlan(const System& system, CheckpointPlan* plan, AbortReason* reason) {
  const JobGraph& graph = *system.graph;
  const auto& view = system.coordinator.view;
  *plan = CheckpointPlan{};
  plan->fully_finished_vertex.assign(graph.vertices().size(), false);
  bool has_finished = false;
  for (ExecutionState state : view) has_finished = has_finished || state == ExecutionState::kFinished;
  if (has_finished && !CheckpointsAfterTasksFinish(system.options)) {
    *reason = AbortReason::kNotAllRequiredTasksRunning;
    return false;
  }
  if (!has_finished) {
    for (int s = 0; s < graph.subtask_count(); ++s) {
      if (graph.vertices()[graph.subtasks()[s].vertex].input_edges.empty()) plan->to_trigger.push_back(s);
      plan->to_wait_for.push_back(s);
    }
  } else {
    std::vector<bool> running(graph.subtask_count());
    // Only FINISHED counts as finished: a failed or canceled subtask is waited
    // for like a running one, so the plan is refused until it is back.
    for (int s = 0; s < graph.subtask_count(); ++s) running[s] = view[s] != ExecutionState::kFinished;
    for (int v : graph.topological_order()) {
      const VertexInfo& vertex = graph.vertices()[v];
      bool any_running = false;
      for (int i = 0; i < vertex.parallelism; ++i) any_running = any_running || running[vertex.first_subtask + i];
      if (!any_running) {
        plan->fully_finished_vertex[v] = true;
        for (int i = 0; i < vertex.parallelism; ++i) plan->finished_subtasks.push_back(vertex.first_subtask + i);
        continue;
      }
      // ALL_TO_ALL input: the whole upstream vertex must be finished.
      bool must_trigger = true;
      for (int e : vertex.input_edges) {
        const EdgeSpec& edge = graph.edges()[e];
        if (IsPointwise(edge.partitioning)) continue;
        const VertexInfo& upstream = graph.vertices()[edge.from];
        for (int i = 0; i < upstream.parallelism; ++i) {
          if (running[upstream.first_subtask + i]) must_trigger = false;
        }
      }
      for (int i = 0; i < vertex.parallelism; ++i) {
        const int s = vertex.first_subtask + i;
        if (!running[s]) {
          plan->finished_subtasks.push_back(s);
          continue;
        }
        plan->to_wait_for.push_back(s);
        if (!must_trigger) continue;
        // POINTWISE input: its own producers must be finished.
        bool pointwise_producer_running = false;
        for (int32_t c : graph.subtasks()[s].input_channels) {
          const ChannelInfo& channel = graph.channels()[c];
          if (IsPointwise(graph.edges()[channel.edge].partitioning) && running[channel.producer]) {
            pointwise_producer_running = true;
          }
        }
        if (!pointwise_producer_running) plan->to_trigger.push_back(s);
      }
    }
  }
  plan->to_commit_to = plan->to_wait_for;
  if (plan->to_wait_for.empty()) {
    *reason = AbortReason::kNotAllRequiredTasksRunning;
    return false;
  }
  for (int32_t s : plan->to_wait_for) {
    if (view[s] != ExecutionState::kRunning) {
      *reason = AbortReason::kNotAllRequiredTasksRunning;
      return false;
    }
  }
  *reason = AbortReason::kNone;
  return true;
}

bool TriggerEnabled(const System& system) {
  const Coordinator& coordinator = system.coordinator;
  if (!system.options.checkpointing_enabled || system.job_finished || system.job_failed) return false;
  // Stop-with-savepoint: only its savepoint, which ignores max-concurrent.
  if (coordinator.stop_requested) return coordinator.stop_savepoint_id == 0;
  if (!coordinator.periodic_enabled && !coordinator.immediate_trigger_requested) return false;
  return static_cast<int>(coordinator.pending.size()) < system.options.max_concurrent_checkpoints;
}

void TriggerCheckpoint(Transition& t) {
  Coordinator& coordinator = t.system.coordinator;
  coordinator.immediate_trigger_requested = false;
  CheckpointPlan plan;
  AbortReason reason = AbortReason::kNone;
  if (!ComputePlan(t.system, &plan, &reason)) {
    ++coordinator.counters.refused;
    t.Emit(Event{.kind = EventKind::kCheckpointRefused, .aux = static_cast<uint8_t>(reason)});
    if (coordinator.stop_requested) FailStop(t);  // the savepoint could not even be triggered
    return;
  }
  const int subtask_count = t.graph.subtask_count();
  PendingCheckpoint checkpoint;
  checkpoint.id = coordinator.next_checkpoint_id++;
  if (coordinator.stop_requested) {
    checkpoint.kind = CheckpointKind::kSyncSavepoint;
    checkpoint.mode = coordinator.stop_mode;
    coordinator.stop_savepoint_id = checkpoint.id;
  }
  checkpoint.plan = std::move(plan);
  checkpoint.acknowledged.assign(subtask_count, false);
  checkpoint.acks_missing = static_cast<int32_t>(checkpoint.plan.to_wait_for.size());
  checkpoint.snapshots.assign(subtask_count, nullptr);
  checkpoint.finished_operators_ack.assign(subtask_count, false);
  checkpoint.deployed_as_finished_vertex.assign(t.graph.vertices().size(), false);
  ++coordinator.counters.triggered;
  t.Emit(Event{.kind = EventKind::kCheckpointTriggered, .checkpoint = checkpoint.id,
               .value = checkpoint.acks_missing});
  for (int32_t s : checkpoint.plan.to_trigger) {
    t.SendRpc(Rpc{.kind = RpcKind::kTriggerCheckpoint, .subtask = s, .attempt = t.system.subtasks[s].attempt,
                  .checkpoint_id = checkpoint.id, .savepoint = checkpoint.kind == CheckpointKind::kSyncSavepoint,
                  .mode = checkpoint.mode});
  }
  coordinator.pending.push_back(std::move(checkpoint));
}

void ExpireCheckpoint(Transition& t, int64_t checkpoint_id) {
  const int index = FindPending(t.system, checkpoint_id);
  CKPTSIM_CHECK(index >= 0);
  AbortPendingCheckpoint(t, index, AbortReason::kExpired);
}

void DeliverRpcToCoordinator(Transition& t, const Rpc& rpc) {
  Coordinator& coordinator = t.system.coordinator;
  const bool current_attempt = rpc.attempt == t.system.subtasks[rpc.subtask].attempt;
  switch (rpc.kind) {
    case RpcKind::kAcknowledge:
      Acknowledge(t, rpc);
      return;
    case RpcKind::kDecline: {
      const int index = FindPending(t.system, rpc.checkpoint_id);
      if (index < 0) return;
      // Section 6: a task that declines the synchronous savepoint fails the
      // job as a whole (CheckpointFailureManager.handleTaskLevelCheckpointException
      // calls failJob for it, whatever the tolerable-failure count; the
      // scheduler's handleGlobalFailure then restarts every subtask, region
      // failover or not). A trigger RPC that failed because the task is gone
      // (TASK_CHECKPOINT_FAILURE) is no task's decline: Flink aborts the
      // checkpoint from the JobManager side, which for a savepoint fails
      // only the stop. Flink runs the job failure as a later main-thread
      // action; the model takes it in the decline's step.
      const bool savepoint_declined_by_task =
          coordinator.pending[index].kind == CheckpointKind::kSyncSavepoint &&
          rpc.reason != AbortReason::kTaskCheckpointFailure;
      AbortPendingCheckpoint(t, index, rpc.reason);
      if (savepoint_declined_by_task) FailGlobally(t, FailureCause::kSavepointDeclined);
      return;
    }
    case RpcKind::kReportRunning:
      // The view only moves forward within an attempt: a late report never revives a finished subtask.
      if (current_attempt && !IsTerminal(coordinator.view[rpc.subtask])) {
        coordinator.view[rpc.subtask] = ExecutionState::kRunning;
      }
      return;
    case RpcKind::kReportEndOfData: {
      // A report of an attempt that failed since (delivered before the restart) is stale.
      const ExecutionState view = coordinator.view[rpc.subtask];
      if (!current_attempt || view == ExecutionState::kFailed || view == ExecutionState::kCanceled) return;
      coordinator.end_of_data_reported[rpc.subtask] = true;
      const auto& reported = coordinator.end_of_data_reported;
      const bool all = std::all_of(reported.begin(), reported.end(), [](bool b) { return b; });
      if (all && t.system.options.immediate_final_checkpoint && FinalCheckpointsEnabled(t.system.options)) {
        coordinator.immediate_trigger_requested = true;
      }
      return;
    }
    case RpcKind::kReportFinished: {
      // A report of an attempt canceled or failed since completes nothing.
      const ExecutionState view = coordinator.view[rpc.subtask];
      if (!current_attempt || view == ExecutionState::kFailed || view == ExecutionState::kCanceled) return;
      coordinator.view[rpc.subtask] = ExecutionState::kFinished;
      const bool all = std::all_of(coordinator.view.begin(), coordinator.view.end(),
                                   [](ExecutionState s) { return s == ExecutionState::kFinished; });
      if (all && !t.system.job_finished) {
        t.system.job_finished = true;
        // Stopped only if the stop's savepoint completed: sources that ran out
        // first finish the job on their own, and the stop then fails.
        if (StopSavepointCompleted(coordinator)) {
          t.system.stopped_with_drain = coordinator.stop_mode == StopMode::kDrain;
          t.system.stopped_without_drain = coordinator.stop_mode == StopMode::kNoDrain;
        }
        t.Emit(Event{.kind = EventKind::kJobFinished});
      }
      return;
    }
    case RpcKind::kTriggerCheckpoint:
    case RpcKind::kNotifyComplete:
    case RpcKind::kNotifyAbort:
      CKPTSIM_CHECK(false && "subtask-bound RPC delivered to the coordinator");
  }
}

}  // namespace ckptsim::model
