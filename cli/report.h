// Text and JSON renderings of run results, shared by the CLI subcommands.
#ifndef CKPTSIM_CLI_REPORT_H_
#define CKPTSIM_CLI_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/property.h"
#include "simulator/run_config.h"
#include "simulator/runner.h"

namespace ckptsim::cli {

// The command that reproduces this run exactly (`swarm`: its parameters were
// drawn by --swarm, so the command redraws them).
std::string ReplayCommand(const std::string& scenario_arg, uint64_t seed, model::Variant variant, bool swarm,
                          bool all_violations = false);
// The JSON key of a sometimes fact: its name in snake_case
// ("checkpoint_completed_with_finished_subtasks").
std::string SometimesKey(simulator::Sometimes fact);
// "none", or how many faults of each kind the run injected.
std::string FaultSummary(const simulator::RunStats& stats);
// Problems with the scenario's expectations (e.g. "terminates" not met); empty if none.
// The checkpoints / subtasks / faults / sometimes lines of a run summary.
void PrintRunStats(const model::JobGraph& graph, const simulator::RunStats& stats);
// One line per property, with the report's details under a violated one;
// violations listed in `expected` (by a schedule) are marked as such.
void PrintVerdicts(const simulator::RunResult& result, std::string_view heading,
                   const std::vector<properties::PropertyId>& expected);
std::string ExpectationProblem(const simulator::RunConfig& config, const simulator::RunResult& result);
void PrintRunText(const simulator::RunConfig& config, const std::string& scenario_arg,
                  const simulator::RunResult& result);
// One run as a JSON object: `run --json` prints it, and a sweep's JSONL file
// holds one per line (cli/run_line.h reads it back).
nlohmann::ordered_json RunToJson(const simulator::RunConfig& config, const std::string& scenario_arg,
                                 const simulator::RunResult& result);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_REPORT_H_
