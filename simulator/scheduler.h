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

 private:
  Slot Stamp(int64_t tick) { return Slot{tick, next_sequence_++}; }

  TimingOptions timing_;
  Prng latency_;
  uint64_t next_sequence_ = 0;
  std::vector<model::Fifo<Slot>> channel_ready_;
  std::vector<int64_t> channel_last_ready_;
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
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SCHEDULER_H_
