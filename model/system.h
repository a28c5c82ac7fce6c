// The protocol's transition function. EnabledActions and Apply are the only
// ways the drivers (simulator, exhaustive checker, replay, schedules) move a
// System; both are pure functions of the state: no clock, no randomness, no
// I/O. What happened is returned as trace events.
#ifndef CKPTSIM_MODEL_SYSTEM_H_
#define CKPTSIM_MODEL_SYSTEM_H_

#include <vector>

#include "model/action.h"
#include "model/event.h"
#include "model/state.h"

namespace ckptsim::model {

// Records a channel may hold before its producer is back-pressured.
inline constexpr size_t kChannelCapacityRecords = 8;

// Brings system.channel_index up to date with channel `channel` after its
// queue or acknowledgement changed; RebuildChannelIndex does it for every
// channel (a new graph). ChannelIndexMatches: the index agrees with the
// channels (tests check it after every step).
void Reindex(System& system, int32_t channel);
void RebuildChannelIndex(System& system);
bool ChannelIndexMatches(const System& system);

// Appends the actions enabled in `system` to `out` (cleared first), in a
// deterministic order: steps by subtask, deliveries by channel, acks by
// channel, RPCs by path (and send order within it), then coordinator actions.
// Scenario steps (stop, resume, end-logs) and faults are not listed: drivers
// issue those (IsEnabled tells whether they may).
void EnabledActions(const System& system, std::vector<Action>& out);
bool IsEnabled(const System& system, const Action& action);
// The faults that could strike now (kFailSubtask, kFailTaskManager, kLoseRpc,
// kDelayRpc, kExpireEarly), in a deterministic order; `out` is cleared first.
// Drivers inject them within a budget; they are never part of EnabledActions.
void EnabledFaults(const System& system, std::vector<Action>& out);

// Whether the RPC at `index` of system.rpcs may be delivered now: it is the
// oldest of its path that is not delayed, or it was delayed (a fault).
bool RpcDeliverable(const System& system, size_t index);

// Applies an enabled action in place, appending what happened to `events`
// (not cleared). REQUIRES: IsEnabled(system, action).
void Apply(System& system, const Action& action, std::vector<Event>& events);

// True when the job has nothing left to do: every subtask is terminal and
// nothing is in flight that could change the store.
bool IsQuiescent(const System& system);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_SYSTEM_H_
