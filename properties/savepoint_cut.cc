// P8 savepoint cut: a stop-with-savepoint's savepoint holds every subtask
// (state, or finished), and a subtask that took a stop savepoint is released
// by exactly that savepoint. (A job whose sources all run out before the
// stop's savepoint completes finishes on its own; the stop then fails, as in
// Flink, and nothing is asserted about it.) That resuming from a
// no-drain savepoint loses and duplicates nothing is P1 and P2 over the
// resumed run.
#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {

void CheckSavepointCut(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kCheckpointCompleted) {
      const model::CompletedCheckpoint* completed = model::CompletedWithId(system.coordinator, event.checkpoint);
      if (completed == nullptr || completed->kind != model::CheckpointKind::kSyncSavepoint) continue;
      for (int s = 0; s < graph.subtask_count(); ++s) {
        if (completed->snapshots[s] || completed->subtask_finished[s]) continue;
        out = Violation{.property = PropertyId::kSavepointCut,
                        .step = c.step,
                        .summary = fmt::format("savepoint {} completed without {}", completed->id,
                                               graph.SubtaskName(s))};
        return;
      }
    }
    if (event.kind == model::EventKind::kFinalCheckpointDone) {
      const model::Subtask& sub = system.subtasks[event.subtask];
      if (sub.sync_savepoint_id != 0 && event.checkpoint != sub.sync_savepoint_id) {
        out = Violation{.property = PropertyId::kSavepointCut,
                        .step = c.step,
                        .summary = fmt::format("{} waited for savepoint {} but was released by checkpoint {}",
                                               graph.SubtaskName(event.subtask), sub.sync_savepoint_id,
                                               event.checkpoint)};
        return;
      }
    }
  }
}

}  // namespace ckptsim::properties
