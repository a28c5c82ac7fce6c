// P3 topological finish: a subtask reaches FINISHED only after every subtask
// it consumes from; a completed checkpoint marks a vertex fully finished only
// if every upstream vertex is fully finished too. (All operators of a chain
// share their vertex's status by construction of the checkpoint record.)
#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {

void CheckTopologicalFinish(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kSubtaskFinished) {
      for (int producer : graph.subtasks()[event.subtask].producers) {
        if (system.subtasks[producer].phase == model::SubtaskPhase::kFinished) continue;
        out = Violation{.property = PropertyId::kTopologicalFinish,
                        .step = c.step,
                        .summary = fmt::format("{} finished while its upstream {} is {}",
                                               graph.SubtaskName(event.subtask), graph.SubtaskName(producer),
                                               model::Name(system.subtasks[producer].phase))};
        return;
      }
    } else if (event.kind == model::EventKind::kCheckpointCompleted) {
      const model::CompletedCheckpoint* completed = model::CompletedWithId(system.coordinator, event.checkpoint);
      if (completed == nullptr) continue;
      for (size_t v = 0; v < graph.vertices().size(); ++v) {
        if (completed->vertex_status[v] != model::VertexFinishedStatus::kFullyFinished) continue;
        for (int e : graph.vertices()[v].input_edges) {
          const int upstream = graph.edges()[e].from;
          if (completed->vertex_status[upstream] == model::VertexFinishedStatus::kFullyFinished) continue;
          out = Violation{.property = PropertyId::kTopologicalFinish,
                          .step = c.step,
                          .summary = fmt::format("checkpoint {} marks {} fully finished but not its upstream {}",
                                                 completed->id, graph.vertices()[v].name,
                                                 graph.vertices()[upstream].name)};
          return;
        }
      }
    }
  }
}

}  // namespace ckptsim::properties
