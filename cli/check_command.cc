// `ckptsim check SCENARIO`: exhaustive search of the scenario's state space
// under its `check:` bounds (checker/), a summary with a verdict per
// property, and the shortest counterexample written as an ordinary trace.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>

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
  options.jobs = WorkerThreads(args.jobs);
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

int MergeCheckSummaries(const std::vector<std::string>& files, bool json) {
  struct Shard {
    std::string path;
    nlohmann::ordered_json summary;
  };
  std::vector<Shard> shards;
  for (const std::string& path : files) {
    std::ifstream in(path);
    if (!in) return UsageError(fmt::format("{}: cannot be read", path));
    std::string line;
    std::getline(in, line);
    nlohmann::ordered_json summary = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!IsCheckSummary(summary) || !summary.contains("swarm")) {
      return UsageError(fmt::format("{}:1: not the --json summary of a `ckptsim check --swarm` shard", path));
    }
    shards.push_back({path, std::move(summary)});
  }
  const nlohmann::ordered_json& first = shards.front().summary;
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(1, first["swarm"].value("shards", 1))), false);
  uint64_t states = 0;
  int64_t searches_run = 0;
  nlohmann::ordered_json properties = nlohmann::ordered_json::object();
  for (const Shard& shard : shards) {
    const nlohmann::ordered_json& s = shard.summary;
    for (const char* key : {"scenario", "variant"}) {
      if (s[key] != first[key]) return UsageError(fmt::format("{}: {} differs from {}'s", shard.path, key, shards[0].path));
    }
    for (const char* key : {"searches", "seed", "shards"}) {
      if (s["swarm"][key] != first["swarm"][key]) {
        return UsageError(fmt::format("{}: swarm {} differs from {}'s", shard.path, key, shards[0].path));
      }
    }
    const int64_t index = s["swarm"].value("shard", 0);
    if (index < 0 || index >= static_cast<int64_t>(seen.size()) || seen[static_cast<size_t>(index)]) {
      return UsageError(fmt::format("{}: shard {} given twice or out of range", shard.path, index));
    }
    seen[static_cast<size_t>(index)] = true;
    states += s.value("states", uint64_t{0});
    searches_run += s["swarm"].value("searches_run", int64_t{0});
    for (const auto& [code, verdict] : s["properties"].items()) {
      nlohmann::ordered_json& merged = properties[code];
      if (merged.is_null()) merged = {{"name", verdict["name"]}, {"verdict", "no violation found"}};
      if (verdict.value("verdict", "") != "violated") continue;
      const size_t length = verdict.value("length", size_t{0});
      if (merged["verdict"] != "violated" || length < merged.value("length", size_t{0})) {
        merged = {{"name", verdict["name"]}, {"verdict", "violated"}, {"length", length},
                  {"summary", verdict.value("summary", "")}, {"shard", index},
                  {"counterexample", s.value("counterexample", "")}};
      }
    }
  }
  const int64_t missing = std::count(seen.begin(), seen.end(), false);
  bool violated = false;
  for (const auto& [code, verdict] : properties.items()) violated = violated || verdict["verdict"] == "violated";
  if (json) {
    nlohmann::ordered_json out{{"scenario", first["scenario"]},       {"variant", first["variant"]},
                               {"mode", "swarm"},                     {"shards_merged", shards.size()},
                               {"shards_missing", missing},          {"searches_run", searches_run},
                               {"states_summed_over_shards", states}, {"properties", properties}};
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("merge of {} check shard(s) of {} ({} swarm searches run, {} states summed over shards{})\n",
               shards.size(), first["scenario"].get<std::string>(), searches_run, Thousands(states),
               missing > 0 ? fmt::format("; {} shard(s) MISSING", missing) : "");
    for (const auto& [code, verdict] : properties.items()) {
      if (verdict["verdict"] == "violated") {
        fmt::print("  {} {:<20} VIOLATED (shortest: {} decisions, shard {}): {}\n", code,
                   verdict["name"].get<std::string>(), verdict["length"].get<size_t>(), verdict["shard"].get<int64_t>(),
                   verdict["summary"].get<std::string>());
        fmt::print("       counterexample: {}\n", verdict["counterexample"].get<std::string>());
      } else {
        fmt::print("  {} {:<20} no violation found\n", code, verdict["name"].get<std::string>());
      }
    }
  }
  if (missing > 0) return UsageError(fmt::format("{} shard(s) of {} missing", missing, seen.size()));
  return violated ? kExitViolation : kExitOk;
}

bool IsCheckSummary(const nlohmann::ordered_json& summary) {
  return summary.is_object() && summary.contains("mode") && summary.contains("properties") &&
         summary.contains("states") && summary.contains("scenario");
}

}  // namespace ckptsim::cli
