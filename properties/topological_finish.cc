// P3 topological finish: a subtask reaches FINISHED only after every subtask
// it consumes from; a completed checkpoint marks a vertex fully finished only
// if every upstream vertex is fully finished too. (All operators of a chain
// share their vertex's status by construction of the checkpoint record.)
#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {
namespace {

class TopologicalFinishChecker final : public PropertyChecker {
 public:
  PropertyId id() const override { return PropertyId::kTopologicalFinish; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    const model::JobGraph& graph = *system.graph;
    for (const model::Event& event : events) {
      if (event.kind == model::EventKind::kSubtaskFinished) {
        for (int producer : graph.subtasks()[event.subtask].producers) {
          if (system.subtasks[producer].phase == model::SubtaskPhase::kFinished) continue;
          Report(Violation{.property = id(),
                           .step = step,
                           .summary = fmt::format("{} finished while its upstream {} is {}",
                                                  graph.SubtaskName(event.subtask), graph.SubtaskName(producer),
                                                  model::Name(system.subtasks[producer].phase))});
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
            Report(Violation{.property = id(),
                             .step = step,
                             .summary = fmt::format("checkpoint {} marks {} fully finished but not its upstream {}",
                                                    completed->id, graph.vertices()[v].name,
                                                    graph.vertices()[upstream].name)});
            return;
          }
        }
      }
    }
  }

  void OnEnd(const model::System&, const RunEnd&) override {}
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeTopologicalFinishChecker(const model::System&) {
  return std::make_unique<TopologicalFinishChecker>();
}

}  // namespace ckptsim::properties
