#include "scenarios/plan_chaining.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ckptsim::scenarios {
namespace {

// Kahn's algorithm, ready nodes taken in plan order, so the result is stable.
std::vector<int> TopologicalOrder(const PlanGraph& graph) {
  const int n = static_cast<int>(graph.nodes.size());
  std::vector<int> in_degree(n, 0);
  std::vector<std::vector<int>> out(n);
  for (const PlanEdge& edge : graph.edges) {
    ++in_degree[edge.to];
    out[edge.from].push_back(edge.to);
  }
  std::set<int> ready;
  for (int v = 0; v < n; ++v) {
    if (in_degree[v] == 0) ready.insert(v);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int v = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(v);
    for (int to : out[v]) {
      if (--in_degree[to] == 0) ready.insert(to);
    }
  }
  return order;  // the reader refused cycles, so every node is here
}

PlanTasks KeepJobGraphTasks(const PlanGraph& graph) {
  PlanTasks result;
  result.task_of_node.assign(graph.nodes.size(), 0);
  for (const std::vector<int>& task : graph.tasks) {
    if (task.empty()) continue;
    for (int node : task) result.task_of_node[node] = static_cast<int>(result.tasks.size());
    result.tasks.push_back(task);
  }
  for (const PlanEdge& edge : graph.edges) {
    result.chained.push_back(edge.within_task);
    result.edge_notes.emplace_back();
  }
  return result;
}

}  // namespace

PlanTasks ChainOperators(const PlanGraph& graph) {
  if (graph.format == PlanFormat::kJobGraph) return KeepJobGraphTasks(graph);
  const int n = static_cast<int>(graph.nodes.size());
  PlanTasks result;
  result.task_of_node.assign(n, -1);
  result.chained.assign(graph.edges.size(), false);
  result.edge_notes.assign(graph.edges.size(), "");
  std::vector<std::vector<int>> inputs(n);
  for (int e = 0; e < static_cast<int>(graph.edges.size()); ++e) inputs[graph.edges[e].to].push_back(e);
  for (int v : TopologicalOrder(graph)) {
    const PlanNode& node = graph.nodes[v];
    bool joined = false;
    if (inputs[v].size() == 1 && graph.edges[inputs[v][0]].strategy == ShipStrategy::kForward) {
      const int e = inputs[v][0];
      const int u = graph.edges[e].from;
      const int task = result.task_of_node[u];
      std::vector<int>& members = result.tasks[task];
      if (members.back() == u) {
        members.push_back(v);
        result.task_of_node[v] = task;
        result.chained[e] = true;
        joined = true;
      } else {
        const int sibling = members[std::find(members.begin(), members.end(), u) - members.begin() + 1];
        result.edge_notes[e] = fmt::format(
            "not chained: Flink chains node {} into the task of node {} too, beside node {} (a fork inside one "
            "task); a ckptsim task is a linear chain, so node {} starts its own",
            node.id, graph.nodes[u].id, graph.nodes[sibling].id, node.id);
      }
    } else if (inputs[v].size() > 1) {
      for (int e : inputs[v]) {
        if (graph.edges[e].strategy != ShipStrategy::kForward) continue;
        result.edge_notes[e] = fmt::format("not chained: node {} has {} inputs, and Flink chains only a node with one",
                                           node.id, inputs[v].size());
      }
    }
    if (!joined) {
      result.task_of_node[v] = static_cast<int>(result.tasks.size());
      result.tasks.push_back({v});
    }
  }
  return result;
}

}  // namespace ckptsim::scenarios
