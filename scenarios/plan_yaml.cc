// Writing a DraftJob as a scenario file (plan_draft.h): every section the
// importer decides, and ckptsim's defaults for the rest written out, so the
// user edits a file rather than looks up keys.
#include <fmt/format.h>

#include "model/options.h"
#include "scenarios/plan_draft.h"
#include "simulator/run_config.h"

namespace ckptsim::scenarios {
namespace {

constexpr size_t kWidth = 100;

// `text` as comment lines of at most kWidth columns, each starting with `indent` "# ".
void Comment(std::string* out, std::string_view indent, std::string_view text) {
  if (text.empty()) return;
  std::string line;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(' ', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(begin, end - begin);
    if (!line.empty() && indent.size() + 2 + line.size() + 1 + word.size() > kWidth) {
      *out += fmt::format("{}# {}\n", indent, line);
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    begin = end + 1;
  }
  if (!line.empty()) *out += fmt::format("{}# {}\n", indent, line);
  for (size_t at = out->find(kUnbrokenSpace); at != std::string::npos; at = out->find(kUnbrokenSpace, at)) {
    (*out)[at] = ' ';
  }
}

// A name as a YAML scalar: plain where YAML reads it as that string, else quoted.
std::string YamlName(const std::string& name) {
  const char first = name.empty() ? '0' : name.front();
  const bool letter = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_';
  std::string lower = name;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const bool keyword = lower == "true" || lower == "false" || lower == "null" || lower == "yes" || lower == "no" ||
                       lower == "on" || lower == "off" || lower == "y" || lower == "n";
  return letter && !keyword ? name : fmt::format("\"{}\"", name);  // names hold no '"' or '\'
}

std::string YamlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Range(const simulator::TickRange& range) { return fmt::format("[{}, {}]", range.min, range.max); }

void WriteVertices(const DraftJob& job, std::string* out) {
  *out += "vertices:\n";
  for (const DraftVertex& vertex : job.vertices) {
    Comment(out, "  ", vertex.comment);
    *out += fmt::format("  - name: {}\n    parallelism: {}\n", YamlName(vertex.name), vertex.parallelism);
    if (vertex.records >= 0) *out += fmt::format("    records: {}  # per subtask\n", vertex.records);
    *out += "    operators:\n";
    for (const DraftOperator& op : vertex.operators) {
      Comment(out, "      ", op.comment);
      *out += fmt::format("      - {{name: {}, kind: {}}}\n", YamlName(op.name), model::Name(op.kind));
    }
  }
  if (job.edges.empty()) return;
  *out += "\nedges:\n";
  for (const DraftEdge& edge : job.edges) {
    Comment(out, "  ", edge.comment);
    *out += fmt::format("  - {{from: {}, to: {}, partitioning: {}}}\n", YamlName(job.vertices[edge.from].name),
                        YamlName(job.vertices[edge.to].name), model::Name(edge.partitioning));
  }
}

void WriteRunSections(const DraftJob& job, std::string* out) {
  const simulator::TimingOptions timing;
  const model::ProtocolOptions protocol;
  *out += "\n# ckptsim's defaults, written out to edit (scenarios/README.md says what each key means).\n";
  *out += fmt::format(
      "checkpointing:\n  interval_ticks: {}\n  timeout_ticks: {}\n  min_pause_ticks: {}\n  max_concurrent: {}\n"
      "  mode: {}\n",
      timing.checkpoint_interval_ticks, timing.checkpoint_timeout_ticks, timing.min_pause_ticks,
      protocol.max_concurrent_checkpoints, model::Name(protocol.checkpoint_mode));
  *out += fmt::format(
      "timing:\n  channel_latency_ticks: {}\n  rpc_latency_ticks: {}\n  processing_ticks: {}\n"
      "  source_emit_ticks: {}\n",
      Range(timing.channel_latency_ticks), Range(timing.rpc_latency_ticks), Range(timing.processing_ticks),
      Range(timing.source_emit_ticks));
  *out += fmt::format("recovery: {{strategy: {}, restarts_max: {}, restart_delay_ticks: {}}}\n",
                      model::Name(protocol.failover_strategy), protocol.restart_attempts,
                      Range(timing.restart_delay_ticks));
  *out += "\n";
  Comment(out, "",
          "No faults: the run checks the protocol's interleavings. To test the job under failures, add for "
          "example:");
  *out += "#   faults: {subtask_failures_max: 2, subtask_failure_ppm: 3000, lost_notifications_max: 1,\n";
  *out += "#            lost_notification_ppm: 2000, fault_phase_ticks: 600}\n";
  if (!job.unbounded_sources.empty()) {
    Comment(out, "",
            "(A lost notification of the stop's savepoint leaves the job waiting for good, as it does in Flink: "
            "see 'What ckptsim finds in Flink's protocol' in README.md.)");
  }
  if (!job.unbounded_sources.empty()) {
    const int64_t at_tick = 10 * timing.checkpoint_interval_ticks;
    std::string sources;
    for (const std::string& source : job.unbounded_sources) sources += (sources.empty() ? "" : ", ") + source;
    *out += "\n";
    Comment(out, "",
            fmt::format("Unbounded sources never end by themselves ({}): the job is stopped with a savepoint and "
                        "drain after {} ticks, so that it ends. Give --bounded ID=N to make a source bounded.",
                        sources, at_tick));
    *out += fmt::format("stop_with_savepoint: {{at_tick: {}, drain: true}}\n", at_tick);
  }
  *out += "expect: {terminates: true}\n";
}

}  // namespace

std::string WriteScenarioYaml(const DraftJob& job) {
  std::string out;
  for (size_t p = 0; p < job.header.size(); ++p) {
    if (p > 0) out += "#\n";
    Comment(&out, "", job.header[p]);
  }
  out +=
      fmt::format("name: {}\ndescription: {}\nvariant: flip147\n\n", YamlName(job.name), YamlString(job.description));
  WriteVertices(job, &out);
  WriteRunSections(job, &out);
  return out;
}

}  // namespace ckptsim::scenarios
