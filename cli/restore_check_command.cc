// ckptsim restore-check OLD --seed N --into NEW: would Flink restore the
// savepoint (or latest checkpoint) of a run of OLD into NEW's job graph?
// It runs OLD, takes its latest savepoint (else its latest completed
// checkpoint), and applies Flink's VertexFinishedStateChecker rules
// (model/restore_check.h) to NEW, operators matched by name. Exit 0 when
// the restore is legal, 1 when it is refused (with the rule), 2 on bad input.
// Running the restored job in the changed graph is not modelled yet.
#include <memory>
#include <span>

#include <fmt/format.h>
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
  const std::optional<std::string> refusal = model::CheckFinishedStateTopology(*new_config.graph, statuses);
  const std::string what = fmt::format("{} {}", snapshot->kind == model::CheckpointKind::kSyncSavepoint
                                                    ? "savepoint" : "checkpoint", snapshot->id);
  if (args.json) {
    nlohmann::ordered_json operators = nlohmann::ordered_json::object();
    for (const auto& s : statuses) operators[s.operator_name] = StatusName(s.status);
    fmt::print("{}\n", nlohmann::ordered_json{{"scenario", old_config.scenario_name},
                                              {"seed", args.seed},
                                              {"into", new_config.scenario_name},
                                              {"restore_point", what},
                                              {"operators", operators},
                                              {"legal", !refusal.has_value()},
                                              {"refusal", refusal.value_or("")}}
                           .dump());
  } else {
    fmt::print("{} seed {} ({} steps): restoring {} into {}\n", old_config.scenario_name, args.seed, result.steps,
               what, new_config.scenario_name);
    for (const auto& s : statuses) fmt::print("  {:<24} {}\n", s.operator_name, StatusName(s.status));
    if (refusal) {
      fmt::print("refused: {}\n", *refusal);
    } else {
      fmt::print("legal: Flink's finished-state check accepts this restore\n");
    }
  }
  return refusal ? kExitViolation : kExitOk;
}

}  // namespace ckptsim::cli
