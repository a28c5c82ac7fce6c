// Restoring a savepoint into a changed job (docs/protocol.md section 7): the new
// version of a job may add, drop, re-chain or rescale operators. Flink finds
// each operator's state by the operator's uid (here: its name), runs the
// finished-state topology check (restore_check.h), deploys fully finished
// vertices finished, and redistributes the rest at the new parallelism:
// - at an operator's old parallelism every subtask gets its own state back;
// - otherwise keyed state (keyed_aggregate counts, event_time_window windows)
//   follows its key (KeyOwner: where hash partitioning sends it; Flink's key
//   groups play that part), and operator list state is cut into contiguous
//   chunks (Flink's RoundRobinOperatorStateRepartitioner): the buffering
//   operator's records element by element, a sink's transaction list as one
//   entry per old subtask (TwoPhaseCommitSinkFunction's list state);
// - union list state goes to every subtask, broadcast state from the
//   (i mod k)-th reporting subtask;
// - a source keeps its parallelism (its splits are not re-assigned here) and
//   each subtask continues from its offset; a subtask whose split is done
//   still runs, for the state its chain is given, unless its whole vertex is
//   fully finished.
// A vertex whose name, parallelism and operators are unchanged keeps its
// subtasks' snapshots as they are, exactly as a restore into the same job.
//
// What the store holds stays: transactions move to the subtask that took over
// the state of the sink (or writer) subtask that began them, and
// records keep their identity (their source vertex is re-indexed; lineages
// are built from vertex names, so they match across versions).
//
// Pure functions of their arguments; thread-safe.
#ifndef CKPTSIM_MODEL_GRAPH_CHANGE_H_
#define CKPTSIM_MODEL_GRAPH_CHANGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/job_graph.h"
#include "model/state.h"

namespace ckptsim::model {

// One operator of a job graph: its vertex and its place in the chain.
struct OperatorRef {
  int vertex = -1;
  int op = -1;
  bool found() const { return vertex >= 0; }
};

struct GraphChange {
  std::shared_ptr<const JobGraph> from;
  std::shared_ptr<const JobGraph> to;
  // [vertex of `from`][operator] -> the operator of `to` with that name.
  std::vector<std::vector<OperatorRef>> operator_of;
  // Vertex of `from` -> the vertex of `to` with the same name (-1: none).
  std::vector<int> vertex_of;
  // Filled at the resume: the savepoint as taken on `from`, and how far each
  // source subtask of `from` had read (System::source_high_water).
  std::shared_ptr<const CompletedCheckpoint> savepoint;
  std::vector<uint32_t> source_high_water;
  // The savepoint redistributed for `to` (RedistributeSavepoint).
  std::shared_ptr<const CompletedCheckpoint> redistributed;
};

// Whether ckptsim can move a savepoint of `from` into `to`: operator names
// are unique in both; every source and sink of `from` is in `to` (sources with
// their kind, parallelism and records); an operator in both has one kind.
// Fills `out` and returns nullopt, or returns a one-line reason. State of an
// operator `to` lacks is Flink's business, and needs the savepoint: the resume
// runs CheckNonRestoredState (restore_check.h) after this.
std::optional<std::string> MatchJobGraphs(std::shared_ptr<const JobGraph> from, std::shared_ptr<const JobGraph> to,
                                          GraphChange* out);

// Reorders the new version's vertices (edges follow) so that each source of
// `from` keeps its vertex index: a record's key is a function of its source's
// index, and keys must not change across versions. Vertex order is otherwise
// only the order subtasks are numbered in. Returns a one-line reason if a
// source of `from` is missing from `to_spec` or sits past its end.
std::optional<std::string> AlignSourcePositions(const JobGraph& from, JobGraphSpec* to_spec);

// The subtask of `parallelism` that keyed state of `key` belongs to: where
// hash partitioning sends the key (model/routing.h).
inline int KeyOwner(int key, int parallelism) { return key % parallelism; }

// `record` as the new job names it.
RecordId RemapRecord(const GraphChange& change, RecordId record);

// The subtask of `to` that owns what `from`'s store-writing subtask
// `old_subtask` began: the subtask that takes over its sink state.
int32_t NewOwner(const GraphChange& change, int32_t old_subtask);

// The savepoint as the new job sees it: a status per vertex of `to`, and for
// each subtask of `to` the state assigned to it. Its `state_assigned` is set:
// a restore takes each subtask's snapshot as it is.
// REQUIRES: the change was matched; `savepoint` was taken on `from` and is
// aligned (no channel state).
CompletedCheckpoint RedistributeSavepoint(const GraphChange& change, const CompletedCheckpoint& savepoint);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_GRAPH_CHANGE_H_
