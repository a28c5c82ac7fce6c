// The job-graph view at one step: tasks as clusters, their subtasks as
// clusters inside, each subtask's chained operators as nodes, and one arrow
// per channel labelled with its partitioning and what is queued on it. Each
// subtask is coloured by its lifecycle phase and lists its final-checkpoint
// bookkeeping; tasks fully or partly finished in the latest completed
// checkpoint are marked, as are their operators.
#ifndef CKPTSIM_VISUALIZER_JOBGRAPH_H_
#define CKPTSIM_VISUALIZER_JOBGRAPH_H_

#include <cstdint>
#include <string>

#include "model/state.h"
#include "simulator/trace.h"
#include "visualizer/event_index.h"

namespace ckptsim::visualizer {

// `system` is the state after `step` decisions of the traced run.
std::string JobGraphDot(const simulator::Trace& trace, const EventIndex& index, const model::System& system,
                        int64_t step);

// What a channel holds, head first, runs of records counted: "3 rec, B4, EoD".
std::string QueueText(const model::Channel& channel);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_JOBGRAPH_H_
