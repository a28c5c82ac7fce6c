#include "visualizer/spacetime_layout.h"

#include <algorithm>
#include <map>

namespace ckptsim::visualizer {
namespace {

class Builder {
 public:
  Builder(const EventIndex& index, bool fold_records)
      : index_(index), fold_records_(fold_records), lane_node_(index.lanes.size(), -1) {
    layout_.node_of_event.assign(index.events.size(), -1);
  }

  // Places the events [first, last) of one step.
  void PlaceStep(size_t first, size_t last) {
    std::map<int, std::vector<size_t>> cells;  // lane -> its events, lanes in order
    for (size_t e = first; e < last; ++e) cells[index_.events[e].lane].push_back(e);
    struct Placement {
      int lane;
      const std::vector<size_t>* events;
      bool plain;
      bool continues;  // appended to the lane's open fold
    };
    std::vector<Placement> placements;
    const int current = static_cast<int>(layout_.rows.size()) - 1;
    bool new_row = current < 0;
    for (const auto& [lane, events] : cells) {
      const bool plain = fold_records_ && std::all_of(events.begin(), events.end(),
                                                      [&](size_t e) { return index_.events[e].plain_record; });
      const int open = lane_node_[static_cast<size_t>(lane)];
      const bool continues = plain && open >= 0 && layout_.nodes[static_cast<size_t>(open)].folded &&
                             SourcesAbove(events, layout_.nodes[static_cast<size_t>(open)].row);
      if (!continues) {
        if (open >= 0 && layout_.nodes[static_cast<size_t>(open)].row == current) new_row = true;
        if (!SourcesAbove(events, current)) new_row = true;
      }
      placements.push_back({lane, &events, plain, continues});
    }
    if (new_row)
      layout_.rows.push_back(
          SpacetimeRow{.first_step = index_.events[first].step, .first_tick = index_.events[first].tick});
    const int row = static_cast<int>(layout_.rows.size()) - 1;
    for (const Placement& p : placements) {
      int node = lane_node_[static_cast<size_t>(p.lane)];
      if (!p.continues) node = AddNode(p.lane, row, p.plain);
      for (const size_t e : *p.events) {
        layout_.nodes[static_cast<size_t>(node)].events.push_back(e);
        layout_.node_of_event[e] = node;
      }
    }
    for (size_t e = first; e < last; ++e) {
      const int origin = index_.events[e].origin_lane;
      if (origin < 0) continue;
      const int from = lane_node_[static_cast<size_t>(origin)];
      if (from >= 0 && layout_.nodes[static_cast<size_t>(from)].row == row) layout_.store_writes.push_back({from, e});
    }
    SpacetimeRow& r = layout_.rows.back();
    r.last_step = index_.events[last - 1].step;
    r.last_tick = index_.events[last - 1].tick;
  }

  // A row of its own for a violation, on the coordinator's lane.
  void PlaceViolation(const ViolationReport& violation, int64_t tick) {
    layout_.rows.push_back(SpacetimeRow{.first_step = violation.step,
                                        .last_step = violation.step,
                                        .first_tick = tick,
                                        .last_tick = tick,
                                        .violation = true});
    const int node = AddNode(index_.coordinator_lane(), static_cast<int>(layout_.rows.size()) - 1, false);
    layout_.nodes[static_cast<size_t>(node)].violation = &violation;
  }

  SpacetimeLayout Take() { return std::move(layout_); }

 private:
  int AddNode(int lane, int row, bool folded) {
    layout_.nodes.push_back(SpacetimeNode{.lane = lane, .row = row, .folded = folded});
    lane_node_[static_cast<size_t>(lane)] = static_cast<int>(layout_.nodes.size()) - 1;
    return lane_node_[static_cast<size_t>(lane)];
  }

  // True if every arrow ending in `events` starts in a row above `row` (or
  // outside the window), so it can point down into a node on `row`.
  bool SourcesAbove(const std::vector<size_t>& events, int row) const {
    for (const size_t e : events) {
      const size_t link = index_.events[e].link;
      if (link == kNoEvent || index_.links[link].to != e) continue;
      const size_t from = index_.links[link].from;
      const int source = from == kNoEvent ? -1 : layout_.node_of_event[from];
      if (source >= 0 && layout_.nodes[static_cast<size_t>(source)].row >= row) return false;
    }
    return true;
  }

  const EventIndex& index_;
  const bool fold_records_;
  SpacetimeLayout layout_;
  std::vector<int> lane_node_;  // the last node of each lane
};

}  // namespace

SpacetimeLayout LayOutSpacetime(const EventIndex& index, const Highlights& highlights, int64_t from_step,
                                int64_t to_step, bool fold_records) {
  std::vector<const ViolationReport*> violations;
  for (const ViolationReport& v : highlights.violations) {
    if (v.step >= from_step && v.step <= to_step) violations.push_back(&v);
  }
  std::stable_sort(violations.begin(), violations.end(), [](auto* a, auto* b) { return a->step < b->step; });
  Builder builder(index, fold_records);
  const auto& events = index.events;
  auto it = std::lower_bound(events.begin(), events.end(), from_step,
                             [](const IndexedEvent& e, int64_t step) { return e.step < step; });
  size_t next_violation = 0;
  int64_t tick = it != events.end() ? it->tick : index.ticks;
  for (size_t first = static_cast<size_t>(it - events.begin()); first < events.size();) {
    const int64_t step = events[first].step;
    if (step > to_step) break;
    size_t last = first;
    while (last < events.size() && events[last].step == step) ++last;
    // Violations of earlier steps that had no events of their own.
    while (next_violation < violations.size() && violations[next_violation]->step < step) {
      builder.PlaceViolation(*violations[next_violation++], tick);
    }
    builder.PlaceStep(first, last);
    tick = events[last - 1].tick;
    while (next_violation < violations.size() && violations[next_violation]->step == step) {
      builder.PlaceViolation(*violations[next_violation++], tick);
    }
    first = last;
  }
  while (next_violation < violations.size()) builder.PlaceViolation(*violations[next_violation++], tick);
  return builder.Take();
}

}  // namespace ckptsim::visualizer
