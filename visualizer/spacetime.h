// The space-time (swimlane) view: one lane per subtask plus the coordinator
// and the external store, time running down, messages as arrows between the
// lanes (records, barriers, EndOfData, EndOfPartition, EndOfData
// acknowledgements, RPCs, store writes), failures and restores marked, and
// the events a violation report names highlighted in red.
//
// A node is what one lane did at one step; rows share nodes of different
// lanes as long as no arrow would have to run sideways or up. Runs of plain
// record sends and receives on a lane fold into one node, and the window of
// steps is chosen to fit a node budget (ending at the first violation, or
// starting at step 0 when every property held), so a long trace stays a
// readable picture that `dot` lays out quickly.
#ifndef CKPTSIM_VISUALIZER_SPACETIME_H_
#define CKPTSIM_VISUALIZER_SPACETIME_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

struct SpacetimeOptions {
  int64_t from_step = -1;    // first step drawn; -1: chosen to fit max_nodes
  int64_t to_step = -1;      // last step drawn; -1: chosen to fit max_nodes
  bool fold_records = true;  // one node per run of record sends/receives on a lane
  size_t max_nodes = 300;    // node budget (0: none); explicit windows are cut to it too
};

struct SpacetimeView {
  std::string dot;
  int64_t from_step = 0;  // the window drawn
  int64_t to_step = 0;
  size_t nodes = 0;
  std::string note;  // non-empty when the window was narrowed to fit the budget
};

SpacetimeView SpacetimeDot(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                           const SpacetimeOptions& options);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_SPACETIME_H_
