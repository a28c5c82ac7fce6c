// The checkpoints view: one row per checkpoint (and per run of refused
// triggers), in trigger order: the trigger with its plan (which subtasks it
// triggers, waits for, counts as finished), the acknowledgements per task and
// subtask, the completion or the abort with its reason, the notifications
// delivered or lost, and what the completion committed or released. Plans
// come from replaying the decision log; everything else from the events.
#ifndef CKPTSIM_VISUALIZER_CHECKPOINTS_VIEW_H_
#define CKPTSIM_VISUALIZER_CHECKPOINTS_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/highlights.h"

namespace ckptsim::visualizer {

struct CheckpointsOptions {
  int64_t from_step = -1;  // checkpoints triggered at or after this step (-1: from the start)
  int64_t to_step = -1;    // ... and at or before this one (-1: to the end)
  size_t max_nodes = 300;  // later checkpoints are left out past this budget (0: none)
};

struct CheckpointsView {
  std::string dot;
  size_t nodes = 0;
  std::string note;  // non-empty when checkpoints were left out
};

// Returns false with *error if the decision log does not replay.
bool CheckpointsDot(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                    const CheckpointsOptions& options, CheckpointsView* view, std::string* error);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_CHECKPOINTS_VIEW_H_
