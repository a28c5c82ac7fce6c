// Flink's default operator chaining, as far as a StreamGraph plan shows it:
// which operators of a PlanGraph share a task.
//
// Flink (StreamingJobGraphGenerator.isChainable) chains an operator into the
// task of its input when it has exactly one input edge, that edge is FORWARD
// (which requires equal parallelisms) and nothing else forbids it. What else
// forbids it is not in the plan JSON: chaining switched off
// (pipeline.operator-chaining), a chaining strategy of NEVER or HEAD
// (disableChaining(), startNewChain()), different slot sharing groups, a
// batch exchange. Those are taken to allow chaining, as Flink's defaults do.
//
// Flink chains every such output of an operator into its task, which makes
// the task a tree when an operator has two. A ckptsim task is a linear chain,
// so only the first such output (in topological order) joins; the others
// start tasks of their own, and a note says so.
//
// A JobGraph plan shows Flink's chaining itself: its tasks are kept.
//
// Thread-safety: stateless.
#ifndef CKPTSIM_SCENARIOS_PLAN_CHAINING_H_
#define CKPTSIM_SCENARIOS_PLAN_CHAINING_H_

#include <string>
#include <vector>

#include "scenarios/plan_reader.h"

namespace ckptsim::scenarios {

struct PlanTasks {
  // Each task's nodes, head first; tasks in topological order of their heads.
  std::vector<std::vector<int>> tasks;
  std::vector<int> task_of_node;
  // Per PlanGraph edge: chained (the two nodes share a task), and why a FORWARD edge was not.
  std::vector<bool> chained;
  std::vector<std::string> edge_notes;
};

PlanTasks ChainOperators(const PlanGraph& graph);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_CHAINING_H_
