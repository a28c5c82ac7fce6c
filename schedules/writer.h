// Writing schedules: what `ckptsim step` saves with `w FILE` and what
// `ckptsim schedule-from-trace` makes of a trace's decision log. The output
// reads back with ReadScheduleFile and replays to the same run.
#ifndef CKPTSIM_SCHEDULES_WRITER_H_
#define CKPTSIM_SCHEDULES_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/action.h"
#include "schedules/session.h"

namespace ckptsim::schedules {

struct WrittenStep {
  std::string text;     // "step A[0]", "run: 20", "expect: S[0] is FINISHED"
  std::string comment;  // "" or what the step did ("barrier 2")
};

struct ScheduleHeader {
  std::vector<std::string> comments;  // lines at the top of the file
  std::string scenario;               // as the file should name it ("" to leave out)
  std::string variant;                // "" to leave out
  std::optional<uint64_t> seed;
};

std::string FormatSchedule(const ScheduleHeader& header, const std::vector<WrittenStep>& steps);

// "verb: argument" as a YAML mapping step, the argument double-quoted when
// YAML would read it as something else ("until: [A[0], B] are FINISHED").
std::string MappingStep(std::string_view verb, std::string_view argument);

// Writes `contents` to PATH.tmp, then renames it over PATH: never half a file.
bool WriteFileAtomically(const std::string& path, const std::string& contents, std::string* error);

// How a schedule written to `schedule_path` names the scenario given on the
// command line as `scenario_arg`: a built-in name as is, a path relative to
// the schedule's folder.
std::string ScenarioReference(const std::string& scenario_arg, const std::string& schedule_path);

// The steps of `decisions` as a schedule names them, applying each to
// `session` (in the state it is in). Stops at the first decision that is not
// enabled: nullopt and *error.
std::optional<std::vector<WrittenStep>> StepsFromDecisions(Session& session,
                                                           const std::vector<model::Action>& decisions,
                                                           std::string* error);

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_WRITER_H_
