// Text views of a schedules::Session shared by `run --schedule` and `step`:
// the phases of the subtasks, the actions possible now, the properties'
// verdicts of a scripted run.
#ifndef CKPTSIM_CLI_SESSION_VIEW_H_
#define CKPTSIM_CLI_SESSION_VIEW_H_

#include <string>
#include <vector>

#include "properties/property.h"
#include "schedules/session.h"
#include "simulator/runner.h"

namespace ckptsim::cli {

// One line per vertex ("  J   [0] WAITING_FOR_FINAL_CHECKPOINT (finalCheckpointMinId 1)"),
// then the coordinator's pending checkpoints, latest completed one and any
// subtask it sees in another state than the subtask is in.
std::vector<std::string> StateLines(const schedules::Session& session);

// "deliver S1[0]->J[0]" padded, then what it would do ("barrier 1").
std::string PossibleLine(const model::System& system, const model::Action& action);

// Prints the end of a scripted run: result, checkpoints, records, trace
// hash, each property's verdict (a violation the schedule expected is
// marked so), and the command that replays it.
void PrintScriptedSummary(const schedules::Session& session, const simulator::RunResult& result,
                          const std::vector<properties::PropertyId>& expected_violations,
                          const std::string& replay_command);

// The violations a schedule did not expect.
std::vector<properties::Violation> UnexpectedViolations(const simulator::RunResult& result,
                                                        const std::vector<properties::PropertyId>& expected);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_SESSION_VIEW_H_
