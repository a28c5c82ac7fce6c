// The ckptsim command: one binary, subcommands. Exit codes (DESIGN.md):
// 0 all properties held, 1 a property was violated or a replay diverged,
// 2 bad input or usage, 3 an internal error of the harness.
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/report.h"
#include "properties/property.h"
#include "scenarios/loader.h"
#include "simulator/sweep.h"
#include "simulator/trace.h"

namespace ckptsim::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitViolation = 1;
constexpr int kExitUsage = 2;

// One-line error on stderr, exit code 2.
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
      *error = fmt::format("unknown variant '{}' (known: flip147, legacy; see 'ckptsim list variants')", variant);
      return false;
    }
    out->protocol.variant = *parsed;
  }
  return true;
}

int ListCommand(const std::string& what) {
  if (what == "scenarios") {
    for (const std::string& name : scenarios::BuiltinScenarioNames()) {
      auto loaded = scenarios::LoadScenario(name);
      std::string description;
      if (auto* config = std::get_if<simulator::RunConfig>(&loaded)) {
        description = config->description.substr(0, config->description.find('.') + 1);
      } else {
        description = std::get<scenarios::ScenarioError>(loaded).ToString();
      }
      fmt::print("{:<24} {}\n", name, description);
    }
    return kExitOk;
  }
  if (what == "variants") {
    for (model::Variant v : {model::Variant::kFlip147, model::Variant::kLegacy}) {
      fmt::print("{:<12} {}\n", model::Name(v), model::Description(v));
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
  bool json = false;
};

int RunCommand(const RunArgs& args) {
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(args.scenario, args.variant, &config, &error)) return UsageError(error);
  if (!args.json) {
    fmt::print("seed {} scenario {} variant {}\n", args.seed, config.scenario_name,
               model::Name(config.protocol.variant));
    std::fflush(stdout);
  }
  std::unique_ptr<simulator::TraceWriter> writer;
  if (!args.trace.empty()) {
    writer = simulator::TraceWriter::Open(args.trace, config, args.seed, &error);
    if (!writer) return UsageError(error);
  }
  const simulator::RunResult result = simulator::Run(config, args.seed, {.observer = writer.get()});
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

struct SweepArgs {
  std::vector<std::string> scenarios;
  int64_t seeds = 100;
  uint64_t first_seed = 1;
  int jobs = 0;
  std::string shard;
  std::string variant;
  std::string out;
  bool stop_on_first = false;
  bool json = false;
};

bool ParseShard(const std::string& text, int* index, int* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    size_t used = 0;
    *index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) return false;
    *count = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return *count >= 1 && *index >= 0 && *index < *count;
}

int SweepCommand(const SweepArgs& args) {
  std::vector<simulator::RunConfig> configs;
  for (const std::string& scenario : args.scenarios) {
    simulator::RunConfig config;
    std::string error;
    if (!LoadWithVariant(scenario, args.variant, &config, &error)) return UsageError(error);
    configs.push_back(std::move(config));
  }
  simulator::SweepOptions options{.seeds = args.seeds, .first_seed = args.first_seed, .stop_on_first = args.stop_on_first};
  if (args.seeds < 1) return UsageError("--seeds must be at least 1");
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!args.shard.empty() && !ParseShard(args.shard, &options.shard_index, &options.shard_count)) {
    return UsageError(fmt::format("--shard '{}' is not I/N with 0 <= I < N", args.shard));
  }
  std::FILE* out = nullptr;
  if (!args.out.empty()) {
    out = std::fopen(args.out.c_str(), "w");
    if (out == nullptr) return UsageError(fmt::format("{}: cannot write", args.out));
  }
  const bool terminal = isatty(fileno(stderr)) != 0 && !args.json;
  std::vector<int64_t> violations_by_property(properties::AllProperties().size(), 0);
  int64_t expectation_failures = 0;
  simulator::RunStats fault_totals;
  int64_t runs_with_faults = 0;
  std::vector<std::string> failures;
  int64_t done = 0;
  const int64_t total = static_cast<int64_t>(configs.size()) *
                        ((args.seeds - options.shard_index + options.shard_count - 1) / options.shard_count);
  auto on_result = [&](const simulator::SweepItem& item) {
    const simulator::RunConfig& config = configs[item.scenario];
    const std::string problem = ExpectationProblem(config, item.result);
    for (const auto& v : item.result.violations) ++violations_by_property[static_cast<size_t>(v.property)];
    if (!problem.empty()) ++expectation_failures;
    const simulator::RunStats& s = item.result.stats;
    fault_totals.subtask_failures += s.subtask_failures;
    fault_totals.task_manager_failures += s.task_manager_failures;
    fault_totals.lost_notifications += s.lost_notifications;
    fault_totals.delayed_rpcs += s.delayed_rpcs;
    fault_totals.checkpoint_timeouts += s.checkpoint_timeouts;
    fault_totals.restarts += s.restarts;
    fault_totals.finished_on_restore += s.finished_on_restore;
    if (FaultSummary(s) != "none") ++runs_with_faults;
    if (!item.result.violations.empty() || !problem.empty()) {
      std::string what = problem;
      if (!item.result.violations.empty()) {
        const auto& v = item.result.violations.front();
        what = fmt::format("{} {}", properties::Info(v.property).code, v.summary);
      }
      failures.push_back(fmt::format("{} seed {}: {}\n    replay: {}", config.scenario_name, item.seed, what,
                                     ReplayCommand(args.scenarios[item.scenario], item.seed,
                                                   config.protocol.variant)));
    }
    if (out != nullptr) {
      std::fputs(RunToJson(config, args.scenarios[item.scenario], item.result).dump().c_str(), out);
      std::fputc('\n', out);
      std::fflush(out);
    }
    ++done;
    if (terminal && (done % 64 == 0 || done == total)) {
      fmt::print(stderr, "\r{}/{} runs, {} failing", done, total, failures.size());
    }
  };
  const simulator::SweepTotals totals = simulator::RunSweep(configs, options, on_result);
  if (terminal) fmt::print(stderr, "\n");
  if (out != nullptr) std::fclose(out);
  const double seconds = totals.seconds > 0 ? totals.seconds : 1e-9;
  if (args.json) {
    nlohmann::ordered_json by_property = nlohmann::ordered_json::object();
    for (const auto& info : properties::AllProperties()) {
      by_property[std::string(info.code)] = violations_by_property[static_cast<size_t>(info.id)];
    }
    fmt::print("{}\n", nlohmann::ordered_json{{"seeds", totals.runs},
                                              {"violations", static_cast<int64_t>(failures.size())},
                                              {"violations_by_property", by_property},
                                              {"expectation_failures", expectation_failures},
                                              {"steps", totals.steps},
                                              {"seconds", totals.seconds},
                                              {"runs_per_second", static_cast<double>(totals.runs) / seconds},
                                              {"steps_per_second", static_cast<double>(totals.steps) / seconds}}
                           .dump());
  } else {
    fmt::print("sweep: {} scenario(s), {} runs on {} thread(s), variant {}\n", configs.size(), totals.runs,
               options.jobs, args.variant.empty() ? "as in each scenario" : args.variant);
    for (const auto& info : properties::AllProperties()) {
      fmt::print("  {} {:<20} {} violation(s)\n", info.code, info.name,
                 violations_by_property[static_cast<size_t>(info.id)]);
    }
    fmt::print("  expectations           {} not met\n", expectation_failures);
    fmt::print("faults: {} in {} run(s); {} restart(s), {} subtask(s) deployed finished on restore\n",
               FaultSummary(fault_totals), runs_with_faults, fault_totals.restarts, fault_totals.finished_on_restore);
    fmt::print("throughput: {:.0f} runs/s, {:.0f} steps/s ({} steps in {:.2f} s)\n",
               static_cast<double>(totals.runs) / seconds, static_cast<double>(totals.steps) / seconds, totals.steps,
               totals.seconds);
    constexpr size_t kShown = 20;
    for (size_t i = 0; i < failures.size() && i < kShown; ++i) fmt::print("FAIL {}\n", failures[i]);
    if (failures.size() > kShown) fmt::print("... and {} more failing runs\n", failures.size() - kShown);
    fmt::print("{} failing run(s) of {}\n", failures.size(), totals.runs);
  }
  return failures.empty() ? kExitOk : kExitViolation;
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
  }
  return matches ? kExitOk : kExitViolation;
}

int Main(int argc, char** argv) {
  CLI::App app{"ckptsim: simulate and check Flink's checkpoint protocol for jobs whose tasks finish (FLIP-147)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  std::string list_what;
  CLI::App* list = app.add_subcommand("list", "List built-in scenarios, variants or properties");
  list->add_option("what", list_what, "scenarios | variants | properties")->required();

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run one scenario with one seed");
  run->add_option("scenario", run_args.scenario, "Built-in scenario name or path to a .yaml file")->required();
  run->add_option("--seed", run_args.seed, "Seed of the run")->capture_default_str();
  run->add_option("--variant", run_args.variant, "Protocol variant (flip147, legacy)");
  run->add_option("--trace", run_args.trace, "Write the trace (JSON Lines) to this file");
  run->add_flag("--json", run_args.json, "Print one JSON summary object");

  SweepArgs sweep_args;
  CLI::App* sweep = app.add_subcommand("sweep", "Run many seeds of one or more scenarios in parallel");
  sweep->add_option("scenarios", sweep_args.scenarios, "Built-in scenario names or .yaml paths")->required();
  sweep->add_option("--seeds", sweep_args.seeds, "Seeds per scenario")->capture_default_str();
  sweep->add_option("--first-seed", sweep_args.first_seed, "First seed")->capture_default_str();
  sweep->add_option("--jobs", sweep_args.jobs, "Worker threads (default: cores)");
  sweep->add_option("--shard", sweep_args.shard, "Run only shard I of N (I/N, 0-based)");
  sweep->add_option("--variant", sweep_args.variant, "Protocol variant for every scenario");
  sweep->add_option("--out", sweep_args.out, "Write one JSON line per run to this file");
  sweep->add_flag("--stop-on-first", sweep_args.stop_on_first, "Stop after the first failing run");
  sweep->add_flag("--json", sweep_args.json, "Print one JSON summary object");

  std::string replay_path;
  bool replay_json = false;
  CLI::App* replay = app.add_subcommand("replay", "Re-run a trace's decision log and compare its hash");
  replay->add_option("trace", replay_path, "Trace file")->required();
  replay->add_flag("--json", replay_json, "Print one JSON summary object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    return UsageError(message + " (see 'ckptsim --help')");
  }
  if (list->parsed()) return ListCommand(list_what);
  if (run->parsed()) return RunCommand(run_args);
  if (sweep->parsed()) return SweepCommand(sweep_args);
  if (replay->parsed()) return ReplayCommandMain(replay_path, replay_json);
  return UsageError("no subcommand");
}

}  // namespace
}  // namespace ckptsim::cli

int main(int argc, char** argv) { return ckptsim::cli::Main(argc, argv); }
