// "Sometimes" facts: corners of the protocol a run reached (like Antithesis'
// sometimes assertions), counted per run so a sweep can show its runs
// covered them, and per search so the exhaustive checker can show which
// corners its state space holds. Each is a function of one event and the
// state after its step, shared by both drivers.
#ifndef CKPTSIM_PROPERTIES_SOMETIMES_H_
#define CKPTSIM_PROPERTIES_SOMETIMES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/event.h"
#include "model/state.h"

namespace ckptsim::properties {

enum class Sometimes : uint8_t {
  kCheckpointWithFinishedSubtasks,  // a checkpoint completed while some subtasks were finished
  kTriggerRaceAbort,                // a checkpoint aborted because a triggered subtask was finishing
  kFinalCheckpointReleased,         // a subtask was released by its final checkpoint
  kUnionStateAbort,                 // the union-state rule aborted a checkpoint
  kFinishedOnRestore,               // a subtask was deployed finished on restore
  kRestoreWithPartlyFinished,       // a restore from a checkpoint with a partly finished vertex
  kChannelStateRestored,            // unaligned channel state was put back on a channel
  kSavepointFailedAndRetried,       // a stop-with-savepoint failed a subtask and was retried
  kSavepointResumed,                // a job was resumed from a no-drain savepoint
  kRpcOvertaken,                    // an RPC overtook a delayed one of its path
  kJobFailed,                       // the restart strategy gave up
  kResumedIntoNewVersion,           // a savepoint was restored into the job's changed version
  kResumeRefused,                   // the topology check refused the job's changed version
  kCount,
};
inline constexpr size_t kSometimesCount = static_cast<size_t>(Sometimes::kCount);
std::string_view Name(Sometimes fact);

using SometimesCounts = std::array<int64_t, kSometimesCount>;

// Adds the facts `event` shows (`after` is the state its step left).
void CountSometimes(const model::System& after, const model::Event& event, SometimesCounts& counts);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_SOMETIMES_H_
