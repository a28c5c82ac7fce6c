// The checkpoint plan (docs/protocol.md section 5), public so that tools can ask
// the coordinator's question directly: with these subtasks finished, which
// subtasks does a new checkpoint trigger, wait for and notify, and which
// vertices does it record as fully finished? The coordinator computes the
// plan from its view of the subtasks (Coordinator::view), never from the
// subtasks themselves, so a plan may name a subtask that has already
// finished: that is the trigger race of section 5.
//
// The plan is decided at trigger time. The union list state rule is decided
// later, when the checkpoint would complete; UnionStatePartlyFinished names
// the vertices for which rule A will abort it whatever happens meanwhile.
#ifndef CKPTSIM_MODEL_PLAN_H_
#define CKPTSIM_MODEL_PLAN_H_

#include <vector>

#include "model/messages.h"
#include "model/state.h"

namespace ckptsim::model {

// Computes the plan from the coordinator's view; false (and *reason) if the
// coordinator refuses to create the checkpoint: a subtask it must wait for is
// not RUNNING, every subtask finished, or checkpoints after tasks finish are
// off while some subtask finished.
bool ComputePlan(const System& system, CheckpointPlan* plan, AbortReason* reason);

// The vertices with union list state that `plan` leaves partly finished: a
// checkpoint with this plan is aborted at completion (UNION_STATE_PARTLY_FINISHED,
// rule A). Rule B (only some subtasks of such a vertex ran finish() when they
// acknowledge) depends on what happens after the trigger and is not predicted.
std::vector<int> UnionStatePartlyFinished(const System& system, const CheckpointPlan& plan);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_PLAN_H_
