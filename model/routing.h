// Where a record goes: the partitioning functions of the job graph's edges,
// as pure functions of the record's identity. The model routes with them and
// the no-data-loss property uses them as its oracle, so both agree by
// construction on which sink should receive which record.
#ifndef CKPTSIM_MODEL_ROUTING_H_
#define CKPTSIM_MODEL_ROUTING_H_

#include <utility>
#include <vector>

#include "model/job_graph.h"
#include "model/messages.h"

namespace ckptsim::model {

// The (channel, record copy) pairs a record leaving `subtask`'s chain is
// sent on. Broadcast copies get distinct lineages.
void RouteRecord(const JobGraph& graph, int32_t subtask, const RecordId& record,
                 std::vector<std::pair<int32_t, RecordId>>& out);
// The channel a Sink V2 writer that ends its chain sends its committables on:
// the single forward edge to its committer, writer i to committer i
// (JobGraph::Compile allows no other edge out of a writer).
int32_t CommittableChannel(const JobGraph& graph, int32_t subtask);
// The record as the consumer's chain sees it (its lineage now names the vertex).
RecordId EnterVertex(const JobGraph& graph, int32_t consumer, RecordId record);
// The record a source subtask emits with this sequence number.
RecordId SourceRecord(const JobGraph& graph, int32_t subtask, uint32_t sequence);
uint64_t Mix(uint64_t a, uint64_t b);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_ROUTING_H_
