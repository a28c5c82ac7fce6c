// The state of a traced run after a given number of decisions, re-derived
// from the trace's decision log with the model alone: model::Apply over
// decisions [0, K), starting from the initial System of the trace's
// configuration. No scheduler, no properties, no clock: a pure function of
// the trace.
#ifndef CKPTSIM_VISUALIZER_REPLAY_H_
#define CKPTSIM_VISUALIZER_REPLAY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/state.h"
#include "simulator/trace.h"

namespace ckptsim::visualizer {

// Called with the state after each of the first `steps` decisions: (K, state
// after K decisions), K = 1.. Return false to stop early.
using ReplayVisitor = std::function<bool(int64_t decisions_applied, const model::System& system)>;

// Replays the first `steps` decisions (all of them if steps < 0), calling
// `visit` after each. Returns false with *error if a decision is not enabled
// (the trace was written by another version of the model).
bool Replay(const simulator::Trace& trace, int64_t steps, const ReplayVisitor& visit, std::string* error);

// The states after each count of decisions in `steps` (ascending, each in
// [0, decision count]), in that order.
bool StatesAfter(const simulator::Trace& trace, const std::vector<int64_t>& steps, std::vector<model::System>* states,
                 std::string* error);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_REPLAY_H_
