// The subcommands of `ckptsim` that live outside main.cc, and the helpers
// they share with it. Each returns the process's exit code (docs/design.md):
// 0 all properties held, 1 a property was violated, 2 bad input or usage,
// 3 an internal error.
#ifndef CKPTSIM_CLI_COMMANDS_H_
#define CKPTSIM_CLI_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulator/run_config.h"

namespace ckptsim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;  // a broken invariant or an escaped exception
// The most worker threads `sweep --jobs` starts.
inline constexpr int kJobsMax = 1024;

// Prints "ckptsim: error: MESSAGE" on stderr; returns kExitUsage.
int UsageError(const std::string& message);

// Loads a scenario by name or path; a non-empty `variant` overrides the file's.
bool LoadWithVariant(const std::string& scenario, const std::string& variant, simulator::RunConfig* out,
                     std::string* error);
// The config one seed runs with: a `random` config draws its job for the seed
// (keeping the variant), then --swarm draws the seed's parameters.
simulator::RunConfig ConfigForSeed(const simulator::RunConfig& base, uint64_t seed, bool swarm);
// "flip147, legacy, ...": the names of model::AllVariants, for error messages.
std::string KnownVariants();
// The worker threads `--jobs J` asks for: J, or one per core for 0.
int WorkerThreads(int jobs);

struct SweepArgs {
  std::vector<std::string> scenarios;
  int64_t seeds = 100;
  uint64_t first_seed = 1;
  int jobs = 0;  // 0: one per core
  std::string shard;
  std::string variant;
  bool swarm = false;
  std::string out;
  bool resume = false;
  bool stop_on_first = false;
  bool all_violations = false;  // every run goes on to the end and reports each property that failed
  bool json = false;
  std::string report_dir;  // write an HTML report (and its trace) per failing run here
};

int SweepCommand(const SweepArgs& args);
// Loads the scenarios of a sweep (as LoadWithVariant); refuses two scenarios
// of one name, since a sweep tells runs apart by scenario name.
bool LoadScenarios(const std::vector<std::string>& scenarios, const std::string& variant,
                   std::vector<simulator::RunConfig>* configs, std::string* error);

// zoo_command.cc: `zoo`, every variant through the default sweep and a
// bounded check (cli/zoo.h).
struct ZooArgs {
  int64_t seeds = 200;                       // seeds 1..N of each scenario
  int ranges = 5;                            // disjoint seed ranges for seeds to the first failure
  int jobs = 0;                              // 0: one per core
  std::vector<std::string> variants;         // empty: every variant; flip147 always runs
  std::vector<std::string> scenarios;        // empty: every built-in scenario
  std::vector<std::string> check_scenarios;  // empty: the built-in check scenarios but the findings'
  int64_t max_states = 20'000;               // per check scenario; 0: no check
  int shrink_runs = 500;
  bool json = false;
};
int ZooCommand(const ZooArgs& args);

struct RestoreCheckArgs {
  std::string scenario;  // the job that took the savepoint
  uint64_t seed = 1;
  std::string into;      // the changed job to restore it into
  bool allow_non_restored_state = false;  // drop state the changed job has no operator for
  bool json = false;
};

// Whether Flink's non-restored-state and finished-state checks would accept
// restoring the run's latest savepoint (else checkpoint) into another job graph.
int RestoreCheckCommand(const RestoreCheckArgs& args);

// Summarises the JSONL files of sweeps (e.g. one per shard) as one sweep.
int MergeCommand(const std::vector<std::string>& files, bool json);

// render_command.cc: traces to pictures, timelines and reports (visualizer/).
struct RenderArgs {
  std::string trace;
  std::string view;    // jobgraph | spacetime | checkpoints; empty with --format perfetto
  int64_t step = -1;   // jobgraph: after this many decisions (-1: the end)
  int64_t from_step = -1;
  int64_t to_step = -1;
  std::string format;  // dot | svg | png | perfetto; empty: from the output's extension
  std::string out;
  size_t max_nodes = 300;
};
int RenderCommand(const RenderArgs& args);

struct TimelineArgs {
  std::string trace;
  int64_t from_step = -1;
  int64_t to_step = -1;
  bool fold_records = false;
  std::string out;  // empty: stdout
};
int TimelineCommand(const TimelineArgs& args);

struct ReportArgs {
  std::string trace;
  std::string out;
  int frames = 50;
};
int ReportCommand(const ReportArgs& args);

// A failing run of a sweep, re-run with a trace for its report.
struct FailedRun {
  simulator::RunConfig config;
  uint64_t seed = 0;
  bool all_violations = false;
};
inline constexpr size_t kSweepReportsMax = 20;
// Writes DIR/SCENARIO-VARIANT-seedN.jsonl and .html for the first
// kSweepReportsMax runs; false with a one-line *error.
bool WriteSweepReports(const std::vector<FailedRun>& runs, const std::string& directory, std::string* error);

// schedule_command.cc: a scripted run, `run [SCENARIO] --schedule FILE`.
struct ScheduleRunArgs {
  std::string scenario;  // empty: the schedule's `scenario:`
  std::string schedule;
  uint64_t seed = 1;
  bool seed_given = false;  // --seed overrides the schedule's `seed:`
  std::string variant;      // empty: the schedule's `variant:`, else the scenario's
  std::string trace;
  bool swarm = false;  // refused: a schedule names the subtasks of one graph
  bool json = false;
};
int ScheduleRunCommand(const ScheduleRunArgs& args);

// schedule_command.cc: `schedule-from-trace TRACE [-o FILE] [--steps N]`.
struct ScheduleFromTraceArgs {
  std::string trace;
  std::string out;     // empty: stdout
  int64_t steps = -1;  // the first N decisions; -1: all
};
int ScheduleFromTraceCommand(const ScheduleFromTraceArgs& args);

// plan_command.cc: `plan SCENARIO --finished A[0],B[1] [--json]`.
struct PlanArgs {
  std::string scenario;
  std::string finished;  // comma-separated subtasks or vertices
  std::string variant;
  bool json = false;
};
int PlanCommand(const PlanArgs& args);

// step_command.cc: `step SCENARIO`, interactive (or scripted from stdin).
struct StepArgs {
  std::string scenario;
  uint64_t seed = 1;
  std::string variant;
};
int StepCommand(const StepArgs& args);

// import_plan_command.cc: `import-plan PLAN.json [-o FILE.yaml] [--bounded ID=N ...] [--sink-kind K]`.
struct ImportPlanArgs {
  std::string plan;
  std::string out;                   // empty: standard output
  std::vector<std::string> bounded;  // "ID=N", one per bounded source
  std::string sink_kind = "2pc";     // 2pc | sink-v2
};
int ImportPlanCommand(const ImportPlanArgs& args);

// check_command.cc: `check SCENARIO`, the exhaustive search.
struct CheckArgs {
  std::string scenario;
  std::string variant;
  std::vector<std::string> properties;
  std::vector<std::string> bounds;  // NAME=N over the scenario's check: section
  int64_t max_states = 50'000'000;
  int64_t max_depth = -1;
  int jobs = 1;
  bool dfs = false;
  bool no_por = false;
  bool por = false;
  bool no_symmetry = false;
  int swarm = 0;
  uint64_t seed = 1;
  std::string shard;
  bool stop_at_first = false;
  bool json = false;
  bool progress = false;
  std::string out;
};
int CheckCommand(const CheckArgs& args);
// `ckptsim merge` of the --json summaries of `check --swarm --shard` runs:
// one verdict per property, the shortest counterexample of any shard.
int MergeCheckSummaries(const std::vector<std::string>& files, bool json);
// Whether a parsed JSON object is the --json summary of `ckptsim check`.
bool IsCheckSummary(const nlohmann::ordered_json& summary);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_COMMANDS_H_
