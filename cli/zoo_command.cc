// `ckptsim zoo`: every protocol variant through the default sweep and a
// bounded check (cli/zoo.h), one verdict each. Exit 0 when flip147 is clean
// and every other variant is caught, 1 otherwise, 2 for bad usage. Standard
// output is a function of the options alone; the time each variant took goes
// to standard error.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/zoo.h"
#include "model/options.h"
#include "properties/property.h"
#include "scenarios/builtin.h"
#include "scenarios/loader.h"

namespace ckptsim::cli {
namespace {

using Json = nlohmann::ordered_json;

// The check scenarios the zoo searches by default: the built-in ones, less
// the check versions of the findings (scenarios/findings/NAME.yaml and
// check/NAME-check.yaml), which flip147 fails because Flink does.
std::vector<std::string> DefaultCheckScenarios() {
  const std::vector<std::string> findings = scenarios::BuiltinNamesUnder("findings/");
  std::vector<std::string> out;
  for (const std::string& name : scenarios::CheckScenarioNames()) {
    const bool finding = std::any_of(findings.begin(), findings.end(),
                                     [&](const std::string& f) { return name == f + "-check"; });
    if (!finding) out.push_back(name);
  }
  return out;
}

std::string Codes(const std::set<properties::PropertyId>& ids) {
  std::vector<std::string_view> codes;
  for (const properties::PropertyId id : ids) codes.push_back(properties::Info(id).code);
  return fmt::format("{}", fmt::join(codes, ", "));
}

std::string Count(const std::optional<int64_t>& count) { return count ? std::to_string(*count) : "none"; }

Json OptionalJson(const std::optional<int64_t>& value) { return value ? Json(*value) : Json(nullptr); }

// The variant's verdict, then what each check found.
void PrintVariant(const ZooVariant& v, const ZooOptions& options) {
  const std::string name(model::Name(v.variant));
  const bool baseline = v.variant == model::Variant::kFlip147;
  // What failed: the properties, and a scenario's `expect:` when a run met it not.
  std::string failed = Codes(v.properties());
  if (v.expectation_failures > 0) failed += failed.empty() ? "an unmet expectation" : ", an unmet expectation";
  std::string verdict;
  if (baseline) {
    verdict = v.caught() ? fmt::format("NOT CLEAN: violates {}", failed) : "clean";
  } else {
    verdict = v.caught() ? fmt::format("caught by {}", failed) : "NOT CAUGHT";
  }
  fmt::print("{}: {}\n", name, verdict);
  std::vector<std::string> by_property;
  for (const auto& [id, runs] : v.failing_runs_by_property) {
    by_property.push_back(fmt::format("{} {}", properties::Info(id).code, runs));
  }
  if (v.expectation_failures > 0) by_property.push_back(fmt::format("expectation {}", v.expectation_failures));
  fmt::print("  sweep: {} of {} run(s) fail{}\n", v.failing_runs, v.runs,
             by_property.empty() ? "" : fmt::format(" ({})", fmt::join(by_property, ", ")));
  if (!v.failing_scenarios.empty()) fmt::print("    on {}\n", fmt::join(v.failing_scenarios, ", "));
  if (v.failing_runs > 0) {
    std::vector<std::string> counts;
    for (const auto& count : v.seeds_to_first_failure) counts.push_back(Count(count));
    fmt::print("    seeds to the first failure: median {}, max {} (by range: {})\n",
               Count(v.seeds_to_first_failure_median()), Count(v.seeds_to_first_failure_max()),
               fmt::join(counts, " "));
  }
  if (v.first_failure) {
    const ZooFirstFailure& f = *v.first_failure;
    fmt::print("    first failure: {} seed {} ({}, {} decisions), shrunk to {} decisions in {} re-simulation(s)\n",
               f.scenario, f.seed, properties::Info(f.property).code, f.decisions, f.shrunk_decisions, f.shrink_runs);
    fmt::print("    replay: ckptsim run {} --seed {} --variant {} --swarm\n", f.scenario, f.seed, name);
  }
  if (options.max_states == 0) return;
  std::vector<std::string> violated;
  for (const ZooCheck& check : v.checks) {
    for (const auto& [id, length] : check.shortest) {
      violated.push_back(fmt::format("{} {} ({} decisions)", check.scenario, properties::Info(id).code, length));
    }
  }
  fmt::print("  check: {}\n", violated.empty()
                                  ? fmt::format("no violation in {} scenario(s)", v.checks.size())
                                  : fmt::format("shortest counterexample {} decisions", *v.check_counterexample_length()));
  for (const std::string& line : violated) fmt::print("    {}\n", line);
}

Json VariantJson(const ZooVariant& v) {
  Json properties = Json::array();
  for (const properties::PropertyId id : v.properties()) properties.push_back(properties::Info(id).code);
  Json by_range = Json::array();
  for (const auto& count : v.seeds_to_first_failure) by_range.push_back(OptionalJson(count));
  Json by_property = Json::object();
  for (const auto& [id, runs] : v.failing_runs_by_property) by_property[std::string(properties::Info(id).code)] = runs;
  Json checks = Json::array();
  for (const ZooCheck& check : v.checks) {
    Json violated = Json::object();
    for (const auto& [id, length] : check.shortest) violated[std::string(properties::Info(id).code)] = length;
    checks.push_back({{"scenario", check.scenario},
                      {"states", check.states},
                      {"complete", check.complete},
                      {"violated", std::move(violated)}});
  }
  Json first = nullptr;
  if (v.first_failure) {
    const ZooFirstFailure& f = *v.first_failure;
    first = {{"scenario", f.scenario},
             {"seed", f.seed},
             {"property", properties::Info(f.property).code},
             {"decisions", f.decisions},
             {"shrunk_decisions", f.shrunk_decisions},
             {"shrink_runs", f.shrink_runs}};
  }
  const std::optional<size_t> check_length = v.check_counterexample_length();
  return {{"name", model::Name(v.variant)},
          {"caught", v.caught()},
          {"properties", std::move(properties)},
          {"scenarios", v.scenarios()},
          {"seeds_to_first_failure_median", OptionalJson(v.seeds_to_first_failure_median())},
          {"seeds_to_first_failure_max", OptionalJson(v.seeds_to_first_failure_max())},
          {"check_counterexample_length", check_length ? Json(*check_length) : Json(nullptr)},
          {"shrunk_length", v.first_failure ? Json(v.first_failure->shrunk_decisions) : Json(nullptr)},
          {"runs", v.runs},
          {"failing_runs", v.failing_runs},
          {"failing_runs_by_property", std::move(by_property)},
          {"expectation_failures", v.expectation_failures},
          {"seeds_to_first_failure_by_range", std::move(by_range)},
          {"first_failure", std::move(first)},
          {"checks", std::move(checks)}};
}

}  // namespace

int ZooCommand(const ZooArgs& args) {
  if (args.seeds < 1) return UsageError("--seeds must be at least 1");
  if (args.ranges < 1) return UsageError("--ranges must be at least 1");
  // flip147 always runs: it is the baseline every variant is told apart from.
  std::set<model::Variant> chosen = {model::Variant::kFlip147};
  for (const std::string& name : args.variants) {
    const auto parsed = model::ParseVariant(name);
    if (!parsed) return UsageError(fmt::format("--variant '{}': unknown variant ({})", name, KnownVariants()));
    chosen.insert(*parsed);
  }
  std::vector<model::Variant> variants;
  for (const model::Variant v : model::AllVariants()) {
    if (args.variants.empty() || chosen.contains(v)) variants.push_back(v);
  }
  ZooOptions options{.scenarios = args.scenarios.empty() ? scenarios::BuiltinScenarioNames() : args.scenarios,
                     .check_scenarios = args.check_scenarios.empty() ? DefaultCheckScenarios() : args.check_scenarios,
                     .seeds = args.seeds,
                     .ranges = args.ranges,
                     .jobs = WorkerThreads(args.jobs),
                     .max_states = static_cast<uint64_t>(args.max_states),
                     .shrink_runs = args.shrink_runs};
  if (options.scenarios.empty()) return UsageError("no built-in scenarios to sweep (see 'ckptsim list scenarios')");
  // Bad scenario names are found before anything runs.
  {
    std::vector<simulator::RunConfig> configs;
    std::string error;
    if (!LoadScenarios(options.scenarios, "", &configs, &error)) return UsageError(error);
    for (const std::string& name : options.check_scenarios) {
      simulator::RunConfig config;
      if (!LoadWithVariant(name, "", &config, &error)) return UsageError(error);
    }
  }
  const std::vector<SeedRange> ranges = SeedRanges(options.seeds, options.ranges);
  if (!args.json) {
    fmt::print("zoo: {} variant(s); sweep --swarm of {} scenario(s), seeds 1-{} in {} range(s); ", variants.size(),
               options.scenarios.size(), options.seeds, ranges.size());
    if (options.max_states == 0) {
      fmt::print("no check\n");
    } else {
      fmt::print("check of {} scenario(s), breadth first, at most {} states each\n", options.check_scenarios.size(),
                 options.max_states);
    }
    std::fflush(stdout);
  }
  bool flip147_clean = true;
  std::vector<std::string> not_caught;
  Json variants_json = Json::array();
  for (const model::Variant variant : variants) {
    ZooVariant outcome;
    std::string error;
    if (!RunZooVariant(variant, options, &outcome, &error)) return UsageError(error);
    double check_seconds = 0;
    for (const ZooCheck& check : outcome.checks) check_seconds += check.seconds;
    fmt::print(stderr, "time: {} sweep {:.1f} s, check {:.1f} s\n", model::Name(variant), outcome.sweep_seconds,
               check_seconds);
    if (variant == model::Variant::kFlip147) {
      flip147_clean = !outcome.caught();
    } else if (!outcome.caught()) {
      not_caught.emplace_back(model::Name(variant));
    }
    if (args.json) {
      variants_json.push_back(VariantJson(outcome));
    } else {
      PrintVariant(outcome, options);
      std::fflush(stdout);
    }
  }
  const size_t bugs = variants.size() - 1;
  if (args.json) {
    fmt::print("{}\n", Json{{"seeds", options.seeds},
                            {"ranges", ranges.size()},
                            {"scenarios", options.scenarios},
                            {"check_scenarios", options.max_states == 0 ? std::vector<std::string>{}
                                                                        : options.check_scenarios},
                            {"max_states", options.max_states},
                            {"variants", std::move(variants_json)},
                            {"flip147_clean", flip147_clean}}
                           .dump());
  } else {
    fmt::print("zoo: {} of {} variant(s) caught{}; flip147 {}\n", bugs - not_caught.size(), bugs,
               not_caught.empty() ? "" : fmt::format(" (not caught: {})", fmt::join(not_caught, ", ")),
               flip147_clean ? "clean" : "NOT CLEAN");
  }
  return flip147_clean && not_caught.empty() ? kExitOk : kExitViolation;
}

}  // namespace ckptsim::cli
