#include "cli/report.h"

#include <algorithm>

#include <fmt/format.h>

#include "properties/property.h"
#include "simulator/swarm.h"
#include "simulator/trace.h"

namespace ckptsim::cli {

using Json = nlohmann::ordered_json;

std::string ReplayCommand(const std::string& scenario_arg, uint64_t seed, model::Variant variant, bool swarm,
                          bool all_violations) {
  std::string command = fmt::format("ckptsim run {} --seed {}", scenario_arg, seed);
  if (variant != model::Variant::kFlip147) command += fmt::format(" --variant {}", model::Name(variant));
  if (swarm) command += " --swarm";
  if (all_violations) command += " --all-violations";
  return command;
}

std::string SometimesKey(simulator::Sometimes fact) {
  std::string key;
  for (char c : simulator::Name(fact)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      key.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (keep) {
      key.push_back(c);
    } else if (!key.empty() && key.back() != '_') {
      key.push_back('_');
    }
  }
  while (!key.empty() && key.back() == '_') key.pop_back();
  return key;
}

std::string ExpectationProblem(const simulator::RunConfig& config, const simulator::RunResult& result) {
  if (!result.violations.empty()) return "";  // the run stopped at the violation
  // Since Flink 1.15 a failure after the stop's savepoint ends the job FAILED,
  // keeping the savepoint: the end Flink gives it, not a hang.
  if (config.expect.terminates && !result.job_finished && !result.stats.job_failed_after_stop_savepoint &&
      !result.stats.stop_abandoned) {
    std::string why = result.hit_step_limit   ? "the step limit was reached"
                      : result.hit_tick_limit ? "the tick limit was reached"
                                              : "no action was enabled any more";
    return fmt::format("expected the job to reach FINISHED, but {} first", why);
  }
  return "";
}

std::string FaultSummary(const simulator::RunStats& s) {
  if (s.subtask_failures + s.task_manager_failures + s.lost_notifications + s.delayed_rpcs + s.checkpoint_timeouts ==
      0) {
    return "none";
  }
  return fmt::format("{} subtask failure(s), {} task manager failure(s), {} lost notification(s), {} delayed RPC(s), "
                     "{} checkpoint timeout(s)",
                     s.subtask_failures, s.task_manager_failures, s.lost_notifications, s.delayed_rpcs,
                     s.checkpoint_timeouts);
}

void PrintRunStats(const model::JobGraph& graph, const simulator::RunStats& s) {
  std::string reasons;
  for (const auto& [reason, count] : s.aborted_by_reason) {
    reasons += fmt::format("{}{}: {}", reasons.empty() ? " (" : ", ", reason, count);
  }
  if (!reasons.empty()) reasons += ")";
  fmt::print("checkpoints: {} triggered, {} completed, {} aborted{}; {} trigger(s) refused by the plan\n",
             s.checkpoints_triggered, s.checkpoints_completed, s.checkpoints_aborted, reasons, s.checkpoints_refused);
  fmt::print("subtasks finished: {}/{}; records: {} emitted by sources, {} committed\n", s.subtasks_finished,
             s.subtasks, s.records_emitted, s.records_committed);
  if (s.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)] > 0) {
    fmt::print("new version: the savepoint was restored into the changed job ({} subtasks, was {})\n", s.subtasks,
               graph.subtask_count());
  }
  if (!s.resume_refusal.empty()) fmt::print("new version refused: {}\n", s.resume_refusal);
  fmt::print("faults: {}; {} restart(s), {} subtask(s) deployed finished on restore{}\n", FaultSummary(s), s.restarts,
             s.finished_on_restore, !s.job_failed                       ? ""
             : s.job_failed_after_stop_savepoint ? "; the job FAILED for good (a failure after the stop's savepoint)"
                                                 : "; the job FAILED (restarts exhausted)");
  std::string sometimes;
  for (size_t f = 0; f < simulator::kSometimesCount; ++f) {
    if (s.sometimes[f] == 0) continue;
    sometimes += fmt::format("{}{} x{}", sometimes.empty() ? "" : ", ",
                             simulator::Name(static_cast<simulator::Sometimes>(f)), s.sometimes[f]);
  }
  fmt::print("sometimes: {}\n", sometimes.empty() ? "none" : sometimes);
}

void PrintVerdicts(const simulator::RunResult& result, std::string_view heading,
                   const std::vector<properties::PropertyId>& expected) {
  fmt::print("{}\n", heading);
  for (const properties::PropertyInfo& info : properties::AllProperties()) {
    const properties::Violation* violation = nullptr;
    for (const auto& v : result.violations) {
      if (v.property == info.id) violation = &v;
    }
    if (violation == nullptr) {
      fmt::print("  {} {:<20} held\n", info.code, info.name);
      continue;
    }
    const bool was_expected = std::find(expected.begin(), expected.end(), info.id) != expected.end();
    fmt::print("  {} {:<20} VIOLATED at step {}: {}{}\n", info.code, info.name, violation->step, violation->summary,
               was_expected ? " (expected by the schedule)" : "");
    for (const std::string& detail : violation->details) fmt::print("       {}\n", detail);
  }
}

void PrintRunText(const simulator::RunConfig& config, const std::string& scenario_arg,
                  const simulator::RunResult& result) {
  const model::JobGraph& graph = *config.graph;
  const auto& p = config.protocol;
  const auto& t = config.timing;
  if (config.swarm_drawn) {
    std::string drawn;
    const Json parameters = simulator::SwarmParametersToJson(config);
    for (const auto& [key, value] : parameters.items()) {
      drawn += fmt::format(" {}={}", key, value.dump());
    }
    fmt::print("swarm: drawn for seed {}:{}\n", result.seed, drawn);
  }
  fmt::print("options: {} vertices, {} subtasks, {} channels; checkpoint every {} ticks (timeout {}, max {} "
             "concurrent, {}); checkpoints after tasks finish: {}; immediate final checkpoint: {}\n",
             graph.vertices().size(), graph.subtask_count(), graph.channel_count(), t.checkpoint_interval_ticks,
             t.checkpoint_timeout_ticks, p.max_concurrent_checkpoints, model::Name(p.checkpoint_mode),
             p.checkpoints_after_tasks_finish ? "on" : "off", p.immediate_final_checkpoint ? "on" : "off");
  std::string end = result.job_finished     ? "job FINISHED"
                    : result.hit_step_limit ? "step limit reached"
                    : result.hit_tick_limit ? "tick limit reached"
                                            : "job did not finish";
  // Safety violations stop the run; end-of-run ones (P2) come after FINISHED.
  if (!result.violations.empty() && !result.job_finished && !result.all_violations) {
    end = "stopped at the first violation";
  }
  fmt::print("result: {} after {} steps, {} ticks\n", end, result.steps, result.ticks);
  PrintRunStats(graph, result.stats);
  fmt::print("trace hash: {}\n", simulator::HashToHex(result.trace_hash));
  PrintVerdicts(result, "properties:", {});
  const std::string problem = ExpectationProblem(config, result);
  if (!problem.empty()) fmt::print("expectation not met: {}\n", problem);
  fmt::print("replay: {}\n",
             ReplayCommand(scenario_arg, result.seed, p.variant, config.swarm_drawn, result.all_violations));
}

Json RunToJson(const simulator::RunConfig& config, const std::string& scenario_arg,
               const simulator::RunResult& result) {
  const auto& s = result.stats;
  Json aborted = Json::object();
  for (const auto& [reason, count] : s.aborted_by_reason) aborted[reason] = count;
  Json sometimes = Json::object();
  for (size_t f = 0; f < simulator::kSometimesCount; ++f) {
    if (s.sometimes[f] != 0) sometimes[SometimesKey(static_cast<simulator::Sometimes>(f))] = s.sometimes[f];
  }
  Json properties = Json::object();
  const Json verdicts = simulator::VerdictsToJson(result);
  for (const auto& [code, verdict] : verdicts.items()) {
    properties[code] = verdict["verdict"];
    if (verdict["verdict"] == "violated") properties[code + "_report"] = verdict;
  }
  return Json{{"scenario", config.scenario_name},
              {"variant", model::Name(config.protocol.variant)},
              {"seed", result.seed},
              {"swarm", config.swarm_drawn ? simulator::SwarmParametersToJson(config) : Json(nullptr)},
              {"steps", result.steps},
              {"ticks", result.ticks},
              {"trace_hash", simulator::HashToHex(result.trace_hash)},
              {"job_finished", result.job_finished},
              {"hit_step_limit", result.hit_step_limit},
              {"hit_tick_limit", result.hit_tick_limit},
              {"checkpoints",
               {{"triggered", s.checkpoints_triggered},
                {"completed", s.checkpoints_completed},
                {"aborted", s.checkpoints_aborted},
                {"refused", s.checkpoints_refused},
                {"aborted_by_reason", aborted}}},
              {"faults",
               {{"subtask_failures", s.subtask_failures},
                {"task_manager_failures", s.task_manager_failures},
                {"lost_notifications", s.lost_notifications},
                {"delayed_rpcs", s.delayed_rpcs},
                {"checkpoint_timeouts", s.checkpoint_timeouts},
                {"restarts", s.restarts},
                {"finished_on_restore", s.finished_on_restore},
                {"job_failed", s.job_failed}}},
              {"subtasks_finished", s.subtasks_finished},
              {"subtasks", s.subtasks},
              {"resume_refused", s.resume_refusal.empty() ? Json(nullptr) : Json(s.resume_refusal)},
              {"records_emitted", s.records_emitted},
              {"records_committed", s.records_committed},
              {"sometimes", sometimes},
              {"properties", properties},
              {"expectation_problem", ExpectationProblem(config, result)},
              {"replay", ReplayCommand(scenario_arg, result.seed, config.protocol.variant, config.swarm_drawn, result.all_violations)}};
}

}  // namespace ckptsim::cli
