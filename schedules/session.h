// A session: one run of a scenario driven from outside, one action at a
// time. A schedule, the interactive `ckptsim step` and trace conversion all
// drive one. It owns the model's System, the simulator's Scheduler (so that
// "let the scheduler take N steps" picks exactly what `ckptsim run` would
// pick, and every action fires at the tick a replay gives it) and a History.
//
// Every action a session applies is an ordinary decision: replaying
// decisions() with simulator::Run reproduces the session's run, trace hash
// included. Faults happen only when the driver applies one; the scheduler's
// own choices (Next) are never faults.
//
// A session decides where its run ends, so the scenario's `expect:
// terminates` does not apply: the constructor turns it off (and the trace of
// a session records it off).
//
// Thread-safety: none.
#ifndef CKPTSIM_SCHEDULES_SESSION_H_
#define CKPTSIM_SCHEDULES_SESSION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "model/action.h"
#include "model/event.h"
#include "model/state.h"
#include "schedules/history.h"
#include "simulator/run_config.h"
#include "simulator/runner.h"
#include "simulator/scheduler.h"

namespace ckptsim::schedules {

using ActionFilter = std::function<bool(const model::System&, const model::Action&)>;

class Session {
 public:
  Session(simulator::RunConfig config, uint64_t seed);

  const simulator::RunConfig& config() const { return config_; }
  uint64_t seed() const { return seed_; }
  const model::System& system() const { return system_; }
  const model::JobGraph& graph() const { return *config_.graph; }
  const History& history() const { return history_; }
  const std::vector<model::Action>& decisions() const { return decisions_; }
  int64_t steps() const { return static_cast<int64_t>(decisions_.size()); }
  int64_t tick() const { return now_; }

  // Everything that may happen now, in this order: the enabled actions
  // (model::EnabledActions), a stop-with-savepoint (drain, no-drain) and a
  // resume if possible, then the faults (model::EnabledFaults).
  std::vector<model::Action> Possible() const;

  // Applies an action at the tick the scheduler gives it and returns the
  // events it produced (valid until the next call).
  // REQUIRES: model::IsEnabled(system(), action).
  std::span<const model::Event> Apply(const model::Action& action);

  // The action the seeded scheduler takes next among the enabled ones (and
  // the scenario's own stop and resume) that `accept` admits (null: all);
  // nullopt if there is none.
  std::optional<model::Action> Next(const ActionFilter& accept);

  // Replays decisions() with simulator::Run: the properties' verdicts as if
  // the run ended now, and the trace hash. `observer` sees every step.
  simulator::RunResult Replay(simulator::RunObserver* observer = nullptr) const;

 private:
  simulator::RunConfig config_;
  uint64_t seed_;
  model::System system_;
  simulator::Scheduler scheduler_;
  History history_;
  std::vector<model::Action> decisions_;
  std::vector<model::Event> events_;
  std::vector<model::Action> scratch_;
  int64_t now_ = 0;
};

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_SESSION_H_
