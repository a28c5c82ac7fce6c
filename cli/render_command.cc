// `ckptsim render`, `ckptsim timeline` and `ckptsim report`: a trace as a
// picture, a text timeline, Perfetto JSON or an HTML report (visualizer/);
// and the reports `sweep --report-dir` writes for failing runs.
#include <filesystem>
#include <variant>

#include <fmt/format.h>

#include "cli/commands.h"
#include "simulator/runner.h"
#include "simulator/trace.h"
#include "visualizer/event_index.h"
#include "visualizer/graphviz.h"
#include "visualizer/highlights.h"
#include "visualizer/html_report.h"
#include "visualizer/perfetto.h"
#include "visualizer/render.h"
#include "visualizer/timeline.h"

namespace ckptsim::cli {
namespace {

enum class OutputFormat { kDot, kSvg, kPng, kPerfetto };

std::optional<OutputFormat> FormatOf(const std::string& format, const std::string& out, std::string* error) {
  std::string name = format;
  if (name.empty()) {
    const std::string extension = std::filesystem::path(out).extension().string();
    if (extension == ".dot" || extension == ".gv") name = "dot";
    if (extension == ".svg") name = "svg";
    if (extension == ".png") name = "png";
    if (extension == ".json") name = "perfetto";
    if (name.empty()) {
      *error = fmt::format(
          "cannot tell the output format of '{}' from its extension: use .dot, .svg or .png, or "
          "--format perfetto",
          out);
      return std::nullopt;
    }
  }
  if (name == "dot") return OutputFormat::kDot;
  if (name == "svg") return OutputFormat::kSvg;
  if (name == "png") return OutputFormat::kPng;
  if (name == "perfetto") return OutputFormat::kPerfetto;
  *error = fmt::format("unknown --format '{}' (known: dot, svg, png, perfetto)", format);
  return std::nullopt;
}

// The flags that do not fit the view or format, as a usage error; empty if all fit.
std::string FlagProblem(const RenderArgs& args, OutputFormat format, std::optional<visualizer::View> view) {
  if (format == OutputFormat::kPerfetto) {
    if (!args.view.empty() || args.step >= 0 || args.from_step >= 0 || args.to_step >= 0) {
      return "--view, --step, --from and --to do not apply to --format perfetto (it exports the whole trace)";
    }
    return "";
  }
  if (args.view.empty()) return "--view is required: jobgraph, spacetime or checkpoints (or use --format perfetto)";
  if (!view) return fmt::format("unknown --view '{}' (known: jobgraph, spacetime, checkpoints)", args.view);
  if (*view == visualizer::View::kJobGraph && (args.from_step >= 0 || args.to_step >= 0)) {
    return "--from/--to apply to the spacetime and checkpoints views; the jobgraph view takes --step";
  }
  if (*view != visualizer::View::kJobGraph && args.step >= 0) {
    return "--step applies to the jobgraph view; use --from/--to to choose the steps of this view";
  }
  if (args.from_step >= 0 && args.to_step >= 0 && args.from_step > args.to_step) {
    return fmt::format("--from {} is after --to {}", args.from_step, args.to_step);
  }
  return "";
}

bool LoadTrace(const std::string& path, simulator::Trace* trace, std::string* error) {
  auto loaded = simulator::ReadTrace(path);
  if (auto* message = std::get_if<std::string>(&loaded)) {
    *error = *message;
    return false;
  }
  *trace = std::move(std::get<simulator::Trace>(loaded));
  return true;
}

// DOT to the bytes of the output file.
bool Encode(const std::string& dot, OutputFormat format, std::string* bytes, std::string* error) {
  if (format == OutputFormat::kDot) {
    *bytes = dot;
    return true;
  }
  return visualizer::RunDot(
      dot, format == OutputFormat::kSvg ? visualizer::ImageFormat::kSvg : visualizer::ImageFormat::kPng, bytes, error);
}

}  // namespace

int RenderCommand(const RenderArgs& args) {
  std::string error;
  const std::optional<OutputFormat> format = FormatOf(args.format, args.out, &error);
  if (!format) return UsageError(error);
  const std::optional<visualizer::View> view = visualizer::ParseView(args.view);
  if (const std::string problem = FlagProblem(args, *format, view); !problem.empty()) return UsageError(problem);
  simulator::Trace trace;
  if (!LoadTrace(args.trace, &trace, &error)) return UsageError(error);
  const visualizer::EventIndex index = visualizer::IndexEvents(trace);
  const visualizer::Highlights highlights = visualizer::HighlightsOf(trace);
  std::string bytes;
  std::string what = "Perfetto trace";
  if (*format == OutputFormat::kPerfetto) {
    bytes = visualizer::PerfettoJson(trace, index, highlights).dump() + "\n";
  } else {
    visualizer::Rendered rendered;
    if (!visualizer::RenderView(trace, index, highlights,
                                {.view = *view,
                                 .step = args.step,
                                 .from_step = args.from_step,
                                 .to_step = args.to_step,
                                 .max_nodes = args.max_nodes},
                                &rendered, &error)) {
      return UsageError(fmt::format("{}: {}", args.trace, error));
    }
    if (!rendered.note.empty()) fmt::print(stderr, "ckptsim: note: {}\n", rendered.note);
    if (!Encode(rendered.dot, *format, &bytes, &error)) return UsageError(error);
    what = fmt::format("{} view", visualizer::Name(*view));
    if (rendered.nodes > 0) what += fmt::format(", {} nodes", rendered.nodes);
  }
  if (!visualizer::WriteFileAtomically(args.out, bytes, &error)) return UsageError(error);
  fmt::print("wrote {} ({})\n", args.out, what);
  return kExitOk;
}

int TimelineCommand(const TimelineArgs& args) {
  if (args.from_step >= 0 && args.to_step >= 0 && args.from_step > args.to_step) {
    return UsageError(fmt::format("--from {} is after --to {}", args.from_step, args.to_step));
  }
  simulator::Trace trace;
  std::string error;
  if (!LoadTrace(args.trace, &trace, &error)) return UsageError(error);
  const visualizer::EventIndex index = visualizer::IndexEvents(trace);
  const std::string text = visualizer::Timeline(
      trace, index, visualizer::HighlightsOf(trace),
      {.from_step = std::max<int64_t>(args.from_step, 0), .to_step = args.to_step, .fold_records = args.fold_records});
  if (args.out.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  if (!visualizer::WriteFileAtomically(args.out, text, &error)) return UsageError(error);
  return kExitOk;
}

int ReportCommand(const ReportArgs& args) {
  if (args.frames < 2) return UsageError("--frames must be at least 2");
  simulator::Trace trace;
  std::string error;
  if (!LoadTrace(args.trace, &trace, &error)) return UsageError(error);
  std::string html;
  if (!visualizer::HtmlReport(trace, {.frames_max = args.frames, .trace_name = args.trace}, &html, &error)) {
    return UsageError(fmt::format("{}: {}", args.trace, error));
  }
  if (!visualizer::WriteFileAtomically(args.out, html, &error)) return UsageError(error);
  fmt::print("wrote {}\n", args.out);
  return kExitOk;
}

bool WriteSweepReports(const std::vector<FailedRun>& runs, const std::string& directory, std::string* error) {
  std::error_code made;
  std::filesystem::create_directories(directory, made);
  if (made) {
    *error = fmt::format("{}: cannot create the report directory: {}", directory, made.message());
    return false;
  }
  for (size_t i = 0; i < runs.size() && i < kSweepReportsMax; ++i) {
    const FailedRun& run = runs[i];
    const std::string base =
        (std::filesystem::path(directory) /
         fmt::format("{}-{}-seed{}", run.config.scenario_name, model::Name(run.config.protocol.variant), run.seed))
            .string();
    auto writer = simulator::TraceWriter::Open(base + ".jsonl", run.config, run.seed, error);
    if (!writer) return false;
    const simulator::RunResult result = simulator::Run(
        run.config, run.seed, {.stop_at_first_violation = !run.all_violations, .observer = writer.get()});
    if (!writer->Finish(result, error)) return false;
    simulator::Trace trace;
    std::string html;
    if (!LoadTrace(base + ".jsonl", &trace, error) ||
        !visualizer::HtmlReport(trace, {.trace_name = base + ".jsonl"}, &html, error) ||
        !visualizer::WriteFileAtomically(base + ".html", html, error)) {
      return false;
    }
    fmt::print("report: {}.html (trace {}.jsonl)\n", base, base);
  }
  if (runs.size() > kSweepReportsMax) {
    fmt::print("reports: the first {} of {} failing runs; replay the others to see them\n", kSweepReportsMax,
               runs.size());
  }
  return true;
}

}  // namespace ckptsim::cli
