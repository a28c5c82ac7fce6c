// Failures, restarts and restore (docs/protocol.md section 7), and the job-level
// steps of stop-with-savepoint and resume (section 6).
//
// A failure is handled in one step, as the JobMaster would on the failed
// subtask's state update: the failed subtasks run close() only and turn
// FAILED, the restart strategy picks the subtasks to restart (the pipelined
// region, or every subtask), cancels the others among them (close() only),
// clears their channels and aborts the pending checkpoints. The redeploy is a
// separate action (kRestart), after the restart delay the driver chooses: every
// waiting subtask comes back as a new attempt, restored from the latest
// completed checkpoint or savepoint.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/check.h"
#include "model/graph_change.h"
#include "model/restore_check.h"
#include "model/system.h"
#include "model/transition.h"

namespace ckptsim::model {
namespace {

bool IsDone(SubtaskPhase phase) {
  return phase == SubtaskPhase::kFinished || phase == SubtaskPhase::kFailed || phase == SubtaskPhase::kCanceled;
}

bool Contains(const std::vector<int32_t>& sorted, int32_t value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

// close() only (never endInput or finish()), then the terminal phase.
void StopSubtask(Transition& t, int32_t subtask, SubtaskPhase terminal, FailureCause cause) {
  Subtask& sub = t.system.subtasks[subtask];
  if (IsDone(sub.phase)) return;
  CloseOperators(t, subtask);
  sub.phase = terminal;
  if (terminal == SubtaskPhase::kFailed) {
    t.Emit(Event{.kind = EventKind::kSubtaskFailed, .aux = static_cast<uint8_t>(cause), .subtask = subtask});
  } else {
    t.Emit(Event{.kind = EventKind::kSubtaskCanceled, .subtask = subtask});
  }
}

void AbortAllPending(Transition& t) {
  while (!t.system.coordinator.pending.empty()) {
    AbortPendingCheckpoint(t, static_cast<int>(t.system.coordinator.pending.size()) - 1, AbortReason::kJobFailover);
  }
}

// The restored state of one operator: its own snapshot's state with the
// lifecycle of a new attempt.
OperatorState RestoredOperator(const OperatorState& snapshot) {
  OperatorState op = snapshot;
  op.initialized = false;
  op.opened = false;
  op.input_ended = false;
  op.finished = false;
  op.closed = false;
  op.saw_max_watermark = false;
  op.restored = true;
  return op;
}

// Section 7: a subtask's state in a new attempt, from `checkpoint` (null:
// start fresh). Fully finished vertices are deployed finished; otherwise
// state is assigned as at equal parallelism: keyed and list state by subtask
// index, union state to all, broadcast state from the (i mod k)-th reporter.
Subtask RestoredSubtask(const System& system, int32_t subtask, const CompletedCheckpoint* checkpoint) {
  const JobGraph& graph = *system.graph;
  const SubtaskInfo& info = graph.subtasks()[subtask];
  const VertexInfo& vertex = graph.vertices()[info.vertex];
  Subtask sub;
  sub.attempt = system.subtasks[subtask].attempt + 1;
  sub.operators.resize(vertex.operators.size());
  for (size_t i = 0; i < vertex.operators.size(); ++i) {
    if (vertex.operators[i].kind == OperatorKind::kKeyedAggregate) sub.operators[i].key_counts.assign(kKeyCount, 0);
    sub.operators[i].restored = true;  // a sink still cleans up what earlier attempts left behind
  }
  if (checkpoint == nullptr) return sub;
  sub.restored_checkpoint_id = checkpoint->id;
  sub.latest_report_checkpoint_id = checkpoint->id;
  if (checkpoint->vertex_status[info.vertex] == VertexFinishedStatus::kFullyFinished) {
    sub.deployed_as_finished = true;  // FINISHED_ON_RESTORE: no user code at all
    return sub;
  }
  const auto& own = checkpoint->snapshots[subtask];
  if (own) {
    for (size_t i = 0; i < sub.operators.size(); ++i) sub.operators[i] = RestoredOperator(own->operators[i]);
    sub.next_sequence = own->source_next_sequence;
  } else if (vertex.is_source) {
    // A finished subtask of a partly finished source vertex: its split is
    // done (the enumerator knows), so it has nothing left to read.
    CKPTSIM_CHECK(checkpoint->subtask_finished[subtask]);
    sub.no_splits = true;
    if (!vertex.is_unbounded_source) sub.next_sequence = static_cast<uint32_t>(vertex.records_per_subtask[info.index]);
  }
  if (checkpoint->state_assigned) return sub;  // redistributed for a changed job: union and broadcast included
  // The subtasks of this vertex that reported state, ascending.
  std::vector<const SubtaskSnapshot*> reporters;
  for (int i = 0; i < vertex.parallelism; ++i) {
    const auto& snapshot = checkpoint->snapshots[vertex.first_subtask + i];
    if (snapshot) reporters.push_back(snapshot.get());
  }
  for (size_t i = 0; i < sub.operators.size(); ++i) {
    OperatorState& op = sub.operators[i];
    switch (vertex.operators[i].kind) {
      case OperatorKind::kUnionState:
        op.union_entries.clear();
        for (const SubtaskSnapshot* r : reporters) op.union_entries.push_back(r->operators[i].value);
        break;
      case OperatorKind::kBroadcastState:
        op.value = reporters.empty() ? 0 : reporters[info.index % reporters.size()]->operators[i].value;
        break;
      default:
        break;
    }
  }
  return sub;
}

// One failover: `failed` failed themselves; with `global_failure` the job
// fails as a whole (none of them need have failed) and every subtask restarts.
void FailOver(Transition& t, const std::vector<int32_t>& failed, FailureCause cause, bool global_failure) {
  System& system = t.system;
  const JobGraph& graph = t.graph;
  const int n = graph.subtask_count();
  // The stop's savepoint completed but a subtask failed before the job
  // finished. Since Flink 1.15 (FLINK-26783, FLINK-26923) that fails the job
  // for good: StopWithSavepointTerminationHandlerImpl fails it with a
  // StopWithSavepointStoppingException, which ExecutionFailureHandler treats
  // as non-recoverable, so the savepoint is kept and no older checkpoint is
  // restored (SavepointITCase.testStopWithSavepointFailsOverToSavepoint:
  // the job ends FAILED). The legacy flow keeps the older global failover.
  const bool global = StopSavepointCompleted(system.coordinator);
  const bool fail_for_good = global && t.IsFlip147();
  if (global_failure) t.Emit(Event{.kind = EventKind::kGlobalFailure, .aux = static_cast<uint8_t>(cause)});
  for (int32_t s : failed) {
    StopSubtask(t, s, SubtaskPhase::kFailed, cause);
    system.coordinator.view[s] = ExecutionState::kFailed;
  }
  std::vector<bool> restart(n, false);
  const bool give_up = system.restarts >= system.options.restart_attempts || fail_for_good;
  const bool restart_all =
      give_up || global || global_failure || system.options.failover_strategy == FailoverStrategy::kFull;
  for (int other = 0; other < n; ++other) {
    restart[other] = restart_all;
    for (int32_t s : failed) {
      restart[other] = restart[other] || graph.subtasks()[other].region == graph.subtasks()[s].region;
    }
  }
  for (int s = 0; s < n; ++s) {
    if (!restart[s]) continue;
    StopSubtask(t, s, SubtaskPhase::kCanceled, cause);
    // Flink's Execution.cancel() leaves an execution that already failed
    // FAILED, a canceled one CANCELED and a finished one FINISHED; only the
    // next attempt, deployed by Restart, gets a new state. A subtask that
    // finished but whose report is still in flight is RUNNING to the
    // coordinator: it is canceled, and its late FINISHED report completes
    // the cancellation (Execution.markFinished while CANCELING).
    ExecutionState& view = system.coordinator.view[s];
    if (view != ExecutionState::kFinished && view != ExecutionState::kFailed) view = ExecutionState::kCanceled;
    system.coordinator.end_of_data_reported[s] = false;
  }
  for (int c = 0; c < graph.channel_count(); ++c) {
    const ChannelInfo& channel = graph.channels()[c];
    if (!restart[channel.producer] && !restart[channel.consumer]) continue;
    system.channels[c] = Channel{};
    Reindex(system, c);
    t.Emit(Event{.kind = EventKind::kChannelReset, .channel = c});
  }
  system.coordinator.immediate_trigger_requested = false;
  AbortAllPending(t);  // a pending stop savepoint among them fails the stop
  if (global) FailStop(t);
  if (give_up) {
    system.job_failed = true;
    system.awaiting_restart.clear();
    // aux 1: failed for good by the stop rule above, not by the restart budget.
    t.Emit(Event{.kind = EventKind::kJobFailed,
                 .aux = static_cast<uint8_t>(fail_for_good && system.restarts < system.options.restart_attempts)});
    return;
  }
  for (int s = 0; s < n; ++s) {
    if (restart[s] && !Contains(system.awaiting_restart, s)) system.awaiting_restart.push_back(s);
  }
  std::sort(system.awaiting_restart.begin(), system.awaiting_restart.end());
}

}  // namespace

std::string DescribeOperatorState(const JobGraph& graph, int32_t subtask, const Subtask& sub) {
  const VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  std::vector<std::string> parts;
  for (size_t i = 0; i < vertex.operators.size() && i < sub.operators.size(); ++i) {
    const OperatorState& op = sub.operators[i];
    switch (vertex.operators[i].kind) {
      case OperatorKind::kUnionState: parts.push_back(fmt::format("union state {}", op.union_entries)); break;
      case OperatorKind::kBroadcastState: parts.push_back(fmt::format("broadcast state {}", op.value)); break;
      case OperatorKind::kBuffering: parts.push_back(fmt::format("{} list entries", op.buffer.size())); break;
      default: break;
    }
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

void Failover(Transition& t, const std::vector<int32_t>& failed, FailureCause cause) {
  FailOver(t, failed, cause, /*global_failure=*/false);
}

void FailGlobally(Transition& t, FailureCause cause) { FailOver(t, {}, cause, /*global_failure=*/true); }

void Restart(Transition& t) {
  System& system = t.system;
  CKPTSIM_CHECK(!system.awaiting_restart.empty());
  ++system.restarts;
  const CompletedCheckpoint* checkpoint = system.coordinator.latest_completed.get();  // never a savepoint
  for (int32_t s : system.awaiting_restart) {
    system.subtasks[s] = RestoredSubtask(system, s, checkpoint);
    system.coordinator.view[s] = ExecutionState::kDeploying;
    t.Emit(Event{.kind = EventKind::kRestarted, .aux = static_cast<uint8_t>(system.subtasks[s].deployed_as_finished),
                 .subtask = s, .checkpoint = checkpoint ? checkpoint->id : 0});
  }
  // Section 3: the in-flight records of an unaligned checkpoint go back on
  // their channels, ahead of anything the restored producers send.
  for (int32_t s : system.awaiting_restart) {
    if (checkpoint == nullptr || !checkpoint->snapshots[s]) continue;
    for (const ChannelStateEntry& entry : checkpoint->snapshots[s]->channel_state) {
      const Message message{.kind = MessageKind::kRecord, .record = entry.record};
      system.channels[entry.channel].queue.push_back(message);
      Reindex(system, entry.channel);
      t.Emit(Event{.kind = EventKind::kChannelStateRestored, .subtask = s, .channel = entry.channel,
                   .message = message});
    }
  }
  system.awaiting_restart.clear();
}

bool FailEnabled(const System& system, int32_t subtask) {
  if (system.job_finished || system.job_failed) return false;
  return !IsDone(system.subtasks[subtask].phase);
}

void FailTaskManager(Transition& t, int task_manager) {
  std::vector<int32_t> failed;
  for (int s = 0; s < t.graph.subtask_count(); ++s) {
    if (t.graph.subtasks()[s].task_manager == task_manager && FailEnabled(t.system, s)) failed.push_back(s);
  }
  CKPTSIM_CHECK(!failed.empty());
  Failover(t, failed, FailureCause::kTaskManagerLost);
}

bool LoseEnabled(const Rpc& rpc) {
  return rpc.kind == RpcKind::kNotifyComplete || rpc.kind == RpcKind::kNotifyAbort;
}

void EnabledFaults(const System& system, std::vector<Action>& out) {
  out.clear();
  const JobGraph& graph = *system.graph;
  for (int s = 0; s < graph.subtask_count(); ++s) {
    if (FailEnabled(system, s)) out.push_back(Action{ActionKind::kFailSubtask, s});
  }
  for (int tm = 0; tm < graph.task_manager_count(); ++tm) {
    for (int s = 0; s < graph.subtask_count(); ++s) {
      if (graph.subtasks()[s].task_manager == tm && FailEnabled(system, s)) {
        out.push_back(Action{ActionKind::kFailTaskManager, tm});
        break;
      }
    }
  }
  for (const Rpc& rpc : system.rpcs) {
    if (LoseEnabled(rpc)) out.push_back(Action{ActionKind::kLoseRpc, static_cast<int64_t>(rpc.uid)});
  }
  if (system.job_failed) return;
  for (const Rpc& rpc : system.rpcs) {
    if (!rpc.delayed) out.push_back(Action{ActionKind::kDelayRpc, static_cast<int64_t>(rpc.uid)});
  }
  for (const PendingCheckpoint& checkpoint : system.coordinator.pending) {
    out.push_back(Action{ActionKind::kExpireEarly, checkpoint.id});
  }
}

bool StopEnabled(const System& system) {
  return system.options.checkpointing_enabled && !system.job_finished && !system.job_failed &&
         !system.coordinator.stop_requested;
}

void RequestStop(Transition& t, StopMode mode) {
  Coordinator& coordinator = t.system.coordinator;
  coordinator.stop_requested = true;
  coordinator.stop_mode = mode;
  coordinator.periodic_enabled = false;  // section 6: periodic checkpoints stop
  coordinator.immediate_trigger_requested = true;
  t.Emit(Event{.kind = EventKind::kStopRequested, .aux = static_cast<uint8_t>(mode)});
  // Before it triggers the synchronous savepoint, the scheduler suspends the
  // coordinator's periodic trigger (CheckpointCoordinator.stopCheckpointScheduler),
  // which aborts every pending and queued checkpoint: none of them may
  // complete after the stop and become a restore point. The only queued
  // request the model has is the immediate trigger, which now stands for
  // the savepoint.
  while (!coordinator.pending.empty()) {
    AbortPendingCheckpoint(t, static_cast<int>(coordinator.pending.size()) - 1, AbortReason::kCoordinatorSuspend);
  }
}

bool ResumeEnabled(const System& system) {
  return system.job_finished && system.stopped_without_drain && system.coordinator.latest_savepoint != nullptr &&
         system.resume_refusal.empty();
}

// Section 6: a new run of the job from the no-drain savepoint that stopped it.
void Resume(Transition& t) {
  System& system = t.system;
  const int n = t.graph.subtask_count();
  system.job_finished = false;
  system.stopped_without_drain = false;
  Coordinator& coordinator = system.coordinator;
  coordinator.stop_requested = false;
  coordinator.stop_savepoint_id = 0;
  coordinator.periodic_enabled = true;
  coordinator.immediate_trigger_requested = false;
  coordinator.end_of_data_reported.assign(n, false);
  // The new run restores the savepoint, which also becomes its first entry
  // in the completed-checkpoint store (CheckpointCoordinator.restoreSavepoint).
  coordinator.latest_completed = coordinator.latest_savepoint;
  coordinator.latest_completed_id = coordinator.latest_savepoint->id;
  coordinator.pending.clear();
  system.rpcs.clear();  // the old run's RPCs die with it
  for (int c = 0; c < t.graph.channel_count(); ++c) {
    system.channels[c] = Channel{};
    Reindex(system, c);
    t.Emit(Event{.kind = EventKind::kChannelReset, .channel = c});
  }
  t.Emit(Event{.kind = EventKind::kJobResumed, .checkpoint = coordinator.latest_completed_id});
  system.awaiting_restart.clear();
  for (int s = 0; s < n; ++s) system.awaiting_restart.push_back(s);
  const int32_t restarts = system.restarts;
  Restart(t);
  system.restarts = restarts;  // a resume is a new run, not a restart
}

// Exhaustive checking bounds an unbounded source by a finite log; the
// environment may end the logs once the bounded part of the job is done:
// every bounded source subtask FINISHED.
bool EndLogsEnabled(const System& system) {
  if (system.unbounded_log_records < 0 || system.logs_ended || system.job_finished || system.job_failed) return false;
  const JobGraph& graph = *system.graph;
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const VertexInfo& vertex = graph.vertices()[graph.subtasks()[s].vertex];
    if (vertex.is_source && !vertex.is_unbounded_source && system.subtasks[s].phase != SubtaskPhase::kFinished) {
      return false;
    }
  }
  return true;
}

void EndLogs(Transition& t) {
  t.system.logs_ended = true;
  t.Emit(Event{.kind = EventKind::kLogsEnded});
}

// Section 7: the stop's savepoint restored into the job's new version. The
// non-restored-state and topology checks run first (Flink runs them for a
// user-chosen savepoint); if
// it refuses, the new version never starts and the job stays stopped. Else
// the old version's subtasks and channels are gone: the new ones start from
// the savepoint redistributed for them, the store's transactions move to the
// subtasks that took over their owners' state, and the resume proceeds as
// into the same job.
void ResumeIntoChangedJob(System& system, std::vector<Event>& events) {
  const auto savepoint = system.coordinator.latest_savepoint;
  CKPTSIM_CHECK(savepoint && system.resume_graph && !system.graph_change);
  auto change = std::make_shared<GraphChange>();
  std::optional<std::string> refusal = MatchJobGraphs(system.graph, system.resume_graph, change.get());
  if (!refusal) {
    refusal = CheckNonRestoredState(*system.graph, *savepoint, *system.resume_graph,
                                    system.options.allow_non_restored_state);
  }
  if (!refusal) refusal = CheckFinishedStateTopology(*system.resume_graph, OperatorStatuses(*system.graph, *savepoint));
  if (refusal) {
    system.resume_refusal = *refusal;
    events.push_back(Event{.kind = EventKind::kResumeRefused, .checkpoint = savepoint->id});
    return;
  }
  change->savepoint = savepoint;
  change->source_high_water = system.source_high_water;
  const JobGraph& from = *system.graph;
  const JobGraph& to = *system.resume_graph;
  uint32_t attempt = 0;
  for (const Subtask& sub : system.subtasks) attempt = std::max(attempt, sub.attempt);
  system.subtasks.assign(to.subtask_count(), Subtask{});
  for (Subtask& sub : system.subtasks) sub.attempt = attempt;  // the restore makes it the next one
  system.channels.assign(to.channel_count(), Channel{});
  system.coordinator.view.assign(to.subtask_count(), ExecutionState::kFinished);
  system.coordinator.end_of_data_reported.assign(to.subtask_count(), false);
  change->redistributed = std::make_shared<const CompletedCheckpoint>(RedistributeSavepoint(*change, *savepoint));
  system.coordinator.latest_savepoint = change->redistributed;
  for (Transaction& txn : system.store.transactions) {
    txn.owner_subtask = NewOwner(*change, txn.owner_subtask);
    for (RecordId& record : txn.records) record = RemapRecord(*change, record);
  }
  std::vector<uint32_t> high_water(to.subtask_count(), 0);
  for (int s = 0; s < from.subtask_count(); ++s) {
    const SubtaskInfo& info = from.subtasks()[s];
    if (!from.vertices()[info.vertex].is_source) continue;
    const OperatorRef head = change->operator_of[info.vertex].front();
    high_water[to.SubtaskOf(head.vertex, info.index)] = system.source_high_water[s];
  }
  system.source_high_water = std::move(high_water);
  system.awaiting_restart.clear();
  system.graph = system.resume_graph;
  RebuildChannelIndex(system);
  system.graph_change = change;
  events.push_back(Event{.kind = EventKind::kJobGraphChanged, .checkpoint = savepoint->id});
  Transition t(system, events);
  Resume(t);
}

}  // namespace ckptsim::model
