// The bug zoo (issue 14): one protocol variant run through ckptsim's default
// checks, to show that a variant carrying a real Flink bug is caught by the
// general properties and that flip147 is not. The checks are the ones a user
// would run: `sweep --swarm` over the built-in scenarios (simulator/sweep.h)
// and a breadth-first `check` of the built-in check scenarios, bounded in
// states so that the whole zoo stays fast (checker/check.h). The first
// failing run of the sweep is shrunk (simulator/shrink.h).
//
// "Seeds to the first failure" is measured on disjoint ranges of the sweep's
// seeds: the seeds 1..N are cut into K contiguous ranges, and in each the
// count of seeds up to and including the first seed at which a run of any
// scenario fails (1: the range's first seed already fails). A range without
// a failure has no count.
//
// Everything a ZooVariant holds is a function of its options, not of the
// number of threads or of time, except the `*_seconds` fields.
#ifndef CKPTSIM_CLI_ZOO_H_
#define CKPTSIM_CLI_ZOO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/options.h"
#include "properties/property.h"

namespace ckptsim::cli {

struct ZooOptions {
  std::vector<std::string> scenarios;        // swept with --swarm; names or paths
  std::vector<std::string> check_scenarios;  // searched breadth first
  int64_t seeds = 200;                       // seeds 1..seeds of each scenario
  int ranges = 5;                            // disjoint seed ranges for seeds to the first failure
  int jobs = 1;                              // worker threads of the sweep and of the search
  uint64_t max_states = 20'000;              // per check scenario; 0: no check
  int shrink_runs = 500;                     // re-simulations the shrink of the first failure may spend
};

// Seeds first..last, both included.
struct SeedRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

// The seeds 1..seeds cut into min(ranges, seeds) contiguous ranges whose
// lengths differ by at most one. REQUIRES: seeds >= 1, ranges >= 1.
std::vector<SeedRange> SeedRanges(int64_t seeds, int ranges);

// One check scenario searched under one variant.
struct ZooCheck {
  std::string scenario;
  uint64_t states = 0;
  bool complete = false;  // the whole bounded space was explored
  std::map<properties::PropertyId, size_t> shortest;  // violated property -> decisions of its counterexample
  double seconds = 0;
};

// The first failing run of the sweep, in its reporting order (by scenario,
// then seed), among the runs that violated a property.
struct ZooFirstFailure {
  std::string scenario;
  uint64_t seed = 0;
  properties::PropertyId property{};  // its first violation, which the shrink keeps failing
  int64_t decisions = 0;              // of the run as the sweep made it
  int64_t shrunk_decisions = 0;
  int shrink_runs = 0;  // re-simulations spent
};

struct ZooVariant {
  model::Variant variant{};
  int64_t runs = 0;
  int64_t failing_runs = 0;
  std::map<properties::PropertyId, int64_t> failing_runs_by_property;
  int64_t expectation_failures = 0;  // runs that met no scenario `expect:` but violated nothing
  std::set<std::string> failing_scenarios;  // of the sweep
  std::vector<SeedRange> ranges;
  std::vector<std::optional<int64_t>> seeds_to_first_failure;  // one per range
  std::optional<ZooFirstFailure> first_failure;
  std::vector<ZooCheck> checks;  // in the order of ZooOptions::check_scenarios
  double sweep_seconds = 0;

  // A sweep run failed or a search found a violation.
  bool caught() const;
  // The properties violated by a sweep run or in a search, in PropertyId order.
  std::set<properties::PropertyId> properties() const;
  // The scenarios with a failing sweep run or a violation found by a search, by name.
  std::set<std::string> scenarios() const;
  // The median over the ranges (the lower one for an even count), a range
  // without a failure counting as longer than any; nullopt when that is the one.
  std::optional<int64_t> seeds_to_first_failure_median() const;
  // nullopt when a range has no failure.
  std::optional<int64_t> seeds_to_first_failure_max() const;
  // The shortest counterexample over the check scenarios; nullopt: none found.
  std::optional<size_t> check_counterexample_length() const;
};

// Runs `variant` through the zoo's checks. False with *error (one line) when
// a scenario does not load.
bool RunZooVariant(model::Variant variant, const ZooOptions& options, ZooVariant* out, std::string* error);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_ZOO_H_
