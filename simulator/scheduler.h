// Decides which enabled action fires next and at which virtual tick.
//
// The model has no clock, so the scheduler keeps a timing mirror beside it:
// a ready tick for every message in every channel (FIFO: never earlier than
// the message before it), a due tick for every RPC in flight (RPCs may
// overtake each other), each subtask's next step, the next periodic trigger
// and each pending checkpoint's expiry. Latencies are drawn from the run's
// latency stream when a message is sent. The next action is the one with the
// smallest due tick; ties are broken by the tie stream. Everything is
// integer arithmetic on values drawn from our own PRNG: deterministic.
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

  // The tick at which `action` (enabled now) would fire.
  int64_t Due(const model::System& system, const model::Action& action, int64_t now) const;
  // Picks among `enabled` (non-empty): earliest due tick, ties drawn at random.
  std::pair<size_t, int64_t> Choose(const model::System& system, const std::vector<model::Action>& enabled,
                                    int64_t now);
  // Updates the mirror after `action` fired at `now` and produced `events`.
  void Observe(const model::System& system, const model::Action& action, std::span<const model::Event> events,
               int64_t now);

 private:
  TimingOptions timing_;
  Prng latency_;
  Prng ties_;
  std::vector<model::Fifo<int64_t>> channel_ready_;
  std::vector<int64_t> channel_last_ready_;
  std::vector<int64_t> ack_due_;
  std::vector<std::pair<uint64_t, int64_t>> rpc_due_;  // ascending uid
  std::vector<int64_t> step_due_;
  std::vector<std::pair<int64_t, int64_t>> expiry_;  // checkpoint id -> tick
  int64_t next_periodic_trigger_;
  int64_t earliest_after_completion_ = 0;
  std::vector<size_t> ties_scratch_;
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_SCHEDULER_H_
