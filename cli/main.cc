// The ckptsim command: one binary, subcommands. Exit codes (docs/design.md):
// 0 all properties held, 1 a property was violated or a replay diverged,
// 2 bad input or usage, 3 an internal error of the harness.
#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/number_option.h"
#include "cli/report.h"
#include "model/check.h"
#include "properties/property.h"
#include "scenarios/builtin.h"
#include "scenarios/loader.h"
#include "scenarios/options_reader.h"
#include "scenarios/random_job.h"
#include "simulator/swarm.h"
#include "simulator/shrink.h"
#include "simulator/trace.h"

namespace ckptsim::cli {

int UsageError(const std::string& message) {
  fmt::print(stderr, "ckptsim: error: {}\n", message);
  return kExitUsage;
}

bool LoadWithVariant(const std::string& scenario, const std::string& variant, simulator::RunConfig* out,
                     std::string* error) {
  auto loaded = scenarios::LoadScenario(scenario);
  if (auto* e = std::get_if<scenarios::ScenarioError>(&loaded)) {
    *error = e->ToString();
    return false;
  }
  *out = std::move(std::get<simulator::RunConfig>(loaded));
  if (!variant.empty()) {
    auto parsed = model::ParseVariant(variant);
    if (!parsed) {
      *error = fmt::format("unknown variant '{}' (known: {}; see 'ckptsim list variants')", variant, KnownVariants());
      return false;
    }
    out->protocol.variant = *parsed;
  }
  return true;
}

simulator::RunConfig ConfigForSeed(const simulator::RunConfig& base, uint64_t seed, bool swarm) {
  simulator::RunConfig config = base;
  if (base.random_job) {
    auto drawn = scenarios::DrawRandomJob(seed);
    if (auto* error = std::get_if<scenarios::ScenarioError>(&drawn)) model::SetCheckContext(error->ToString());
    CKPTSIM_CHECK(std::holds_alternative<simulator::RunConfig>(drawn));  // the generator wrote a bad job
    config = std::move(std::get<simulator::RunConfig>(drawn));
    config.protocol.variant = base.protocol.variant;
  }
  return swarm ? simulator::DrawSwarm(config, seed) : config;
}

std::string KnownVariants() {
  std::vector<std::string_view> names;
  for (const model::Variant v : model::AllVariants()) names.push_back(model::Name(v));
  return fmt::format("{}", fmt::join(names, ", "));
}

int WorkerThreads(int jobs) {
  return jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

namespace {

// One "key value" line each, so scripts can pick a field with awk.
std::string VersionText() {
  const BuildInfo& info = GetBuildInfo();
  return fmt::format("ckptsim {}\ncommit {}\nbuild {}\ncompiler {}\n", info.version, info.commit, info.build_type,
                     info.compiler);
}

// One line per scenario: its name in a column `width` wide and the first
// sentence of its description (or why it does not load).
void PrintScenarios(const std::vector<std::string>& names, int width) {
  for (const std::string& name : names) {
    auto loaded = scenarios::LoadScenario(name);
    std::string description;
    if (auto* config = std::get_if<simulator::RunConfig>(&loaded)) {
      description = config->description.substr(0, config->description.find('.') + 1);
    } else {
      description = std::get<scenarios::ScenarioError>(loaded).ToString();
    }
    fmt::print("{:<{}} {}\n", name, width, description);
  }
}

int ListCommand(const std::string& what) {
  if (what == "scenarios") {
    const std::vector<std::string> names = scenarios::BuiltinScenarioNames();
    if (names.empty()) {
      // An override folder without scenarios is the user's input (2); a
      // binary that carries none is broken (3, an internal error).
      const std::string dir = scenarios::BuiltinScenarioDir();
      const bool overridden = dir != scenarios::kBuiltinRoot;
      fmt::print(stderr, "ckptsim: error: no built-in scenarios found in {}{}\n", dir,
                 overridden ? " (CKPTSIM_SCENARIO_DIR)" : "; this binary was built without them");
      return overridden ? kExitUsage : 3;
    }
    PrintScenarios(names, 24);
    PrintScenarios({scenarios::kRandomJobName}, 24);
    fmt::print("\ncheck scenarios (small configurations for `ckptsim check`):\n");
    PrintScenarios(scenarios::CheckScenarioNames(), 34);
    return kExitOk;
  }
  if (what == "variants") {
    for (const model::Variant v : model::AllVariants()) {
      fmt::print("{:<30} {}\n", model::Name(v), model::Description(v));
    }
    return kExitOk;
  }
  if (what == "properties") {
    for (const properties::PropertyInfo& info : properties::AllProperties()) {
      fmt::print("{} {:<20} {}\n", info.code, info.name, info.description);
    }
    return kExitOk;
  }
  return UsageError(fmt::format("unknown list '{}' (known: scenarios, variants, properties)", what));
}

struct RunArgs {
  std::string scenario;
  uint64_t seed = 1;
  std::string variant;
  std::string trace;
  bool swarm = false;
  bool all_violations = false;  // go on past the first violation to the end of the run
  bool json = false;
  std::string schedule;  // a scripted run: schedule_command.cc
};

int RunCommand(const RunArgs& args) {
  if (args.scenario.empty()) return UsageError("run: SCENARIO is required (see 'ckptsim run --help')");
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(args.scenario, args.variant, &config, &error)) return UsageError(error);
  config = ConfigForSeed(config, args.seed, args.swarm);
  if (!args.json) {
    fmt::print("seed {} scenario {} variant {}{}\n", args.seed, config.scenario_name,
               model::Name(config.protocol.variant), args.swarm ? " swarm" : "");
    std::fflush(stdout);
  }
  std::unique_ptr<simulator::TraceWriter> writer;
  if (!args.trace.empty()) {
    writer = simulator::TraceWriter::Open(args.trace, config, args.seed, &error);
    if (!writer) return UsageError(error);
  }
  const simulator::RunResult result = simulator::Run(
      config, args.seed, {.stop_at_first_violation = !args.all_violations, .observer = writer.get()});
  if (writer && !writer->Finish(result, &error)) return UsageError(error);
  if (args.json) {
    fmt::print("{}\n", RunToJson(config, args.scenario, result).dump());
  } else {
    PrintRunText(config, args.scenario, result);
    if (!args.trace.empty()) fmt::print("trace: {}\n", args.trace);
  }
  const bool failed = !result.violations.empty() || !ExpectationProblem(config, result).empty();
  return failed ? kExitViolation : kExitOk;
}

int ReplayCommandMain(const std::string& path, bool json) {
  auto loaded = simulator::ReadTrace(path);
  if (auto* error = std::get_if<std::string>(&loaded)) return UsageError(*error);
  const simulator::Trace& trace = std::get<simulator::Trace>(loaded);
  const simulator::RunResult result =
      simulator::Run(trace.config, trace.seed, {.stop_at_first_violation = false, .replay = &trace.decisions});
  const std::string hash = simulator::HashToHex(result.trace_hash);
  const bool diverged = result.diverged_at_step >= 0;
  const bool matches = !diverged && hash == trace.trace_hash;
  if (json) {
    auto object = RunToJson(trace.config, trace.config.scenario_name, result);
    object["expected_trace_hash"] = trace.trace_hash;
    object["replay_matches"] = matches;
    if (diverged) object["divergence"] = result.divergence;
    fmt::print("{}\n", object.dump());
  } else {
    fmt::print("replaying {} ({} decisions, seed {}, scenario {})\n", path, trace.decisions.size(), trace.seed,
               trace.config.scenario_name);
    if (diverged) fmt::print("DIVERGED: {} (the model changed since the trace was written)\n", result.divergence);
    fmt::print("trace hash: {} (recorded {}) {}\n", hash, trace.trace_hash, matches ? "MATCH" : "MISMATCH");
    for (const auto& v : result.violations) {
      fmt::print("  {} VIOLATED at step {}: {}\n", properties::Info(v.property).code, v.step, v.summary);
    }
    const std::string problem = ExpectationProblem(trace.config, result);
    if (!problem.empty()) fmt::print("  expectation failed: {}\n", problem);
  }
  // The contract of `run`: a replay that reproduces a failing run fails too.
  const bool held = result.violations.empty() && ExpectationProblem(trace.config, result).empty();
  return matches && held ? kExitOk : kExitViolation;
}

// Describes how a shrunk scenario differs from the original, briefly.
std::string ScenarioChanges(const simulator::RunConfig& before, const simulator::RunConfig& after) {
  std::vector<std::string> changes;
  if (before.faults.any() && !after.faults.any()) changes.push_back("faults off");
  const auto& vb = before.graph_spec.vertices;
  const auto& va = after.graph_spec.vertices;
  for (size_t v = 0; v < vb.size() && v < va.size(); ++v) {
    if (vb[v].parallelism != va[v].parallelism) {
      changes.push_back(fmt::format("{} parallelism {} -> {}", vb[v].name, vb[v].parallelism, va[v].parallelism));
    }
    if (vb[v].records_per_subtask != va[v].records_per_subtask && !va[v].records_per_subtask.empty()) {
      changes.push_back(fmt::format("{} records {} -> {}", vb[v].name, fmt::join(vb[v].records_per_subtask, "/"),
                                    fmt::join(va[v].records_per_subtask, "/")));
    }
  }
  if (changes.empty()) return "none";
  return fmt::format("{}", fmt::join(changes, ", "));
}

int ShrinkCommand(const std::string& path, const std::string& out, const std::string& property_name, int max_runs) {
  auto loaded = simulator::ReadTrace(path);
  if (auto* error = std::get_if<std::string>(&loaded)) return UsageError(*error);
  const simulator::Trace& trace = std::get<simulator::Trace>(loaded);
  const simulator::RunResult original =
      simulator::Run(trace.config, trace.seed, {.stop_at_first_violation = true, .replay = &trace.decisions});
  if (original.diverged_at_step >= 0) {
    return UsageError(fmt::format("{}: the trace no longer replays ({}); re-run its seed first", path,
                                  original.divergence));
  }
  std::optional<properties::PropertyId> property;
  if (!property_name.empty()) {
    property = properties::ParseProperty(property_name);
    if (!property) return UsageError(fmt::format("--property '{}' is not a property (see 'ckptsim list properties')",
                                                 property_name));
  } else if (!original.violations.empty()) {
    property = original.violations.front().property;
  }
  if (!property || std::none_of(original.violations.begin(), original.violations.end(),
                                [&](const properties::Violation& v) { return v.property == *property; })) {
    return UsageError(fmt::format("{}: the run does not violate {}; nothing to shrink", path,
                                  property ? properties::Info(*property).code : std::string_view("any property")));
  }
  const simulator::ShrinkResult shrunk =
      simulator::Shrink(trace.config, trace.seed, trace.decisions, *property, {.max_runs = max_runs});
  std::string error;
  auto writer = simulator::TraceWriter::Open(out, shrunk.config, shrunk.seed, &error);
  if (!writer) return UsageError(error);
  const simulator::RunResult result =
      simulator::Run(shrunk.config, shrunk.seed, {.observer = writer.get(), .replay = &shrunk.decisions});
  if (!writer->Finish(result, &error)) return UsageError(error);
  const properties::PropertyInfo& info = properties::Info(*property);
  fmt::print("shrunk {}: {} -> {} decisions in {} re-simulations; {} {} still fails\n", path,
             trace.decisions.size(), shrunk.decisions.size(), shrunk.runs, info.code, info.name);
  fmt::print("scenario changes: {}\n", ScenarioChanges(trace.config, shrunk.config));
  for (const auto& v : result.violations) {
    if (v.property != *property) continue;
    fmt::print("  {} VIOLATED at step {}: {}\n", info.code, v.step, v.summary);
    for (const std::string& detail : v.details) fmt::print("       {}\n", detail);
  }
  fmt::print("wrote {}\nreplay: ckptsim replay {}\n", out, out);
  return kExitViolation;
}

// The footer of `run --help`: where a scenario file sets each protocol option.
std::string ProtocolOptionsHelp() {
  std::string text = "Protocol options (model::ProtocolOptions), set by these scenario file keys:\n";
  for (const scenarios::ProtocolOptionKey& option : scenarios::ProtocolOptionKeys()) {
    text += fmt::format("  {:<46} default {}: {}\n", option.key, option.default_value, option.meaning);
  }
  return text;
}

int Main(int argc, char** argv) {
  CLI::App app{"ckptsim: simulate and check Flink's checkpoint protocol for jobs whose tasks finish (FLIP-147)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  app.set_version_flag("--version", VersionText(), "Print the version, git commit, build type and compiler");

  std::string list_what;
  CLI::App* list = app.add_subcommand("list", "List built-in scenarios, variants or properties");
  list->add_option("what", list_what, "scenarios | variants | properties")->required();

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run one scenario with one seed, or drive it with a schedule (--schedule)");
  run->add_option("scenario", run_args.scenario,
                  "Built-in scenario name or path to a .yaml file (with --schedule: default the schedule's "
                  "'scenario:')");
  CLI::Option* run_seed = AddNumber(run, "--seed", &run_args.seed, "Seed of the run")->capture_default_str();
  run->add_option("--variant", run_args.variant,
                  "Protocol variant (flip147, legacy or a bug-zoo variant: ckptsim list variants)");
  run->add_option("--trace", run_args.trace, "Write the trace (JSON Lines) to this file");
  run->add_flag("--swarm", run_args.swarm, "Draw the scenario's parameters from the seed (as sweep --swarm)");
  run->add_flag("--all-violations", run_args.all_violations,
                "Go on past the first violation to the end of the run and report every property that failed "
                "(the first violation of each)");
  run->add_flag("--json", run_args.json, "Print one JSON summary object");
  run->add_option("--schedule", run_args.schedule,
                  "Drive the run with this schedule file (steps, run/until, expect; see schedules/README.md)");
  run->footer(ProtocolOptionsHelp());

  SweepArgs sweep_args;
  CLI::App* sweep = app.add_subcommand("sweep", "Run many seeds of one or more scenarios in parallel");
  sweep->add_option("scenarios", sweep_args.scenarios, "Built-in scenario names or .yaml paths")->required();
  AddNumber<int64_t>(sweep, "--seeds", &sweep_args.seeds, "Seeds per scenario", 1)->capture_default_str();
  AddNumber(sweep, "--first-seed", &sweep_args.first_seed, "First seed")->capture_default_str();
  AddNumber(sweep, "--jobs", &sweep_args.jobs, "Worker threads (default: cores)", 0, kJobsMax);
  sweep->add_option("--shard", sweep_args.shard, "Run only shard I of N (I/N, 0-based)");
  sweep->add_option("--variant", sweep_args.variant, "Protocol variant for every scenario");
  sweep->add_flag("--swarm", sweep_args.swarm,
                  "Each seed draws its own parameters within the scenario's swarm ranges (swarm testing)");
  sweep->add_option("--out", sweep_args.out, "Write one JSON line per run to this file");
  sweep->add_flag("--resume", sweep_args.resume,
                  "Keep the runs already in the --out file (dropping a truncated last line) and add the rest");
  sweep->add_flag("--stop-on-first", sweep_args.stop_on_first, "Stop after the first run that violates a property");
  sweep->add_flag("--all-violations", sweep_args.all_violations,
                  "Every run goes on past its first violation and reports each property that failed");
  sweep->add_flag("--json", sweep_args.json, "Print one JSON summary object");
  sweep->add_option("--report-dir", sweep_args.report_dir,
                    "Write an HTML report and a trace for each failing run into this directory");

  std::vector<std::string> merge_files;
  bool merge_json = false;
  CLI::App* merge = app.add_subcommand("merge", "Summarise the JSONL files of sweeps (e.g. of shards) as one sweep");
  merge->add_option("files", merge_files, "JSONL files written by 'ckptsim sweep --out'")->required();
  merge->add_flag("--json", merge_json, "Print one JSON summary object");

  std::string replay_path;
  bool replay_json = false;
  CLI::App* replay = app.add_subcommand(
      "replay", "Re-run a trace's decision log and compare its hash. Exit 0 when the hash matches and every "
                "property held, 1 when a property was violated (or an expectation failed) or the replay "
                "diverged or its hash differs, 2 when the trace cannot be read");
  replay->add_option("trace", replay_path, "Trace file")->required();
  replay->add_flag("--json", replay_json, "Print one JSON summary object");

  std::string shrink_path;
  std::string shrink_out;
  std::string shrink_property;
  int shrink_max_runs = 4000;
  CLI::App* shrink = app.add_subcommand("shrink", "Reduce a failing trace while the same property still fails");
  shrink->add_option("trace", shrink_path, "Trace of a failing run")->required();
  shrink->add_option("-o,--out", shrink_out, "Where to write the shrunk trace")->required();
  shrink->add_option("--property", shrink_property, "Property to keep failing (default: the first one violated)");
  AddNumber(shrink, "--max-runs", &shrink_max_runs, "Re-simulations allowed", 1)->capture_default_str();

  // Steps are counts of decisions: a minus sign is a mistake, not "unset".
  constexpr int64_t kStepMin = 0;
  RenderArgs render_args;
  CLI::App* render = app.add_subcommand("render", "Draw a trace: job graph, space-time diagram or checkpoints "
                                                  "(.dot, .svg, .png), or export it for Perfetto");
  render->add_option("trace", render_args.trace, "Trace file")->required();
  render->add_option("--view", render_args.view, "jobgraph | spacetime | checkpoints");
  AddNumber(render, "--step", &render_args.step, "jobgraph: the state after this many decisions (default: the end)",
            kStepMin);
  AddNumber(render, "--from", &render_args.from_step, "spacetime, checkpoints: first step drawn", kStepMin);
  AddNumber(render, "--to", &render_args.to_step, "spacetime, checkpoints: last step drawn", kStepMin);
  AddNumber(render, "--max-nodes", &render_args.max_nodes, "Node budget of spacetime and checkpoints (0: none)")
      ->capture_default_str();
  render->add_option("--format", render_args.format, "dot | svg | png | perfetto (default: from the -o extension)");
  render->add_option("-o,--out", render_args.out, "Output file (.dot, .svg, .png; .json for perfetto)")->required();

  TimelineArgs timeline_args;
  CLI::App* timeline = app.add_subcommand("timeline", "Print a trace as a one-line-per-event text timeline");
  timeline->add_option("trace", timeline_args.trace, "Trace file")->required();
  AddNumber(timeline, "--from", &timeline_args.from_step, "First step shown", kStepMin);
  AddNumber(timeline, "--to", &timeline_args.to_step, "Last step shown", kStepMin);
  timeline->add_flag("--fold", timeline_args.fold_records, "One line per run of record sends and receives");
  timeline->add_option("-o,--out", timeline_args.out, "Write to this file instead of stdout");

  ReportArgs report_args;
  CLI::App* report = app.add_subcommand("report", "Write a self-contained HTML report of a trace");
  report->add_option("trace", report_args.trace, "Trace file")->required();
  report->add_option("-o,--out", report_args.out, "The .html file to write")->required();
  AddNumber(report, "--frames", &report_args.frames, "Job-graph frames behind the step slider", 2)
      ->capture_default_str();

  PlanArgs plan_args;
  CLI::App* plan = app.add_subcommand("plan", "The checkpoint plan the coordinator computes with these subtasks "
                                              "finished: what it triggers, waits for, notifies, or why it refuses");
  plan->add_option("scenario", plan_args.scenario, "Built-in scenario name or path to a .yaml file")->required();
  plan->add_option("--finished", plan_args.finished,
                   "Finished subtasks (A[0]) or whole vertices (A), comma-separated; the others are RUNNING");
  plan->add_option("--variant", plan_args.variant,
                  "Protocol variant (flip147, legacy or a bug-zoo variant: ckptsim list variants)");
  plan->add_flag("--json", plan_args.json, "Print one JSON object");

  RestoreCheckArgs restore_args;
  CLI::App* restore_check = app.add_subcommand(
      "restore-check", "Would Flink restore this run's savepoint (else latest checkpoint) into a changed job?");
  restore_check->add_option("scenario", restore_args.scenario, "The job that took the savepoint")->required();
  AddNumber(restore_check, "--seed", &restore_args.seed, "Seed of its run")->capture_default_str();
  restore_check->add_option("--into", restore_args.into, "The changed job (built-in name or .yaml path)")->required();
  restore_check->add_flag("--allow-non-restored-state", restore_args.allow_non_restored_state,
                          "Drop the state of operators the changed job does not have instead of refusing "
                          "(Flink's --allowNonRestoredState)");
  restore_check->add_flag("--json", restore_args.json, "Print one JSON object");

  StepArgs step_args;
  CLI::App* step = app.add_subcommand("step", "Step through a run interactively: pick enabled actions by number "
                                              "(commands from standard input; 'h' lists them)");
  step->add_option("scenario", step_args.scenario, "Built-in scenario name or path to a .yaml file")->required();
  AddNumber(step, "--seed", &step_args.seed, "Seed of the scheduler's random steps ('r N')")->capture_default_str();
  step->add_option("--variant", step_args.variant,
                  "Protocol variant (flip147, legacy or a bug-zoo variant: ckptsim list variants)");

  CheckArgs check_args;
  CLI::App* check = app.add_subcommand(
      "check", "Search every interleaving of a small configuration (its check: bounds) for a shortest "
               "counterexample");
  check->add_option("scenario", check_args.scenario, "Built-in or check scenario name, or a .yaml path")->required();
  check->add_option("--variant", check_args.variant,
                  "Protocol variant (flip147, legacy or a bug-zoo variant: ckptsim list variants)");
  check->add_option("--property", check_args.properties, "Only these properties (P1 ... L3), repeatable");
  check->add_option("--bound", check_args.bounds,
                    "Override a check: bound, NAME=N (e.g. subtask_failures=0), repeatable");
  check->add_option("--max-states", check_args.max_states, "Stop after this many distinct states")
      ->capture_default_str();
  check->add_option("--max-depth", check_args.max_depth, "Longest path explored (default: none; 200 for --dfs)");
  check->add_option("--jobs", check_args.jobs, "Search threads (0: one per core)")->capture_default_str();
  check->add_flag("--dfs", check_args.dfs, "Depth-bounded depth-first search: small memory, not shortest");
  check->add_flag("--no-por", check_args.no_por, "Partial-order reduction off (the default)");
  check->add_flag("--por", check_args.por,
                  "Partial-order reduction on: far fewer states, but known to miss some interleavings");
  check->add_flag("--no-symmetry", check_args.no_symmetry,
                  "Turn symmetry reduction off (no scenario has interchangeable subtasks yet: always off)");
  check->add_option("--swarm", check_args.swarm, "Run K randomized depth-bounded searches (swarm verification)");
  check->add_option("--seed", check_args.seed, "Seed of the swarm's action orders")->capture_default_str();
  check->add_option("--shard", check_args.shard, "Run only the swarm searches of shard I of N (I/N)");
  check->add_flag("--stop-at-first", check_args.stop_at_first, "Stop at the first violated property");
  check->add_flag("--progress", check_args.progress, "Progress on stderr even when it is not a terminal");
  check->add_flag("--json", check_args.json, "Print one JSON summary object");
  check->add_option("-o,--out", check_args.out,
                    "Write the shortest counterexample here (default: SCENARIO-PROPERTY.cex.jsonl)");

  ZooArgs zoo_args;
  CLI::App* zoo = app.add_subcommand(
      "zoo", "Run every protocol variant through the default sweep --swarm and a bounded check: each bug variant "
             "must be caught and flip147 clean. Exit 0 when so, 1 when flip147 fails or a variant is not caught");
  AddNumber<int64_t>(zoo, "--seeds", &zoo_args.seeds, "Seeds 1..N of each scenario", 1)->capture_default_str();
  AddNumber(zoo, "--ranges", &zoo_args.ranges, "Disjoint seed ranges over which seeds to the first failure are taken",
            1)
      ->capture_default_str();
  AddNumber(zoo, "--jobs", &zoo_args.jobs, "Worker threads of the sweeps and searches (default: cores)", 0, kJobsMax);
  zoo->add_option("--variant", zoo_args.variants, "Only this variant (repeatable; flip147 always runs)");
  zoo->add_option("--scenario", zoo_args.scenarios,
                  "Sweep only this scenario (repeatable; default: every built-in scenario)");
  zoo->add_option("--check-scenario", zoo_args.check_scenarios,
                  "Check only this scenario (repeatable; default: the built-in check scenarios but the findings')");
  AddNumber<int64_t>(zoo, "--max-states", &zoo_args.max_states,
                     "Distinct states each breadth-first check may visit (0: no check)", 0)
      ->capture_default_str();
  AddNumber(zoo, "--shrink-runs", &zoo_args.shrink_runs, "Re-simulations the shrink of a first failure may spend", 1)
      ->capture_default_str();
  zoo->add_flag("--json", zoo_args.json, "Print one JSON object");

  ScheduleFromTraceArgs from_trace_args;
  CLI::App* from_trace = app.add_subcommand("schedule-from-trace",
                                            "Write a trace's decision log as a schedule (RPCs named by kind and "
                                            "subtask), to cut and edit");
  from_trace->add_option("trace", from_trace_args.trace, "Trace file")->required();
  from_trace->add_option("-o,--out", from_trace_args.out, "Write the schedule here (default: standard output)");
  AddNumber(from_trace, "--steps", &from_trace_args.steps, "Only the first N decisions", kStepMin);

  ImportPlanArgs import_args;
  CLI::App* import_plan = app.add_subcommand("import-plan", "Turn a Flink JSON execution plan into a scenario file");
  import_plan->add_option("plan", import_args.plan, "getExecutionPlan()/EXPLAIN JSON, or the REST API's job plan")
      ->required();
  import_plan->add_option("-o,--out", import_args.out, "Write the scenario here (default: standard output)");
  import_plan->add_option("--bounded", import_args.bounded, "ID=N: source ID emits N records per subtask (repeatable)")
      ->allow_extra_args(false);
  import_plan->add_option("--sink-kind", import_args.sink_kind, "2pc | sink-v2")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion&) {
    fmt::print("{}", VersionText());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    return UsageError(message + " (see 'ckptsim --help')");
  }
  if (list->parsed()) return ListCommand(list_what);
  if (run->parsed() && !run_args.schedule.empty()) {
    return ScheduleRunCommand({.scenario = run_args.scenario,
                               .schedule = run_args.schedule,
                               .seed = run_args.seed,
                               .seed_given = run_seed->count() > 0,
                               .variant = run_args.variant,
                               .trace = run_args.trace,
                               .swarm = run_args.swarm,
                               .json = run_args.json});
  }
  if (run->parsed()) return RunCommand(run_args);
  if (sweep->parsed()) return SweepCommand(sweep_args);
  if (merge->parsed()) return MergeCommand(merge_files, merge_json);
  if (replay->parsed()) return ReplayCommandMain(replay_path, replay_json);
  if (shrink->parsed()) return ShrinkCommand(shrink_path, shrink_out, shrink_property, shrink_max_runs);
  if (render->parsed()) return RenderCommand(render_args);
  if (timeline->parsed()) return TimelineCommand(timeline_args);
  if (report->parsed()) return ReportCommand(report_args);
  if (plan->parsed()) return PlanCommand(plan_args);
  if (restore_check->parsed()) return RestoreCheckCommand(restore_args);
  if (step->parsed()) return StepCommand(step_args);
  if (check->parsed()) return CheckCommand(check_args);
  if (import_plan->parsed()) return ImportPlanCommand(import_args);
  if (from_trace->parsed()) return ScheduleFromTraceCommand(from_trace_args);
  if (zoo->parsed()) return ZooCommand(zoo_args);
  return UsageError("no subcommand");
}

}  // namespace
}  // namespace ckptsim::cli

// An exception that escapes a subcommand (std::bad_alloc, say) is a broken
// promise of the harness, not a crash: one line and exit 3.
int main(int argc, char** argv) {
  try {
    return ckptsim::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ckptsim: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ckptsim: internal error: an unknown exception\n");
  }
  return ckptsim::cli::kExitInternal;
}
