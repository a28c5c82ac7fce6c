// KNOWN GAP, why `check` runs without this by default (`--por` turns it on):
// the argument below treats an RPC the coordinator has not sent yet as if it
// could not reach the subtask before its own next steps. It can: under
// legacy, chain-check with one spontaneous checkpoint has a run where the
// sink closes before the checkpoint's notify-complete reaches it, leaving a
// pre-committed transaction behind (P4), and the reduced search misses it
// (CheckScenarios.PartialOrderReductionIsOffBecauseItMissesALegacyP4Run).
// A sound condition must bound the RPCs the coordinator may still send to a
// subtask (pending checkpoints, triggers it may receive once its upstream
// finished) before its steps are taken alone.
//
// Partial-order reduction by ample sets (Peled's conditions C0-C3), with a
// subtask as the process: from a state, explore only the enabled actions of
// one subtask (its steps, the deliveries into it, the EndOfData
// acknowledgements it receives, the RPCs sent to it) when nothing another
// actor may do before them depends on them.
//
// Why that holds, when it is applied:
// - Actors meet only at FIFO queues: a producer appends at a channel's or an
//   RPC path's tail while its consumer takes from the head. With aligned
//   barriers (an unaligned barrier is inserted at the head: no reduction in
//   unaligned mode), appending never disables a delivery, and the two orders
//   end in the same state. Back-pressure only enables.
// - A failure reaches into every subtask of its region and the coordinator:
//   no reduction while a failure may still be injected. A lost or delayed
//   RPC changes what its receiver may take next: no reduction of a subtask
//   with an RPC in flight to it while such faults may still strike.
// - Actions whose effect reaches other actors are not taken alone: a stop's
//   savepoint that can fail its subtask (and its region), a notification to
//   a subtask that commits transactions (what is visible), the
//   initialization of a Sink V2 committer (it aborts its writer's
//   transactions), anything while the job may be resumed.
// - The properties a subtask's own actions can break (P5, P6, L3, and P4 at
//   its FINISHED) read its own history only, which the reduced space keeps
//   in full; the ones about the coordinator and the store are checked on
//   transitions no reduction removes; every end state is kept (persistent
//   sets keep all deadlocks).
// - The state graph has no cycle (every action consumes a message or a
//   budget, or moves a phase forward), so the cycle proviso holds.
// Transactions begun in another order are numbered in another order: such
// states are the same up to renaming the transactions, which no property
// distinguishes.
#ifndef CKPTSIM_CHECKER_AMPLE_H_
#define CKPTSIM_CHECKER_AMPLE_H_

#include <cstdint>
#include <vector>

#include "checker/protocol_model.h"

namespace ckptsim::checker {

// Fills `out` with the indices of the choices of one subtask of `state` that
// may be explored alone; false if there is none (explore every choice).
bool AmpleSet(const CheckState& state, const std::vector<Choice>& choices, std::vector<uint16_t>& out);

}  // namespace ckptsim::checker

#endif  // CKPTSIM_CHECKER_AMPLE_H_
