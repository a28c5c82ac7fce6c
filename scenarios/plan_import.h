// Importing a Flink JSON execution plan as a scenario: the job's topology,
// with the user's operator names, written as a complete scenario file that
// `ckptsim sweep` runs (issue 12).
//
// The plan (plan_reader.h: a StreamGraph plan of getExecutionPlan() or
// EXPLAIN, or the JobGraph plan of the REST API) becomes a job graph:
// - operators are chained into tasks as Flink's default chaining does
//   (plan_chaining.h), said in a comment above each vertex;
// - ship strategies become partitionings: FORWARD, HASH, REBALANCE, RESCALE
//   and BROADCAST as named; GLOBAL and SHUFFLE, which ckptsim lacks, become
//   rebalance (ALL_TO_ALL like them) and CUSTOM becomes hash, each said in a
//   comment;
// - Data Source nodes become bounded sources where PlanImportOptions gives
//   their record count, unbounded sources otherwise; Data Sink nodes become
//   sinks of the chosen kind (a 2PC sink, or a Sink V2 writer whose committer
//   is a vertex of its own over a forward edge); every other operator gets a
//   kind guessed from its words (plan_kinds.h), said in a comment;
// - a terminal operator with no sink after it (EXPLAIN plans have none) gets
//   one, chained behind it as Flink would chain a sink of equal parallelism;
// - a sink that ends a task with outputs (its task feeds other tasks through
//   an operator before it) becomes a vertex of its own, since a ckptsim sink
//   ends a vertex without outputs.
// The scenario keeps every default of ckptsim (checkpointing, timing,
// recovery), written out to edit, has no faults, and must terminate: a job
// with an unbounded source is stopped with a savepoint and drain.
//
// The graph is compiled before anything is written, so a plan ckptsim cannot
// model is refused with the JSON path of the node or edge at fault. The
// output is a function of the plan and the options alone.
//
// Thread-safety: stateless; may be called from several threads at once.
#ifndef CKPTSIM_SCENARIOS_PLAN_IMPORT_H_
#define CKPTSIM_SCENARIOS_PLAN_IMPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "scenarios/scenario_error.h"

namespace ckptsim::scenarios {

enum class SinkKind : uint8_t {
  kTwoPhaseCommit,  // "2pc": one two_phase_commit_sink
  kSinkV2,          // "sink-v2": a sink_v2_writer, and a sink_v2_committer vertex after it
};

std::optional<SinkKind> ParseSinkKind(std::string_view text);

struct PlanImportOptions {
  // Records each subtask emits, by the plan id of a source node; every other
  // source is unbounded. An id that names no source is an error.
  std::vector<std::pair<std::string, int64_t>> bounded_records;
  SinkKind sink_kind = SinkKind::kTwoPhaseCommit;
  // The scenario's name; empty: the plan file's name without its extension.
  std::string scenario_name;
};

struct ImportedPlan {
  std::string yaml;  // the complete scenario file
  // One line for the user: "4 plan nodes -> 3 tasks (1 sink added); sources: ...".
  std::string summary;
};

// Imports `json`; `display_name` is the file name errors carry and, without
// its folder and extension, the default scenario name.
std::variant<ImportedPlan, ScenarioError> ImportPlanText(std::string_view json, const std::string& display_name,
                                                         const PlanImportOptions& options);

std::variant<ImportedPlan, ScenarioError> ImportPlanFile(const std::string& path, const PlanImportOptions& options);

// Whether a scenario argument names a plan: a path ending in .json.
bool IsPlanPath(std::string_view path);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_IMPORT_H_
