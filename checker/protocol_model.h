// The protocol as a search model (search.h): the one model of model/, with
// the properties of properties/ checked on every transition and at every
// end, and the bounds that keep its state space finite.
//
// Time is abstracted away: any enabled action may come next. What a bound
// leaves out, and what the environment may always do:
// - faults (subtask and task-manager failures, lost notifications, delayed
//   RPCs, early checkpoint expiry) strike anywhere, within a budget per kind;
// - the periodic trigger may start a checkpoint anywhere, `spontaneous`
//   times; beyond that it starts one only while some subtask waits for a
//   final checkpoint or savepoint (so every run can end), and at most
//   `idle_triggers` in a row while the job makes no progress;
// - a pending checkpoint's timeout strikes only when nothing else can
//   happen (sooner, it is the early-expiry fault);
// - a stop-with-savepoint (if the scenario has one) may be requested
//   anywhere, `stops` times; the resume follows whenever it may;
// - unbounded sources read finite logs, which the environment ends once the
//   bounded sources are done.
// A state where nothing may happen is an end: a FINISHED job is checked
// for P2 and the other end-of-run rules; anything else but a job FAILED by
// its injected failures is a deadlock (L1), said in the words the simulator
// uses.
#ifndef CKPTSIM_CHECKER_PROTOCOL_MODEL_H_
#define CKPTSIM_CHECKER_PROTOCOL_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checker/search.h"
#include "model/action.h"
#include "model/event.h"
#include "model/fields.h"
#include "model/state.h"
#include "properties/history.h"
#include "simulator/run_config.h"

namespace ckptsim::checker {

// What a path used of the search's bounds: part of the explored state.
struct Budget {
  std::array<uint8_t, model::kFaultKindCount> faults{};  // left, by model::FaultKind
  uint8_t triggers = 0;  // spontaneous triggers left
  uint8_t idle = 0;      // triggers in a row without progress
  uint8_t stops = 0;     // stop-with-savepoint requests left
  uint8_t failures = 0;  // subtask and task-manager failures injected so far
  CKPTSIM_FIELDS(Budget, faults, triggers, idle, stops, failures)
};

struct CheckState {
  model::System system;
  properties::History history;
  Budget budget;
  int32_t depth = 0;  // ghost: the path's length, for the step numbers of reports
  CKPTSIM_FIELDS(CheckState, system, history, budget)
  CKPTSIM_GHOST_FIELDS(CheckState, depth)
};

// Why an action is allowed, which decides what it costs.
enum class Allowance : uint8_t {
  kFree,         // a protocol step, a restart, a trigger the protocol asked for, the scenario's resume
  kFault,        // within its fault kind's budget
  kSpontaneous,  // a periodic trigger from the spontaneous budget
  kIdle,         // a periodic trigger while a subtask waits for a final checkpoint or savepoint
  kStop,         // a stop-with-savepoint request
};

struct Choice {
  model::Action action;
  Allowance allowance = Allowance::kFree;
};

class ProtocolModel {
 public:
  using State = CheckState;

  // `config` is the scenario with its check bounds applied (CheckConfig).
  ProtocolModel(const simulator::RunConfig& config, bool partial_order_reduction);

  void Initial(State& out) const;
  void Expand(const State& state, Expansion<State>& out) const;
  uint64_t Fingerprint(const State& state) const;

  // The actions of `state` in the order their indices name them.
  void Choices(const State& state, std::vector<Choice>& out) const;
  // Applies choice `index` of `state` in place; false if there is none.
  bool Apply(State& state, uint16_t index, std::vector<model::Event>& events) const;

 private:
  void ApplyChoice(State& state, const Choice& choice, std::vector<model::Event>& events) const;
  void CheckEnd(const State& state, Expansion<State>& out) const;

  const simulator::RunConfig& config_;
  bool por_;
};

// The scenario as the search runs it: its `check:` bounds applied (records
// of bounded sources, restarts), finite logs for unbounded sources, and a
// time-based liveness budget so large that a replay of a counterexample is
// judged by the search's verdict, not by the simulator's clock.
simulator::RunConfig CheckConfig(const simulator::RunConfig& scenario);

// Sets the `check:` bound `name` (its YAML key, e.g. "subtask_failures") to
// `value`, as `ckptsim check --bound NAME=N` does; false with a message if
// there is no such bound or the value is out of its range.
bool SetBound(simulator::CheckOptions& check, std::string_view name, int64_t value, std::string* error);

}  // namespace ckptsim::checker

#endif  // CKPTSIM_CHECKER_PROTOCOL_MODEL_H_
