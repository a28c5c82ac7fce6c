// The visualizer (issue 5): golden DOT and timeline files, SVG through
// Graphviz, names that would break a shell, Perfetto JSON, the HTML report,
// and the one-line errors of `render`, `timeline` and `report`.
//
// Golden files live in tests/data/golden/. After an intended change of the
// model or of a view, regenerate them and review the diff:
//   CKPTSIM_UPDATE_GOLDEN=1 ./tests/ckptsim_tests --gtest_filter='*VisualizerGolden*'
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "shell.h"
#include <nlohmann/json.hpp>

#include "scenarios/loader.h"
#include "simulator/runner.h"
#include "simulator/trace.h"
#include "visualizer/checkpoint_stories.h"
#include "visualizer/checkpoints_view.h"
#include "visualizer/event_index.h"
#include "visualizer/graph_versions.h"
#include "visualizer/graphviz.h"
#include "visualizer/highlights.h"
#include "visualizer/jobgraph.h"
#include "visualizer/perfetto.h"
#include "visualizer/render.h"
#include "visualizer/replay.h"
#include "visualizer/spacetime.h"
#include "visualizer/timeline.h"

namespace ckptsim {
namespace {

using visualizer::EventIndex;
using visualizer::Highlights;

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("ckptsim_visualizer_test_" + std::to_string(::getpid()) + "_" + name);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

simulator::RunConfig LoadConfig(const std::string& name_or_path) {
  auto loaded = scenarios::LoadScenario(name_or_path);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    return {};
  }
  return std::get<simulator::RunConfig>(std::move(loaded));
}

// Runs `config` with `seed`, writes its trace to `path` and reads it back.
simulator::Trace TraceOf(const simulator::RunConfig& config, uint64_t seed, const std::filesystem::path& path) {
  std::string error;
  auto writer = simulator::TraceWriter::Open(path.string(), config, seed, &error);
  EXPECT_NE(writer, nullptr) << error;
  if (writer == nullptr) return {};
  const simulator::RunResult result = simulator::Run(config, seed, {.observer = writer.get()});
  EXPECT_TRUE(writer->Finish(result, &error)) << error;
  auto read = simulator::ReadTrace(path.string());
  if (auto* message = std::get_if<std::string>(&read)) {
    ADD_FAILURE() << *message;
    return {};
  }
  return std::get<simulator::Trace>(std::move(read));
}

std::string ViewDot(const simulator::Trace& trace, visualizer::View view, int64_t step = -1) {
  const EventIndex index = visualizer::IndexEvents(trace);
  const Highlights highlights = visualizer::HighlightsOf(trace);
  visualizer::Rendered rendered;
  std::string error;
  EXPECT_TRUE(visualizer::RenderView(trace, index, highlights, {.view = view, .step = step}, &rendered, &error))
      << error;
  return rendered.dot;
}

// The ckptsim binary through a shell, as a user runs it: exit code and
// stdout+stderr (like cli_test.cc's helper; `prefix` goes before the binary).
using Outcome = testing::ShellOutcome;

Outcome RunCli(const std::string& arguments, const std::string& prefix = "") {
  return testing::RunCkptsim(arguments, prefix);
}

// --- Golden files -------------------------------------------------------------

struct GoldenCase {
  const char* name;  // file stem under tests/data/golden/
  uint64_t seed;
};

// The first line where two texts differ, for a readable failure.
std::string FirstDifference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected);
  std::istringstream b(actual);
  std::string line_a;
  std::string line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "no difference";
    if (line_a != line_b || more_a != more_b) {
      return "line " + std::to_string(line) + ":\n  golden: " + (more_a ? line_a : "<end>") +
             "\n  now:    " + (more_b ? line_b : "<end>");
    }
  }
}

void ExpectGolden(const std::string& file, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(CKPTSIM_TEST_DATA_DIR) / "golden" / file;
  if (std::getenv("CKPTSIM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    std::cout << "updated " << path.string() << "\n";
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; create it with CKPTSIM_UPDATE_GOLDEN=1";
  const std::string expected = ReadFile(path);
  EXPECT_TRUE(expected == actual) << file << " differs from the golden file, " << FirstDifference(expected, actual)
                                  << "\nIf the change is intended, regenerate with CKPTSIM_UPDATE_GOLDEN=1 and "
                                     "review the diff.";
}

class VisualizerGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(VisualizerGolden, DotAndTimelineMatchByteForByte) {
  const GoldenCase& c = GetParam();
  const std::string scenario = std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/" + c.name + ".yaml";
  const std::filesystem::path path = TempPath(std::string(c.name) + ".jsonl");
  const simulator::Trace trace = TraceOf(LoadConfig(scenario), c.seed, path);
  const EventIndex index = visualizer::IndexEvents(trace);
  const Highlights highlights = visualizer::HighlightsOf(trace);
  const std::string stem = std::string(c.name) + "-seed" + std::to_string(c.seed);
  ExpectGolden(stem + ".timeline.txt", visualizer::Timeline(trace, index, highlights, {}));
  // Mid-run, so that channels hold something and phases differ.
  ExpectGolden(stem + ".jobgraph.dot",
               ViewDot(trace, visualizer::View::kJobGraph, static_cast<int64_t>(trace.decisions.size()) / 2));
  ExpectGolden(stem + ".spacetime.dot", ViewDot(trace, visualizer::View::kSpacetime));
  ExpectGolden(stem + ".checkpoints.dot", ViewDot(trace, visualizer::View::kCheckpoints));
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(SmallScenarios, VisualizerGolden,
                         ::testing::Values(GoldenCase{"tiny", 3}, GoldenCase{"tiny-legacy", 2}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + "_seed" + std::to_string(param_info.param.seed);
                         });

TEST(Visualizer, RenderingTheSameTraceTwiceGivesTheSameBytes) {
  const std::filesystem::path path = TempPath("twice.jsonl");
  const simulator::Trace trace = TraceOf(LoadConfig("fig6"), 7, path);
  for (const visualizer::View view :
       {visualizer::View::kJobGraph, visualizer::View::kSpacetime, visualizer::View::kCheckpoints}) {
    EXPECT_EQ(ViewDot(trace, view), ViewDot(trace, view)) << visualizer::Name(view);
  }
  std::filesystem::remove(path);
}

// --- Graphviz -----------------------------------------------------------------

#define SKIP_WITHOUT_DOT()                                                                                  \
  if (!visualizer::DotAvailable()) {                                                                        \
    GTEST_SKIP() << "Graphviz 'dot' is not installed; install it with 'apt-get install graphviz' (scripts/" \
                    "setup.sh does)";                                                                       \
  }

TEST(Visualizer, Fig6SvgFromDotNamesEverySubtask) {
  SKIP_WITHOUT_DOT();
  const std::filesystem::path path = TempPath("fig6.jsonl");
  const simulator::Trace trace = TraceOf(LoadConfig("fig6"), 1, path);
  for (const visualizer::View view : {visualizer::View::kJobGraph, visualizer::View::kCheckpoints}) {
    std::string svg;
    std::string error;
    ASSERT_TRUE(visualizer::RunDot(ViewDot(trace, view), visualizer::ImageFormat::kSvg, &svg, &error)) << error;
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    for (int s = 0; s < trace.config.graph->subtask_count(); ++s) {
      EXPECT_NE(svg.find(trace.config.graph->SubtaskName(s)), std::string::npos)
          << visualizer::Name(view) << " lacks " << trace.config.graph->SubtaskName(s);
    }
  }
  std::filesystem::remove(path);
}

// Names that would do harm if they ever reached a shell: quotes, spaces, $(),
// backquotes, ;, &, |, redirections, and a DOT escape (\N).
TEST(Visualizer, HostileNamesRenderCorrectlyAndRunNoShell) {
  SKIP_WITHOUT_DOT();
  // Short enough that the views show the names whole.
  const std::filesystem::path marker = "/tmp/ckptsim_pwned_" + std::to_string(::getpid());
  const std::string source_name = "Src \"q\" $(touch " + marker.string() + ") 'x'";
  const std::string sink_name = "Sink; rm -rf x & echo \\N | cat > y";
  const std::string operator_name = "\"; rm -rf x; `touch " + marker.string() + "` <b>&amp;";
  simulator::RunConfig config = LoadConfig(std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/tiny.yaml");
  config.graph_spec.vertices[0].name = source_name;
  config.graph_spec.vertices[0].operators[0].name = operator_name;
  config.graph_spec.vertices[1].name = sink_name;
  model::GraphError graph_error;
  auto compiled = model::JobGraph::Compile(config.graph_spec, &graph_error);
  ASSERT_TRUE(compiled.has_value()) << graph_error.message;
  config.graph = std::make_shared<const model::JobGraph>(std::move(*compiled));
  const std::filesystem::path path = TempPath("hostile.jsonl");
  const simulator::Trace trace = TraceOf(config, 3, path);
  ASSERT_FALSE(trace.decisions.empty());

  // Every view is valid DOT that dot renders, with the names shown as they are.
  const auto xml = [](std::string text) {
    std::string out;
    for (const char c : text) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '-': out += "&#45;"; break;
        default: out += c;
      }
    }
    return out;
  };
  for (const visualizer::View view :
       {visualizer::View::kJobGraph, visualizer::View::kSpacetime, visualizer::View::kCheckpoints}) {
    const std::string dot = ViewDot(trace, view);
    std::string svg;
    std::string error;
    ASSERT_TRUE(visualizer::RunDot(dot, visualizer::ImageFormat::kSvg, &svg, &error))
        << visualizer::Name(view) << ": " << error;
    EXPECT_NE(svg.find(xml(source_name + "[1]")), std::string::npos) << visualizer::Name(view);
    if (view == visualizer::View::kJobGraph) {
      EXPECT_NE(svg.find(xml(operator_name)), std::string::npos);
      EXPECT_NE(svg.find(xml(sink_name + "[0]")), std::string::npos);
    }
  }
  // Through the command line too, into a picture and the other outputs.
  const std::filesystem::path svg = TempPath("hostile.svg");
  for (const std::string& arguments :
       {"render " + path.string() + " --view jobgraph -o " + svg.string(),
        "render " + path.string() + " --view spacetime -o " + svg.string(),
        "render " + path.string() + " --format perfetto -o " + TempPath("hostile.json").string(),
        "timeline " + path.string() + " -o " + TempPath("hostile.txt").string()}) {
    const Outcome o = RunCli(arguments);
    EXPECT_EQ(o.exit_code, 0) << arguments << "\n" << o.out;
  }
  EXPECT_NE(ReadFile(svg).find(xml(source_name)), std::string::npos);
  EXPECT_NE(ReadFile(TempPath("hostile.txt")).find(source_name + "[1]"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "a name was run by a shell";
  for (const char* name : {"hostile.jsonl", "hostile.svg", "hostile.json", "hostile.txt"}) {
    std::filesystem::remove(TempPath(name));
  }
}

// --- Perfetto -----------------------------------------------------------------

struct Interval {
  double begin = 0;
  double end = 0;
};

// Checks that the spans and slices of every track nest; returns the problems.
std::vector<std::string> NestingProblems(const nlohmann::json& events) {
  std::map<int, std::vector<std::pair<double, const nlohmann::json*>>> by_tid;
  for (const nlohmann::json& e : events) {
    const std::string ph = e.at("ph");
    if (ph == "B" || ph == "E" || ph == "X") by_tid[e.at("tid").get<int>()].push_back({e.at("ts").get<double>(), &e});
  }
  std::vector<std::string> problems;
  for (auto& [tid, list] : by_tid) {
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<std::string, double>> open;  // B spans
    std::vector<Interval> intervals;
    for (const auto& [ts, e] : list) {
      const std::string ph = e->at("ph");
      if (ph == "B") {
        open.push_back({e->at("name").get<std::string>(), ts});
      } else if (ph == "E") {
        if (open.empty()) {
          problems.push_back("tid " + std::to_string(tid) + ": E without B at " + std::to_string(ts));
          continue;
        }
        intervals.push_back({open.back().second, ts});
        open.pop_back();
      } else {
        intervals.push_back({ts, ts + e->at("dur").get<double>()});
      }
    }
    if (!open.empty())
      problems.push_back("tid " + std::to_string(tid) + ": span '" + open.back().first + "' never ends");
    // Any two intervals are disjoint (touching is fine) or one holds the other.
    std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
      return a.begin < b.begin || (a.begin == b.begin && a.end > b.end);
    });
    std::vector<double> ends;
    for (const Interval& i : intervals) {
      while (!ends.empty() && ends.back() <= i.begin) ends.pop_back();
      if (!ends.empty() && i.end > ends.back()) {
        problems.push_back("tid " + std::to_string(tid) + ": [" + std::to_string(i.begin) + ", " +
                           std::to_string(i.end) + "] overlaps a span ending at " + std::to_string(ends.back()));
      }
      ends.push_back(i.end);
    }
  }
  return problems;
}

void ExpectValidPerfetto(const simulator::Trace& trace) {
  const EventIndex index = visualizer::IndexEvents(trace);
  const std::string text = visualizer::PerfettoJson(trace, index, visualizer::HighlightsOf(trace)).dump();
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(json.is_discarded()) << "not JSON";
  const nlohmann::json& events = json.at("traceEvents");
  // One track per subtask, plus the coordinator and the store.
  std::map<std::string, int> tid_of;
  std::set<int> tids;
  for (const nlohmann::json& e : events) {
    if (e.at("ph") != "M" || e.at("name") != "thread_name") continue;
    const std::string name = e.at("args").at("name");
    EXPECT_EQ(tid_of.count(name), 0u) << name << " has two tracks";
    tid_of[name] = e.at("tid");
    EXPECT_TRUE(tids.insert(e.at("tid").get<int>()).second) << "two names for tid " << e.at("tid");
  }
  // Subtasks by name: a trace that resumes into a changed job has those of both versions.
  std::set<std::string> subtasks;
  for (int s = 0; s < trace.config.graph->subtask_count(); ++s) subtasks.insert(trace.config.graph->SubtaskName(s));
  if (index.versions.changed()) {
    const model::JobGraph& after = *index.versions.after;
    for (int s = 0; s < after.subtask_count(); ++s) subtasks.insert(after.SubtaskName(s));
  }
  EXPECT_EQ(tid_of.size(), subtasks.size() + 2);
  for (const std::string& name : subtasks) EXPECT_EQ(tid_of.count(name), 1u) << name;
  const std::vector<std::string> problems = NestingProblems(events);
  EXPECT_TRUE(problems.empty()) << problems.size() << " nesting problem(s), first: " << problems.front();
  // Checkpoints are spans; every flow that starts also ends.
  std::map<int64_t, int> flows;
  size_t checkpoint_spans = 0;
  for (const nlohmann::json& e : events) {
    if (e.at("ph") == "s") ++flows[e.at("id").get<int64_t>()];
    if (e.at("ph") == "f") --flows[e.at("id").get<int64_t>()];
    if (e.at("ph") == "B" && e.at("name").get<std::string>().rfind("checkpoint ", 0) == 0) ++checkpoint_spans;
  }
  EXPECT_FALSE(flows.empty());
  for (const auto& [id, balance] : flows) EXPECT_EQ(balance, 0) << "flow " << id;
  EXPECT_GT(checkpoint_spans, 0u);
}

TEST(Visualizer, PerfettoJsonParsesNestsAndHasOneTrackPerSubtask) {
  for (const auto& [scenario, seed] : {std::pair<const char*, uint64_t>{"fig6", 1}, {"failover-after-finish", 1}}) {
    SCOPED_TRACE(scenario);
    const std::filesystem::path path = TempPath("perfetto.jsonl");
    ExpectValidPerfetto(TraceOf(LoadConfig(scenario), seed, path));
    std::filesystem::remove(path);
  }
}

// --- Views --------------------------------------------------------------------

TEST(Visualizer, SpacetimeViewFitsItsNodeBudgetAndEndsAtTheViolation) {
  const std::filesystem::path path = TempPath("legacy.jsonl");
  simulator::RunConfig config = LoadConfig("fig6");
  config.protocol.variant = model::Variant::kLegacy;
  const simulator::Trace trace = TraceOf(config, 1, path);
  const EventIndex index = visualizer::IndexEvents(trace);
  const Highlights highlights = visualizer::HighlightsOf(trace);
  ASSERT_TRUE(highlights.any());
  const visualizer::SpacetimeView view = visualizer::SpacetimeDot(trace, index, highlights, {.max_nodes = 120});
  EXPECT_LE(view.nodes, 120u);
  EXPECT_EQ(view.to_step, highlights.violations.front().step);
  EXPECT_GT(view.from_step, 0);
  EXPECT_FALSE(view.note.empty());
  EXPECT_NE(view.dot.find("P2 no-data-loss VIOLATED"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(Visualizer, JobGraphShowsPhasesQueuesAndFinishedOperators) {
  const std::filesystem::path path = TempPath("fig6-phases.jsonl");
  const simulator::Trace trace = TraceOf(LoadConfig("fig6"), 1, path);
  const std::string end = ViewDot(trace, visualizer::View::kJobGraph);
  EXPECT_NE(end.find("fully finished in checkpoint"), std::string::npos);
  EXPECT_NE(end.find("finalCheckpointMinId"), std::string::npos);
  EXPECT_NE(end.find("peripheries=\"2\""), std::string::npos);  // fully finished operators
  const std::string middle = ViewDot(trace, visualizer::View::kJobGraph, 300);
  EXPECT_NE(middle.find(" rec"), std::string::npos);  // something queued on a channel
  EXPECT_NE(middle.find("running"), std::string::npos);
  std::filesystem::remove(path);
}

// --- A run that resumes into a changed job graph ----------------------------

// Scenarios whose stop resumes into a new version of the job: a subtask and an
// operator or vertex that only the new version has, and what changed.
struct GraphChangeCase {
  const char* scenario;
  uint64_t seed;
  const char* new_subtask;  // a subtask only the new version has
  const char* new_name;     // a vertex or operator only the new version has
  const char* summary;      // GraphChangeSummary
};

class VisualizerGraphChange : public ::testing::TestWithParam<GraphChangeCase> {
 protected:
  static void SetUpTestSuite() {
    for (const GraphChangeCase& c : kCases) {
      const std::filesystem::path path = TempPath(std::string("graph-change-") + c.scenario + ".jsonl");
      traces_[c.scenario] = TraceOf(LoadConfig(c.scenario), c.seed, path);
      paths_[c.scenario] = path;
    }
  }
  static void TearDownTestSuite() {
    for (const auto& [scenario, path] : paths_) std::filesystem::remove(path);
    traces_.clear();
    paths_.clear();
  }
  const simulator::Trace& trace() const { return traces_.at(GetParam().scenario); }
  const std::filesystem::path& path() const { return paths_.at(GetParam().scenario); }

 public:
  static constexpr std::array<GraphChangeCase, 2> kCases{
      GraphChangeCase{"upgrade-rescale", 7, "Totals[2]", "Enrich", "Totals 2->3, Enrich added (3), Sink 2->3"},
      GraphChangeCase{"upgrade-partly-finished", 7, "Committer[2]", "Enrich-tag",
                      "Window 2->3, Enrich 2->3 and re-chained, Writer 2->3, Committer 2->3"}};

 private:
  static inline std::map<std::string, simulator::Trace> traces_;
  static inline std::map<std::string, std::filesystem::path> paths_;
};

bool Has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST_P(VisualizerGraphChange, VersionsAreFoundAndLanesAreSubtasksByName) {
  const GraphChangeCase& c = GetParam();
  const EventIndex index = visualizer::IndexEvents(trace());
  const visualizer::GraphVersions& versions = index.versions;
  ASSERT_TRUE(versions.changed()) << "the run never resumed into its new version";
  EXPECT_EQ(versions.before.get(), trace().config.graph.get());
  EXPECT_EQ(versions.after.get(), trace().config.stop.resume_into.get());
  EXPECT_EQ(versions.summary, c.summary);
  EXPECT_EQ(&versions.OfStep(versions.changed_at - 1), versions.before.get());
  EXPECT_EQ(&versions.OfStep(versions.changed_at), versions.after.get());
  EXPECT_EQ(&versions.AfterDecisions(versions.changed_at), versions.before.get());
  EXPECT_EQ(&versions.AfterDecisions(versions.changed_at + 1), versions.after.get());
  // One lane per subtask name across both versions, each subtask's events on its own lane.
  std::map<std::string, int> lanes;
  for (const visualizer::Lane& lane : index.lanes) EXPECT_TRUE(lanes.emplace(lane.name, 0).second) << lane.name;
  ASSERT_EQ(lanes.count(c.new_subtask), 1u);
  const auto names = [](const model::JobGraph& graph) {
    std::set<std::string> out;
    for (int s = 0; s < graph.subtask_count(); ++s) out.insert(graph.SubtaskName(s));
    return out;
  };
  const std::set<std::string> first = names(*versions.before);
  const std::set<std::string> second = names(*versions.after);
  EXPECT_EQ(first.count(c.new_subtask), 0u);
  std::set<std::string> both = first;
  both.insert(second.begin(), second.end());
  EXPECT_EQ(index.lanes.size(), both.size() + 2);
  for (const visualizer::Lane& lane : index.lanes) {
    if (lane.kind != visualizer::LaneKind::kSubtask) continue;
    EXPECT_EQ(lane.new_version_only, first.count(lane.name) == 0) << lane.name;
    EXPECT_EQ(lane.old_version_only, second.count(lane.name) == 0) << lane.name;
  }
  for (const visualizer::IndexedEvent& event : index.events) {
    const std::string actor = event.line->value("actor", "");
    if (lanes.count(actor) == 0 || event.lane == index.coordinator_lane() || event.lane == index.store_lane()) continue;
    EXPECT_EQ(index.lanes[static_cast<size_t>(event.lane)].name, actor) << "step " << event.step << " " << event.text;
    if (actor == c.new_subtask) {
      EXPECT_GE(event.step, versions.changed_at) << event.text;
    }
  }
  // Both ends of a message are on the same channel, also across the change.
  for (const visualizer::Link& link : index.links) {
    if (link.from == visualizer::kNoEvent || link.to == visualizer::kNoEvent || link.kind == visualizer::LinkKind::kRpc)
      continue;
    EXPECT_EQ(index.events[link.from].line->value("channel", ""), index.events[link.to].line->value("channel", ""));
    EXPECT_EQ(index.events[link.from].step >= versions.changed_at, index.events[link.to].step >= versions.changed_at)
        << "a message crosses the change: " << index.events[link.from].text;
  }
}

TEST_P(VisualizerGraphChange, JobGraphViewDrawsTheVersionOfItsStep) {
  const GraphChangeCase& c = GetParam();
  const EventIndex index = visualizer::IndexEvents(trace());
  const int64_t changed_at = index.versions.changed_at;
  const int64_t decisions = static_cast<int64_t>(trace().decisions.size());
  const std::string subtask_label = std::string("label=\"") + c.new_subtask + ": ";
  // Before the resume: the first version, and a word on the new one.
  const std::string before = ViewDot(trace(), visualizer::View::kJobGraph, changed_at);
  EXPECT_FALSE(Has(before, subtask_label));
  EXPECT_TRUE(
      Has(before, "the job's first version; its new version is deployed at step " + std::to_string(changed_at)));
  // From the resume on: the new version, its vertices, operators and subtasks.
  for (const int64_t step : {changed_at + 1, (changed_at + decisions) / 2, decisions}) {
    SCOPED_TRACE(step);
    const std::string after = ViewDot(trace(), visualizer::View::kJobGraph, step);
    EXPECT_TRUE(Has(after, subtask_label));
    EXPECT_TRUE(Has(after, c.new_name));
    EXPECT_TRUE(Has(after, "the job's new version, deployed at step " + std::to_string(changed_at)));
    for (int s = 0; s < index.versions.after->subtask_count(); ++s) {
      EXPECT_TRUE(Has(after, "label=\"" + index.versions.after->SubtaskName(s) + ": "))
          << index.versions.after->SubtaskName(s);
    }
  }
}

TEST_P(VisualizerGraphChange, SpacetimeTimelineAndPerfettoMarkTheNewVersion) {
  const GraphChangeCase& c = GetParam();
  const EventIndex index = visualizer::IndexEvents(trace());
  const Highlights highlights = visualizer::HighlightsOf(trace());
  const int64_t changed_at = index.versions.changed_at;
  const std::string marker =
      "job resumed into its new version from savepoint " + std::to_string(index.versions.savepoint);
  // The default window, and one around the change.
  const visualizer::SpacetimeView whole = visualizer::SpacetimeDot(trace(), index, highlights, {});
  EXPECT_GT(whole.nodes, 0u);
  const visualizer::SpacetimeView around = visualizer::SpacetimeDot(
      trace(), index, highlights, {.from_step = changed_at - 10, .to_step = changed_at + 10, .max_nodes = 0});
  EXPECT_TRUE(Has(around.dot, std::string("label=\"") + c.new_subtask + "\\n(new version)\""));
  EXPECT_TRUE(Has(around.dot, "job resumed into its new version from\\nsavepoint"));  // the marker node, wrapped
  EXPECT_TRUE(Has(around.dot, "doubleoctagon"));
  EXPECT_TRUE(Has(around.dot, marker + " (" + c.summary + ")"));  // the title
  // The timeline: the marker in the header and as the coordinator's event, the new subtask's lane.
  const std::string timeline = visualizer::Timeline(trace(), index, highlights, {});
  EXPECT_TRUE(Has(timeline, "# step " + std::to_string(changed_at) + ": " + marker));
  const size_t at = timeline.find(marker + ": " + c.summary + "\n");
  ASSERT_NE(at, std::string::npos) << "no marker line";
  const size_t line_start = timeline.rfind('\n', at) + 1;
  EXPECT_TRUE(Has(timeline.substr(line_start, at - line_start), " coordinator "));
  EXPECT_TRUE(Has(timeline, std::string("  ") + c.new_subtask + " "));
  // Perfetto: valid, a track per subtask name, and the marker as a global instant.
  ExpectValidPerfetto(trace());
  const nlohmann::ordered_json perfetto = visualizer::PerfettoJson(trace(), index, highlights);
  size_t markers = 0;
  for (const auto& e : perfetto.at("traceEvents")) {
    if (e.value("cat", "") == "new-version") {
      ++markers;
      EXPECT_EQ(e.at("name"), marker);
      EXPECT_EQ(e.at("args").at("step"), changed_at);
    }
  }
  EXPECT_EQ(markers, 1u);
}

TEST_P(VisualizerGraphChange, CheckpointsAreDrawnWithTheGraphOfTheirTrigger) {
  const GraphChangeCase& c = GetParam();
  const EventIndex index = visualizer::IndexEvents(trace());
  visualizer::CheckpointHistory history;
  std::string error;
  ASSERT_TRUE(visualizer::CollectCheckpoints(trace(), index, &history, &error)) << error;
  size_t after = 0;
  for (const visualizer::CheckpointStory& story : history.checkpoints) {
    SCOPED_TRACE(story.id);
    ASSERT_NE(story.graph, nullptr);
    EXPECT_EQ(story.graph, &index.versions.OfStep(story.triggered.step));
    EXPECT_EQ(story.acks.size(), static_cast<size_t>(story.graph->subtask_count()));
    EXPECT_TRUE(story.plan.has_value()) << "no plan from the replay";
    after += story.graph == index.versions.after.get() ? 1 : 0;
  }
  EXPECT_GT(after, 0u) << "no checkpoint after the change";
  const std::string dot = ViewDot(trace(), visualizer::View::kCheckpoints);
  EXPECT_TRUE(Has(dot, std::string(c.new_subtask) + " ack at tick"));
  EXPECT_TRUE(Has(dot, "job resumed into its new version from savepoint"));
}

TEST_P(VisualizerGraphChange, RenderingTwiceGivesTheSameBytes) {
  for (const visualizer::View view :
       {visualizer::View::kJobGraph, visualizer::View::kSpacetime, visualizer::View::kCheckpoints}) {
    EXPECT_EQ(ViewDot(trace(), view), ViewDot(trace(), view)) << visualizer::Name(view);
  }
  const EventIndex index = visualizer::IndexEvents(trace());
  const Highlights highlights = visualizer::HighlightsOf(trace());
  EXPECT_EQ(visualizer::Timeline(trace(), index, highlights, {}), visualizer::Timeline(trace(), index, highlights, {}));
  EXPECT_EQ(visualizer::PerfettoJson(trace(), index, highlights).dump(),
            visualizer::PerfettoJson(trace(), index, highlights).dump());
}

// The commands a user runs on such a trace: every view, the timeline, Perfetto and the report.
TEST_P(VisualizerGraphChange, CommandsRenderEveryViewAndTheReport) {
  const GraphChangeCase& c = GetParam();
  const std::string trace_path = path().string();
  const int64_t changed_at = visualizer::IndexEvents(trace()).versions.changed_at;
  const std::filesystem::path out = TempPath("graph-change-out.dot");
  for (const std::string& arguments :
       {"render " + trace_path + " --view jobgraph --step " + std::to_string(changed_at + 1),
        "render " + trace_path + " --view jobgraph", "render " + trace_path + " --view spacetime",
        "render " + trace_path + " --view checkpoints"}) {
    const Outcome o = RunCli(arguments + " -o " + out.string());
    EXPECT_EQ(o.exit_code, 0) << arguments << ": " << o.out;
  }
  const Outcome timeline = RunCli("timeline " + trace_path + " -o " + out.string());
  EXPECT_EQ(timeline.exit_code, 0) << timeline.out;
  EXPECT_TRUE(Has(ReadFile(out), c.new_subtask));
  const std::filesystem::path json = TempPath("graph-change-perfetto.json");
  const Outcome perfetto = RunCli("render " + trace_path + " --format perfetto -o " + json.string());
  EXPECT_EQ(perfetto.exit_code, 0) << perfetto.out;
  std::filesystem::remove(out);
  std::filesystem::remove(json);
  if (!visualizer::DotAvailable()) GTEST_SKIP() << "Graphviz 'dot' is not installed: no report";
  const std::filesystem::path html = TempPath("graph-change-report.html");
  const Outcome report = RunCli("report " + trace_path + " -o " + html.string() + " --frames 4");
  ASSERT_EQ(report.exit_code, 0) << report.out;
  const std::string text = ReadFile(html);
  EXPECT_TRUE(Has(text, "<th>job versions</th><td>resumed into its new version at step " + std::to_string(changed_at)));
  EXPECT_TRUE(Has(text, "data-label=\"the end: after all " + std::to_string(trace().decisions.size()) +
                            " decisions (new version)\""));
  EXPECT_TRUE(Has(text, "(first version)"));
  EXPECT_TRUE(Has(text, std::string(c.new_subtask) + ": "));  // the last frame draws the new version
  std::filesystem::remove(html);
}

INSTANTIATE_TEST_SUITE_P(Upgrades, VisualizerGraphChange, ::testing::ValuesIn(VisualizerGraphChange::kCases),
                         [](const auto& param_info) {
                           std::string name = param_info.param.scenario;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + "_seed" + std::to_string(param_info.param.seed);
                         });

// --- The command line ---------------------------------------------------------

TEST(VisualizerCli, BadInputExitsTwoWithOneLine) {
  const std::filesystem::path trace = TempPath("cli.jsonl");
  TraceOf(LoadConfig(std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/tiny.yaml"), 3, trace);
  const std::string t = trace.string();
  const std::string dot = TempPath("out.dot").string();
  const std::pair<std::string, std::string> cases[] = {
      {"render /no/such/trace.jsonl --view jobgraph -o " + dot, "/no/such/trace.jsonl"},
      {"render " + t + " --view bogus -o " + dot, "unknown --view 'bogus'"},
      {"render " + t + " -o " + dot, "--view is required"},
      {"render " + t + " --view jobgraph -o /no/such/dir/out.dot", "/no/such/dir/out.dot: cannot write"},
      {"render " + t + " --view jobgraph -o " + TempPath("out.txt").string(), "cannot tell the output format"},
      {"render " + t + " --view jobgraph --format gif -o " + dot, "unknown --format 'gif'"},
      {"render " + t + " --view jobgraph --step 100000 -o " + dot, "is past the end of the run"},
      {"render " + t + " --view spacetime --step 3 -o " + dot, "--step applies to the jobgraph view"},
      {"render " + t + " --view spacetime --from 9 --to 3 -o " + dot, "--from 9 is after --to 3"},
      {"render " + t + " --view jobgraph --format perfetto -o " + dot, "do not apply to --format perfetto"},
      {"render " + t + " --view jobgraph --step -4 -o " + dot, "--step: -4 is out of range"},
      {"timeline /no/such/trace.jsonl", "/no/such/trace.jsonl"},
      {"report /no/such/trace.jsonl -o " + TempPath("r.html").string(), "/no/such/trace.jsonl"},
      {"render " + TempPath("missing.jsonl").string() + " --view jobgraph -o " + dot, "cannot read trace"},
  };
  for (const auto& [arguments, expected] : cases) {
    const Outcome o = RunCli(arguments);
    EXPECT_EQ(o.exit_code, 2) << arguments << "\n" << o.out;
    EXPECT_NE(o.out.find(expected), std::string::npos) << arguments << "\n" << o.out;
    EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << arguments << "\n" << o.out;
  }
  EXPECT_FALSE(std::filesystem::exists(dot));
  std::filesystem::remove(trace);
}

TEST(VisualizerCli, MissingDotIsOneLineNamingTheInstallAndLeavesNoFile) {
  const std::filesystem::path trace = TempPath("nodot.jsonl");
  TraceOf(LoadConfig(std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/tiny.yaml"), 3, trace);
  const std::filesystem::path svg = TempPath("nodot.svg");
  // No `dot` on PATH: a directory that does not exist.
  const Outcome o = RunCli("render " + trace.string() + " --view jobgraph -o " + svg.string(),
                           "PATH=" + TempPath("empty-path").string() + " ");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("apt-get install graphviz"), std::string::npos) << o.out;
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
  EXPECT_FALSE(std::filesystem::exists(svg));
  EXPECT_FALSE(std::filesystem::exists(svg.string() + ".tmp"));
  // A .dot file needs no Graphviz.
  const Outcome dot = RunCli("render " + trace.string() + " --view jobgraph -o " + TempPath("nodot.dot").string(),
                             "PATH=" + TempPath("empty-path").string() + " ");
  EXPECT_EQ(dot.exit_code, 0) << dot.out;
  std::filesystem::remove(TempPath("nodot.dot"));
  std::filesystem::remove(trace);
}

TEST(VisualizerCli, ReportIsOneSelfContainedHtmlFile) {
  SKIP_WITHOUT_DOT();
  const std::filesystem::path trace = TempPath("report.jsonl");
  TraceOf(LoadConfig(std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/tiny-legacy.yaml"), 2, trace);
  const std::filesystem::path html = TempPath("report.html");
  const Outcome o = RunCli("report " + trace.string() + " -o " + html.string() + " --frames 3");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const std::string text = ReadFile(html);
  EXPECT_EQ(text.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(text.find("VIOLATED at step"), std::string::npos);
  EXPECT_NE(text.find("type=\"range\""), std::string::npos);
  EXPECT_NE(text.find("<template id=\"frame-2\""), std::string::npos);
  size_t svgs = 0;
  for (size_t at = text.find("<svg"); at != std::string::npos; at = text.find("<svg", at + 1)) ++svgs;
  EXPECT_GE(svgs, 6u);  // spacetime, checkpoints, the frame shown, and one template per frame
  // Nothing to fetch: no external script, style, image or link.
  for (const char* fetch : {"src=\"http", "href=\"http", "<link", "@import", "url(http"}) {
    EXPECT_EQ(text.find(fetch), std::string::npos) << fetch;
  }
  std::filesystem::remove(html);
  std::filesystem::remove(trace);
}

TEST(VisualizerCli, SweepWritesAReportAndATracePerFailingRun) {
  SKIP_WITHOUT_DOT();
  const std::filesystem::path directory = TempPath("reports");
  const Outcome o = RunCli("sweep " + std::string(CKPTSIM_TEST_DATA_DIR) +
                           "/golden/tiny-legacy.yaml --seeds 1 "
                           "--first-seed 2 --report-dir " +
                           directory.string());
  EXPECT_EQ(o.exit_code, 1) << o.out;
  const std::filesystem::path html = directory / "golden-tiny-legacy-legacy-seed2.html";
  EXPECT_NE(o.out.find("report: " + html.string()), std::string::npos) << o.out;
  EXPECT_NE(ReadFile(html).find("P2 no-data-loss"), std::string::npos);
  // The trace beside it replays to its hash, and fails as its run did.
  const Outcome replay = RunCli("replay " + (directory / "golden-tiny-legacy-legacy-seed2.jsonl").string());
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.out.find(" MATCH\n"), std::string::npos) << replay.out;
  std::filesystem::remove_all(directory);
}

// Optional: a headless Chromium screenshot of a report. Not in the default
// run; CKPTSIM_BROWSER_TEST=1 with Debian's `chromium` installed enables it.
TEST(VisualizerBrowser, ReportScreenshotInHeadlessChromium) {
  if (std::getenv("CKPTSIM_BROWSER_TEST") == nullptr) GTEST_SKIP() << "set CKPTSIM_BROWSER_TEST=1 to run";
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  SKIP_WITHOUT_DOT();
  const std::filesystem::path trace = TempPath("browser.jsonl");
  TraceOf(LoadConfig("fig6"), 1, trace);
  const std::filesystem::path html = TempPath("browser.html");
  ASSERT_EQ(RunCli("report " + trace.string() + " -o " + html.string()).exit_code, 0);
  const std::filesystem::path png = TempPath("browser.png");
  const std::string command =
      "chromium --headless --no-sandbox --disable-gpu --window-size=1400,2000 --screenshot=" + png.string() +
      " file://" + html.string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_GT(std::filesystem::file_size(png), 10'000u);  // a real picture, not a blank page
  for (const auto& p : {trace, html, png}) std::filesystem::remove(p);
}

}  // namespace
}  // namespace ckptsim
