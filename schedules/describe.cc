#include "schedules/describe.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/job_graph.h"
#include "model/plan.h"
#include "schedules/names.h"

namespace ckptsim::schedules {
namespace {

using model::ActionKind;
using model::EventKind;

const model::Rpc* FindRpc(const model::System& system, int64_t uid) {
  for (const model::Rpc& rpc : system.rpcs) {
    if (static_cast<int64_t>(rpc.uid) == uid) return &rpc;
  }
  return nullptr;
}

// Two RPCs a schedule cannot tell apart by kind, checkpoint and subtask.
bool SameDescription(const model::Rpc& a, const model::Rpc& b) {
  return a.kind == b.kind && a.subtask == b.subtask && a.checkpoint_id == b.checkpoint_id &&
         (a.kind != model::RpcKind::kNotifyAbort || a.latest_completed_id == b.latest_completed_id);
}

std::string StepHint(const model::System& system, int32_t subtask) {
  const model::JobGraph& graph = *system.graph;
  const model::Subtask& sub = system.subtasks[subtask];
  const model::SubtaskInfo& info = graph.subtasks()[subtask];
  const model::VertexInfo& vertex = graph.vertices()[info.vertex];
  switch (sub.phase) {
    case model::SubtaskPhase::kDeploying: return "deploy";
    case model::SubtaskPhase::kInitializing: return "initializeState, open";
    case model::SubtaskPhase::kProcessing: {
      const bool stopped = sub.deployed_as_finished || sub.sync_savepoint_id != 0;
      if (!stopped && vertex.is_unbounded_source) return fmt::format("emit record #{}", sub.next_sequence);
      if (!stopped && sub.next_sequence < vertex.records_per_subtask[info.index]) {
        return fmt::format("emit record {} of {}", sub.next_sequence + 1, vertex.records_per_subtask[info.index]);
      }
      return model::IsFlip147Flow(system.options.variant)
                 ? "end of data: finish, EndOfData(DRAIN)"
                 : "end of input: finish, then CLOSING (legacy: no EndOfData)";
    }
    case model::SubtaskPhase::kWaitingForFinalCheckpoint: return "final wait over: CLOSING";
    case model::SubtaskPhase::kClosing: return "close, EndOfPartition, FINISHED";
    case model::SubtaskPhase::kDataFinished:
    case model::SubtaskPhase::kFinished:
    case model::SubtaskPhase::kFailed:
    case model::SubtaskPhase::kCanceled: return "";
  }
  return "";
}

std::string TriggerHint(const model::System& system) {
  const model::Coordinator& coordinator = system.coordinator;
  const std::string what = coordinator.stop_requested ? fmt::format("savepoint {} ({})", coordinator.next_checkpoint_id,
                                                                    model::Name(coordinator.stop_mode))
                                                      : fmt::format("checkpoint {}", coordinator.next_checkpoint_id);
  model::CheckpointPlan plan;
  model::AbortReason reason = model::AbortReason::kNone;
  if (!model::ComputePlan(system, &plan, &reason)) return fmt::format("refused: {}", model::Name(reason));
  return fmt::format("{}: trigger {}", what, SubtaskList(*system.graph, plan.to_trigger));
}

}  // namespace

std::string DescribeMessage(const model::JobGraph& graph, const model::Message& message) {
  switch (message.kind) {
    case model::MessageKind::kRecord:
      return fmt::format("record {}[{}]#{}", graph.vertices()[message.record.source_vertex].name,
                         message.record.source_subtask, message.record.sequence);
    case model::MessageKind::kMaxWatermark: return "MAX_WATERMARK";
    case model::MessageKind::kBarrier:
      return fmt::format("barrier {}{}", message.checkpoint_id,
                         message.savepoint   ? " (savepoint)"
                         : message.unaligned ? " (unaligned)"
                                             : "");
    case model::MessageKind::kCancelMarker: return fmt::format("cancel-marker {}", message.checkpoint_id);
    case model::MessageKind::kEndOfData: return fmt::format("EndOfData({})", model::Name(message.mode));
    case model::MessageKind::kEndOfPartition: return "EndOfPartition";
    case model::MessageKind::kCommittable: return "committable";
    case model::MessageKind::kCommittableSummary: return "committable-summary";
  }
  return "?";
}

std::string DescribeQueue(const model::JobGraph& graph, const model::Channel& channel) {
  std::string text = "[";
  const auto& queue = channel.queue;
  for (size_t i = 0; i < queue.size();) {
    if (i > 0) text += ", ";
    size_t run = 1;
    while (queue[i].kind == model::MessageKind::kRecord && i + run < queue.size() &&
           queue[i + run].kind == model::MessageKind::kRecord) {
      ++run;
    }
    text += run > 1 ? fmt::format("record x{}", run) : DescribeMessage(graph, queue[i]);
    i += run;
  }
  return text + "]";
}

std::string DescribeRpc(const model::JobGraph& graph, const model::Rpc& rpc) {
  std::string text(model::Name(rpc.kind));
  if (rpc.checkpoint_id != 0) text += fmt::format(" {}", rpc.checkpoint_id);
  if (rpc.kind == model::RpcKind::kNotifyAbort) text += fmt::format(" (latest {})", rpc.latest_completed_id);
  return fmt::format("{} {} {}", text, model::IsToSubtask(rpc.kind) ? "->" : "<-", graph.SubtaskName(rpc.subtask));
}

std::string DescribeStep(const model::System& system, const model::Action& action) {
  const model::JobGraph& graph = *system.graph;
  if (action.kind != ActionKind::kDeliverRpc && action.kind != ActionKind::kLoseRpc &&
      action.kind != ActionKind::kDelayRpc) {
    return model::Describe(graph, action);
  }
  const model::Rpc* rpc = FindRpc(system, action.target);
  if (rpc == nullptr) return model::Describe(graph, action);
  const auto twins = std::count_if(system.rpcs.begin(), system.rpcs.end(),
                                   [&](const model::Rpc& other) { return SameDescription(*rpc, other); });
  if (twins > 1) return model::Describe(graph, action);
  return fmt::format("{} {}", model::Name(action.kind), DescribeRpc(graph, *rpc));
}

std::string Hint(const model::System& system, const model::Action& action) {
  const model::JobGraph& graph = *system.graph;
  switch (action.kind) {
    case ActionKind::kStep: return StepHint(system, static_cast<int32_t>(action.target));
    case ActionKind::kDeliver: return DescribeMessage(graph, system.channels[action.target].queue.front());
    case ActionKind::kDeliverAck:
      return fmt::format("EndOfData acknowledgement to {}",
                         graph.SubtaskName(graph.channels()[action.target].producer));
    case ActionKind::kDeliverRpc:
    case ActionKind::kLoseRpc:
    case ActionKind::kDelayRpc: {
      const model::Rpc* rpc = FindRpc(system, action.target);
      if (rpc == nullptr) return "";
      std::string hint = fmt::format("uid {}", rpc->uid);
      if (rpc->kind == model::RpcKind::kTriggerCheckpoint && rpc->savepoint) {
        hint += fmt::format(", savepoint {}", model::Name(rpc->mode));
      }
      if (rpc->attempt != system.subtasks[rpc->subtask].attempt) hint += fmt::format(", attempt {}", rpc->attempt);
      return hint;
    }
    case ActionKind::kTriggerCheckpoint: return TriggerHint(system);
    case ActionKind::kExpireCheckpoint: return "time out";
    case ActionKind::kExpireEarly: return "time out before the timeout (a fault)";
    case ActionKind::kEndLogs: return "end the unbounded sources' logs";
    case ActionKind::kRestart: return fmt::format("redeploy {}", SubtaskList(graph, system.awaiting_restart));
    case ActionKind::kFailSubtask: return "";
    case ActionKind::kFailTaskManager: {
      std::vector<int32_t> on;
      for (int s = 0; s < graph.subtask_count(); ++s) {
        if (graph.subtasks()[s].task_manager == action.target) on.push_back(s);
      }
      return SubtaskList(graph, on);
    }
    case ActionKind::kStopWithSavepoint:
      return action.target == 0 ? "stop-with-savepoint --drain" : "stop-with-savepoint, no drain";
    case ActionKind::kResume: return "resume from the savepoint";
  }
  return "";
}

std::vector<std::string> Notes(const model::System& system, const History& history,
                               std::span<const model::Event> events) {
  const model::JobGraph& graph = *system.graph;
  const auto name = [&](int32_t subtask) { return graph.SubtaskName(subtask); };
  std::vector<std::string> notes;
  for (const model::Event& e : events) {
    switch (e.kind) {
      case EventKind::kRunning: notes.push_back(fmt::format("{} RUNNING", name(e.subtask))); break;
      case EventKind::kEndData:
        notes.push_back(
            fmt::format("{} end of data ({})", name(e.subtask), model::Name(static_cast<model::StopMode>(e.aux))));
        break;
      case EventKind::kEndOfInput: notes.push_back(fmt::format("{} end of input", name(e.subtask))); break;
      case EventKind::kFinalCheckpointSet:
        notes.push_back(fmt::format("{} finalCheckpointMinId = {}", name(e.subtask), e.checkpoint));
        break;
      case EventKind::kFinalCheckpointDone:
        notes.push_back(fmt::format("{} released by checkpoint {}", name(e.subtask), e.checkpoint));
        break;
      case EventKind::kCheckpointPerformed:
        notes.push_back(fmt::format("{} took checkpoint {}", name(e.subtask), e.checkpoint));
        break;
      case EventKind::kCheckpointCanceled: {
        const auto reason = static_cast<model::AbortReason>(e.aux);
        notes.push_back(
            reason == model::AbortReason::kNone
                ? fmt::format("{} skips checkpoint {} (already aborted)", name(e.subtask), e.checkpoint)
                : fmt::format("{} declines checkpoint {} ({})", name(e.subtask), e.checkpoint, model::Name(reason)));
        break;
      }
      case EventKind::kRpcIgnored: {
        const auto kind = static_cast<model::RpcKind>(e.aux);
        notes.push_back(
            model::IsToSubtask(kind)
                ? fmt::format("{} {} ignored by {}", model::Name(kind), e.checkpoint, name(e.subtask))
                : fmt::format("coordinator ignores {} {} from {}", model::Name(kind), e.checkpoint, name(e.subtask)));
        break;
      }
      case EventKind::kRpcLost:
        notes.push_back(fmt::format("{} {} to {} lost", model::Name(static_cast<model::RpcKind>(e.aux)), e.checkpoint,
                                    name(e.subtask)));
        break;
      case EventKind::kCheckpointTriggered: {
        const CheckpointRecord* record = history.Find(e.checkpoint);
        const bool savepoint = record != nullptr && record->kind == model::CheckpointKind::kSyncSavepoint;
        std::string note = fmt::format("{} {} triggered", savepoint ? "savepoint" : "checkpoint", e.checkpoint);
        if (record != nullptr) {
          note += fmt::format(": trigger {}; wait for {}", SubtaskList(graph, record->plan.to_trigger),
                              SubtaskList(graph, record->plan.to_wait_for));
        }
        notes.push_back(std::move(note));
        break;
      }
      case EventKind::kCheckpointRefused:
        notes.push_back(fmt::format("trigger refused: {}", model::Name(static_cast<model::AbortReason>(e.aux))));
        break;
      case EventKind::kCheckpointCompleted: {
        std::string note = fmt::format("checkpoint {} completed", e.checkpoint);
        const CheckpointRecord* record = history.Find(e.checkpoint);
        std::vector<std::string> fully;
        std::vector<std::string> partly;
        if (record != nullptr) {
          for (size_t v = 0; v < record->vertex_status.size(); ++v) {
            if (record->vertex_status[v] == model::VertexFinishedStatus::kFullyFinished) {
              fully.push_back(graph.vertices()[v].name);
            } else if (record->vertex_status[v] == model::VertexFinishedStatus::kPartlyFinished) {
              partly.push_back(graph.vertices()[v].name);
            }
          }
        }
        if (!fully.empty()) note += fmt::format("; fully finished: {}", fmt::join(fully, ", "));
        if (!partly.empty()) note += fmt::format("; partly finished: {}", fmt::join(partly, ", "));
        notes.push_back(std::move(note));
        break;
      }
      case EventKind::kCheckpointAborted:
        notes.push_back(fmt::format("checkpoint {} aborted: {}", e.checkpoint,
                                    model::Name(static_cast<model::AbortReason>(e.aux))));
        break;
      case EventKind::kTransactionCommitted: {
        const auto& txn = system.store.transactions[e.value];
        notes.push_back(
            fmt::format("{} committed transaction {} ({} records)", name(e.subtask), e.value, txn.records.size()));
        break;
      }
      case EventKind::kTransactionAborted:
        notes.push_back(fmt::format("{} aborted transaction {}", name(e.subtask), e.value));
        break;
      case EventKind::kSubtaskClosing: notes.push_back(fmt::format("{} CLOSING", name(e.subtask))); break;
      case EventKind::kSubtaskFinished: notes.push_back(fmt::format("{} FINISHED", name(e.subtask))); break;
      case EventKind::kJobFinished: notes.push_back("job FINISHED"); break;
      case EventKind::kSubtaskFailed:
        notes.push_back(
            fmt::format("{} FAILED ({})", name(e.subtask), model::Name(static_cast<model::FailureCause>(e.aux))));
        break;
      case EventKind::kSubtaskCanceled: notes.push_back(fmt::format("{} CANCELED", name(e.subtask))); break;
      case EventKind::kRestarted:
        notes.push_back(
            e.aux != 0
                ? fmt::format("{} restored FINISHED_ON_RESTORE from checkpoint {}", name(e.subtask), e.checkpoint)
            : e.checkpoint > 0 ? fmt::format("{} restored from checkpoint {}", name(e.subtask), e.checkpoint)
                               : fmt::format("{} restarted from scratch", name(e.subtask)));
        if (e.aux == 0 && e.checkpoint > 0) {
          const std::string state = model::DescribeOperatorState(graph, e.subtask, system.subtasks[e.subtask]);
          if (!state.empty()) notes.back() += ": " + state;
        }
        break;
      case EventKind::kJobFailed: notes.push_back("job FAILED (restarts exhausted)"); break;
      case EventKind::kStopRequested:
        notes.push_back(
            fmt::format("stop-with-savepoint requested ({})", model::Name(static_cast<model::StopMode>(e.aux))));
        break;
      case EventKind::kStopFailed:
        notes.push_back(e.checkpoint != 0
                            ? fmt::format("stop-with-savepoint failed (savepoint {}); periodic checkpoints resume",
                                          e.checkpoint)
                            : "stop-with-savepoint failed; periodic checkpoints resume");
        break;
      case EventKind::kJobResumed: notes.push_back(fmt::format("job resumed from savepoint {}", e.checkpoint)); break;
      case EventKind::kRpcDelayed:
        notes.push_back(fmt::format("{} {} delayed: later RPCs of its path may overtake it",
                                    model::Name(static_cast<model::RpcKind>(e.aux)), name(e.subtask)));
        break;
      case EventKind::kLogsEnded: notes.push_back("the unbounded sources' logs ended"); break;
      case EventKind::kGlobalFailure:
        notes.push_back(
            fmt::format("the job fails over as a whole ({})", model::Name(static_cast<model::FailureCause>(e.aux))));
        break;
      case EventKind::kJobGraphChanged:
        notes.push_back(fmt::format("savepoint {} restored into the job's new version", e.checkpoint));
        break;
      case EventKind::kResumeRefused:
        notes.push_back(fmt::format("restoring savepoint {} into the job's new version was refused", e.checkpoint));
        break;
      default: break;
    }
  }
  return notes;
}

}  // namespace ckptsim::schedules
