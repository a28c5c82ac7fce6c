#include "visualizer/html_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "simulator/config_json.h"
#include "visualizer/event_index.h"
#include "visualizer/graphviz.h"
#include "visualizer/highlights.h"
#include "visualizer/jobgraph.h"
#include "visualizer/json_fields.h"
#include "visualizer/render.h"
#include "visualizer/replay.h"
#include "visualizer/timeline.h"

namespace ckptsim::visualizer {
namespace {

constexpr const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #202020; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left;
  vertical-align: top; }
.held { color: #1b5e20; } .violated { color: #b00000; font-weight: bold; }
.view { overflow: auto; border: 1px solid #ddd; padding: 0.5em; }
.view svg { max-width: 100%; height: auto; }
.note { color: #606060; font-size: 0.9em; }
pre { font-size: 0.85em; background: #f6f6f6; padding: 0.6em; overflow: auto; }
.slider { margin: 0.5em 0; } .slider input { width: 60%; vertical-align: middle; }
)";

// Switches the job-graph frame; nothing else runs.
constexpr const char* kScript = R"(
(function () {
  var slider = document.getElementById('frame');
  var box = document.getElementById('jobgraph');
  var label = document.getElementById('frame-label');
  function show(i) {
    var t = document.getElementById('frame-' + i);
    box.replaceChildren(t.content.cloneNode(true));
    label.textContent = t.getAttribute('data-label');
    slider.value = i;
  }
  slider.addEventListener('input', function () { show(+slider.value); });
  document.getElementById('prev').onclick = function () { show(Math.max(0, +slider.value - 1)); };
  document.getElementById('next').onclick = function () { show(Math.min(+slider.max, +slider.value + 1)); };
  show(+slider.value);
})();
)";

// Evenly spaced steps from 0 to the end, plus each violation's step, and the
// states just before and after the job's new version is deployed.
std::vector<int64_t> FrameSteps(int64_t decisions, int frames_max, const Highlights& highlights,
                                const GraphVersions& versions) {
  std::vector<int64_t> steps;
  const int64_t frames = std::max<int64_t>(2, std::min<int64_t>(frames_max, decisions + 1));
  for (int64_t i = 0; i < frames; ++i) steps.push_back(i * decisions / (frames - 1));
  for (const ViolationReport& v : highlights.violations) steps.push_back(std::clamp<int64_t>(v.step + 1, 0, decisions));
  if (versions.changed()) {
    steps.push_back(std::clamp<int64_t>(versions.changed_at, 0, decisions));
    steps.push_back(std::clamp<int64_t>(versions.changed_at + 1, 0, decisions));
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

bool Svg(const std::string& dot, const std::string& id_prefix, std::string* svg, std::string* error) {
  std::string image;
  if (!RunDot(dot, ImageFormat::kSvg, &image, error)) return false;
  *svg = InlineSvg(image, id_prefix);
  return true;
}

std::string VerdictsTable(const simulator::Trace& trace, const Highlights& highlights) {
  std::string html = "<table><tr><th>property</th><th>verdict</th><th>report</th></tr>\n";
  for (const Verdict& verdict : VerdictsOf(trace)) {
    const auto report = std::find_if(highlights.violations.begin(), highlights.violations.end(),
                                     [&](const ViolationReport& v) { return v.code == verdict.code; });
    html += fmt::format("<tr><td>{} {}</td>", HtmlEscape(verdict.code), HtmlEscape(verdict.name));
    if (report == highlights.violations.end()) {
      html += "<td class=\"held\">held</td><td></td></tr>\n";
      continue;
    }
    html +=
        fmt::format("<td class=\"violated\">VIOLATED at step {}</td><td>{}", report->step, HtmlEscape(report->summary));
    if (!report->details.empty()) {
      html += "<ul>";
      for (const std::string& line : report->details) html += fmt::format("<li>{}</li>", HtmlEscape(line));
      html += "</ul>";
    }
    html += "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string Summary(const simulator::Trace& trace, const EventIndex& index, const ReportOptions& options) {
  std::string html = "<table>\n";
  const auto row = [&](std::string_view key, const std::string& value) {
    html += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", key, HtmlEscape(value));
  };
  row("scenario", trace.config.scenario_name);
  row("description", trace.config.description);
  row("variant", std::string(model::Name(trace.config.protocol.variant)));
  row("seed", std::to_string(trace.seed));
  row("run", fmt::format("{} steps, {} ticks, job {}", index.steps, index.ticks,
                         BoolField(trace.footer, "job_finished") ? "FINISHED" : "not finished"));
  if (index.versions.changed()) {
    row("job versions", fmt::format("resumed into its new version at step {} (tick {}) from savepoint {}: {}",
                                    index.versions.changed_at, index.versions.changed_tick, index.versions.savepoint,
                                    index.versions.summary));
  }
  row("trace hash", trace.trace_hash);
  if (!options.trace_name.empty()) row("replay", "ckptsim replay " + options.trace_name);
  return html + "</table>\n";
}

// The job-graph frames: a slider over pre-rendered pictures.
bool JobGraphSection(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                     const ReportOptions& options, std::string* html, std::string* error) {
  const int64_t decisions = static_cast<int64_t>(trace.decisions.size());
  const std::vector<int64_t> steps = FrameSteps(decisions, options.frames_max, highlights, index.versions);
  std::vector<model::System> states;
  if (!StatesAfter(trace, steps, &states, error)) return false;
  std::vector<std::string> dots;
  for (size_t i = 0; i < steps.size(); ++i) dots.push_back(JobGraphDot(trace, index, states[i], steps[i]));
  std::vector<std::string> images;
  if (!RunDotAll(dots, ImageFormat::kSvg, &images, error)) return false;
  std::string templates;
  std::string last_svg;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string svg = InlineSvg(images[i], fmt::format("f{}-", i));
    std::string label = steps[i] == decisions ? fmt::format("the end: after all {} decisions", decisions)
                                              : fmt::format("after {} of {} decisions", steps[i], decisions);
    if (index.versions.changed()) label += states[i].graph_change != nullptr ? " (new version)" : " (first version)";
    templates += fmt::format("<template id=\"frame-{}\" data-label=\"{}\">{}</template>\n", i, HtmlEscape(label), svg);
    if (i + 1 == steps.size()) last_svg = std::move(svg);
  }
  const std::string versions =
      index.versions.changed()
          ? fmt::format(" The job is resumed into its new version at step {}: frames after it show the new version.",
                        index.versions.changed_at)
          : std::string();
  *html = fmt::format(
      "<h2>Job graph, step by step</h2>\n<p class=\"note\">{} frames; drag the slider or use the buttons. Subtasks are "
      "coloured by lifecycle phase; channel labels show what is queued.{}</p>\n<div class=\"slider\">"
      "<button id=\"prev\">&#9664;</button> <input type=\"range\" id=\"frame\" min=\"0\" max=\"{}\" value=\"{}\"> <button id=\"next\">"
      "&#9654;</button> <span id=\"frame-label\"></span></div>\n<div class=\"view\" id=\"jobgraph\">{}</div>\n{}",
      steps.size(), HtmlEscape(versions), steps.size() - 1, steps.size() - 1, last_svg, templates);
  return true;
}

bool ViewSection(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights, View view,
                 const ReportOptions& options, std::string* html, std::string* error) {
  Rendered rendered;
  if (!RenderView(trace, index, highlights, {.view = view, .max_nodes = options.max_nodes}, &rendered, error)) {
    return false;
  }
  std::string svg;
  if (!Svg(rendered.dot, fmt::format("{}-", Name(view)), &svg, error)) return false;
  const char* title = view == View::kSpacetime ? "Space-time diagram" : "Checkpoints";
  *html = fmt::format("<h2>{}</h2>\n", title);
  if (!rendered.note.empty()) *html += fmt::format("<p class=\"note\">{}</p>\n", HtmlEscape(rendered.note));
  *html += fmt::format("<div class=\"view\">{}</div>\n", svg);
  return true;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool HtmlReport(const simulator::Trace& trace, const ReportOptions& options, std::string* html, std::string* error) {
  const EventIndex index = IndexEvents(trace);
  const Highlights highlights = HighlightsOf(trace);
  std::string jobgraph;
  std::string spacetime;
  std::string checkpoints;
  if (!JobGraphSection(trace, index, highlights, options, &jobgraph, error) ||
      !ViewSection(trace, index, highlights, View::kSpacetime, options, &spacetime, error) ||
      !ViewSection(trace, index, highlights, View::kCheckpoints, options, &checkpoints, error)) {
    return false;
  }
  const std::string title = fmt::format("ckptsim report: {}, variant {}, seed {}", trace.config.scenario_name,
                                        model::Name(trace.config.protocol.variant), trace.seed);
  *html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n"
      "<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{2}<h2>Properties</h2>\n{3}",
      HtmlEscape(title), kStyle, Summary(trace, index, options), VerdictsTable(trace, highlights));
  *html += jobgraph + spacetime + checkpoints;
  const std::string timeline = Timeline(trace, index, highlights, {.fold_records = true});
  *html += fmt::format(
      "<h2>Timeline</h2>\n<details><summary>every event, runs of records folded "
      "(legend: visualizer/README.md)</summary><pre>{}</pre></details>\n",
      HtmlEscape(timeline));
  *html += fmt::format(
      "<h2>Scenario</h2>\n<details><summary>the resolved configuration from the trace header"
      "</summary><pre>{}</pre></details>\n",
      HtmlEscape(simulator::ConfigToJson(trace.config).dump(2)));
  *html += fmt::format(
      "<p class=\"note\">Generated by ckptsim {} from the trace alone; this file needs no network.</p>\n"
      "<script>{}</script>\n</body>\n</html>\n",
      simulator::kCkptsimVersion, kScript);
  return true;
}

}  // namespace ckptsim::visualizer
