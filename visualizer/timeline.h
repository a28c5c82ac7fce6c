// The text timeline: one line per trace event, for terminals and golden
// files. Deterministic: a pure function of the trace. The format and its
// legend are documented in visualizer/README.md.
#ifndef CKPTSIM_VISUALIZER_TIMELINE_H_
#define CKPTSIM_VISUALIZER_TIMELINE_H_

#include <cstdint>
#include <string>

#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

struct TimelineOptions {
  int64_t from_step = 0;      // first step shown
  int64_t to_step = -1;       // last step shown; -1: the end of the run
  bool fold_records = false;  // one line per run of consecutive record sends and receives
};

std::string Timeline(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                     const TimelineOptions& options);

// "fig6, variant flip147, seed 1: 2016 steps, 434 ticks, job FINISHED"
std::string RunTitle(const simulator::Trace& trace, const EventIndex& index);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_TIMELINE_H_
