// Decides which enabled action fires next and at which virtual tick.
//
// The model has no clock, so the scheduler keeps a timing mirror beside it:
// a ready tick for every message in every channel (FIFO: never earlier than
// the message before it), a due tick for every RPC in flight (RPCs may
// overtake each other), each subtask's next step, the next periodic trigger
// and each pending checkpoint's expiry. Latencies are drawn from the run's
// latency stream when a message is sent. The next action is the one with the
// smallest due tick. Everything is
// integer arithmetic on values drawn from our own PRNG: deterministic.
// Every due tick is stamped with an insertion sequence number when it is
// scheduled, so the enabled actions form an event queue ordered by
// (tick, insertion sequence): equal ticks fire in the order they were
// scheduled, never by pointer, hash or enumeration order.
#ifndef CKPTSIM_SIMULATOR_SCHEDULER_H_
#define CKPTSIM_SIMULATOR_SCHEDULER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "model/action.h"
#include "model/event.h"
#include "model/state.h"
#include "simulator/prng.h"
#include "simulator/run_config.h"

namespace ckptsim::simulator {

class Scheduler {
 public:
  Scheduler(const RunConfig& config, uint64_t seed);

  struct Slot {
    int64_t tick = 0;
    uint64_t sequence = 0;  // when it was scheduled
  };
  // When `action` (enabled now) would fire, and its place among equal ticks.
  Slot Due(const model::System& system, const model::Action& action, int64_t now) const;
  // Picks among `enabled` (non-empty): earliest (due tick, insertion sequence).
  std::pair<size_t, int64_t> Choose(const model::System& system, const std::vector<model::Action>& enabled,
                                    int64_t now);
  // Updates the mirror after `action` fired at `now` and produced `events`.
  void Observe(const model::System& system, const model::Action& action, std::span<const model::Event> events,
               int64_t now);
  // Adds the scenario's own steps that are due or pending (stop-with-savepoint
  // at its tick, resume after the stop) to `enabled`.
  void AddScenarioActions(const model::System& system, std::vector<model::Action>& enabled) const;
  // During the fault phase, draws from the fault stream whether a fault
  // strikes before the next action, and which one (within the budget).
  std::optional<model::Action> MaybeFault(const model::System& system, int64_t now);

  struct FaultCounts {
    int subtask_failures = 0;
    int task_manager_failures = 0;
    int lost_notifications = 0;
    int delayed_rpcs = 0;
    int checkpoint_timeouts = 0;
    int window_faults = 0;  // of the above, those aimed at a protocol window
  };
  const FaultCounts& faults_injected() const { return injected_; }

 private:
  Slot Stamp(int64_t tick) { return Slot{tick, next_sequence_++}; }
  // An event that opens a fault window (kFaultWindows) may arm a fault.
  void ArmWindow(const model::Event& event, int64_t now);

  TimingOptions timing_;
  FaultOptions faults_;
  StopWithSavepoint stop_;
  Prng latency_;
  Prng fault_draws_;
  Prng rpc_delay_;
  FaultCounts injected_;
  std::vector<model::Action> fault_candidates_;
  std::vector<model::Action> all_faults_;
  std::vector<uint64_t> pending_delays_;  // RPC uids drawn for a delay, not yet delayed
  std::vector<uint64_t> delayed_at_send_;  // RPC uids whose delay was drawn when they were sent
  bool window_fault_armed_ = false;       // an event opened a fault window: a fault strikes next
  uint64_t next_sequence_ = 0;
  std::vector<model::Fifo<Slot>> channel_ready_;
  std::vector<int64_t> channel_last_ready_;
  std::vector<int32_t> priority_slots_;  // unaligned barriers waiting at each channel's head
  std::vector<Slot> ack_due_;
  std::vector<std::pair<uint64_t, Slot>> rpc_due_;  // ascending uid
  // RPCs between the coordinator and one subtask stay in order in each
  // direction (as Flink's RPC between two endpoints does); overtaking is a
  // fault, not the default. Index: subtask * 2 + (to subtask ? 0 : 1).
  std::vector<int64_t> rpc_last_due_;
  std::vector<Slot> step_due_;
  std::vector<std::pair<int64_t, Slot>> expiry_;  // checkpoint id -> when
  Slot periodic_trigger_;
  int64_t earliest_after_completion_ = 0;
  bool restart_scheduled_ = false;
  Slot restart_due_;
  Slot stop_due_;
  Slot resume_due_;
  bool stop_issued_ = false;
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SCHEDULER_H_
