// The topology check run when a job is restored from a savepoint into a job
// graph that may have changed since the savepoint was taken (Flink's
// VertexFinishedStateChecker, docs/protocol.md section 7).
//
// A savepoint records a finished status per operator, keyed by the
// operator's name (its uid). The new graph regroups operators into vertices
// and may add, drop or reconnect them; the check refuses a restore that would
// deploy a finished vertex downstream of one that still produces data:
// 1. all operators of one vertex share one finished status;
// 2. a fully finished vertex has only fully finished predecessors;
// 3. a partly finished vertex has only fully finished ALL_TO_ALL predecessors
//    and no all-running POINTWISE predecessor; a predecessor connected by
//    edges of both kinds counts as ALL_TO_ALL.
// Operators of the new graph the savepoint does not mention are all running;
// operators the savepoint mentions but the new graph lacks are left to the
// non-restored-state check below, which Flink runs first. A name the savepoint
// lists twice with different statuses is refused, as it cannot say which one
// the new graph's operator is; Flink's operator ids cannot collide, but our
// operator names are not checked for uniqueness. Flink runs the check
// only for a user-chosen savepoint or retained checkpoint, never on failover.
//
// Pure functions of their arguments; thread-safe.
#ifndef CKPTSIM_MODEL_RESTORE_CHECK_H_
#define CKPTSIM_MODEL_RESTORE_CHECK_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/job_graph.h"
#include "model/state.h"

namespace ckptsim::model {

// The finished status a savepoint records for one operator.
struct OperatorFinishedStatus {
  std::string operator_name;  // the operator's uid, OperatorSpec::name
  VertexFinishedStatus status = VertexFinishedStatus::kRunning;
};

// Every operator of `graph`, vertex by vertex and head first, with the status
// `checkpoint` records for its vertex.
// REQUIRES: `checkpoint` was taken on `graph` (one vertex_status per vertex).
std::vector<OperatorFinishedStatus> OperatorStatuses(const JobGraph& graph, const CompletedCheckpoint& checkpoint);

// The parts of a job graph the check reads. JobGraph::Compile refuses two
// edges between one pair of vertices, so a predecessor connected by edges of
// both kinds can only be described through this view. It borrows its spans:
// TopologyOf's result must not outlive the graph.
// REQUIRES: every vertex has an operator; edges name vertices of `vertices`;
// `topological_order` lists every vertex once.
struct RestoreTopology {
  std::span<const VertexInfo> vertices;  // only name and operators are read
  std::span<const EdgeSpec> edges;       // a vertex's inputs are its edges in index order
  std::span<const int> topological_order;
};
RestoreTopology TopologyOf(const JobGraph& graph);

// Whether `statuses` may be restored into `new_graph`: nullopt if so, else a
// one-line message naming the vertex, the offending predecessor or operators,
// and the rule broken. Vertices are checked in topological order, and a
// vertex's predecessors in the order of its input edges, so the violation
// reported is the first one in that order.
std::optional<std::string> CheckFinishedStateTopology(const JobGraph& new_graph,
                                                      const std::vector<OperatorFinishedStatus>& statuses);
std::optional<std::string> CheckFinishedStateTopology(const RestoreTopology& new_graph,
                                                      const std::vector<OperatorFinishedStatus>& statuses);

// Flink's non-restored-state rule (Checkpoints.loadAndValidateCheckpoint),
// checked before the topology: state in the checkpoint must have an operator
// of the same name in the new graph to go to. An operator without one is
// skipped if its state is empty: a stateless map, or any operator of a vertex
// the checkpoint records fully finished (Flink keeps no state for those);
// otherwise the restore is refused unless the user allows non-restored state
// (Flink's --allowNonRestoredState, execution.savepoint.ignore-unclaimed-state),
// which drops that state.

// The operators of `from` whose state in `checkpoint` the new graph has no
// operator for, in vertex order, head first.
// REQUIRES: `checkpoint` was taken on `from`.
std::vector<OperatorSpec> NonRestoredStateOperators(const JobGraph& from, const CompletedCheckpoint& checkpoint,
                                                    const JobGraph& to);

// nullopt when every state of `checkpoint` maps onto `to` or
// `allow_non_restored_state` drops what does not; else a one-line refusal
// naming the checkpoint, the first such operator and the option that allows it.
std::optional<std::string> CheckNonRestoredState(const JobGraph& from, const CompletedCheckpoint& checkpoint,
                                                 const JobGraph& to, bool allow_non_restored_state);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_RESTORE_CHECK_H_
