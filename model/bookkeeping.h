// What the coordinator believes must describe the current attempts (issue:
// the JobManager's bookkeeping, docs/protocol.md sections 4 and 7): an
// end-of-data report, an acknowledgement or a FINISHED in the view belongs to
// the attempt that is live now, never to one a failover replaced. Checked
// after every step of the tests' runs (tests/bookkeeping_test.cc); a pure
// function of the state.
#ifndef CKPTSIM_MODEL_BOOKKEEPING_H_
#define CKPTSIM_MODEL_BOOKKEEPING_H_

#include <optional>
#include <string>

#include "model/state.h"

namespace ckptsim::model {

// The first way the coordinator's bookkeeping contradicts the subtasks, in
// one line; nullopt when it is consistent.
std::optional<std::string> BookkeepingProblem(const System& system);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_BOOKKEEPING_H_
