#include "cli/session_view.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/report.h"
#include "schedules/describe.h"
#include "schedules/names.h"

namespace ckptsim::cli {

std::vector<std::string> StateLines(const schedules::Session& session) {
  const model::System& system = session.system();
  const model::JobGraph& graph = session.graph();
  size_t width = 0;
  for (const model::VertexInfo& vertex : graph.vertices()) width = std::max(width, vertex.name.size());
  std::vector<std::string> lines;
  for (const model::VertexInfo& vertex : graph.vertices()) {
    std::string line = fmt::format("  {:<{}}", vertex.name, width);
    for (int i = 0; i < vertex.parallelism; ++i) {
      const model::Subtask& sub = system.subtasks[vertex.first_subtask + i];
      line += fmt::format("  [{}] {}", i, model::Name(sub.phase));
      std::vector<std::string> details;
      if (sub.deployed_as_finished) details.push_back("FINISHED_ON_RESTORE");
      if (sub.final_checkpoint_min_id != 0 && sub.phase != model::SubtaskPhase::kFinished) {
        details.push_back(fmt::format("finalCheckpointMinId {}", sub.final_checkpoint_min_id));
      }
      if (sub.sync_savepoint_id != 0 && sub.phase != model::SubtaskPhase::kFinished) {
        details.push_back(fmt::format("syncSavepoint {}", sub.sync_savepoint_id));
      }
      if (sub.final_checkpoint_completed && sub.phase == model::SubtaskPhase::kWaitingForFinalCheckpoint) {
        details.push_back("released");
      }
      if (sub.pending_alignment_id != 0) details.push_back(fmt::format("aligning {}", sub.pending_alignment_id));
      if (!details.empty()) line += fmt::format(" ({})", fmt::join(details, ", "));
    }
    lines.push_back(std::move(line));
  }
  const model::Coordinator& coordinator = system.coordinator;
  std::vector<std::string> pending;
  for (const model::PendingCheckpoint& p : coordinator.pending) {
    pending.push_back(fmt::format("{}{} (waits for {} of {})",
                                  p.kind == model::CheckpointKind::kSyncSavepoint ? "savepoint " : "", p.id,
                                  p.acks_missing, p.plan.to_wait_for.size()));
  }
  std::string coordinator_line =
      fmt::format("  coordinator: pending {}; latest completed {}",
                  pending.empty() ? "none" : fmt::format("{}", fmt::join(pending, ", ")),
                  coordinator.latest_completed_id == 0 ? "none" : fmt::format("{}", coordinator.latest_completed_id));
  if (coordinator.latest_savepoint) coordinator_line += fmt::format("; latest savepoint {}", coordinator.latest_savepoint->id);
  std::vector<std::string> lagging;
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const model::ExecutionState actual = model::ExecutionStateOf(system.subtasks[s].phase);
    if (coordinator.view[s] != actual) {
      lagging.push_back(fmt::format("{} as {}", graph.SubtaskName(s), model::Name(coordinator.view[s])));
    }
  }
  if (!lagging.empty()) coordinator_line += fmt::format("; sees {}", fmt::join(lagging, ", "));
  if (system.job_finished) coordinator_line += "; job FINISHED";
  if (system.job_failed) coordinator_line += "; job FAILED";
  lines.push_back(std::move(coordinator_line));
  return lines;
}

std::string PossibleLine(const model::System& system, const model::Action& action) {
  const std::string hint = schedules::Hint(system, action);
  const std::string text = schedules::DescribeStep(system, action);
  return hint.empty() ? text : fmt::format("{:<36} {}", text, hint);
}

std::vector<properties::Violation> UnexpectedViolations(const simulator::RunResult& result,
                                                        const std::vector<properties::PropertyId>& expected) {
  std::vector<properties::Violation> unexpected;
  for (const properties::Violation& violation : result.violations) {
    if (std::find(expected.begin(), expected.end(), violation.property) == expected.end()) {
      unexpected.push_back(violation);
    }
  }
  return unexpected;
}

void PrintScriptedSummary(const schedules::Session& session, const simulator::RunResult& result,
                          const std::vector<properties::PropertyId>& expected_violations,
                          const std::string& replay_command) {
  const model::System& system = session.system();
  const auto& s = result.stats;
  const std::string_view job = system.job_failed ? "FAILED" : system.job_finished ? "FINISHED" : "RUNNING";
  fmt::print("result: job {} after {} steps, {} ticks\n", job, result.steps, result.ticks);
  PrintRunStats(session.graph(), s);
  fmt::print("trace hash: {}\n", simulator::HashToHex(result.trace_hash));
  PrintVerdicts(result, "properties (as if the run ended here):", expected_violations);
  fmt::print("replay: {}\n", replay_command);
}

}  // namespace ckptsim::cli
