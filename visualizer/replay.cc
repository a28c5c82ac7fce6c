#include "visualizer/replay.h"

#include <fmt/format.h>

#include "model/system.h"
#include "simulator/runner.h"

namespace ckptsim::visualizer {

bool Replay(const simulator::Trace& trace, int64_t steps, const ReplayVisitor& visit, std::string* error) {
  model::System system = simulator::InitialSystemOf(trace.config);
  const int64_t count = static_cast<int64_t>(trace.decisions.size());
  const int64_t last = steps < 0 ? count : std::min(steps, count);
  std::vector<model::Event> events;
  for (int64_t step = 0; step < last; ++step) {
    const model::Action& action = trace.decisions[static_cast<size_t>(step)];
    if (!model::IsEnabled(system, action)) {
      *error = fmt::format(
          "decision {} ('{}') is not enabled on replay: the trace was written by another version of "
          "the model; re-run its seed to get a fresh trace",
          step, model::Describe(*system.graph, action));
      return false;
    }
    events.clear();
    model::Apply(system, action, events);
    if (visit && !visit(step + 1, system)) break;
  }
  return true;
}

bool StatesAfter(const simulator::Trace& trace, const std::vector<int64_t>& steps, std::vector<model::System>* states,
                 std::string* error) {
  states->clear();
  size_t next = 0;
  const auto take = [&](int64_t applied, const model::System& system) {
    while (next < steps.size() && steps[next] == applied) {
      states->push_back(system);
      ++next;
    }
    return next < steps.size();
  };
  if (steps.empty()) return true;
  take(0, simulator::InitialSystemOf(trace.config));
  if (next == steps.size()) return true;
  if (!Replay(trace, steps.back(), take, error)) return false;
  if (next != steps.size()) {
    *error = fmt::format("step {} is past the end of the run ({} decisions)", steps[next], trace.decisions.size());
    return false;
  }
  return true;
}

}  // namespace ckptsim::visualizer
