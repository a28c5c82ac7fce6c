// A trace as Chrome/Perfetto trace-event JSON (the "JSON trace format" that
// ui.perfetto.dev and chrome://tracing open).
//
// One process; one thread (track) per lane: the coordinator, each subtask,
// the external store. Spans (B/E, properly nested per track): a subtask's
// lifecycle phases and its part in each checkpoint (from the trigger or the
// first barrier to the snapshot); the coordinator's checkpoints from trigger
// to completion or abort. Every trace event is a 1 us slice; channel
// messages, EndOfData acknowledgements and RPCs are flow arrows between them.
//
// Time is virtual: ticks scaled to microseconds (1 tick = 1 ms unless a tick
// holds 500 events or more), the events of one tick 2 us apart in trace order.
// Never the wall clock.
#ifndef CKPTSIM_VISUALIZER_PERFETTO_H_
#define CKPTSIM_VISUALIZER_PERFETTO_H_

#include <nlohmann/json.hpp>

#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

nlohmann::ordered_json PerfettoJson(const simulator::Trace& trace, const EventIndex& index,
                                    const Highlights& highlights);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_PERFETTO_H_
