#include "visualizer/graph_versions.h"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "visualizer/json_fields.h"

namespace ckptsim::visualizer {
namespace {

bool SameChain(const model::VertexInfo& a, const model::VertexInfo& b) {
  if (a.operators.size() != b.operators.size()) return false;
  for (size_t o = 0; o < a.operators.size(); ++o) {
    if (a.operators[o].name != b.operators[o].name || a.operators[o].kind != b.operators[o].kind) return false;
  }
  return true;
}

}  // namespace

std::string GraphVersions::MarkerText() const {
  return fmt::format("job resumed into its new version from savepoint {}", savepoint);
}

GraphVersions GraphVersionsOf(const simulator::Trace& trace) {
  GraphVersions versions{.before = trace.config.graph, .after = trace.config.graph};
  const auto& resume_into = trace.config.stop.resume_into;
  if (!trace.config.stop.resume || resume_into == nullptr || versions.before == nullptr) return versions;
  for (const nlohmann::json& line : trace.events) {
    if (StringField(line, "kind") != "job-graph-changed") continue;
    versions.after = resume_into;
    versions.changed_at = IntField(line, "step");
    versions.changed_tick = IntField(line, "tick");
    versions.savepoint = IntField(line, "checkpoint");
    versions.summary = GraphChangeSummary(*versions.before, *versions.after);
    break;
  }
  return versions;
}

std::string GraphChangeSummary(const model::JobGraph& from, const model::JobGraph& to) {
  std::vector<std::string> changes;
  for (const model::VertexInfo& vertex : to.vertices()) {
    const std::optional<int> old = from.FindVertex(vertex.name);
    if (!old) {
      changes.push_back(fmt::format("{} added ({})", vertex.name, vertex.parallelism));
      continue;
    }
    const model::VertexInfo& was = from.vertices()[static_cast<size_t>(*old)];
    std::vector<std::string> what;
    if (was.parallelism != vertex.parallelism) {
      what.push_back(fmt::format("{}->{}", was.parallelism, vertex.parallelism));
    }
    if (!SameChain(was, vertex)) what.emplace_back(what.empty() ? "re-chained" : "and re-chained");
    if (!what.empty()) changes.push_back(fmt::format("{} {}", vertex.name, fmt::join(what, " ")));
  }
  for (const model::VertexInfo& vertex : from.vertices()) {
    if (!to.FindVertex(vertex.name)) changes.push_back(fmt::format("{} removed", vertex.name));
  }
  if (changes.empty()) return "no vertex changed";
  return fmt::format("{}", fmt::join(changes, ", "));
}

}  // namespace ckptsim::visualizer
