// One simulated run: a scenario's RunConfig + a seed (+ the variant inside the
// config) = one run, bit for bit. The runner owns virtual time, asks the
// model what is enabled, lets the Scheduler choose (or replays a decision
// log), applies the action, checks every property after every step, and
// folds every decision and event into the trace hash.
#ifndef CKPTSIM_SIMULATOR_RUNNER_H_
#define CKPTSIM_SIMULATOR_RUNNER_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/action.h"
#include "model/event.h"
#include "model/state.h"
#include "properties/property.h"
#include "properties/sometimes.h"
#include "simulator/run_config.h"

namespace ckptsim::simulator {

// Receives a run as it happens (the trace writer implements it).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnStep(const model::System& system, int64_t step, int64_t tick, const model::Action& action,
                      std::span<const model::Event> events) = 0;
};

// The sometimes facts live in properties/ (shared with the checker).
using properties::kSometimesCount;
using properties::Name;
using properties::Sometimes;

struct RunStats {
  int64_t checkpoints_triggered = 0;
  int64_t checkpoints_completed = 0;
  int64_t checkpoints_aborted = 0;
  int64_t checkpoints_refused = 0;
  std::vector<std::pair<std::string, int64_t>> aborted_by_reason;  // reason name -> count, nonzero only
  int64_t subtasks_finished = 0;
  int64_t subtasks = 0;  // of the job's version at the end of the run
  std::string resume_refusal;  // why the job's changed version was refused (empty: it was not)
  int64_t records_emitted = 0;    // by sources, highest sequence over all attempts
  int64_t records_committed = 0;  // visible in the external store
  // Faults injected, and what recovery did.
  int64_t subtask_failures = 0;
  int64_t task_manager_failures = 0;
  int64_t lost_notifications = 0;
  int64_t delayed_rpcs = 0;
  int64_t checkpoint_timeouts = 0;
  int64_t restarts = 0;
  int64_t finished_on_restore = 0;  // subtasks deployed as finished
  bool job_failed = false;
  // The job failed for good because a subtask failed after its stop's
  // savepoint completed (Flink 1.15+), not because restarts ran out.
  bool job_failed_after_stop_savepoint = false;
  // A stop failed and nobody issued it again (`retry_after_ticks` 0) on a job
  // with an unbounded source: it was not expected to finish after that.
  bool stop_abandoned = false;
  std::array<int64_t, kSometimesCount> sometimes{};
};

struct RunResult {
  uint64_t seed = 0;
  int64_t steps = 0;
  int64_t ticks = 0;
  bool hit_step_limit = false;
  bool hit_tick_limit = false;
  bool job_finished = false;
  uint64_t trace_hash = 0;
  RunStats stats;
  std::vector<properties::Violation> violations;
  std::vector<model::Action> decisions;
  // The run went on past its first violation (RunOptions), so `violations`
  // holds the first of every property that failed by the end.
  bool all_violations = false;
  // Replay only: the first decision that was not enabled (-1 if none).
  int64_t diverged_at_step = -1;
  std::string divergence;
};

struct RunOptions {
  bool stop_at_first_violation = true;
  RunObserver* observer = nullptr;
  // Replay: apply exactly these actions instead of asking the scheduler.
  const std::vector<model::Action>* replay = nullptr;
  // Shrinking: skip replayed actions that are not enabled (instead of
  // stopping at the divergence), and once the log is used up let the
  // scheduler finish the run without injecting faults. The run's own
  // decisions are then an exact replay log of what happened.
  bool lenient_replay = false;
  bool finish_after_replay = false;
};

// A freshly deployed job as `config` describes it, the new version a resume
// deploys included. Every driver starts from this.
model::System InitialSystemOf(const RunConfig& config);

RunResult Run(const RunConfig& config, uint64_t seed, const RunOptions& options = {});

std::string HashToHex(uint64_t hash);

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_RUNNER_H_
