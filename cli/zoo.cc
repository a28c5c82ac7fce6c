#include "cli/zoo.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "checker/check.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "model/check.h"
#include "simulator/runner.h"
#include "simulator/shrink.h"
#include "simulator/sweep.h"

namespace ckptsim::cli {
namespace {

constexpr int64_t kNoFailure = std::numeric_limits<int64_t>::max();

// The sweep part: every scenario with --swarm, seeds 1..options.seeds.
bool SweepVariant(model::Variant variant, const ZooOptions& options, ZooVariant* out, std::string* error) {
  std::vector<simulator::RunConfig> configs;
  if (!LoadScenarios(options.scenarios, std::string(model::Name(variant)), &configs, error)) return false;
  const simulator::SweepOptions sweep{.seeds = options.seeds, .first_seed = 1, .jobs = options.jobs, .swarm = true};
  std::set<uint64_t> failing_seeds;
  std::optional<simulator::RunConfig> first_config;  // the drawn config of the first failure
  const simulator::SweepTotals totals = simulator::RunSweep(configs, sweep, [&](const simulator::SweepItem& item) {
    const simulator::RunConfig& config = item.config(configs);
    const bool expectation_failed = !ExpectationProblem(config, item.result).empty();
    if (item.result.violations.empty() && !expectation_failed) return;
    ++out->failing_runs;
    failing_seeds.insert(item.seed);
    out->failing_scenarios.insert(config.scenario_name);
    if (item.result.violations.empty()) {
      ++out->expectation_failures;
      return;
    }
    std::set<properties::PropertyId> violated;
    for (const properties::Violation& v : item.result.violations) violated.insert(v.property);
    for (const properties::PropertyId id : violated) ++out->failing_runs_by_property[id];
    if (out->first_failure) return;
    out->first_failure = ZooFirstFailure{.scenario = config.scenario_name,
                                         .seed = item.seed,
                                         .property = item.result.violations.front().property,
                                         .decisions = item.result.steps};
    first_config = config;
  });
  out->runs = totals.runs;
  out->sweep_seconds = totals.seconds;
  for (const SeedRange& range : out->ranges) {
    const auto it = failing_seeds.lower_bound(range.first);
    out->seeds_to_first_failure.push_back(it != failing_seeds.end() && *it <= range.last
                                              ? std::optional<int64_t>(static_cast<int64_t>(*it - range.first + 1))
                                              : std::nullopt);
  }
  if (!out->first_failure) return true;
  // The sweep drops decisions; the run is made again (it is deterministic) to shrink it.
  ZooFirstFailure& first = *out->first_failure;
  const simulator::RunResult again = simulator::Run(*first_config, first.seed);
  const bool same = again.steps == first.decisions && !again.violations.empty() &&
                    again.violations.front().property == first.property;
  if (!same) model::SetCheckContext(fmt::format("zoo: {} seed {} did not fail the same way again", first.scenario, first.seed));
  CKPTSIM_CHECK(same);
  const simulator::ShrinkResult shrunk =
      simulator::Shrink(*first_config, first.seed, again.decisions, first.property, {.max_runs = options.shrink_runs});
  first.shrunk_decisions = static_cast<int64_t>(shrunk.decisions.size());
  first.shrink_runs = shrunk.runs;
  return true;
}

bool CheckVariant(model::Variant variant, const ZooOptions& options, ZooVariant* out, std::string* error) {
  if (options.max_states == 0) return true;
  for (const std::string& name : options.check_scenarios) {
    simulator::RunConfig config;
    if (!LoadWithVariant(name, std::string(model::Name(variant)), &config, error)) return false;
    const checker::CheckResult result = checker::Check(
        config, checker::CheckRunOptions{.mode = checker::SearchMode::kBfs, .max_states = options.max_states,
                                         .jobs = options.jobs});
    ZooCheck check{.scenario = config.scenario_name,
                   .states = result.stats.states,
                   .complete = result.stats.complete,
                   .seconds = result.stats.seconds};
    for (const checker::PropertyVerdict& verdict : result.verdicts) {
      if (verdict.violated) check.shortest[verdict.property] = verdict.decisions.size();
    }
    out->checks.push_back(std::move(check));
  }
  return true;
}

}  // namespace

std::vector<SeedRange> SeedRanges(int64_t seeds, int ranges) {
  const int64_t count = std::min<int64_t>(ranges, seeds);
  std::vector<SeedRange> out;
  for (int64_t r = 0; r < count; ++r) {
    out.push_back({.first = static_cast<uint64_t>(r * seeds / count + 1),
                   .last = static_cast<uint64_t>((r + 1) * seeds / count)});
  }
  return out;
}

bool ZooVariant::caught() const {
  if (failing_runs > 0) return true;
  return std::any_of(checks.begin(), checks.end(), [](const ZooCheck& c) { return !c.shortest.empty(); });
}

std::set<properties::PropertyId> ZooVariant::properties() const {
  std::set<properties::PropertyId> out;
  for (const auto& [id, count] : failing_runs_by_property) out.insert(id);
  for (const ZooCheck& check : checks) {
    for (const auto& [id, length] : check.shortest) out.insert(id);
  }
  return out;
}

std::set<std::string> ZooVariant::scenarios() const {
  std::set<std::string> out = failing_scenarios;
  for (const ZooCheck& check : checks) {
    if (!check.shortest.empty()) out.insert(check.scenario);
  }
  return out;
}

std::optional<int64_t> ZooVariant::seeds_to_first_failure_median() const {
  if (seeds_to_first_failure.empty()) return std::nullopt;
  std::vector<int64_t> counts;
  for (const auto& count : seeds_to_first_failure) counts.push_back(count.value_or(kNoFailure));
  std::sort(counts.begin(), counts.end());
  const int64_t median = counts[(counts.size() - 1) / 2];
  return median == kNoFailure ? std::nullopt : std::optional<int64_t>(median);
}

std::optional<int64_t> ZooVariant::seeds_to_first_failure_max() const {
  int64_t max = 0;
  for (const auto& count : seeds_to_first_failure) {
    if (!count) return std::nullopt;
    max = std::max(max, *count);
  }
  return seeds_to_first_failure.empty() ? std::nullopt : std::optional<int64_t>(max);
}

std::optional<size_t> ZooVariant::check_counterexample_length() const {
  std::optional<size_t> shortest;
  for (const ZooCheck& check : checks) {
    for (const auto& [id, length] : check.shortest) shortest = std::min(shortest.value_or(length), length);
  }
  return shortest;
}

bool RunZooVariant(model::Variant variant, const ZooOptions& options, ZooVariant* out, std::string* error) {
  *out = ZooVariant{.variant = variant, .ranges = SeedRanges(options.seeds, options.ranges)};
  return SweepVariant(variant, options, out, error) && CheckVariant(variant, options, out, error);
}

}  // namespace ckptsim::cli
