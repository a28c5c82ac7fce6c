#include "visualizer/timeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "visualizer/json_fields.h"

namespace ckptsim::visualizer {
namespace {

struct Columns {
  size_t lane_width = 0;
};

std::string Line(char mark, int64_t step, int64_t tick, const std::string& lane, const std::string& text,
                 const Columns& columns) {
  return fmt::format("{}{:>6} {:>6}  {:<{}}  {}\n", mark, step, tick, lane, columns.lane_width, text);
}

std::string ViolationLine(const ViolationReport& v) {
  return fmt::format("!{:>6} {:>6}  {} {} VIOLATED: {}\n", v.step, "", v.code, v.name, v.summary);
}

// A run of record sends and receives as one line.
std::string FoldedLine(const std::vector<const IndexedEvent*>& run, const Highlights& highlights,
                       const Columns& columns) {
  size_t sends = 0;
  bool highlighted = false;
  for (const IndexedEvent* event : run) {
    if (event->kind == "send") ++sends;
    highlighted = highlighted || highlights.Covers(*event);
  }
  const std::string text = fmt::format("{} record events folded: {} sends, {} receives, steps {}-{}", run.size(), sends,
                                       run.size() - sends, run.front()->step, run.back()->step);
  return Line(highlighted ? '*' : ' ', run.front()->step, run.front()->tick, "records", text, columns);
}

}  // namespace

std::string RunTitle(const simulator::Trace& trace, const EventIndex& index) {
  const bool finished = BoolField(trace.footer, "job_finished");
  return fmt::format("{}, variant {}, seed {}: {} steps, {} ticks, job {}", trace.config.scenario_name,
                     model::Name(trace.config.protocol.variant), trace.seed, index.steps, index.ticks,
                     finished ? "FINISHED" : "not finished");
}

std::string Timeline(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                     const TimelineOptions& options) {
  Columns columns{.lane_width = std::string_view("records").size()};
  for (const Lane& lane : index.lanes) columns.lane_width = std::max(columns.lane_width, lane.name.size());
  const int64_t to_step = options.to_step < 0 ? index.steps : options.to_step;
  std::string out = fmt::format("# ckptsim timeline: {}\n", RunTitle(trace, index));
  out += fmt::format(
      "#{:>6} {:>6}  {:<{}}  event   (* named by a violation report, ! violation; see "
      "visualizer/README.md)\n",
      "step", "tick", "lane", columns.lane_width);
  if (index.versions.changed()) {
    out += fmt::format("# step {}: {} ({}); lanes are subtasks by name across both versions\n",
                       index.versions.changed_at, index.versions.MarkerText(), index.versions.summary);
  }
  // Violation lines follow the last event of their step.
  std::vector<const ViolationReport*> violations;
  for (const ViolationReport& v : highlights.violations) violations.push_back(&v);
  std::stable_sort(violations.begin(), violations.end(), [](auto* a, auto* b) { return a->step < b->step; });
  size_t next_violation = 0;
  const auto violation_due = [&](int64_t step) {
    return next_violation < violations.size() && violations[next_violation]->step < step;
  };
  const auto flush_violations = [&](int64_t step) {
    for (; violation_due(step); ++next_violation) {
      const ViolationReport& v = *violations[next_violation];
      if (v.step >= options.from_step && v.step <= to_step) out += ViolationLine(v);
    }
  };
  std::vector<const IndexedEvent*> run;  // consecutive record events not yet written
  const auto flush_run = [&] {
    if (run.size() == 1) {
      const IndexedEvent& e = *run.front();
      out += Line(highlights.Covers(e) ? '*' : ' ', e.step, e.tick, index.lanes[static_cast<size_t>(e.lane)].name,
                  e.text, columns);
    } else if (!run.empty()) {
      out += FoldedLine(run, highlights, columns);
    }
    run.clear();
  };
  for (const IndexedEvent& event : index.events) {
    if (event.step < options.from_step || event.step > to_step) continue;
    if (violation_due(event.step)) {
      flush_run();
      flush_violations(event.step);
    }
    if (options.fold_records && event.plain_record) {
      run.push_back(&event);
      continue;
    }
    flush_run();
    out += Line(highlights.Covers(event) ? '*' : ' ', event.step, event.tick,
                index.lanes[static_cast<size_t>(event.lane)].name, event.text, columns);
  }
  flush_run();
  flush_violations(INT64_MAX);
  return out;
}

}  // namespace ckptsim::visualizer
