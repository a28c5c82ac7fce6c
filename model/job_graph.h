// The job graph: tasks (job vertices) made of chained operators, and the
// edges between them, compiled into subtasks and channels.
//
// A JobGraphSpec is what a scenario file describes (names, kinds, counts).
// A JobGraph is the immutable, validated, compiled form the protocol runs on:
// every subtask and every channel has a dense integer index, vertices are in
// topological order (computed with Boost.Graph), and each subtask knows its
// input channels (grouped by input gate) and output channels (grouped by
// edge). A JobGraph is shared by every System of a run and never changes.
//
// Thread-safety: immutable after Compile(); safe to share across threads.
#ifndef CKPTSIM_MODEL_JOB_GRAPH_H_
#define CKPTSIM_MODEL_JOB_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/fields.h"

namespace ckptsim::model {

enum class OperatorKind : uint8_t {
  kBoundedSource,    // emits a fixed number of records per subtask, then ends
  kUnboundedSource,  // emits until stopped (stop-with-savepoint)
  kMap,              // stateless pass-through
  kKeyedAggregate,   // keyed state: a count per key
  kUnionState,       // operator list state in UNION mode
  kBroadcastState,   // broadcast state (same on every subtask)
  kBuffering,        // holds records, emits them in endInput()/finish()
  kTwoPhaseCommitSink,  // TwoPhaseCommitSinkFunction-style sink
  kSinkV2Writer,     // Sink V2 writer: writes transactions, emits committables before barriers
  kSinkV2Committer,  // Sink V2 committer: commits the writer's committables on notify-complete
  kEventTimeWindow,  // event-time windows: holds records until MAX_WATERMARK fires them
  // Sink V2 global committer (SupportsPostCommitTopology with Flink's
  // GlobalCommitterOperator, as Delta and Iceberg-style sinks use it): the only
  // operator of a parallelism-1 vertex after the committers; it collects their
  // committables with their summaries and commits a checkpoint's once all
  // committers' arrived (docs/protocol.md section 8).
  kSinkV2GlobalCommitter,
};

enum class Partitioning : uint8_t {
  kForward,    // POINTWISE, equal parallelism, subtask i -> subtask i
  kRescale,    // POINTWISE, subsets of subtasks
  kHash,       // ALL_TO_ALL, by record key
  kRebalance,  // ALL_TO_ALL, round robin by record sequence
  kBroadcast,  // ALL_TO_ALL, every record to every consumer
};

// Flink's DistributionPattern: POINTWISE edges connect subsets of subtasks,
// ALL_TO_ALL edges connect every producer subtask with every consumer.
bool IsPointwise(Partitioning partitioning);
bool IsSource(OperatorKind kind);
bool IsSink(OperatorKind kind);  // must be the tail of a vertex with no outputs
// Records end at this operator: it writes them into transactions of the
// external store (2PC sink, Sink V2 writer), owned by its subtask.
bool WritesToStore(OperatorKind kind);

std::string_view Name(OperatorKind kind);
std::string_view Name(Partitioning partitioning);
std::optional<OperatorKind> ParseOperatorKind(std::string_view text);
std::optional<Partitioning> ParsePartitioning(std::string_view text);

struct OperatorSpec {
  std::string name;
  OperatorKind kind = OperatorKind::kMap;
};

struct VertexSpec {
  std::string name;
  int parallelism = 1;
  // Chained operators, head first. A source, if any, is the head.
  std::vector<OperatorSpec> operators;
  // Bounded source head only: records each subtask emits (size == parallelism).
  std::vector<int64_t> records_per_subtask;
  // Task manager (slot group) each subtask is deployed on; empty = one per vertex.
  std::vector<int> task_manager_of_subtask;
};

struct EdgeSpec {
  int from = 0;  // index into JobGraphSpec::vertices
  int to = 0;
  Partitioning partitioning = Partitioning::kForward;
};

struct JobGraphSpec {
  std::vector<VertexSpec> vertices;
  std::vector<EdgeSpec> edges;
};

// Number of distinct keys records are spread over (hash partitioning, keyed state).
inline constexpr int kKeyCount = 8;

struct ChannelInfo {
  int edge = 0;
  int producer = 0;      // global subtask index
  int consumer = 0;      // global subtask index
  int consumer_gate = 0; // input gate of the consumer (one per input edge)
};

struct SubtaskInfo {
  int vertex = 0;
  int index = 0;  // subtask index within the vertex
  int task_manager = 0;
  int region = 0;  // pipelined (failover) region: connected component of the subtask graph
  std::vector<int> input_channels;   // all inputs, gate-major
  std::vector<int> output_channels;  // all outputs, edge-major
  // For each output edge of the vertex: [first, last) into output_channels.
  std::vector<std::pair<int, int>> output_ranges;
  // Distinct upstream subtasks this subtask consumes from, ascending.
  std::vector<int> producers;
};

struct VertexInfo {
  std::string name;
  // A hash of the name (FNV-1a): the vertex's identity across versions of a
  // job, so a record's lineage names the same path in both (graph_change.h).
  uint64_t uid = 0;
  int parallelism = 1;
  int first_subtask = 0;  // subtasks are [first_subtask, first_subtask + parallelism)
  std::vector<OperatorSpec> operators;
  std::vector<int64_t> records_per_subtask;
  std::vector<int> input_edges;   // edge indices, in gate order
  std::vector<int> output_edges;  // edge indices
  bool has_union_state = false;
  // The chain ends with a Sink V2 writer, or with a committer that forwards
  // to a global committer: its one output edge carries committables.
  bool sends_committables = false;
  // The chain ends with a Sink V2 committer whose one output edge leads to a
  // global committer: on notify-complete it forwards what it would commit,
  // with a summary per checkpoint, and the global committer commits.
  bool forwards_committables = false;
  bool is_source = false;
  bool is_unbounded_source = false;
};

// Why a JobGraphSpec was refused, and which vertex or edge it is about
// (index into the spec, -1 if none), so a loader can point at a file line.
struct GraphError {
  std::string message;
  int vertex = -1;
  int edge = -1;
};

class JobGraph {
 public:
  // Validates and compiles; on failure returns nullopt and fills *error.
  static std::optional<JobGraph> Compile(const JobGraphSpec& spec, GraphError* error);

  const std::vector<VertexInfo>& vertices() const { return vertices_; }
  const std::vector<EdgeSpec>& edges() const { return edges_; }
  const std::vector<SubtaskInfo>& subtasks() const { return subtasks_; }
  const std::vector<ChannelInfo>& channels() const { return channels_; }
  const std::vector<int>& topological_order() const { return topological_order_; }
  int subtask_count() const { return static_cast<int>(subtasks_.size()); }
  int channel_count() const { return static_cast<int>(channels_.size()); }
  int region_count() const { return region_count_; }
  int task_manager_count() const;
  int SubtaskOf(int vertex, int index) const { return vertices_[vertex].first_subtask + index; }
  std::optional<int> FindVertex(std::string_view name) const;
  // "Vertex[index]", the naming used in traces and schedules.
  std::string SubtaskName(int subtask) const;
  // "Producer[i]->Consumer[j]", the channel naming of traces and schedules.
  std::string ChannelName(int channel) const;
  // The consumer subtask indices [first, last) (within the consumer vertex)
  // that producer subtask `producer_index` is connected to over a POINTWISE
  // edge, wired as Flink's EdgeManagerBuildUtil wires it.
  static std::pair<int, int> PointwiseTargets(int producer_index, int producer_parallelism,
                                              int consumer_parallelism);

 private:
  std::vector<VertexInfo> vertices_;
  std::vector<EdgeSpec> edges_;
  std::vector<SubtaskInfo> subtasks_;
  std::vector<ChannelInfo> channels_;
  std::vector<int> topological_order_;
  int region_count_ = 0;
};

// A run's job graph is shared by every state of the run: compared by identity.
template <>
struct IdentityCompared<JobGraph> : std::true_type {};

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_JOB_GRAPH_H_
