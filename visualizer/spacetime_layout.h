// Internal to the space-time view: which node each event goes into and which
// row each node sits in. Rows run down the page; a row holds at most one node
// per lane, and every arrow goes from an earlier row to a later one (store
// writes, which are instantaneous, stay within their row).
#ifndef CKPTSIM_VISUALIZER_SPACETIME_LAYOUT_H_
#define CKPTSIM_VISUALIZER_SPACETIME_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

struct SpacetimeNode {
  int lane = 0;
  int row = 0;
  std::vector<size_t> events;                  // indices into EventIndex::events
  bool folded = false;                         // a run of record sends and receives
  const ViolationReport* violation = nullptr;  // a violation marker instead of events
};

struct SpacetimeRow {
  int64_t first_step = 0;
  int64_t last_step = 0;
  int64_t first_tick = 0;
  int64_t last_tick = 0;
  bool violation = false;
};

struct StoreWrite {
  int from_node = 0;  // the writing subtask's node
  size_t event = 0;   // the transaction event on the store lane
};

struct SpacetimeLayout {
  std::vector<SpacetimeNode> nodes;  // per lane, in row order
  std::vector<SpacetimeRow> rows;
  std::vector<int> node_of_event;  // -1: outside the window
  std::vector<StoreWrite> store_writes;

  // Nodes of the picture: lane headers, the time column's header and row labels, and the event nodes.
  size_t DotNodeCount(size_t lanes) const { return lanes + 1 + rows.size() + nodes.size(); }
};

SpacetimeLayout LayOutSpacetime(const EventIndex& index, const Highlights& highlights, int64_t from_step,
                                int64_t to_step, bool fold_records);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_SPACETIME_LAYOUT_H_
