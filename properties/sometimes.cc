#include "properties/sometimes.h"

#include <algorithm>

namespace ckptsim::properties {

std::string_view Name(Sometimes fact) {
  switch (fact) {
    case Sometimes::kCheckpointWithFinishedSubtasks: return "checkpoint completed with finished subtasks";
    case Sometimes::kTriggerRaceAbort: return "trigger race aborted a checkpoint";
    case Sometimes::kFinalCheckpointReleased: return "final checkpoint released a subtask";
    case Sometimes::kUnionStateAbort: return "union-state rule aborted a checkpoint";
    case Sometimes::kFinishedOnRestore: return "subtask deployed finished on restore";
    case Sometimes::kRestoreWithPartlyFinished: return "restore with a partly finished vertex";
    case Sometimes::kChannelStateRestored: return "unaligned channel state restored";
    case Sometimes::kSavepointFailedAndRetried: return "stop-with-savepoint failed and retried";
    case Sometimes::kSavepointResumed: return "job resumed from a savepoint";
    case Sometimes::kRpcOvertaken: return "delayed RPC overtaken";
    case Sometimes::kJobFailed: return "job failed for good";
    case Sometimes::kResumedIntoNewVersion: return "savepoint restored into a changed job";
    case Sometimes::kResumeRefused: return "changed job refused by the topology check";
    case Sometimes::kCount: break;
  }
  return "?";
}

void CountSometimes(const model::System& system, const model::Event& event, SometimesCounts& counts) {
  const auto count = [&](Sometimes fact) { ++counts[static_cast<size_t>(fact)]; };
  switch (event.kind) {
    case model::EventKind::kCheckpointCompleted: {
      const model::CompletedCheckpoint* completed = model::CompletedWithId(system.coordinator, event.checkpoint);
      if (completed && std::find(completed->subtask_finished.begin(), completed->subtask_finished.end(), true) !=
                           completed->subtask_finished.end()) {
        count(Sometimes::kCheckpointWithFinishedSubtasks);
      }
      break;
    }
    case model::EventKind::kCheckpointAborted: {
      const auto reason = static_cast<model::AbortReason>(event.aux);
      if (reason == model::AbortReason::kTaskCheckpointFailure || reason == model::AbortReason::kDeclinedTaskClosing) {
        count(Sometimes::kTriggerRaceAbort);
      }
      if (reason == model::AbortReason::kUnionStatePartlyFinished) count(Sometimes::kUnionStateAbort);
      break;
    }
    case model::EventKind::kFinalCheckpointDone:
      count(Sometimes::kFinalCheckpointReleased);
      break;
    case model::EventKind::kRestarted: {
      if (event.aux != 0) count(Sometimes::kFinishedOnRestore);
      const auto& restored = system.coordinator.latest_completed;
      if (restored && restored->id == event.checkpoint &&
          std::find(restored->vertex_status.begin(), restored->vertex_status.end(),
                    model::VertexFinishedStatus::kPartlyFinished) != restored->vertex_status.end()) {
        count(Sometimes::kRestoreWithPartlyFinished);
      }
      break;
    }
    case model::EventKind::kChannelStateRestored:
      count(Sometimes::kChannelStateRestored);
      break;
    case model::EventKind::kSubtaskFailed:
      if (event.aux == static_cast<uint8_t>(model::FailureCause::kSavepointFailed)) {
        count(Sometimes::kSavepointFailedAndRetried);
      }
      break;
    case model::EventKind::kJobResumed:
      count(Sometimes::kSavepointResumed);
      break;
    case model::EventKind::kJobFailed:
      count(Sometimes::kJobFailed);
      break;
    case model::EventKind::kJobGraphChanged:
      count(Sometimes::kResumedIntoNewVersion);
      break;
    case model::EventKind::kResumeRefused:
      count(Sometimes::kResumeRefused);
      break;
    case model::EventKind::kRpcDelivered: {
      // Delivered while an older RPC of its path, delayed, is still in flight.
      const auto kind = static_cast<model::RpcKind>(event.aux);
      const int path = event.subtask * 2 + (model::IsToSubtask(kind) ? 0 : 1);
      const bool overtook = std::any_of(system.rpcs.begin(), system.rpcs.end(), [&](const model::Rpc& rpc) {
        return rpc.delayed && model::RpcPath(rpc) == path && static_cast<int64_t>(rpc.uid) < event.value;
      });
      if (overtook) count(Sometimes::kRpcOvertaken);
      break;
    }
    default:
      break;
  }
}

}  // namespace ckptsim::properties
