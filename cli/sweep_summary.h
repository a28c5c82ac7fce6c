// The summary of a sweep, computed from its run lines alone (cli/run_line.h):
// runs per scenario, runs violating each property, the sometimes coverage
// table, faults injected, and every failing run with its replay command.
// `ckptsim sweep` and `ckptsim merge` both print it, so the JSONL files of N
// shards merge to the summary one machine running every seed prints.
//
// Everything in it is a sum over runs or a list sorted by run, so the order
// in which runs are added never shows. No wall-clock figure is part of it:
// the sweep adds its throughput next to it.
//
// Thread-safety: none; one summary per command.
#ifndef CKPTSIM_CLI_SWEEP_SUMMARY_H_
#define CKPTSIM_CLI_SWEEP_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/run_line.h"

namespace ckptsim::cli {

class SweepSummary {
 public:
  enum class Added { kNew, kRepeat, kConflict };

  // Adds one run; `origin` says where its line came from ("FILE:LINE").
  // kRepeat: the same run with the same trace hash was added before, and this
  // one is not counted again. kConflict: the same run with another trace hash
  // (*error names both lines); not counted.
  Added Add(const RunLine& line, const std::string& origin, std::string* error);

  bool Contains(const RunKey& key) const { return runs_.contains(key); }
  int64_t runs() const { return static_cast<int64_t>(runs_.size()); }
  int64_t failing_runs() const { return static_cast<int64_t>(failures_.size()); }
  int64_t steps() const { return steps_; }

  // The fields of a sweep's --json summary, without its throughput figures.
  nlohmann::ordered_json ToJson() const;
  // The text of the summary, lines ending in '\n'.
  std::string ToText() const;

 private:
  struct Seen {
    std::string trace_hash;
    std::string origin;
  };
  struct ScenarioCounts {
    int64_t runs = 0;
    int64_t failing = 0;
  };
  struct Coverage {
    int64_t runs = 0;   // runs in which the fact happened
    int64_t total = 0;  // how often, over all runs
  };
  struct Failure {
    std::string failure;
    std::string replay;
  };
  // (scenario, variant, swarm)
  using ScenarioKey = std::tuple<std::string, std::string, bool>;

  std::map<RunKey, Seen> runs_;
  std::map<ScenarioKey, ScenarioCounts> scenarios_;
  std::map<std::string, int64_t> violations_by_property_;
  int64_t expectation_failures_ = 0;
  int64_t steps_ = 0;
  std::map<std::string, Coverage> sometimes_;
  std::map<std::string, int64_t> faults_;
  int64_t runs_with_faults_ = 0;
  int64_t jobs_failed_ = 0;
  std::map<RunKey, Failure> failures_;
};

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_SWEEP_SUMMARY_H_
