// Everything one simulated run needs besides the seed: the compiled job graph,
// the protocol options, and the simulator's timing, fault and limit settings.
// A scenario file resolves to exactly one RunConfig (scenarios/ loads it).
#ifndef CKPTSIM_SIMULATOR_RUN_CONFIG_H_
#define CKPTSIM_SIMULATOR_RUN_CONFIG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/event.h"
#include "model/job_graph.h"
#include "model/options.h"
#include "simulator/swarm_options.h"

namespace ckptsim::simulator {

// An inclusive integer range [min, max]; drawn uniformly by the PRNG.
struct TickRange {
  int64_t min = 1;
  int64_t max = 1;
};

struct TimingOptions {
  TickRange channel_latency_ticks{1, 4};   // network latency of one channel message
  TickRange rpc_latency_ticks{1, 8};       // JobManager <-> TaskManager RPC latency
  TickRange processing_ticks{1, 2};        // a subtask's internal step (init, close, ...)
  TickRange source_emit_ticks{1, 2};       // between two records of one source subtask
  int64_t checkpoint_interval_ticks = 50;  // periodic trigger interval
  int64_t checkpoint_timeout_ticks = 2000; // pending checkpoint expires after this
  int64_t min_pause_ticks = 0;             // between a completion and the next periodic trigger
  TickRange restart_delay_ticks{5, 20};    // from a failure to the redeploy (fixed-delay restart)
};

// Faults aimed at protocol windows. Uniform per-step chances rarely land in
// the few steps where a protocol is fragile, so an event that opens such a
// window may arm a fault (with the window's chance, drawn from the fault
// stream) that strikes right after it: a subtask or task-manager failure, a
// lost or delayed RPC or an early expiry, whichever kinds have budget left.
enum class FaultWindow : uint8_t {
  kAfterCheckpointCompleted,  // its notify-complete RPCs are in flight
  kAfterFinalCheckpoint,      // a subtask's final checkpoint completed; it is about to finish
  kAfterEndOfInput,           // a subtask ran endInput and finish(): before its final checkpoint
  kDuringStop,                // a stop-with-savepoint was requested and is pending
  kDuringRestore,             // a subtask was just restored from a checkpoint
};
inline constexpr size_t kFaultWindowCount = 5;

struct FaultWindowInfo {
  FaultWindow window;
  std::string_view key;      // its rate key in a scenario's `faults:` and `swarm:` sections
  model::EventKind opens;    // the event that opens the window
};
inline constexpr std::array<FaultWindowInfo, kFaultWindowCount> kFaultWindows{{
    {FaultWindow::kAfterCheckpointCompleted, "after_checkpoint_completed_ppm", model::EventKind::kCheckpointCompleted},
    {FaultWindow::kAfterFinalCheckpoint, "after_final_checkpoint_ppm", model::EventKind::kFinalCheckpointDone},
    {FaultWindow::kAfterEndOfInput, "after_end_of_input_ppm", model::EventKind::kEndData},
    {FaultWindow::kDuringStop, "during_stop_ppm", model::EventKind::kStopRequested},
    {FaultWindow::kDuringRestore, "during_restore_ppm", model::EventKind::kRestarted},
}};

struct FaultOptions {
  // Fault budget: how many faults of each kind a run may inject at most.
  int subtask_failures_max = 0;
  int task_manager_failures_max = 0;
  int lost_notifications_max = 0;   // notify-complete / notify-abort RPCs dropped
  int delayed_rpcs_max = 0;         // RPCs held back so that later ones overtake them
  int checkpoint_timeouts_max = 0;  // pending checkpoints expired early
  // Probability of each fault per scheduling step (per RPC sent for delays),
  // as a ratio numerator / 1,000,000.
  int64_t subtask_failure_ppm = 0;
  int64_t task_manager_failure_ppm = 0;
  int64_t lost_notification_ppm = 0;
  int64_t rpc_delay_ppm = 0;
  int64_t checkpoint_timeout_ppm = 0;
  TickRange rpc_delay_ticks{50, 300};  // extra latency of a delayed RPC
  // Per FaultWindow: the chance that an event opening it arms a fault (within
  // the budgets above, in the fault phase), as a ratio numerator / 1,000,000.
  std::array<int64_t, kFaultWindowCount> window_ppm{};
  // Faults are injected only in [fault_phase_start_ticks, fault_phase_ticks):
  // the fault phase. After it the run goes on without faults (the healed phase).
  int64_t fault_phase_start_ticks = 0;
  int64_t fault_phase_ticks = 0;
  bool AnyWindow() const {
    for (int64_t ppm : window_ppm) {
      if (ppm > 0) return true;
    }
    return false;
  }
  bool InPhase(int64_t tick) const { return tick >= fault_phase_start_ticks && tick < fault_phase_ticks; }

  bool any() const {
    return subtask_failures_max > 0 || task_manager_failures_max > 0 || lost_notifications_max > 0 ||
           delayed_rpcs_max > 0 || checkpoint_timeouts_max > 0;
  }
};

struct StopWithSavepoint {
  bool enabled = false;
  int64_t at_tick = 0;
  bool drain = false;
  bool resume = false;      // resume the job from the savepoint afterwards
  int64_t resume_after_ticks = 0;
  // The job's new version the resume restores the savepoint into (null: the
  // same job), as written and compiled.
  model::JobGraphSpec resume_into_spec;
  std::shared_ptr<const model::JobGraph> resume_into;
  // What the user does after a stop failed (its savepoint aborted or not
  // triggered): issue it again this many ticks later; 0: never, as Flink
  // itself never retries a stop.
  int64_t retry_after_ticks = 0;
};

struct Limits {
  int64_t max_steps = 1'000'000;
  int64_t max_ticks = 1'000'000;
  // Liveness (L1, L2): ticks the job gets after the fault phase; 0 derives
  // it as checkpoint timeout + 10 checkpoint intervals.
  int64_t liveness_budget_ticks = 0;
};

struct Expectations {
  bool terminates = true;  // the job must reach FINISHED
};

// The bounds of an exhaustive check (the scenario's `check:` section, and
// `ckptsim check`): they keep the state space finite. The simulator ignores
// them, except that a counterexample the checker writes replays with the
// finite logs its search assumed (`finite_logs`).
struct CheckOptions {
  int64_t records = -1;               // records of every bounded source subtask (-1: the scenario's)
  int64_t unbounded_log_records = 1;  // each unbounded source subtask reads a log this long, then it may end
  // Fault budgets of the search, by model::FaultKind.
  int subtask_failures = 0;
  int task_manager_failures = 0;
  int lost_notifications = 0;
  int delayed_rpcs = 0;
  int checkpoint_timeouts = 0;
  // Checkpoints the periodic trigger may start at any moment; beyond them a
  // trigger comes only while some subtask waits for a final checkpoint or
  // savepoint, at most `idle_triggers` in a row without the job progressing.
  int spontaneous_triggers = 2;
  int idle_triggers = 3;
  int stops = 2;          // stop-with-savepoint requests (the scenario's), a retry by the user included
  int restarts_max = -1;  // -1: recovery.restarts_max
  bool finite_logs = false;
};

struct RunConfig {
  std::string scenario_name;
  std::string description;
  model::JobGraphSpec graph_spec;
  std::shared_ptr<const model::JobGraph> graph;  // compiled from graph_spec
  model::ProtocolOptions protocol;
  TimingOptions timing;
  FaultOptions faults;
  StopWithSavepoint stop;
  Limits limits;
  Expectations expect;
  CheckOptions check;
  SwarmOptions swarm;        // what `--swarm` may vary; simulator/swarm.h draws it
  bool swarm_drawn = false;  // this config was drawn by DrawSwarm for one seed
  // The pseudo-scenario `random`: each seed draws its own job
  // (scenarios/random_job.h); this config is the job of one seed.
  bool random_job = false;
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_RUN_CONFIG_H_
