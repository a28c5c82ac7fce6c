// ckptsim restore-check OLD --seed N --into NEW: would Flink restore the
// savepoint (or latest checkpoint) of a run of OLD into NEW's job graph?
// It runs OLD, takes its latest savepoint (else its latest completed
// checkpoint), and applies Flink's two checks to NEW, operators matched by
// name (model/restore_check.h): state must have an operator to go to unless
// --allow-non-restored-state drops it (Checkpoints.loadAndValidateCheckpoint),
// and the VertexFinishedStateChecker rules. Exit 0 when the restore is legal,
// 1 when it is refused (with the rule), 2 on bad input. To run the restored
// job, a scenario gives stop_with_savepoint.resume_into.
#include <memory>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "model/restore_check.h"
#include "simulator/runner.h"

namespace ckptsim::cli {
namespace {

std::string_view StatusName(model::VertexFinishedStatus status) {
  switch (status) {
    case model::VertexFinishedStatus::kRunning: return "running";
    case model::VertexFinishedStatus::kPartlyFinished: return "partly finished";
    case model::VertexFinishedStatus::kFullyFinished: return "fully finished";
  }
  return "?";
}

// Keeps the run's latest savepoint and checkpoint (shared, so nothing is copied).
class RestorePoints final : public simulator::RunObserver {
 public:
  void OnStep(const model::System& system, int64_t, int64_t, const model::Action&,
              std::span<const model::Event>) override {
    savepoint = system.coordinator.latest_savepoint;
    checkpoint = system.coordinator.latest_completed;
  }
  std::shared_ptr<const model::CompletedCheckpoint> savepoint;
  std::shared_ptr<const model::CompletedCheckpoint> checkpoint;
};

}  // namespace

int RestoreCheckCommand(const RestoreCheckArgs& args) {
  simulator::RunConfig old_config;
  simulator::RunConfig new_config;
  std::string error;
  if (!LoadWithVariant(args.scenario, "", &old_config, &error)) return UsageError(error);
  if (!LoadWithVariant(args.into, "", &new_config, &error)) return UsageError(error);
  RestorePoints points;
  const simulator::RunResult result =
      simulator::Run(old_config, args.seed, {.stop_at_first_violation = false, .observer = &points});
  const auto& snapshot = points.savepoint ? points.savepoint : points.checkpoint;
  if (!snapshot) {
    return UsageError(fmt::format("{} seed {}: the run completed no checkpoint or savepoint to restore from",
                                  args.scenario, args.seed));
  }
  const std::vector<model::OperatorFinishedStatus> statuses = model::OperatorStatuses(*old_config.graph, *snapshot);
  // Flink's order: state without an operator to go to first, then the topology.
  const std::optional<std::string> unmapped_refusal = model::CheckNonRestoredState(
      *old_config.graph, *snapshot, *new_config.graph, args.allow_non_restored_state);
  const std::vector<model::OperatorSpec> dropped =
      unmapped_refusal ? std::vector<model::OperatorSpec>{}
                       : model::NonRestoredStateOperators(*old_config.graph, *snapshot, *new_config.graph);
  const std::optional<std::string> topology_refusal = model::CheckFinishedStateTopology(*new_config.graph, statuses);
  const std::optional<std::string> refusal = unmapped_refusal ? unmapped_refusal : topology_refusal;
  const std::string what = fmt::format("{} {}", snapshot->kind == model::CheckpointKind::kSyncSavepoint
                                                    ? "savepoint" : "checkpoint", snapshot->id);
  std::vector<std::string> dropped_names;
  for (const model::OperatorSpec& op : dropped) dropped_names.push_back(op.name);
  if (args.json) {
    nlohmann::ordered_json operators = nlohmann::ordered_json::object();
    for (const auto& s : statuses) operators[s.operator_name] = StatusName(s.status);
    fmt::print("{}\n", nlohmann::ordered_json{{"scenario", old_config.scenario_name},
                                              {"seed", args.seed},
                                              {"into", new_config.scenario_name},
                                              {"restore_point", what},
                                              {"operators", operators},
                                              {"allow_non_restored_state", args.allow_non_restored_state},
                                              {"dropped_state", dropped_names},
                                              {"non_restored_state_refusal", unmapped_refusal.value_or("")},
                                              {"finished_state_refusal", topology_refusal.value_or("")},
                                              {"legal", !refusal.has_value()},
                                              {"refusal", refusal.value_or("")}}
                           .dump());
  } else {
    fmt::print("{} seed {} ({} steps): restoring {} into {}\n", old_config.scenario_name, args.seed, result.steps,
               what, new_config.scenario_name);
    for (const auto& s : statuses) fmt::print("  {:<24} {}\n", s.operator_name, StatusName(s.status));
    if (unmapped_refusal) {
      fmt::print("refused: {}\n", *unmapped_refusal);
    } else if (!dropped_names.empty()) {
      fmt::print("non-restored-state check passed: the state of {} is dropped (--allow-non-restored-state)\n",
                 fmt::join(dropped_names, ", "));
    } else {
      fmt::print("non-restored-state check passed\n");
    }
    if (topology_refusal) {
      fmt::print("refused: {}\n", *topology_refusal);
    } else {
      fmt::print("finished-state check passed\n");
    }
    if (!refusal) fmt::print("legal: Flink accepts this restore\n");
  }
  return refusal ? kExitViolation : kExitOk;
}

}  // namespace ckptsim::cli
