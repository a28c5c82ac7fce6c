// Runs the steps of a schedule on a session, one after the other, and stops
// at the first that cannot be taken (not enabled: bad input, exit 2) or that
// does not hold (a failed `expect` or an `until` that was not reached:
// exit 1). What each step did is reported as it happens, for the CLI to print.
#ifndef CKPTSIM_SCHEDULES_EXECUTOR_H_
#define CKPTSIM_SCHEDULES_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "properties/property.h"
#include "schedules/schedule.h"
#include "schedules/session.h"

namespace ckptsim::schedules {

// One schedule step as it ran.
struct StepReport {
  const ScheduleStep* step = nullptr;
  int64_t first_step = 0;  // the session's step count before it
  int64_t steps_taken = 0;
  std::string action;              // kAction: the action as a schedule names it
  std::vector<std::string> notes;  // notable events, in words
  std::string found;               // kExpect, kUntil: what held
};

enum class ScheduleOutcome : uint8_t {
  kPassed,
  kNotEnabled,  // an action step could not be taken now
  kNotMet,      // an expect did not hold, or an until was not reached
};

struct ScheduleResult {
  ScheduleOutcome outcome = ScheduleOutcome::kPassed;
  const ScheduleStep* failed = nullptr;
  std::string problem;  // kNotEnabled: why; kNotMet: what happened instead
  std::string found;    // kNotMet: what was found
  int expectations_held = 0;
  // Properties the schedule expected to be violated (and that were).
  std::vector<properties::PropertyId> expected_violations;
};

// The filter an `only:` or `except:` list makes (null if there is none).
ActionFilter FilterOf(const ScheduleStep& step);

// Called after each step that succeeded (not for the one that failed).
using StepCallback = std::function<void(const StepReport&)>;

ScheduleResult Execute(const std::vector<ScheduleStep>& steps, Session& session, const StepCallback& on_step);

// The `start` step: every DEPLOYING or INITIALIZING subtask steps to
// RUNNING (in subtask order, deploy before open), then every report-running
// RPC in flight is delivered, oldest first: the job as a test harness starts
// it, with no record emitted. Returns the actions taken (applied to `session`).
std::vector<model::Action> StartAll(Session& session, std::vector<std::string>* notes);

// Evaluates a condition now (for `expect`, `until` and `ckptsim step`).
Verdict EvaluateNow(const Condition& condition, const Session& session);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_EXECUTOR_H_
