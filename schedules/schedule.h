// Schedule files: a YAML list of steps that drive a session, in the
// vocabulary of trace decision logs (schedules/README.md has the format):
//
//   scenario: two-sources.yaml     # optional: a built-in name or a path (relative to this file)
//   seed: 1                        # optional: the seed of `run` and `until`
//   steps:
//     - start                      # deploy and open every subtask, deliver the running reports
//     - step S1[0]                 # an action, as in a decision log
//     - trigger
//     - rpc trigger 1 -> S1[0]     # an RPC by kind, checkpoint and subtask
//     - run: 20                    # the seeded scheduler takes 20 steps
//     - until: S1[0] is FINISHED   # ... as many as it takes (at most `within`)
//       except: [trigger]
//     - expect: checkpoint 1 is completed
//
// A file may also be just the list of steps. Loading is strict, like the
// scenario loader (it reuses its YAML reader): the first problem is a
// ScenarioError naming file and line, and every name in every step is
// checked against the job graph before anything runs.
#ifndef CKPTSIM_SCHEDULES_SCHEDULE_H_
#define CKPTSIM_SCHEDULES_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/job_graph.h"
#include "scenarios/scenario_error.h"
#include "schedules/condition.h"
#include "schedules/step.h"

namespace ckptsim::schedules {

using ScheduleError = scenarios::ScenarioError;

// `until` gives up after this many steps unless it says `within: N`.
inline constexpr int64_t kUntilStepsDefault = 10'000;

// One entry of the `steps` list as written, before names are checked.
struct ScheduleEntry {
  int line = 0;
  std::string verb;      // an action verb, "start", "run", "until" or "expect"
  std::string argument;  // the rest: "A[0]->B[1]", "20", "S1[0] is FINISHED"
  std::optional<int64_t> within;
  bool filter_is_only = false;
  std::vector<std::pair<int, std::string>> filters;  // `only` or `except`: line, pattern
};

struct ScheduleFile {
  std::string path;  // as given; errors carry it
  std::string description;
  std::string scenario;  // "" if the file names none; a path is resolved against the file's folder
  std::string variant;   // "" if none
  int scenario_line = 0;  // of `scenario:`, 0 if none; errors loading it point here
  int variant_line = 0;   // of `variant:`, 0 if none
  std::optional<uint64_t> seed;
  std::vector<ScheduleEntry> entries;
};

std::variant<ScheduleFile, ScheduleError> ReadScheduleFile(const std::string& path);
// `folder` resolves a relative `scenario:` path.
std::variant<ScheduleFile, ScheduleError> ReadScheduleText(std::string_view yaml, const std::string& display_name,
                                                           const std::string& folder);

enum class StepKind : uint8_t {
  kAction,  // one action
  kStart,   // every DEPLOYING or INITIALIZING subtask steps to RUNNING, then the running reports are delivered
  kRun,     // the seeded scheduler takes N steps
  kUntil,   // ... until a condition holds
  kExpect,  // a condition must hold
};

struct ScheduleStep {
  StepKind kind = StepKind::kAction;
  int line = 0;
  // " (entry 12 of the list)" when other steps share the line (a pasted
  // decision log: steps: ["step A[0]", ...]), else "".
  std::string entry;
  std::string text;                    // "deliver A[0]->B[1]", "run 20", "until job is FINISHED", "expect ..."
  ActionStep action;                   // kAction
  int64_t steps = 0;                   // kRun: how many; kUntil: at most
  std::optional<Condition> condition;  // kUntil, kExpect
  bool filter_is_only = false;         // kRun, kUntil: `only` (else `except`)
  std::vector<ActionPattern> filters;
};

// Checks every step of `file` against `graph`.
std::variant<std::vector<ScheduleStep>, ScheduleError> CompileSchedule(const ScheduleFile& file,
                                                                       const model::JobGraph& graph);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_SCHEDULE_H_
