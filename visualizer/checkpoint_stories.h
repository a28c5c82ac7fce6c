// Internal to the checkpoints view and the Perfetto export: each
// checkpoint's story gathered from a trace (trigger, plan, acknowledgements,
// outcome, notifications, commits), and the triggers the plan refused.
#ifndef CKPTSIM_VISUALIZER_CHECKPOINT_STORIES_H_
#define CKPTSIM_VISUALIZER_CHECKPOINT_STORIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/state.h"
#include "simulator/trace.h"
#include "visualizer/event_index.h"

namespace ckptsim::visualizer {

struct StoryMoment {
  int64_t step = -1;  // -1: did not happen
  int64_t tick = 0;
  bool happened() const { return step >= 0; }
};

enum class CheckpointOutcome : uint8_t { kPending, kCompleted, kAborted };

struct SubtaskNote {
  std::string subtask;  // "A[0]"
  StoryMoment when;
  std::string what;  // the RPC, the reason, the transaction
};

struct CheckpointStory {
  int64_t id = 0;
  // The graph at the trigger, which names the plan and indexes `acks` (a
  // trace that resumes into a changed job has two; graph_versions.h).
  const model::JobGraph* graph = nullptr;
  bool savepoint = false;
  StoryMoment triggered;
  int64_t wait_for = 0;
  std::optional<model::CheckpointPlan> plan;     // from the replay
  std::vector<std::optional<StoryMoment>> acks;  // by subtask index of `graph`
  std::vector<SubtaskNote> declines;             // canceled or declined locally, with the reason
  CheckpointOutcome outcome = CheckpointOutcome::kPending;
  StoryMoment ended;
  std::string abort_reason;
  std::vector<SubtaskNote> notified;  // notify-complete or notify-abort; what = "", "LOST" or "ignored"
  std::vector<SubtaskNote> commits;   // what = "txn 4"
  std::vector<SubtaskNote> released;  // final-checkpoint-done
};

struct RefusedTrigger {
  StoryMoment when;
  std::string reason;
};

// Checkpoints and refused triggers, interleaved in trigger order.
struct CheckpointHistory {
  struct Entry {
    bool refused = false;
    size_t index = 0;  // into checkpoints or refused
  };
  std::vector<CheckpointStory> checkpoints;
  std::vector<RefusedTrigger> refused;
  std::vector<Entry> order;
};

// Returns false with *error if the decision log does not replay.
bool CollectCheckpoints(const simulator::Trace& trace, const EventIndex& index, CheckpointHistory* history,
                        std::string* error);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_CHECKPOINT_STORIES_H_
