// The HTML report of one trace: a single static, self-contained file (no
// server, no network, no external script, style or font): the scenario, the
// property verdicts with their reports, the three views as inline SVG, a step
// slider over pre-rendered job-graph frames, and the folded text timeline.
// The only script switches between frames.
#ifndef CKPTSIM_VISUALIZER_HTML_REPORT_H_
#define CKPTSIM_VISUALIZER_HTML_REPORT_H_

#include <cstddef>
#include <string>

#include "simulator/trace.h"

namespace ckptsim::visualizer {

struct ReportOptions {
  int frames_max = 50;     // job-graph frames behind the slider (evenly spaced steps, plus each violation's)
  size_t max_nodes = 300;  // node budget of the space-time and checkpoints views
  std::string trace_name;  // how the report names its trace (for the replay command)
};

// Renders every picture with Graphviz `dot`; false with a one-line *error.
bool HtmlReport(const simulator::Trace& trace, const ReportOptions& options, std::string* html, std::string* error);

// `text` with &, <, >, " and ' escaped for HTML.
std::string HtmlEscape(std::string_view text);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_HTML_REPORT_H_
