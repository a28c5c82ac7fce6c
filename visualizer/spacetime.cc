#include "visualizer/spacetime.h"

#include <algorithm>

#include <fmt/format.h>

#include "visualizer/spacetime_dot.h"
#include "visualizer/spacetime_layout.h"
#include "visualizer/style.h"
#include "visualizer/timeline.h"

namespace ckptsim::visualizer {
namespace {

std::string Title(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                  const SpacetimeView& view, bool folded) {
  std::string title = RunTitle(trace, index) + "\n";
  title += fmt::format("space-time view, steps {}-{} of 0-{}{}\n", view.from_step, view.to_step,
                       std::max<int64_t>(index.steps - 1, 0), folded ? "; runs of records folded" : "");
  for (const ViolationReport& v : highlights.violations) {
    title += fmt::format("{} {} VIOLATED at step {}: {}\n", v.code, v.name, v.step, Shorten(v.summary, 100));
  }
  if (highlights.any()) title += "red border: an event the violation report names\n";
  if (index.versions.changed()) {
    title += fmt::format("step {}: {} ({}); lanes are subtasks by name across both versions\n",
                         index.versions.changed_at, index.versions.MarkerText(), index.versions.summary);
  }
  return title + kArrowLegend;
}

struct Window {
  int64_t from = 0;
  int64_t to = 0;
  std::string note;  // why it is narrower than asked, if it is
};

// The steps to draw. Asked for none: end at the first violation and start as
// early as the budget allows (or start at 0 when every property held). Any
// window is then cut to the budget.
Window ChooseWindow(const EventIndex& index, const Highlights& highlights, const SpacetimeOptions& options) {
  const auto fits = [&](int64_t from, int64_t to) {
    return options.max_nodes == 0 ||
           LayOutSpacetime(index, highlights, from, to, options.fold_records).DotNodeCount(index.lanes.size()) <=
               options.max_nodes;
  };
  const int64_t last_step = std::max<int64_t>(index.steps, 0);
  Window window;
  window.from = std::clamp<int64_t>(options.from_step < 0 ? 0 : options.from_step, 0, last_step);
  window.to = std::clamp<int64_t>(options.to_step < 0 ? last_step : options.to_step, window.from, last_step);
  if (options.from_step < 0 && options.to_step < 0 && highlights.any()) {
    const auto first = std::min_element(highlights.violations.begin(), highlights.violations.end(),
                                        [](const auto& a, const auto& b) { return a.step < b.step; });
    window.to = std::min<int64_t>(last_step, first->step);
    int64_t low = 0;  // the earliest start that fits, by bisection
    int64_t high = window.to;
    while (low < high) {
      const int64_t mid = low + (high - low) / 2;
      if (fits(mid, window.to)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    window.from = low;
    if (low > 0) {
      window.note =
          fmt::format("window starts at step {} to fit {} nodes; use --from/--to for another", low, options.max_nodes);
    }
    return window;
  }
  if (fits(window.from, window.to)) return window;
  int64_t low = window.from;  // the latest end that fits, by bisection
  int64_t high = window.to;
  while (low < high) {
    const int64_t mid = low + (high - low + 1) / 2;
    if (fits(window.from, mid)) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  window.note = fmt::format("window cut at step {} to fit {} nodes (--max-nodes); continue with --from {}", low,
                            options.max_nodes, low + 1);
  window.to = low;
  return window;
}

}  // namespace

SpacetimeView SpacetimeDot(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                           const SpacetimeOptions& options) {
  const Window window = ChooseWindow(index, highlights, options);
  SpacetimeView view{.from_step = window.from, .to_step = window.to, .note = window.note};
  const SpacetimeLayout layout = LayOutSpacetime(index, highlights, window.from, window.to, options.fold_records);
  view.nodes = layout.DotNodeCount(index.lanes.size());
  view.dot = SpacetimeLayoutDot(index, highlights, layout, Title(trace, index, highlights, view, options.fold_records));
  return view;
}

}  // namespace ckptsim::visualizer
