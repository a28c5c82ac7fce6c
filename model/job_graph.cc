#include "model/job_graph.h"

#include <algorithm>
#include <array>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>
#include <utility>

#include <fmt/format.h>

namespace ckptsim::model {
namespace {

uint64_t NameHash(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

struct KindName {
  OperatorKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 12> kKindNames{{
    {OperatorKind::kBoundedSource, "bounded_source"},
    {OperatorKind::kUnboundedSource, "unbounded_source"},
    {OperatorKind::kMap, "map"},
    {OperatorKind::kKeyedAggregate, "keyed_aggregate"},
    {OperatorKind::kUnionState, "union_state"},
    {OperatorKind::kBroadcastState, "broadcast_state"},
    {OperatorKind::kBuffering, "buffering"},
    {OperatorKind::kTwoPhaseCommitSink, "two_phase_commit_sink"},
    {OperatorKind::kSinkV2Writer, "sink_v2_writer"},
    {OperatorKind::kSinkV2Committer, "sink_v2_committer"},
    {OperatorKind::kEventTimeWindow, "event_time_window"},
    {OperatorKind::kSinkV2GlobalCommitter, "sink_v2_global_committer"},
}};

struct PartitioningName {
  Partitioning partitioning;
  std::string_view name;
};
constexpr std::array<PartitioningName, 5> kPartitioningNames{{
    {Partitioning::kForward, "forward"},
    {Partitioning::kRescale, "rescale"},
    {Partitioning::kHash, "hash"},
    {Partitioning::kRebalance, "rebalance"},
    {Partitioning::kBroadcast, "broadcast"},
}};

// docs/protocol.md section 8: a Sink V2 writer hands its committables to a
// committer, either the next operator of its chain or, over one forward edge,
// the only operator of the next vertex (subtask i to subtask i). Committables
// are not records: they cannot be hashed or rebalanced, so no other edge may
// leave a writer, and a committer takes nothing else as input.
std::optional<GraphError> CheckSinkV2(const std::vector<VertexInfo>& vertices, const std::vector<EdgeSpec>& edges) {
  for (int v = 0; v < static_cast<int>(vertices.size()); ++v) {
    const VertexInfo& vertex = vertices[v];
    const auto& ops = vertex.operators;
    for (size_t o = 0; o < ops.size(); ++o) {
      if (ops[o].kind == OperatorKind::kSinkV2Writer) {
        if (o + 1 < ops.size()) {
          if (ops[o + 1].kind == OperatorKind::kSinkV2Committer) continue;
          return GraphError{fmt::format("operator '{}': a sink_v2_writer is followed in its chain only by a "
                                        "sink_v2_committer (or ends the chain)", ops[o].name), v, -1};
        }
        if (vertex.output_edges.size() != 1) {
          return GraphError{fmt::format("operator '{}': a sink_v2_writer that ends its chain needs exactly one "
                                        "outgoing edge, a forward edge to its sink_v2_committer", ops[o].name), v, -1};
        }
        const int e = vertex.output_edges.front();
        const VertexInfo& to = vertices[edges[e].to];
        if (edges[e].partitioning != Partitioning::kForward) {
          return GraphError{fmt::format("edge {} -> {}: committables leave a sink_v2_writer only on a forward edge "
                                        "(writer i to committer i), not {}", vertex.name, to.name,
                                        Name(edges[e].partitioning)), -1, e};
        }
        if (to.operators.front().kind != OperatorKind::kSinkV2Committer) {
          return GraphError{fmt::format("edge {} -> {}: a sink_v2_writer's edge leads to a vertex that is only a "
                                        "sink_v2_committer", vertex.name, to.name), -1, e};
        }
      }
      if (ops[o].kind == OperatorKind::kSinkV2Committer) {
        if (o > 0) {
          if (ops[o - 1].kind == OperatorKind::kSinkV2Writer) continue;
          return GraphError{fmt::format("operator '{}': a sink_v2_committer follows a sink_v2_writer in its chain, "
                                        "or heads a vertex fed by one", ops[o].name), v, -1};
        }
        if (vertex.input_edges.size() != 1 ||
            vertices[edges[vertex.input_edges.front()].from].operators.back().kind != OperatorKind::kSinkV2Writer) {
          return GraphError{fmt::format("operator '{}': a sink_v2_committer heading its vertex needs exactly one "
                                        "input edge, from a vertex whose chain ends with a sink_v2_writer",
                                        ops[o].name), v, -1};
        }
      }
      if (ops[o].kind == OperatorKind::kSinkV2GlobalCommitter) {
        if (ops.size() != 1 || vertex.parallelism != 1) {
          return GraphError{fmt::format("operator '{}': a sink_v2_global_committer is the only operator of a vertex "
                                        "of parallelism 1", ops[o].name), v, -1};
        }
        if (vertex.input_edges.size() != 1 ||
            vertices[edges[vertex.input_edges.front()].from].operators.back().kind != OperatorKind::kSinkV2Committer) {
          return GraphError{fmt::format("operator '{}': a sink_v2_global_committer needs exactly one input edge, from "
                                        "a vertex whose chain ends with a sink_v2_committer", ops[o].name), v, -1};
        }
        const VertexInfo& from = vertices[edges[vertex.input_edges.front()].from];
        if (from.output_edges.size() != 1) {
          return GraphError{fmt::format("vertex '{}': a sink_v2_committer feeding a sink_v2_global_committer has no "
                                        "other outgoing edge", from.name), v, -1};
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsPointwise(Partitioning partitioning) {
  switch (partitioning) {
    case Partitioning::kForward:
    case Partitioning::kRescale:
      return true;
    case Partitioning::kHash:
    case Partitioning::kRebalance:
    case Partitioning::kBroadcast:
      return false;
  }
  return false;
}

bool IsSource(OperatorKind kind) {
  return kind == OperatorKind::kBoundedSource || kind == OperatorKind::kUnboundedSource;
}

bool IsSink(OperatorKind kind) {
  return kind == OperatorKind::kTwoPhaseCommitSink || kind == OperatorKind::kSinkV2Committer ||
         kind == OperatorKind::kSinkV2GlobalCommitter;
}

bool WritesToStore(OperatorKind kind) {
  return kind == OperatorKind::kTwoPhaseCommitSink || kind == OperatorKind::kSinkV2Writer;
}

std::string_view Name(OperatorKind kind) {
  for (const auto& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "?";
}

std::string_view Name(Partitioning partitioning) {
  for (const auto& entry : kPartitioningNames) {
    if (entry.partitioning == partitioning) return entry.name;
  }
  return "?";
}

std::optional<OperatorKind> ParseOperatorKind(std::string_view text) {
  for (const auto& entry : kKindNames) {
    if (entry.name == text) return entry.kind;
  }
  return std::nullopt;
}

std::optional<Partitioning> ParsePartitioning(std::string_view text) {
  for (const auto& entry : kPartitioningNames) {
    if (entry.name == text) return entry.partitioning;
  }
  return std::nullopt;
}

std::pair<int, int> JobGraph::PointwiseTargets(int producer_index, int producer_parallelism,
                                               int consumer_parallelism) {
  // Flink's pointwise wiring (EdgeManagerBuildUtil.connectPointwise). Fan-out
  // (fewer producers): producer p feeds the consumers from ceil(p*t/s) up to
  // ceil((p+1)*t/s), so the first producers get the larger blocks. Fan-in
  // (fewer consumers): consumer c reads the producers from floor(c*s/t) up to
  // floor((c+1)*s/t). Equal parallelism is one-to-one under either rule.
  const int s = producer_parallelism;
  const int t = consumer_parallelism;
  if (s <= t) {
    const int first = (producer_index * t + s - 1) / s;
    const int last = ((producer_index + 1) * t + s - 1) / s;
    return {first, last};
  }
  for (int consumer = 0; consumer < t; ++consumer) {
    const int first = consumer * s / t;
    const int last = (consumer + 1) * s / t;
    if (producer_index >= first && producer_index < last) return {consumer, consumer + 1};
  }
  return {0, 0};
}

std::optional<int> JobGraph::FindVertex(std::string_view name) const {
  for (int v = 0; v < static_cast<int>(vertices_.size()); ++v) {
    if (vertices_[v].name == name) return v;
  }
  return std::nullopt;
}

int JobGraph::task_manager_count() const {
  int count = 0;
  for (const SubtaskInfo& subtask : subtasks_) count = std::max(count, subtask.task_manager + 1);
  return count;
}

std::string JobGraph::SubtaskName(int subtask) const {
  const SubtaskInfo& info = subtasks_[subtask];
  return fmt::format("{}[{}]", vertices_[info.vertex].name, info.index);
}

std::string JobGraph::ChannelName(int channel) const {
  const ChannelInfo& info = channels_[channel];
  return fmt::format("{}->{}", SubtaskName(info.producer), SubtaskName(info.consumer));
}

std::optional<JobGraph> JobGraph::Compile(const JobGraphSpec& spec, GraphError* error) {
  auto fail = [&](GraphError e) -> std::optional<JobGraph> {
    if (error != nullptr) *error = std::move(e);
    return std::nullopt;
  };
  const int vertex_count = static_cast<int>(spec.vertices.size());
  if (vertex_count == 0) return fail({"the job graph has no vertices", -1, -1});

  JobGraph graph;
  graph.edges_ = spec.edges;
  for (int v = 0; v < vertex_count; ++v) {
    const VertexSpec& vs = spec.vertices[v];
    if (vs.parallelism < 1) {
      return fail({fmt::format("vertex '{}': parallelism must be at least 1", vs.name), v, -1});
    }
    if (vs.operators.empty()) {
      return fail({fmt::format("vertex '{}' has no operators", vs.name), v, -1});
    }
    for (int v2 = 0; v2 < v; ++v2) {
      if (spec.vertices[v2].name == vs.name) {
        return fail({fmt::format("vertex name '{}' is used twice", vs.name), v, -1});
      }
    }
    VertexInfo info;
    info.name = vs.name;
    info.uid = NameHash(vs.name);
    info.parallelism = vs.parallelism;
    info.operators = vs.operators;
    info.is_source = IsSource(vs.operators.front().kind);
    info.is_unbounded_source = vs.operators.front().kind == OperatorKind::kUnboundedSource;
    for (size_t o = 0; o < vs.operators.size(); ++o) {
      const OperatorSpec& op = vs.operators[o];
      if (IsSource(op.kind) && o != 0) {
        return fail({fmt::format("operator '{}': a source must be the head of its chain", op.name), v, -1});
      }
      if (IsSink(op.kind) && o + 1 != vs.operators.size()) {
        return fail({fmt::format("operator '{}': a sink must be the tail of its chain", op.name), v, -1});
      }
      if (op.kind == OperatorKind::kUnionState) info.has_union_state = true;
    }
    info.sends_committables = vs.operators.back().kind == OperatorKind::kSinkV2Writer;
    if (vs.operators.front().kind == OperatorKind::kBoundedSource) {
      if (static_cast<int>(vs.records_per_subtask.size()) != vs.parallelism) {
        return fail({fmt::format("vertex '{}': records must give one count per subtask ({} expected)",
                                 vs.name, vs.parallelism), v, -1});
      }
      for (int64_t count : vs.records_per_subtask) {
        if (count < 0) return fail({fmt::format("vertex '{}': record counts must not be negative", vs.name), v, -1});
      }
      info.records_per_subtask = vs.records_per_subtask;
    }
    if (!vs.task_manager_of_subtask.empty() &&
        static_cast<int>(vs.task_manager_of_subtask.size()) != vs.parallelism) {
      return fail({fmt::format("vertex '{}': task_managers must give one entry per subtask", vs.name), v, -1});
    }
    graph.vertices_.push_back(std::move(info));
  }

  using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  BoostGraph boost_graph(vertex_count);
  for (int e = 0; e < static_cast<int>(spec.edges.size()); ++e) {
    const EdgeSpec& edge = spec.edges[e];
    if (edge.from < 0 || edge.from >= vertex_count || edge.to < 0 || edge.to >= vertex_count) {
      return fail({"edge connects an unknown vertex", -1, e});
    }
    const VertexInfo& from = graph.vertices_[edge.from];
    const VertexInfo& to = graph.vertices_[edge.to];
    if (edge.from == edge.to) return fail({fmt::format("edge {} -> {} is a self loop", from.name, to.name), -1, e});
    if (to.is_source) {
      return fail({fmt::format("edge {} -> {}: a source vertex takes no input", from.name, to.name), -1, e});
    }
    // A committer's one output may lead to a global committer (Flink's
    // post-commit topology); no other sink has an output.
    const bool to_global_committer = from.operators.back().kind == OperatorKind::kSinkV2Committer &&
                                     to.operators.front().kind == OperatorKind::kSinkV2GlobalCommitter;
    if (IsSink(from.operators.back().kind) && !to_global_committer) {
      return fail({fmt::format("edge {} -> {}: a sink vertex has no output", from.name, to.name), -1, e});
    }
    if (edge.partitioning == Partitioning::kForward && from.parallelism != to.parallelism) {
      return fail({fmt::format("edge {} -> {}: forward needs equal parallelism ({} vs {})", from.name,
                               to.name, from.parallelism, to.parallelism), -1, e});
    }
    for (int e2 = 0; e2 < e; ++e2) {
      if (spec.edges[e2].from == edge.from && spec.edges[e2].to == edge.to) {
        return fail({fmt::format("edge {} -> {} is given twice", from.name, to.name), -1, e});
      }
    }
    boost::add_edge(edge.from, edge.to, boost_graph);
    graph.vertices_[edge.from].output_edges.push_back(e);
    graph.vertices_[edge.to].input_edges.push_back(e);
  }
  std::vector<BoostGraph::vertex_descriptor> reverse_order;
  try {
    boost::topological_sort(boost_graph, std::back_inserter(reverse_order));
  } catch (const boost::not_a_dag&) {
    // Name one edge on a cycle: an edge whose target can reach its source.
    for (int e = 0; e < static_cast<int>(spec.edges.size()); ++e) {
      std::vector<bool> seen(vertex_count, false);
      std::vector<int> stack{spec.edges[e].to};
      while (!stack.empty()) {
        int v = stack.back();
        stack.pop_back();
        if (seen[v]) continue;
        seen[v] = true;
        for (int out : graph.vertices_[v].output_edges) stack.push_back(spec.edges[out].to);
      }
      if (seen[spec.edges[e].from]) {
        return fail({fmt::format("edge {} -> {} closes a cycle", graph.vertices_[spec.edges[e].from].name,
                                 graph.vertices_[spec.edges[e].to].name), -1, e});
      }
    }
    return fail({"the job graph has a cycle", -1, -1});
  }
  for (auto it = reverse_order.rbegin(); it != reverse_order.rend(); ++it) {
    graph.topological_order_.push_back(static_cast<int>(*it));
  }
  for (int v = 0; v < vertex_count; ++v) {
    const VertexInfo& info = graph.vertices_[v];
    if (!info.is_source && info.input_edges.empty()) {
      return fail({fmt::format("vertex '{}' has no input and is not a source", info.name), v, -1});
    }
  }
  if (auto sink_error = CheckSinkV2(graph.vertices_, graph.edges_)) return fail(std::move(*sink_error));
  for (VertexInfo& info : graph.vertices_) {
    if (info.operators.back().kind != OperatorKind::kSinkV2Committer || info.output_edges.empty()) continue;
    info.forwards_committables = true;  // CheckSinkV2: its one edge leads to a global committer
    info.sends_committables = true;
  }

  // Subtasks, in vertex order.
  int task_manager_base = 0;
  for (int v = 0; v < vertex_count; ++v) {
    VertexInfo& info = graph.vertices_[v];
    info.first_subtask = static_cast<int>(graph.subtasks_.size());
    const auto& layout = spec.vertices[v].task_manager_of_subtask;
    for (int i = 0; i < info.parallelism; ++i) {
      SubtaskInfo subtask;
      subtask.vertex = v;
      subtask.index = i;
      subtask.task_manager = layout.empty() ? task_manager_base : layout[i];
      graph.subtasks_.push_back(std::move(subtask));
    }
    if (layout.empty()) ++task_manager_base;
  }

  // Channels: edge-major, then producer subtask, then consumer subtask.
  for (int e = 0; e < static_cast<int>(spec.edges.size()); ++e) {
    const EdgeSpec& edge = spec.edges[e];
    const VertexInfo& from = graph.vertices_[edge.from];
    const VertexInfo& to = graph.vertices_[edge.to];
    const auto& gates = to.input_edges;
    int gate = static_cast<int>(std::find(gates.begin(), gates.end(), e) - gates.begin());
    for (int i = 0; i < from.parallelism; ++i) {
      int first = 0;
      int last = to.parallelism;
      if (IsPointwise(edge.partitioning)) {
        std::tie(first, last) = PointwiseTargets(i, from.parallelism, to.parallelism);
      }
      for (int j = first; j < last; ++j) {
        graph.channels_.push_back(ChannelInfo{e, from.first_subtask + i, to.first_subtask + j, gate});
      }
    }
  }
  for (int c = 0; c < graph.channel_count(); ++c) {
    const ChannelInfo& channel = graph.channels_[c];
    graph.subtasks_[channel.producer].output_channels.push_back(c);
  }
  for (SubtaskInfo& subtask : graph.subtasks_) {
    const VertexInfo& info = graph.vertices_[subtask.vertex];
    int position = 0;
    for (int e : info.output_edges) {
      int first = position;
      while (position < static_cast<int>(subtask.output_channels.size()) &&
             graph.channels_[subtask.output_channels[position]].edge == e) {
        ++position;
      }
      subtask.output_ranges.emplace_back(first, position);
    }
  }
  // Inputs gate-major: gates follow input_edges order.
  for (int v = 0; v < vertex_count; ++v) {
    for (int e : graph.vertices_[v].input_edges) {
      for (int c = 0; c < graph.channel_count(); ++c) {
        const ChannelInfo& channel = graph.channels_[c];
        if (channel.edge != e) continue;
        SubtaskInfo& consumer = graph.subtasks_[channel.consumer];
        consumer.input_channels.push_back(c);
        consumer.producers.push_back(channel.producer);
      }
    }
  }
  // Failover regions: with every edge pipelined (streaming), a pipelined
  // region is a connected component of the subtask graph.
  using UndirectedGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  UndirectedGraph subtask_graph(graph.subtasks_.size());
  for (const ChannelInfo& channel : graph.channels_) boost::add_edge(channel.producer, channel.consumer, subtask_graph);
  std::vector<int> component(graph.subtasks_.size());
  graph.region_count_ = static_cast<int>(boost::connected_components(subtask_graph, component.data()));
  for (size_t s = 0; s < graph.subtasks_.size(); ++s) graph.subtasks_[s].region = component[s];
  for (SubtaskInfo& subtask : graph.subtasks_) {
    std::sort(subtask.producers.begin(), subtask.producers.end());
    subtask.producers.erase(std::unique(subtask.producers.begin(), subtask.producers.end()),
                            subtask.producers.end());
  }
  return graph;
}

}  // namespace ckptsim::model
