#include "visualizer/render.h"

#include <fmt/format.h>

#include "visualizer/checkpoints_view.h"
#include "visualizer/jobgraph.h"
#include "visualizer/replay.h"
#include "visualizer/spacetime.h"

namespace ckptsim::visualizer {

std::optional<View> ParseView(std::string_view text) {
  for (const View view : {View::kJobGraph, View::kSpacetime, View::kCheckpoints}) {
    if (Name(view) == text) return view;
  }
  return std::nullopt;
}

std::string_view Name(View view) {
  switch (view) {
    case View::kJobGraph: return "jobgraph";
    case View::kSpacetime: return "spacetime";
    case View::kCheckpoints: return "checkpoints";
  }
  return "?";
}

bool RenderView(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                const RenderOptions& options, Rendered* rendered, std::string* error) {
  switch (options.view) {
    case View::kJobGraph: {
      const int64_t decisions = static_cast<int64_t>(trace.decisions.size());
      const int64_t step = options.step < 0 ? decisions : options.step;
      if (step > decisions) {
        *error =
            fmt::format("--step {} is past the end of the run ({} decisions; use 0..{})", step, decisions, decisions);
        return false;
      }
      std::vector<model::System> states;
      if (!StatesAfter(trace, {step}, &states, error)) return false;
      rendered->dot = JobGraphDot(trace, index, states.front(), step);
      rendered->nodes = 0;
      return true;
    }
    case View::kSpacetime: {
      SpacetimeView view =
          SpacetimeDot(trace, index, highlights,
                       {.from_step = options.from_step, .to_step = options.to_step, .max_nodes = options.max_nodes});
      rendered->dot = std::move(view.dot);
      rendered->note = std::move(view.note);
      rendered->nodes = view.nodes;
      return true;
    }
    case View::kCheckpoints: {
      CheckpointsView view;
      if (!CheckpointsDot(trace, index, highlights,
                          {.from_step = options.from_step, .to_step = options.to_step, .max_nodes = options.max_nodes},
                          &view, error)) {
        return false;
      }
      rendered->dot = std::move(view.dot);
      rendered->note = std::move(view.note);
      rendered->nodes = view.nodes;
      return true;
    }
  }
  return false;
}

}  // namespace ckptsim::visualizer
