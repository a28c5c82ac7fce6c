// One entry point for the three pictures, shared by `ckptsim render` and the
// HTML report: a view of a trace as DOT text.
#ifndef CKPTSIM_VISUALIZER_RENDER_H_
#define CKPTSIM_VISUALIZER_RENDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

enum class View : uint8_t { kJobGraph, kSpacetime, kCheckpoints };
std::optional<View> ParseView(std::string_view text);
std::string_view Name(View view);

struct RenderOptions {
  View view = View::kJobGraph;
  int64_t step = -1;       // jobgraph: the state after this many decisions (-1: the end)
  int64_t from_step = -1;  // spacetime, checkpoints: the window (-1: chosen / open)
  int64_t to_step = -1;
  size_t max_nodes = 300;  // node budget of spacetime and checkpoints (0: none)
};

struct Rendered {
  std::string dot;
  std::string note;  // what the budget left out, for the user
  size_t nodes = 0;
};

// Returns false with a one-line *error (a step past the end, a decision log
// that no longer replays).
bool RenderView(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                const RenderOptions& options, Rendered* rendered, std::string* error);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_RENDER_H_
