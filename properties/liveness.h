// Liveness in two-phase runs (docs/protocol.md section 10, L1 and L2). A run has
// a fault phase (faults on, bounded by the scenario's fault phase) and then a
// healed phase in which no new fault happens. From the tick the faults stop,
// the job has a budget of ticks:
// - L1 termination: a job that must end (bounded sources, or a
//   stop-with-savepoint) reaches FINISHED within the budget;
// - L2 checkpoint progress: while a job runs with periodic checkpoints, some
//   checkpoint completes within every budget-long window.
// When a budget runs out, the report says in words what the job waits for.
// Unlike the safety checkers this one needs virtual time, so the runner
// feeds it ticks.
#ifndef CKPTSIM_PROPERTIES_LIVENESS_H_
#define CKPTSIM_PROPERTIES_LIVENESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/state.h"
#include "properties/property.h"

namespace ckptsim::properties {

struct LivenessOptions {
  int64_t healed_from_tick = 0;  // the end of the fault phase
  int64_t budget_ticks = 0;      // 0: no liveness checks
  bool expect_termination = false;
  // Whether the user issues a failed stop-with-savepoint again: without, a job
  // that only its stop could end (an unbounded source) is not expected to
  // finish once its stop failed.
  bool stop_retried = true;
};

class LivenessMonitor {
 public:
  explicit LivenessMonitor(const LivenessOptions& options) : options_(options) {}
  // After each step, at virtual time `tick`.
  void OnStep(const model::System& system, int64_t step, int64_t tick, std::span<const model::Event> events);
  // Whether the run may stop: a budget ran out (a violation was recorded).
  bool Violated() const { return violation_.has_value(); }
  // Whether the job is (still) expected to reach FINISHED: false once a stop
  // failed that nobody issues again, on a job only its stop could end.
  bool ExpectsTermination() const { return options_.expect_termination; }
  const std::optional<Violation>& violation() const { return violation_; }
  // The deadline after which OnStep reports, for a driver that must run the
  // clock forward to it (the latest tick the run needs to reach).
  int64_t Deadline(const model::System& system) const;

 private:
  LivenessOptions options_;
  int64_t last_completion_tick_ = 0;
  std::optional<Violation> violation_;
};

// What the job is waiting for, one line per blocked subtask or pending
// checkpoint: the words behind a liveness report.
std::vector<std::string> ExplainWaiting(const model::System& system);

// L1 for a job that can make no step any more and is neither FINISHED nor
// FAILED (a deadlock), with what it waits for; both drivers report it so.
Violation JobStuck(const model::System& system, int64_t step);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_LIVENESS_H_
