// L3 event time (PROTOCOL.md section 10): once a subtask's inputs ended with
// DRAIN, every operator that processes watermarks saw MAX_WATERMARK exactly
// once, before its finish(). Checked when finish() runs: under DRAIN,
// MAX_WATERMARK precedes EndOfData on every channel, so by then it must
// have reached every operator below the source.
#include <fmt/format.h>

#include "properties/property.h"

namespace ckptsim::properties {
namespace {

class EventTimeChecker final : public PropertyChecker {
 public:
  explicit EventTimeChecker(const model::System& initial) : seen_(initial.subtasks.size()) {
    for (size_t s = 0; s < initial.subtasks.size(); ++s) seen_[s].assign(initial.subtasks[s].operators.size(), 0);
  }

  PropertyId id() const override { return PropertyId::kEventTime; }

  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) override {
    const model::JobGraph& graph = *system.graph;
    for (const model::Event& event : events) {
      if (event.kind == model::EventKind::kRestarted) {
        seen_[event.subtask].assign(seen_[event.subtask].size(), 0);
        continue;
      }
      if (event.kind != model::EventKind::kOperatorCall) continue;
      const auto call = static_cast<model::OperatorCall>(event.aux);
      if (call == model::OperatorCall::kProcessMaxWatermark) {
        if (++seen_[event.subtask][event.op] > 1) {
          Fail(graph, step, event, "MAX_WATERMARK processed twice");
          return;
        }
      } else if (call == model::OperatorCall::kFinish) {
        const bool source_head = event.op == 0 && graph.vertices()[graph.subtasks()[event.subtask].vertex].is_source;
        if (!source_head && seen_[event.subtask][event.op] == 0) {
          Fail(graph, step, event, "finish() after its inputs drained, but MAX_WATERMARK never reached it");
          return;
        }
      }
    }
  }

  void OnEnd(const model::System&, const RunEnd&) override {}

 private:
  void Fail(const model::JobGraph& graph, int64_t step, const model::Event& event, const std::string& problem) {
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[event.subtask].vertex];
    Report(Violation{.property = id(),
                     .step = step,
                     .summary = fmt::format("{} operator {}: {}", graph.SubtaskName(event.subtask),
                                            vertex.operators[event.op].name, problem)});
  }

  std::vector<std::vector<int>> seen_;
};

}  // namespace

std::unique_ptr<PropertyChecker> MakeEventTimeChecker(const model::System& initial) {
  return std::make_unique<EventTimeChecker>(initial);
}

}  // namespace ckptsim::properties
