// The versions of the job graph a trace runs on. A run that resumes a stopped
// job into a changed job graph (stop_with_savepoint.resume_into) runs on the
// scenario's graph up to the resume and on the new version from then on: the
// step that deploys the new version emits `job-graph-changed` first, and its
// events, like every later one, name the new version's subtasks and channels.
// Without such a step every step has the scenario's graph.
#ifndef CKPTSIM_VISUALIZER_GRAPH_VERSIONS_H_
#define CKPTSIM_VISUALIZER_GRAPH_VERSIONS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "model/job_graph.h"
#include "simulator/trace.h"

namespace ckptsim::visualizer {

struct GraphVersions {
  std::shared_ptr<const model::JobGraph> before;  // the scenario's graph (trace.config.graph)
  std::shared_ptr<const model::JobGraph> after;   // the new version; == before without a change
  int64_t changed_at = -1;                        // the step that deployed the new version; -1: none
  int64_t changed_tick = 0;
  int64_t savepoint = 0;  // the savepoint the new version resumed from
  std::string summary;    // what changed: "Totals 2->3, Enrich added (3), Sink 2->3"

  bool changed() const { return changed_at >= 0; }
  // The graph that names the events of `step` (the change's own step is the new version's).
  const model::JobGraph& OfStep(int64_t step) const { return changed() && step >= changed_at ? *after : *before; }
  // The graph of the state after `decisions` decisions (model::System::graph on replay).
  const model::JobGraph& AfterDecisions(int64_t decisions) const {
    return changed() && decisions > changed_at ? *after : *before;
  }
  // "job resumed into its new version from savepoint N", the marker's words.
  std::string MarkerText() const;
};

// From the first `job-graph-changed` event of the trace.
GraphVersions GraphVersionsOf(const simulator::Trace& trace);

// What `to` changed against `from`, vertex by vertex (found by name), in
// `to`'s order, removed vertices last: "Totals 2->3", "Enrich added (3)",
// "Enrich re-chained", "Old removed"; "no vertex changed" if none.
std::string GraphChangeSummary(const model::JobGraph& from, const model::JobGraph& to);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_GRAPH_VERSIONS_H_
