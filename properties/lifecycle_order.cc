// P6 lifecycle order, per operator and attempt (PROTOCOL.md section 2):
// initializeState, then open, before any record is processed; endInput
// before finish(); finish() only on DRAIN; close() exactly once; and a
// completion notification only for a checkpoint the subtask performed.
#include <set>

#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {
namespace {

struct OperatorTrack {
  bool initialized = false;
  bool opened = false;
  bool input_ended = false;
  bool finished = false;
  int closes = 0;
};

class LifecycleOrderChecker final : public PropertyChecker {
 public:
  explicit LifecycleOrderChecker(const model::System& initial) : subtasks_(initial.subtasks.size()) {
    for (size_t s = 0; s < initial.subtasks.size(); ++s) subtasks_[s].ops.resize(initial.subtasks[s].operators.size());
  }

  PropertyId id() const override { return PropertyId::kLifecycleOrder; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    const model::JobGraph& graph = *system.graph;
    for (const model::Event& event : events) {
      if (event.kind == model::EventKind::kRestarted) {
        SubtaskTrack& track = subtasks_[event.subtask];
        // The attempt that failed or was canceled must have closed what it opened, once.
        for (size_t i = 0; i < track.ops.size(); ++i) {
          if (!track.ops[i].opened || track.ops[i].closes == 1) continue;
          Fail(system, step, event.subtask, static_cast<int32_t>(i),
               fmt::format("the previous attempt ended with close() run {} time(s)", track.ops[i].closes));
          return;
        }
        track = SubtaskTrack{};
        track.ops.resize(system.subtasks[event.subtask].operators.size());
        continue;
      }
      if (event.kind == model::EventKind::kCheckpointPerformed) {
        subtasks_[event.subtask].performed.insert(event.checkpoint);
        continue;
      }
      if (event.kind == model::EventKind::kReceive && event.message.kind == model::MessageKind::kRecord) {
        const OperatorTrack& head = subtasks_[event.subtask].ops[0];
        if (!head.opened || head.closes > 0) {
          Fail(system, step, event.subtask, 0, "a record was processed before open() or after close()");
          return;
        }
        continue;
      }
      if (event.kind != model::EventKind::kOperatorCall) continue;
      SubtaskTrack& sub = subtasks_[event.subtask];
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
          if (!op.opened || op.closes > 0) problem = "finish() outside open() .. close()";
          else if (op.finished) problem = "finish() called twice";
          else if (!source_head && !op.input_ended) problem = "finish() before endInput()";
          else if (system.subtasks[event.subtask].end_mode != model::StopMode::kDrain) problem = "finish() on NO_DRAIN";
          op.finished = true;
          break;
        }
        case model::OperatorCall::kClose:
          if (op.closes > 0) problem = "close() called twice";
          ++op.closes;
          break;
        case model::OperatorCall::kNotifyCheckpointComplete:
          if (!sub.performed.contains(event.checkpoint) &&
              event.checkpoint != system.subtasks[event.subtask].restored_checkpoint_id) {
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
        Fail(system, step, event.subtask, event.op, problem);
        return;
      }
    }
  }

  void OnEnd(const model::System& system, const RunEnd& end) override {
    for (size_t s = 0; s < subtasks_.size(); ++s) {
      if (!model::IsTerminal(model::ExecutionStateOf(system.subtasks[s].phase))) continue;
      for (size_t i = 0; i < subtasks_[s].ops.size(); ++i) {
        const OperatorTrack& op = subtasks_[s].ops[i];
        if (op.opened && op.closes != 1) {
          Fail(system, end.step, static_cast<int32_t>(s), static_cast<int32_t>(i),
               fmt::format("the subtask is {} but close() ran {} time(s)", model::Name(system.subtasks[s].phase),
                           op.closes));
          return;
        }
      }
    }
  }

 private:
  struct SubtaskTrack {
    std::vector<OperatorTrack> ops;
    std::set<int64_t> performed;
  };

  void Fail(const model::System& system, int64_t step, int32_t subtask, int32_t op, const std::string& problem) {
    const model::JobGraph& graph = *system.graph;
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
    Report(Violation{.property = id(),
                     .step = step,
                     .summary = fmt::format("{} operator {}: {}", graph.SubtaskName(subtask),
                                            vertex.operators[op].name, problem),
                     .details = {fmt::format("attempt {}", system.subtasks[subtask].attempt)}});
  }

  std::vector<SubtaskTrack> subtasks_;
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeLifecycleOrderChecker(const model::System& initial) {
  return std::make_unique<LifecycleOrderChecker>(initial);
}

}  // namespace ckptsim::properties
