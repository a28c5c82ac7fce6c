#include "cli/sweep_summary.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/report.h"
#include "properties/property.h"

namespace ckptsim::cli {
namespace {

using Json = nlohmann::ordered_json;

// The faults a run injects (RunToJson's "faults" keys) and how text names them.
struct FaultName {
  std::string_view key;
  std::string_view text;
  bool injected;  // a fault, rather than what recovery did about one
};
constexpr std::array<FaultName, 7> kFaultNames{{
    {"subtask_failures", "subtask failure(s)", true},
    {"task_manager_failures", "task manager failure(s)", true},
    {"lost_notifications", "lost notification(s)", true},
    {"delayed_rpcs", "delayed RPC(s)", true},
    {"checkpoint_timeouts", "checkpoint timeout(s)", true},
    {"restarts", "restart(s)", false},
    {"finished_on_restore", "subtask(s) deployed finished on restore", false},
}};

bool IsInjectedFault(std::string_view key) {
  return std::any_of(kFaultNames.begin(), kFaultNames.end(),
                     [&](const FaultName& f) { return f.key == key && f.injected; });
}

// `known` in its order, then every other key of `counts` in sorted order:
// keys a newer or older ckptsim wrote still show, in a stable place.
template <typename Value>
std::vector<std::string> KnownThenOthers(const std::vector<std::string>& known,
                                         const std::map<std::string, Value>& counts) {
  std::vector<std::string> keys = known;
  for (const auto& [key, value] : counts) {
    if (std::find(known.begin(), known.end(), key) == known.end()) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> PropertyCodes() {
  std::vector<std::string> codes;
  for (const properties::PropertyInfo& info : properties::AllProperties()) codes.emplace_back(info.code);
  return codes;
}

std::string PropertyName(const std::string& code) {
  for (const properties::PropertyInfo& info : properties::AllProperties()) {
    if (code == info.code) return std::string(info.name);
  }
  return "";
}

std::vector<std::string> SometimesKeys() {
  std::vector<std::string> keys;
  for (size_t f = 0; f < simulator::kSometimesCount; ++f) keys.push_back(SometimesKey(static_cast<simulator::Sometimes>(f)));
  return keys;
}

std::string SometimesName(const std::string& key) {
  for (size_t f = 0; f < simulator::kSometimesCount; ++f) {
    const auto fact = static_cast<simulator::Sometimes>(f);
    if (SometimesKey(fact) == key) return std::string(simulator::Name(fact));
  }
  return key;
}

std::vector<std::string> FaultKeys() {
  std::vector<std::string> keys;
  for (const FaultName& f : kFaultNames) keys.emplace_back(f.key);
  return keys;
}

std::string ScenarioLabel(const std::string& scenario, const std::string& variant, bool swarm) {
  return fmt::format("{} ({}{})", scenario, variant, swarm ? ", swarm" : "");
}

template <typename Value>
Value Get(const std::map<std::string, Value>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? Value{} : it->second;
}

}  // namespace

SweepSummary::Added SweepSummary::Add(const RunLine& line, const std::string& origin, std::string* error) {
  const auto [it, inserted] = runs_.try_emplace(line.key, Seen{line.trace_hash, origin});
  if (!inserted) {
    if (it->second.trace_hash == line.trace_hash) return Added::kRepeat;
    *error = fmt::format("{}: run {} seed {} has trace hash {}, but {} has {} for the same run "
                         "(different scenario files or ckptsim versions?)",
                         origin, ScenarioLabel(line.key.scenario, line.key.variant, line.key.swarm), line.key.seed,
                         line.trace_hash, it->second.origin, it->second.trace_hash);
    return Added::kConflict;
  }
  ScenarioCounts& counts = scenarios_[{line.key.scenario, line.key.variant, line.key.swarm}];
  ++counts.runs;
  steps_ += line.steps;
  for (const std::string& code : line.violated) ++violations_by_property_[code];
  if (line.expectation_failed) ++expectation_failures_;
  if (!line.failure.empty()) {
    ++counts.failing;
    failures_[line.key] = Failure{line.failure, line.replay};
  }
  for (const auto& [key, count] : line.sometimes) {
    if (count == 0) continue;
    Coverage& coverage = sometimes_[key];
    ++coverage.runs;
    coverage.total += count;
  }
  bool any_fault = false;
  for (const auto& [key, count] : line.faults) {
    faults_[key] += count;
    if (count > 0 && IsInjectedFault(key)) any_fault = true;
  }
  if (any_fault) ++runs_with_faults_;
  if (line.job_failed) ++jobs_failed_;
  return Added::kNew;
}

Json SweepSummary::ToJson() const {
  Json by_scenario = Json::array();
  for (const auto& [key, counts] : scenarios_) {
    const auto& [scenario, variant, swarm] = key;
    by_scenario.push_back(Json{{"scenario", scenario},
                               {"variant", variant},
                               {"swarm", swarm},
                               {"runs", counts.runs},
                               {"failing", counts.failing}});
  }
  Json by_property = Json::object();
  for (const std::string& code : KnownThenOthers(PropertyCodes(), violations_by_property_)) {
    by_property[code] = Get(violations_by_property_, code);
  }
  Json sometimes = Json::object();
  for (const std::string& key : KnownThenOthers(SometimesKeys(), sometimes_)) {
    const Coverage coverage = Get(sometimes_, key);
    sometimes[key] = Json{{"name", SometimesName(key)}, {"runs", coverage.runs}, {"total", coverage.total}};
  }
  Json faults = Json::object();
  for (const std::string& key : KnownThenOthers(FaultKeys(), faults_)) faults[key] = Get(faults_, key);
  faults["runs_with_faults"] = runs_with_faults_;
  faults["jobs_failed"] = jobs_failed_;
  Json failures = Json::array();
  for (const auto& [key, failure] : failures_) {
    failures.push_back(Json{{"scenario", key.scenario},
                            {"variant", key.variant},
                            {"swarm", key.swarm},
                            {"seed", key.seed},
                            {"failure", failure.failure},
                            {"replay", failure.replay}});
  }
  return Json{{"seeds", runs()},
              {"runs_by_scenario", by_scenario},
              {"violations", failing_runs()},
              {"violations_by_property", by_property},
              {"expectation_failures", expectation_failures_},
              {"steps", steps_},
              {"sometimes", sometimes},
              {"faults", faults},
              {"failures", failures}};
}

std::string SweepSummary::ToText() const {
  std::string text;
  std::string scenarios;
  for (const auto& [key, counts] : scenarios_) {
    const auto& [scenario, variant, swarm] = key;
    scenarios += fmt::format("{}{}: {}", scenarios.empty() ? "" : ", ", ScenarioLabel(scenario, variant, swarm),
                             counts.runs);
  }
  text += fmt::format("runs: {}{}; {} steps\n", runs(), scenarios.empty() ? "" : " = " + scenarios, steps_);
  text += "properties (runs violating each):\n";
  for (const std::string& code : KnownThenOthers(PropertyCodes(), violations_by_property_)) {
    text += fmt::format("  {:<3} {:<22} {}\n", code, PropertyName(code), Get(violations_by_property_, code));
  }
  text += fmt::format("  {:<26} {}\n", "expectations not met", expectation_failures_);
  text += "sometimes (runs that reached each corner; times it happened in all):\n";
  for (const std::string& key : KnownThenOthers(SometimesKeys(), sometimes_)) {
    const Coverage coverage = Get(sometimes_, key);
    if (coverage.runs == 0) {
      text += fmt::format("  {:<46} {:>7}\n", SometimesName(key), "never");
    } else {
      text += fmt::format("  {:<46} {:>7} run(s) {:>9} time(s)\n", SometimesName(key), coverage.runs, coverage.total);
    }
  }
  std::string injected;
  std::string recovery;
  for (const std::string& key : KnownThenOthers(FaultKeys(), faults_)) {
    const auto known = std::find_if(kFaultNames.begin(), kFaultNames.end(),
                                    [&](const FaultName& f) { return f.key == key; });
    const std::string entry = fmt::format("{} {}", Get(faults_, key), known == kFaultNames.end() ? key : known->text);
    std::string& list = known == kFaultNames.end() || !known->injected ? recovery : injected;
    list += (list.empty() ? "" : ", ") + entry;
  }
  text += fmt::format("faults: {} in {} run(s); {}; {} job(s) failed for good\n", injected, runs_with_faults_,
                      recovery, jobs_failed_);
  constexpr size_t kShown = 20;
  size_t shown = 0;
  for (const auto& [key, failure] : failures_) {
    if (shown++ == kShown) break;
    text += fmt::format("FAIL {} seed {}: {}\n    replay: {}\n", ScenarioLabel(key.scenario, key.variant, key.swarm),
                        key.seed, failure.failure, failure.replay);
  }
  if (failures_.size() > kShown) {
    text += fmt::format("... and {} more failing run(s) (all of them in --json and the JSONL lines)\n",
                        failures_.size() - kShown);
  }
  text += fmt::format("{} failing run(s) of {}\n", failing_runs(), runs());
  return text;
}

}  // namespace ckptsim::cli
