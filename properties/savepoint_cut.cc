// P8 savepoint cut, judged from the events of the run rather than from the
// subtasks' own fields: a stop-with-savepoint's savepoint holds every subtask
// (state, or finished); a subtask that took the stop's savepoint (before its
// final checkpoint released it) is released
// by exactly that savepoint, and sends nothing after it but EndOfPartition
// (Flink's task finishes once the savepoint is notified; the barrier was its
// last message before); and a stop finishes the job only through its
// savepoint: a subtask that took it finishes only after it completed. (A job
// whose sources all run out before the stop's savepoint completes finishes
// on its own; the stop then fails, as in Flink, and nothing is asserted
// about it.) That resuming from a no-drain savepoint loses and duplicates
// nothing is P1 and P2 over the resumed run.
#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

Violation Fail(int64_t step, std::string summary) {
  return Violation{.property = PropertyId::kSavepointCut, .step = step, .summary = std::move(summary)};
}

}  // namespace

void CheckSavepointCut(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  for (const model::Event& event : c.events) {
    switch (event.kind) {
      case model::EventKind::kRestarted:
        c.history.subtasks[event.subtask].stop_savepoint = 0;
        break;
      case model::EventKind::kCheckpointPerformed: {
        const model::Coordinator& coordinator = system.coordinator;
        // A subtask its final checkpoint already released takes the stop's
        // savepoint as any snapshot, on its way to FINISHED: it waits for nothing.
        if (coordinator.stop_requested && event.checkpoint == coordinator.stop_savepoint_id &&
            !system.subtasks[event.subtask].final_checkpoint_completed) {
          c.history.subtasks[event.subtask].stop_savepoint = event.checkpoint;
        }
        break;
      }
      case model::EventKind::kCheckpointCompleted: {
        const model::CompletedCheckpoint* completed = model::CompletedWithId(system.coordinator, event.checkpoint);
        if (completed == nullptr || completed->kind != model::CheckpointKind::kSyncSavepoint) break;
        for (int s = 0; s < graph.subtask_count(); ++s) {
          if (completed->snapshots[s] || completed->subtask_finished[s]) continue;
          out = Fail(c.step, fmt::format("savepoint {} completed without {}", completed->id, graph.SubtaskName(s)));
          return;
        }
        break;
      }
      case model::EventKind::kFinalCheckpointDone: {
        const int64_t taken = c.history.subtasks[event.subtask].stop_savepoint;
        if (taken != 0 && event.checkpoint != taken) {
          out = Fail(c.step, fmt::format("{} took the stop's savepoint {} but was released by checkpoint {}",
                                         graph.SubtaskName(event.subtask), taken, event.checkpoint));
          return;
        }
        break;
      }
      case model::EventKind::kSend: {
        const int64_t taken = c.history.subtasks[event.subtask].stop_savepoint;
        if (taken == 0 || event.message.kind == model::MessageKind::kEndOfPartition) break;
        const model::ChannelInfo& channel = graph.channels()[event.channel];
        out = Fail(c.step, fmt::format("{} took the stop's savepoint {}, then sent {} to {}",
                                       graph.SubtaskName(event.subtask), taken, model::Name(event.message.kind),
                                       graph.SubtaskName(channel.consumer)));
        return;
      }
      case model::EventKind::kSubtaskFinished: {
        const int64_t taken = c.history.subtasks[event.subtask].stop_savepoint;
        if (taken == 0) break;
        const model::CompletedCheckpoint* savepoint = system.coordinator.latest_savepoint.get();
        if (savepoint != nullptr && savepoint->id == taken) break;
        out = Fail(c.step, fmt::format("{} took the stop's savepoint {} and finished, but that savepoint never "
                                       "completed",
                                       graph.SubtaskName(event.subtask), taken));
        return;
      }
      default:
        break;
    }
  }
}

}  // namespace ckptsim::properties
