// What the properties remember of a run beyond the current state. Every
// safety property is a function of the state after a step, the events of the
// step and this History (which it updates); nothing else. So both drivers
// evaluate the same code: the simulator keeps one History along its run, the
// exhaustive checker keeps one per explored state, copied with it and
// fingerprinted with it (its fields are listed like the model's, fields.h).
//
// Only what no state field already tells is kept here, and only small
// per-channel and per-operator facts: the history of one attempt.
#ifndef CKPTSIM_PROPERTIES_HISTORY_H_
#define CKPTSIM_PROPERTIES_HISTORY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "model/fields.h"
#include "model/state.h"

namespace ckptsim::properties {

struct CarryOver;  // carry_over.h

// P5: what the producer of a channel sent so far in this attempt.
struct ChannelTrack {
  bool end_of_data = false;
  bool drained = false;  // that EndOfData was DRAIN
  bool end_of_partition = false;
  CKPTSIM_FIELDS(ChannelTrack, end_of_data, drained, end_of_partition)
};

// P6: the lifecycle calls one operator received in this attempt.
struct OperatorTrack {
  bool initialized = false;
  bool opened = false;
  bool input_ended = false;
  bool finished = false;
  uint8_t closes = 0;  // saturates at 2
  CKPTSIM_FIELDS(OperatorTrack, initialized, opened, input_ended, finished, closes)
};

// Each property keeps (and resets, at a new attempt) only its own members.
struct SubtaskTrack {
  std::vector<OperatorTrack> ops;          // P6, by operator
  std::vector<int64_t> performed;          // P6: checkpoints this attempt performed, ascending
  std::vector<uint8_t> max_watermarks;     // L3, by operator: MAX_WATERMARKs processed (saturates at 2)
  bool tail_finished = false;              // P5: the chain's last operator ran finish()
  bool restored_without_state = false;     // P7: restored as a finished subtask, counting afresh
  int64_t stop_savepoint = 0;              // P8: the stop's savepoint this attempt took (0: none)
  CKPTSIM_FIELDS(SubtaskTrack, ops, performed, max_watermarks, tail_finished, restored_without_state,
                 stop_savepoint)
};

struct History {
  std::vector<ChannelTrack> channels;
  std::vector<SubtaskTrack> subtasks;
  // P7, by source subtask: the highest offset any completed checkpoint's cut
  // had (what is before some cut may be in the store).
  std::vector<int64_t> max_cut_offset;
  // Derived from System::graph_change (so a ghost): what the job's new
  // version inherits of the old one's records, computed once per change.
  std::shared_ptr<const CarryOver> carry;
  CKPTSIM_FIELDS(History, channels, subtasks, max_cut_offset)
  CKPTSIM_GHOST_FIELDS(History, carry)
};

// The history of a run that starts in `initial` (a fresh deployment, or the
// first state of a job's new version after a resume into it).
History InitialHistory(const model::System& initial);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_HISTORY_H_
