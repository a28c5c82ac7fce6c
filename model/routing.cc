#include "model/routing.h"

#include "model/check.h"

namespace ckptsim::model {

uint64_t Mix(uint64_t a, uint64_t b) {
  // splitmix64's finalizer over a combination of both words.
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int KeyOf(const RecordId& record) {
  const uint64_t h = Mix(Mix(record.source_vertex, record.source_subtask), record.sequence);
  return static_cast<int>(h % kKeyCount);
}

RecordId SourceRecord(const JobGraph& graph, int32_t subtask, uint32_t sequence) {
  const SubtaskInfo& info = graph.subtasks()[subtask];
  return RecordId{.lineage = Mix(0, graph.vertices()[info.vertex].uid),
                  .sequence = sequence,
                  .source_vertex = static_cast<uint16_t>(info.vertex),
                  .source_subtask = static_cast<uint16_t>(info.index)};
}

RecordId EnterVertex(const JobGraph& graph, int32_t consumer, RecordId record) {
  record.lineage = Mix(record.lineage, graph.vertices()[graph.subtasks()[consumer].vertex].uid);
  return record;
}

int32_t CommittableChannel(const JobGraph& graph, int32_t subtask) {
  const SubtaskInfo& info = graph.subtasks()[subtask];
  const VertexInfo& vertex = graph.vertices()[info.vertex];
  CKPTSIM_CHECK(vertex.output_edges.size() == 1 && info.output_channels.size() == 1 &&
                graph.edges()[vertex.output_edges.front()].partitioning == Partitioning::kForward);
  return info.output_channels.front();
}

void RouteRecord(const JobGraph& graph, int32_t subtask, const RecordId& record,
                 std::vector<std::pair<int32_t, RecordId>>& out) {
  out.clear();
  const SubtaskInfo& info = graph.subtasks()[subtask];
  const VertexInfo& vertex = graph.vertices()[info.vertex];
  for (size_t k = 0; k < vertex.output_edges.size(); ++k) {
    const EdgeSpec& edge = graph.edges()[vertex.output_edges[k]];
    auto [first, last] = info.output_ranges[k];
    const uint32_t n = static_cast<uint32_t>(last - first);
    if (n == 0) continue;
    switch (edge.partitioning) {
      case Partitioning::kForward:
        out.emplace_back(info.output_channels[first], record);
        break;
      case Partitioning::kRescale:
        out.emplace_back(info.output_channels[first + static_cast<int>(record.sequence % n)], record);
        break;
      case Partitioning::kHash:
        out.emplace_back(info.output_channels[first + static_cast<int>(static_cast<uint32_t>(KeyOf(record)) % n)],
                         record);
        break;
      case Partitioning::kRebalance:
        out.emplace_back(
            info.output_channels[first + static_cast<int>((record.sequence + static_cast<uint32_t>(info.index)) % n)],
            record);
        break;
      case Partitioning::kBroadcast:
        for (uint32_t i = 0; i < n; ++i) {
          RecordId copy = record;
          copy.lineage = Mix(record.lineage, 0x100u + i);
          out.emplace_back(info.output_channels[first + static_cast<int>(i)], copy);
        }
        break;
    }
  }
}

}  // namespace ckptsim::model
