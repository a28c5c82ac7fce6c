// `ckptsim check SCENARIO`: exhaustive search of the scenario's state space
// under its `check:` bounds (checker/), a summary with a verdict per
// property, and the shortest counterexample written as an ordinary trace.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/check.h"
#include "checker/protocol_model.h"
#include "cli/commands.h"
#include "properties/property.h"
#include "simulator/runner.h"
#include "simulator/trace.h"

namespace ckptsim::cli {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

extern "C" void OnCheckSignal(int signal) {
  g_signal.store(signal);
  g_cancel.store(true);
}

std::string Thousands(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string ModeName(checker::SearchMode mode) {
  switch (mode) {
    case checker::SearchMode::kBfs: return "breadth-first";
    case checker::SearchMode::kDfs: return "depth-first";
    case checker::SearchMode::kSwarm: return "swarm";
  }
  return "?";
}

std::string Bounds(const simulator::RunConfig& config) {
  const simulator::CheckOptions& c = config.check;
  std::string records = c.records >= 0 ? fmt::format("{} per bounded source subtask", c.records) : "as the scenario";
  return fmt::format(
      "records {}; unbounded logs {}; faults: {} subtask, {} task manager, {} lost, {} delayed, {} timeouts; "
      "triggers: {} spontaneous, {} idle in a row; stops {}; restarts {}",
      records, c.unbounded_log_records, c.subtask_failures, c.task_manager_failures, c.lost_notifications,
      c.delayed_rpcs, c.checkpoint_timeouts, c.spontaneous_triggers, c.idle_triggers,
      config.stop.enabled ? c.stops : 0, config.protocol.restart_attempts);
}

// Writes the counterexample of `verdict` as a trace: the simulator replays
// its decisions (ticks from the scenario's timing). A verdict of the search
// that the replay cannot reach by itself (a liveness bound of the search) is
// recorded in the footer as the search found it.
bool WriteCounterexample(const checker::CheckResult& result, const checker::PropertyVerdict& verdict,
                         const std::string& path, std::string* error) {
  auto writer = simulator::TraceWriter::Open(path, result.config, 0, error);
  if (!writer) return false;
  simulator::RunResult run = simulator::Run(
      result.config, 0, {.stop_at_first_violation = false, .observer = writer.get(), .replay = &verdict.decisions});
  if (run.diverged_at_step >= 0) {
    *error = fmt::format("internal: the counterexample does not replay: {}", run.divergence);
    return false;
  }
  const bool reproduced = std::any_of(run.violations.begin(), run.violations.end(), [&](const auto& v) {
    return v.property == verdict.property;
  });
  if (!reproduced) {
    run.violations.push_back(verdict.violation);
    std::stable_sort(run.violations.begin(), run.violations.end(),
                     [](const auto& a, const auto& b) { return a.property < b.property; });
  }
  return writer->Finish(run, error);
}

}  // namespace

int CheckCommand(const CheckArgs& args) {
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(args.scenario, args.variant, &config, &error)) return UsageError(error);
  for (const std::string& bound : args.bounds) {
    const size_t equals = bound.find('=');
    char* end = nullptr;
    const std::string value = equals == std::string::npos ? "" : bound.substr(equals + 1);
    const long long parsed = std::strtoll(value.c_str(), &end, 10);
    if (equals == std::string::npos || value.empty() || *end != '\0') {
      return UsageError(fmt::format("--bound '{}': expected NAME=N", bound));
    }
    if (!checker::SetBound(config.check, bound.substr(0, equals), parsed, &error)) {
      return UsageError(fmt::format("--bound '{}': {}", bound, error));
    }
  }
  checker::CheckRunOptions options;
  options.mode = args.dfs ? checker::SearchMode::kDfs : checker::SearchMode::kBfs;
  if (args.swarm > 0) {
    options.mode = checker::SearchMode::kSwarm;
    options.searches = args.swarm;
    options.seed = args.seed;
  }
  if (!args.shard.empty()) {
    int index = -1;
    int count = -1;
    if (std::sscanf(args.shard.c_str(), "%d/%d", &index, &count) != 2 || count < 1 || index < 0 || index >= count) {
      return UsageError(fmt::format("--shard '{}': expected I/N with 0 <= I < N", args.shard));
    }
    if (args.swarm <= 0) return UsageError("--shard splits a swarm search: give --swarm K too");
    options.shard = index;
    options.shards = count;
  }
  if (args.max_states < 1) return UsageError("--max-states must be at least 1");
  if (args.jobs < 0) return UsageError("--jobs must not be negative");
  options.max_states = static_cast<uint64_t>(args.max_states);
  options.max_depth = args.max_depth;
  options.jobs = args.jobs == 0 ? std::max(1, static_cast<int>(std::thread::hardware_concurrency())) : args.jobs;
  options.partial_order_reduction = args.por && !args.no_por;
  options.stop_at_first = args.stop_at_first;
  for (const std::string& name : args.properties) {
    auto id = properties::ParseProperty(name);
    if (!id) return UsageError(fmt::format("--property '{}' is not a property (see 'ckptsim list properties')", name));
    options.properties.push_back(*id);
  }
  options.cancel = &g_cancel;
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  if (terminal || args.progress) {
    options.progress = [](uint64_t states, int64_t depth, size_t queue, size_t bytes, double seconds) {
      fmt::print(stderr, "\r  {} states, {:.0f}/s, depth {}, queue {}, {:.1f} MiB   ", Thousands(states),
                 seconds > 0 ? static_cast<double>(states) / seconds : 0.0, depth, Thousands(queue),
                 static_cast<double>(bytes) / (1 << 20));
      std::fflush(stderr);
    };
  }
  std::signal(SIGINT, OnCheckSignal);
  std::signal(SIGTERM, OnCheckSignal);
  if (!args.json) {
    fmt::print("check {} variant {} ({}, {} thread(s), partial-order reduction {}, symmetry reduction: none)\n",
               config.scenario_name, model::Name(config.protocol.variant), ModeName(options.mode), options.jobs,
               options.partial_order_reduction ? "on" : "off");
    std::fflush(stdout);
  }
  const checker::CheckResult result = checker::Check(config, options);
  if (terminal || args.progress) fmt::print(stderr, "\n");
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  const checker::SearchStats& stats = result.stats;
  const double per_second = stats.seconds > 0 ? static_cast<double>(stats.states) / stats.seconds : 0.0;
  const double bytes_per_state =
      stats.states > 0 ? static_cast<double>(stats.stored_bytes) / static_cast<double>(stats.states) : 0.0;
  // The first violated property's counterexample goes to the trace file.
  const checker::PropertyVerdict* first = nullptr;
  for (const auto& verdict : result.verdicts) {
    if (verdict.violated && (first == nullptr || verdict.decisions.size() < first->decisions.size())) first = &verdict;
  }
  std::string trace = args.out;
  if (first != nullptr && trace.empty()) {
    trace = fmt::format("{}-{}.cex.jsonl", config.scenario_name, properties::Info(first->property).code);
  }
  if (first != nullptr && !WriteCounterexample(result, *first, trace, &error)) return UsageError(error);

  if (args.json) {
    nlohmann::ordered_json verdicts = nlohmann::ordered_json::object();
    for (const auto& verdict : result.verdicts) {
      const properties::PropertyInfo& info = properties::Info(verdict.property);
      nlohmann::ordered_json v{{"name", info.name},
                               {"verdict", verdict.violated ? "violated" : (stats.complete ? "held" : "unknown")}};
      if (verdict.violated) {
        v["length"] = verdict.decisions.size();
        v["summary"] = verdict.violation.summary;
        v["details"] = verdict.violation.details;
        nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
        for (const model::Action& a : verdict.decisions) decisions.push_back(model::Describe(*config.graph, a));
        v["decisions"] = std::move(decisions);
      }
      verdicts[std::string(info.code)] = std::move(v);
    }
    nlohmann::ordered_json json{{"scenario", config.scenario_name},
                                {"variant", model::Name(config.protocol.variant)},
                                {"mode", ModeName(options.mode)},
                                {"jobs", options.jobs},
                                {"partial_order_reduction", options.partial_order_reduction},
                                {"states", stats.states},
                                {"transitions", stats.transitions},
                                {"max_depth", stats.depth},
                                {"complete", stats.complete},
                                {"stopped_by", stats.stopped_by},
                                {"seconds", stats.seconds},
                                {"states_per_second", per_second},
                                {"bytes_per_state", bytes_per_state},
                                {"collision_probability", result.collision_probability},
                                {"properties", verdicts}};
    if (options.mode == checker::SearchMode::kSwarm) {
      json["swarm"] = {{"searches", options.searches}, {"seed", options.seed}, {"shard", options.shard},
                       {"shards", options.shards}, {"searches_run", result.searches_run}};
    }
    if (first != nullptr) json["counterexample"] = trace;
    fmt::print("{}\n", json.dump());
  } else {
    fmt::print("bounds: {}\n", Bounds(result.config));
    fmt::print("{} distinct states, {} transitions, depth {}, {:.2f} s, {} states/s, {:.1f} bytes/state; {}\n",
               Thousands(stats.states), Thousands(stats.transitions), stats.depth, stats.seconds,
               Thousands(static_cast<uint64_t>(per_second)), bytes_per_state,
               stats.complete ? "every reachable state explored"
                              : fmt::format("stopped: {}", stats.stopped_by));
    fmt::print("fingerprint collision probability {:.2g}\n", result.collision_probability);
    for (const auto& verdict : result.verdicts) {
      const properties::PropertyInfo& info = properties::Info(verdict.property);
      if (!verdict.violated) {
        fmt::print("  {} {:<20} {}\n", info.code, info.name, stats.complete ? "held" : "no violation found");
        continue;
      }
      fmt::print("  {} {:<20} VIOLATED (shortest: {} decisions): {}\n", info.code, info.name,
                 verdict.decisions.size(), verdict.violation.summary);
      for (const std::string& detail : verdict.violation.details) fmt::print("       {}\n", detail);
    }
    if (first != nullptr) {
      fmt::print("counterexample: {} ({} {}, {} decisions)\n", trace, properties::Info(first->property).code,
                 properties::Info(first->property).name, first->decisions.size());
      fmt::print("replay: ckptsim replay {}\n", trace);
    }
  }
  if (g_signal.load() != 0) return 128 + g_signal.load();
  return first != nullptr ? kExitViolation : kExitOk;
}

}  // namespace ckptsim::cli
