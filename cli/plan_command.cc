// `ckptsim plan SCENARIO --finished A[0],B[1]`: the checkpoint plan the
// coordinator computes (docs/protocol.md section 5) when exactly those subtasks
// are FINISHED in its view and every other one is RUNNING, with the reason
// each running subtask is triggered or not.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "model/plan.h"
#include "model/system.h"
#include "simulator/runner.h"
#include "schedules/lexer.h"
#include "schedules/names.h"

namespace ckptsim::cli {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> Names(const model::JobGraph& graph, const std::vector<int32_t>& subtasks) {
  std::vector<std::string> names;
  for (int32_t s : subtasks) names.push_back(graph.SubtaskName(s));
  return names;
}

std::string Listed(const std::vector<std::string>& names) {
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// Why a RUNNING subtask is, or is not, triggered (the rules of ComputePlan).
std::string WhyTriggered(const model::System& system, bool any_finished, int32_t subtask, bool triggered) {
  const model::JobGraph& graph = *system.graph;
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  const auto running = [&](int32_t s) { return system.coordinator.view[s] != model::ExecutionState::kFinished; };
  if (!any_finished) {
    return vertex.input_edges.empty() ? "triggered: a source (no subtask is finished: the sources are triggered)"
                                      : "not triggered: no subtask is finished, so its barriers come from upstream";
  }
  if (triggered) {
    return vertex.input_edges.empty() ? "triggered: a source"
                                      : "triggered: every upstream subtask it reads from is finished";
  }
  for (int e : vertex.input_edges) {
    const model::EdgeSpec& edge = graph.edges()[e];
    if (model::IsPointwise(edge.partitioning)) continue;
    const model::VertexInfo& upstream = graph.vertices()[edge.from];
    std::vector<int32_t> busy;
    for (int i = 0; i < upstream.parallelism; ++i) {
      if (running(upstream.first_subtask + i)) busy.push_back(upstream.first_subtask + i);
    }
    if (!busy.empty()) {
      return fmt::format("not triggered: its {} (ALL_TO_ALL) input {} has running subtasks {}",
                         model::Name(edge.partitioning), upstream.name, Listed(Names(graph, busy)));
    }
  }
  std::vector<int32_t> busy;
  for (int32_t c : graph.subtasks()[subtask].input_channels) {
    const model::ChannelInfo& channel = graph.channels()[c];
    if (model::IsPointwise(graph.edges()[channel.edge].partitioning) && running(channel.producer)) {
      busy.push_back(channel.producer);
    }
  }
  std::sort(busy.begin(), busy.end());
  busy.erase(std::unique(busy.begin(), busy.end()), busy.end());
  return fmt::format("not triggered: its POINTWISE producer{} {} {} running", busy.size() == 1 ? "" : "s",
                     Listed(Names(graph, busy)), busy.size() == 1 ? "is" : "are");
}

std::string WhyRefused(const model::System& system, bool any_finished, const model::CheckpointPlan& plan) {
  if (any_finished && !model::CheckpointsAfterTasksFinish(system.options)) {
    return system.options.variant == model::Variant::kLegacy
               ? "the legacy protocol (before Flink 1.14) creates no checkpoint once a subtask has finished"
               : "execution.checkpointing.checkpoints-after-tasks-finish is off: no checkpoint once a subtask has "
                 "finished";
  }
  if (plan.to_wait_for.empty()) return "every subtask is finished: there is nothing left to checkpoint";
  return "a subtask it must wait for is not RUNNING";
}

}  // namespace

int PlanCommand(const PlanArgs& args) {
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(args.scenario, args.variant, &config, &error)) return UsageError(error);
  const model::JobGraph& graph = *config.graph;
  std::vector<int32_t> finished;
  size_t begin = 0;
  while (begin <= args.finished.size() && !args.finished.empty()) {
    const size_t comma = std::min(args.finished.find(',', begin), args.finished.size());
    const std::string item = args.finished.substr(begin, comma - begin);
    auto tokens = schedules::Lex(item, &error);
    if (tokens && tokens->size() == 1) error = "empty name";
    if (!tokens || tokens->size() == 1) return UsageError(fmt::format("--finished '{}': {}", item, error));
    schedules::TokenReader reader(std::move(*tokens));
    if (!schedules::ReadSubtasks(graph, reader, &finished, &error)) {
      return UsageError(fmt::format("--finished '{}': {}", item, error));
    }
    if (!reader.AtEnd()) {
      return UsageError(
          fmt::format("--finished '{}': expected one subtask (A[0]) or vertex (A), separated by commas", item));
    }
    begin = comma + 1;
  }
  std::sort(finished.begin(), finished.end());
  finished.erase(std::unique(finished.begin(), finished.end()), finished.end());

  model::System system = simulator::InitialSystemOf(config);
  system.coordinator.view.assign(graph.subtask_count(), model::ExecutionState::kRunning);
  for (int32_t s : finished) system.coordinator.view[s] = model::ExecutionState::kFinished;
  const bool any_finished = !finished.empty();
  model::CheckpointPlan plan;
  model::AbortReason reason = model::AbortReason::kNone;
  bool created = model::ComputePlan(system, &plan, &reason);
  std::string why;
  if (!config.protocol.checkpointing_enabled) {
    created = false;
    why = "checkpointing is off in this scenario (checkpointing.enabled: false): the coordinator never triggers";
  } else if (!created) {
    why = WhyRefused(system, any_finished, plan);
  }

  std::vector<std::string> notes;
  for (int32_t s : finished) {
    for (int32_t producer : graph.subtasks()[s].producers) {
      if (system.coordinator.view[producer] == model::ExecutionState::kFinished) continue;
      notes.push_back(
          fmt::format("{} is finished while its upstream {} is running: Flink never gets there (a "
                      "subtask finishes only after every input ended)",
                      graph.SubtaskName(s), graph.SubtaskName(producer)));
      break;
    }
  }
  std::vector<std::string> fully;
  std::vector<std::string> partly;
  std::vector<std::string> union_abort;
  std::vector<std::pair<std::string, std::string>> reasons;  // running subtask -> why (not) triggered
  if (created) {
    for (size_t v = 0; v < graph.vertices().size(); ++v) {
      const model::VertexInfo& vertex = graph.vertices()[v];
      int done = 0;
      for (int i = 0; i < vertex.parallelism; ++i) {
        done += system.coordinator.view[vertex.first_subtask + i] == model::ExecutionState::kFinished;
      }
      if (plan.fully_finished_vertex[v]) {
        fully.push_back(vertex.name);
      } else if (done > 0) {
        partly.push_back(vertex.name);
      } else if (vertex.has_union_state && model::CheckpointsAfterTasksFinish(system.options)) {
        notes.push_back(
            fmt::format("{} has union list state: if only some of its subtasks have run finish() when "
                        "they acknowledge, the checkpoint aborts at completion (union-state rule B, "
                        "decided from the acknowledgements)",
                        vertex.name));
      }
    }
    for (int v : model::UnionStatePartlyFinished(system, plan)) {
      union_abort.push_back(graph.vertices()[v].name);
      notes.push_back(
          fmt::format("{} has union list state and is partly finished: this plan is created, but the "
                      "checkpoint will be aborted when it completes (UNION_STATE_PARTLY_FINISHED, rule "
                      "A; the union-state rule is decided at completion, not at trigger time)",
                      graph.vertices()[v].name));
    }
    for (int32_t s : plan.to_wait_for) {
      const bool triggered = std::find(plan.to_trigger.begin(), plan.to_trigger.end(), s) != plan.to_trigger.end();
      reasons.emplace_back(graph.SubtaskName(s), WhyTriggered(system, any_finished, s, triggered));
    }
  }

  if (args.json) {
    Json subtasks = Json::object();
    for (const auto& [name, text] : reasons) subtasks[name] = text;
    Json json{
        {"scenario", config.scenario_name},
        {"variant", model::Name(config.protocol.variant)},
        {"finished", Names(graph, finished)},
        {"refused", !created},
        {"reason", created ? Json(nullptr) : Json(why)},
        {"abort_reason", created || !config.protocol.checkpointing_enabled ? Json(nullptr) : Json(model::Name(reason))},
        {"trigger", created ? Names(graph, plan.to_trigger) : std::vector<std::string>{}},
        {"wait_for", created ? Names(graph, plan.to_wait_for) : std::vector<std::string>{}},
        {"notify", created ? Names(graph, plan.to_commit_to) : std::vector<std::string>{}},
        {"finished_at_plan_time", created ? Names(graph, plan.finished_subtasks) : std::vector<std::string>{}},
        {"fully_finished_vertices", fully},
        {"partly_finished_vertices", partly},
        {"union_state_abort_at_completion", union_abort},
        {"subtasks", subtasks},
        {"notes", notes}};
    fmt::print("{}\n", json.dump());
    return kExitOk;
  }
  fmt::print("plan: scenario {} variant {}, finished: {} (every other subtask RUNNING)\n", config.scenario_name,
             model::Name(config.protocol.variant), Listed(Names(graph, finished)));
  if (!created) {
    fmt::print("checkpoint: REFUSED{}: {}\n",
               config.protocol.checkpointing_enabled ? fmt::format(" ({})", model::Name(reason)) : "", why);
  } else {
    fmt::print("checkpoint: created\n");
    fmt::print("  trigger   ({}): {}\n", plan.to_trigger.size(), Listed(Names(graph, plan.to_trigger)));
    fmt::print("  wait for  ({}): {}\n", plan.to_wait_for.size(), Listed(Names(graph, plan.to_wait_for)));
    fmt::print("  notify    ({}): {}\n", plan.to_commit_to.size(),
               plan.to_commit_to == plan.to_wait_for ? "the same subtasks" : Listed(Names(graph, plan.to_commit_to)));
    fmt::print("  finished at plan time ({}): {}\n", plan.finished_subtasks.size(),
               Listed(Names(graph, plan.finished_subtasks)));
    fmt::print("  fully finished vertices: {}\n", Listed(fully));
    fmt::print("  partly finished vertices: {}\n", Listed(partly));
    size_t width = 0;
    for (const auto& [name, text] : reasons) width = std::max(width, name.size());
    fmt::print("running subtasks:\n");
    for (const auto& [name, text] : reasons) fmt::print("  {:<{}}  {}\n", name, width, text);
  }
  for (const std::string& note : notes) fmt::print("note: {}\n", note);
  return kExitOk;
}

}  // namespace ckptsim::cli
