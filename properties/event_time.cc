// L3 event time (docs/protocol.md section 10): once a subtask's inputs ended with
// DRAIN, every operator that processes watermarks saw MAX_WATERMARK exactly
// once, before its finish(). Checked when finish() runs: under DRAIN,
// MAX_WATERMARK precedes EndOfData on every channel, so by then it must
// have reached every operator below the source.
#include <algorithm>

#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {

void CheckEventTime(const StepContext& c, std::optional<Violation>& out) {
  const model::JobGraph& graph = *c.after.graph;
  const auto fail = [&](const model::Event& event, const std::string& problem) {
    const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[event.subtask].vertex];
    out = Violation{.property = PropertyId::kEventTime,
                    .step = c.step,
                    .summary = fmt::format("{} operator {}: {}", graph.SubtaskName(event.subtask),
                                           vertex.operators[event.op].name, problem)};
  };
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kRestarted) {
      auto& seen = c.history.subtasks[event.subtask].max_watermarks;
      std::fill(seen.begin(), seen.end(), 0);
      continue;
    }
    if (event.kind != model::EventKind::kOperatorCall) continue;
    uint8_t& seen = c.history.subtasks[event.subtask].max_watermarks[event.op];
    const auto call = static_cast<model::OperatorCall>(event.aux);
    if (call == model::OperatorCall::kProcessMaxWatermark) {
      seen = static_cast<uint8_t>(std::min(seen + 1, 2));
      if (seen > 1) {
        fail(event, "MAX_WATERMARK processed twice");
        return;
      }
    } else if (call == model::OperatorCall::kFinish) {
      const bool source_head = event.op == 0 && graph.vertices()[graph.subtasks()[event.subtask].vertex].is_source;
      if (!source_head && seen == 0) {
        fail(event, "finish() after its inputs drained, but MAX_WATERMARK never reached it");
        return;
      }
    }
  }
}

}  // namespace ckptsim::properties
