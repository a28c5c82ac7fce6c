// Internal to the space-time view: a laid-out window of a trace
// (spacetime_layout.h) written as DOT, with the node styles, arrow styles and
// the grid that keeps lanes in columns.
#ifndef CKPTSIM_VISUALIZER_SPACETIME_DOT_H_
#define CKPTSIM_VISUALIZER_SPACETIME_DOT_H_

#include <string>

#include "visualizer/event_index.h"
#include "visualizer/highlights.h"
#include "visualizer/spacetime_layout.h"

namespace ckptsim::visualizer {

std::string SpacetimeLayoutDot(const EventIndex& index, const Highlights& highlights, const SpacetimeLayout& layout,
                               const std::string& title);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_SPACETIME_DOT_H_
