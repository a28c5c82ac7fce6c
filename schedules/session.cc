#include "schedules/session.h"

#include "model/check.h"
#include "model/system.h"
#include "simulator/runner.h"

namespace ckptsim::schedules {
namespace {

simulator::RunConfig WithoutTermination(simulator::RunConfig config) {
  config.expect.terminates = false;
  return config;
}

}  // namespace

Session::Session(simulator::RunConfig config, uint64_t seed)
    : config_(WithoutTermination(std::move(config))),
      seed_(seed),
      system_(simulator::InitialSystemOf(config_)),
      scheduler_(config_, seed) {}

std::vector<model::Action> Session::Possible() const {
  std::vector<model::Action> possible;
  model::EnabledActions(system_, possible);
  for (const model::Action action :
       {model::Action{model::ActionKind::kStopWithSavepoint, 0},
        model::Action{model::ActionKind::kStopWithSavepoint, 1}, model::Action{model::ActionKind::kResume, 0}}) {
    if (model::IsEnabled(system_, action)) possible.push_back(action);
  }
  std::vector<model::Action> faults;
  model::EnabledFaults(system_, faults);
  possible.insert(possible.end(), faults.begin(), faults.end());
  return possible;
}

std::span<const model::Event> Session::Apply(const model::Action& action) {
  CKPTSIM_CHECK(model::IsEnabled(system_, action));
  // The tick a replay gives the action (simulator::Run does the same).
  now_ = scheduler_.Due(system_, action, now_).tick;
  events_.clear();
  model::Apply(system_, action, events_);
  scheduler_.Observe(system_, action, events_, now_);
  history_.Observe(system_, steps(), events_);
  decisions_.push_back(action);
  return events_;
}

std::optional<model::Action> Session::Next(const ActionFilter& accept) {
  model::EnabledActions(system_, scratch_);
  scheduler_.AddScenarioActions(system_, scratch_);
  if (accept) std::erase_if(scratch_, [&](const model::Action& action) { return !accept(system_, action); });
  if (scratch_.empty()) return std::nullopt;
  return scratch_[scheduler_.Choose(system_, scratch_, now_).first];
}

simulator::RunResult Session::Replay(simulator::RunObserver* observer) const {
  return simulator::Run(config_, seed_,
                        {.stop_at_first_violation = false, .observer = observer, .replay = &decisions_});
}

}  // namespace ckptsim::schedules
