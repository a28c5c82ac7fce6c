#include "model/plan.h"

namespace ckptsim::model {

std::vector<int> UnionStatePartlyFinished(const System& system, const CheckpointPlan& plan) {
  std::vector<int> vertices;
  if (!CheckpointsAfterTasksFinish(system.options)) return vertices;
  const JobGraph& graph = *system.graph;
  std::vector<bool> terminal(graph.subtask_count(), false);
  for (int32_t s : plan.finished_subtasks) terminal[s] = true;
  for (int v = 0; v < static_cast<int>(graph.vertices().size()); ++v) {
    const VertexInfo& vertex = graph.vertices()[v];
    if (!vertex.has_union_state || plan.fully_finished_vertex[v]) continue;
    for (int i = 0; i < vertex.parallelism; ++i) {
      if (terminal[vertex.first_subtask + i]) {
        vertices.push_back(v);
        break;
      }
    }
  }
  return vertices;
}

}  // namespace ckptsim::model
