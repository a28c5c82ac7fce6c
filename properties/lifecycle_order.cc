// P6 lifecycle order, per operator and attempt (docs/protocol.md section 2):
// initializeState, then open, before any record is processed; endInput
// before finish(); finish() only on DRAIN; close() exactly once; and a
// completion notification only for a checkpoint the subtask performed.
#include <algorithm>

#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

Violation Fail(const model::System& system, int64_t step, int32_t subtask, int32_t op, const std::string& problem) {
  const model::JobGraph& graph = *system.graph;
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  return Violation{.property = PropertyId::kLifecycleOrder,
                   .step = step,
                   .summary = fmt::format("{} operator {}: {}", graph.SubtaskName(subtask), vertex.operators[op].name,
                                          problem),
                   .details = {fmt::format("attempt {}", system.subtasks[subtask].attempt)}};
}

void AddCheckpoint(std::vector<int64_t>& performed, int64_t id) {
  const auto at = std::lower_bound(performed.begin(), performed.end(), id);
  if (at == performed.end() || *at != id) performed.insert(at, id);
}

}  // namespace

void CheckLifecycleOrder(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kRestarted) {
      SubtaskTrack& track = c.history.subtasks[event.subtask];
      // The attempt that failed or was canceled must have closed what it opened, once.
      for (size_t i = 0; i < track.ops.size(); ++i) {
        if (!track.ops[i].opened || track.ops[i].closes == 1) continue;
        out = Fail(system, c.step, event.subtask, static_cast<int32_t>(i),
                   fmt::format("the previous attempt ended with close() run {} time(s)", track.ops[i].closes));
        return;
      }
      track.ops.assign(system.subtasks[event.subtask].operators.size(), OperatorTrack{});
      track.performed.clear();
      continue;
    }
    if (event.kind == model::EventKind::kCheckpointPerformed) {
      AddCheckpoint(c.history.subtasks[event.subtask].performed, event.checkpoint);
      continue;
    }
    if (event.kind == model::EventKind::kReceive && event.message.kind == model::MessageKind::kRecord) {
      const OperatorTrack& head = c.history.subtasks[event.subtask].ops[0];
      if (!head.opened || head.closes > 0) {
        out = Fail(system, c.step, event.subtask, 0, "a record was processed before open() or after close()");
        return;
      }
      continue;
    }
    if (event.kind != model::EventKind::kOperatorCall) continue;
    SubtaskTrack& sub = c.history.subtasks[event.subtask];
    OperatorTrack& op = sub.ops[event.op];
    const auto call = static_cast<model::OperatorCall>(event.aux);
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[event.subtask].vertex];
    std::string problem;
    switch (call) {
      case model::OperatorCall::kInitializeState:
        if (op.initialized) problem = "initializeState() called twice";
        op.initialized = true;
        break;
      case model::OperatorCall::kOpen:
        if (!op.initialized) problem = "open() before initializeState()";
        op.opened = true;
        break;
      case model::OperatorCall::kEndInput:
        if (!op.opened || op.finished || op.closes > 0) problem = "endInput() outside open() .. finish()";
        op.input_ended = true;
        break;
      case model::OperatorCall::kFinish: {
        const bool source_head = event.op == 0 && vertex.is_source;
        if (!op.opened || op.closes > 0) {
          problem = "finish() outside open() .. close()";
        } else if (op.finished) {
          problem = "finish() called twice";
        } else if (!source_head && !op.input_ended) {
          problem = "finish() before endInput()";
        } else if (system.subtasks[event.subtask].end_mode != model::StopMode::kDrain) {
          problem = "finish() on NO_DRAIN";
        }
        op.finished = true;
        break;
      }
      case model::OperatorCall::kClose:
        if (op.closes > 0) problem = "close() called twice";
        op.closes = static_cast<uint8_t>(std::min(op.closes + 1, 2));
        break;
      case model::OperatorCall::kNotifyCheckpointComplete:
        // No exemption for the checkpoint the attempt was restored from: Flink's
        // task ignores notifications at or below it (StreamTask: a restore sets
        // its latest reported checkpoint to the restored one), so an operator is
        // only ever told of a checkpoint its own attempt took.
        if (!std::binary_search(sub.performed.begin(), sub.performed.end(), event.checkpoint)) {
          problem = fmt::format("notifyCheckpointComplete({}) for a checkpoint this attempt did not perform",
                                event.checkpoint);
        }
        break;
      case model::OperatorCall::kProcessMaxWatermark:
      case model::OperatorCall::kPrepareSnapshotPreBarrier:
      case model::OperatorCall::kSnapshotState:
      case model::OperatorCall::kNotifyCheckpointAborted:
        if (!op.opened || op.closes > 0) problem = fmt::format("{} outside open() .. close()", model::Name(call));
        break;
    }
    if (!problem.empty()) {
      out = Fail(system, c.step, event.subtask, event.op, problem);
      return;
    }
  }
}

void CheckLifecycleOrderAtEnd(const model::System& system, const RunEnd& end, const History& history,
                              std::optional<Violation>& out) {
  for (size_t s = 0; s < history.subtasks.size(); ++s) {
    if (!model::IsTerminal(model::ExecutionStateOf(system.subtasks[s].phase))) continue;
    const auto& ops = history.subtasks[s].ops;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].opened && ops[i].closes != 1) {
        out = Fail(system, end.step, static_cast<int32_t>(s), static_cast<int32_t>(i),
                   fmt::format("the subtask is {} but close() ran {} time(s)", model::Name(system.subtasks[s].phase),
                               ops[i].closes));
        return;
      }
    }
  }
}

}  // namespace ckptsim::properties
