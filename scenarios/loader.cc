#include "scenarios/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "model/graph_change.h"
#include "scenarios/builtin.h"
#include "scenarios/random_job.h"
#include "scenarios/graph_reader.h"
#include "scenarios/options_reader.h"
#include "scenarios/plan_import.h"
#include "scenarios/swarm_reader.h"
#include "scenarios/yaml_document.h"
#include "scenarios/yaml_reader.h"

namespace ckptsim::scenarios {
namespace {

using LoadResult = std::variant<simulator::RunConfig, ScenarioError>;

// `depth`: 0 for the scenario asked for, 1 for the new version its resume_into names.
LoadResult LoadFile(const std::string& path, int depth);

constexpr std::array<std::string_view, 15> kTopLevelKeys{
    "name",   "description", "variant",  "vertices",            "edges",    "checkpointing", "timing",
    "faults", "recovery",    "stop_with_savepoint", "protocol", "limits",   "expect",        "swarm", "check"};

// A job with an unbounded source reaches FINISHED only through a stop.
void CheckTerminationIsPossible(MapReader& top, const simulator::RunConfig& config, const GraphLines& lines) {
  if (!config.expect.terminates || config.stop.enabled) return;
  const std::vector<model::VertexInfo>& vertices = config.graph->vertices();
  for (int v = 0; v < static_cast<int>(vertices.size()); ++v) {
    if (!vertices[v].is_unbounded_source) continue;
    std::optional<Located> expect = top.Find("expect");
    top.Report(expect ? expect->line : lines.vertex_lines[v],
               fmt::format("the job must terminate (expect.terminates is true), but vertex '{}' is "
                           "an unbounded source and there is no stop_with_savepoint; set expect: "
                           "{{terminates: false}} or add a stop_with_savepoint",
                           vertices[v].name));
    return;
  }
}

constexpr std::array<std::string_view, 2> kResumeIntoKeys{"vertices", "edges"};

// `stop_with_savepoint.resume_into`: the job's new version, as `vertices` and
// `edges` in place or as the path of another scenario file (relative to
// this one's folder) whose graph is taken. Checked against the job here, so
// a change no savepoint could survive is refused at load time; the topology
// check, which needs the savepoint's finished statuses, runs at the resume.
void ReadResumeInto(MapReader& top, const std::string& display_name, int depth, Diagnostics* diagnostics,
                    simulator::RunConfig* config) {
  std::optional<Located> stop = top.Find("stop_with_savepoint");
  if (!stop || !stop->node.IsMap() || !stop->node["resume_into"]) return;
  const YAML::Node node = stop->node["resume_into"];
  int line = LineOf(node);  // errors point at the key
  for (const auto& entry : stop->node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == "resume_into") line = LineOf(entry.first);
  }
  const auto fail = [&](const std::string& message) {
    diagnostics->Report(line, fmt::format("stop_with_savepoint: resume_into: {}", message));
  };
  if (!config->stop.resume || config->stop.drain) {
    fail("a job resumes into a new version only after a stop without drain; set resume: true and drain: false");
    return;
  }
  simulator::StopWithSavepoint& target = config->stop;
  if (node.IsScalar()) {
    const std::filesystem::path path =
        std::filesystem::path(display_name).parent_path() / std::filesystem::path(node.as<std::string>());
    if (depth > 0) {
      fail("the new version's file names another one; only its vertices and edges are read");
      return;
    }
    LoadResult other = LoadFile(path.string(), depth + 1);
    if (auto* error = std::get_if<ScenarioError>(&other)) {
      fail(fmt::format("cannot load the new version: {}", error->ToString()));
      return;
    }
    target.resume_into_spec = std::move(std::get<simulator::RunConfig>(other).graph_spec);
  } else {
    MapReader section(Located{node, line, "resume_into"}, "stop_with_savepoint.resume_into", kResumeIntoKeys,
                      diagnostics);
    GraphLines lines;
    target.resume_into_spec = ReadJobGraph(section, diagnostics, &lines);
    // Compiled here for errors at the line of the vertex or edge they name.
    if (!diagnostics->ok() || !CompileJobGraph(target.resume_into_spec, lines, diagnostics)) return;
  }
  // Sources keep their vertex index, so records keep their keys; the graph
  // is compiled in that order.
  if (auto refusal = model::AlignSourcePositions(*config->graph, &target.resume_into_spec)) {
    fail(*refusal);
    return;
  }
  model::GraphError error;
  auto aligned = model::JobGraph::Compile(target.resume_into_spec, &error);
  if (!aligned) {
    fail(error.message);
    return;
  }
  target.resume_into = std::make_shared<const model::JobGraph>(std::move(*aligned));
  model::GraphChange change;
  if (auto refusal = model::MatchJobGraphs(config->graph, target.resume_into, &change)) fail(*refusal);
}

LoadResult Parse(const std::string& yaml, const std::string& display_name, int depth) {
  Diagnostics diagnostics(display_name);
  std::variant<YamlDocument, ScenarioError> read = ReadYamlDocument(yaml, display_name, "scenario");
  if (auto* refusal = std::get_if<ScenarioError>(&read)) return *refusal;
  const YamlDocument& document = std::get<YamlDocument>(read);
  if (document.empty) {
    return ScenarioError{display_name, 0,
                         "the file holds no YAML document; a scenario needs at least "
                         "'name' and 'vertices'"};
  }
  diagnostics.set_last_line(document.last_line);
  MapReader top(Located{document.root, LineOf(document.root), ""}, "", kTopLevelKeys, &diagnostics);
  simulator::RunConfig config;
  if (auto name = top.Require("name")) {
    if (auto text = top.Name(*name)) config.scenario_name = *text;
  }
  top.Read("description", &config.description);
  // A folded block (`description: >`) ends in a newline that is not part of the text.
  config.description.erase(config.description.find_last_not_of(" \n") + 1);
  GraphLines lines;
  config.graph_spec = ReadJobGraph(top, &diagnostics, &lines);
  ReadRunOptions(top, &diagnostics, &config);
  if (diagnostics.ok()) ReadSwarm(top, &diagnostics, &config);
  if (diagnostics.ok()) config.graph = CompileJobGraph(config.graph_spec, lines, &diagnostics);
  if (diagnostics.ok()) CheckTerminationIsPossible(top, config, lines);
  if (diagnostics.ok()) ReadResumeInto(top, display_name, depth, &diagnostics, &config);
  if (!diagnostics.ok()) return *diagnostics.error();
  return config;
}

// yaml-cpp's messages about tabs rarely say "tab"; say it for them.
std::string TabHint(std::string_view yaml, int line_index) {
  size_t begin = 0;
  for (int i = 0; i < line_index && begin != std::string_view::npos; ++i) {
    begin = yaml.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return "";
  std::string_view line = yaml.substr(begin, yaml.find('\n', begin) - begin);
  std::string_view indent = line.substr(0, line.find_first_not_of(" \t"));
  if (indent.find('\t') == std::string_view::npos) return "";
  return " (this line is indented with a tab; YAML allows only spaces)";
}

bool LooksLikePath(std::string_view name_or_path) {
  return name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".yaml") ||
         name_or_path.ends_with(".yml") || IsPlanPath(name_or_path);
}

}  // namespace

// Escaped and bounded once more here, so that no message a file provoked
// reaches a terminal with a raw control character or as megabytes (a valid
// name may be long, and messages of the model name vertices), whatever the
// code that wrote it forgot.
std::string ScenarioError::ToString() const {
  std::string text = message;
  if (text.size() > kMessageBytesMax) {
    text = fmt::format("{}... ({} bytes in all)", text.substr(0, kMessageBytesMax), text.size());
  }
  if (line <= 0) return EscapeControl(fmt::format("{}: {}", file, text));
  return EscapeControl(fmt::format("{}:{}: {}", file, line, text));
}

namespace {

LoadResult LoadText(std::string_view yaml, const std::string& display_name, int depth) {
  try {
    return Parse(std::string(yaml), display_name, depth);
  } catch (const YAML::Exception& e) {
    // Syntax errors; yaml-cpp marks are 0-based, and -1 when unknown.
    if (e.mark.is_null()) return ScenarioError{display_name, 0, fmt::format("invalid YAML: {}", e.msg)};
    return ScenarioError{
        display_name, e.mark.line + 1,
        fmt::format("invalid YAML at column {}: {}{}", e.mark.column + 1, e.msg, TabHint(yaml, e.mark.line))};
  } catch (const std::exception& e) {
    return ScenarioError{display_name, 0, fmt::format("cannot load the scenario: {}", e.what())};
  }
}

LoadResult LoadFile(const std::string& path, int depth) {
  // A built-in scenario, or a relative resume_into between built-ins: the embedded text.
  if (IsBuiltinDisplayPath(path)) {
    std::optional<EmbeddedFile> file = FindBuiltinFile(path);
    if (!file) return ScenarioError{path, 0, "no such built-in scenario file"};
    return LoadText(file->text, BuiltinDisplayPath(file->path), depth);
  }
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(path, error);
  // A symlink loop or a folder without permission is not a missing file: say what it is.
  if (error && error != std::errc::no_such_file_or_directory) {
    return ScenarioError{path, 0, fmt::format("cannot open the scenario file: {}", error.message())};
  }
  if (!std::filesystem::exists(status)) return ScenarioError{path, 0, "no such scenario file"};
  if (!std::filesystem::is_regular_file(status)) return ScenarioError{path, 0, "not a regular file"};
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error) {
    if (auto too_large = InputTooLarge(static_cast<int64_t>(size))) return ScenarioError{path, 0, *too_large};
  }
  std::ifstream file(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file.is_open() || file.bad()) return ScenarioError{path, 0, "cannot read the scenario file"};
  // A Flink plan where a scenario is expected: imported with the defaults of `import-plan`.
  if (IsPlanPath(path)) {
    std::variant<ImportedPlan, ScenarioError> imported = ImportPlanText(text, path, {});
    if (auto* refusal = std::get_if<ScenarioError>(&imported)) return *refusal;
    return LoadText(std::get<ImportedPlan>(imported).yaml, path, depth);
  }
  return LoadText(text, path, depth);
}

}  // namespace

LoadResult LoadScenarioText(std::string_view yaml, const std::string& display_name) {
  return LoadText(yaml, display_name, 0);
}

LoadResult LoadScenarioFile(const std::string& path) { return LoadFile(path, 0); }

namespace {

// $CKPTSIM_SCENARIO_DIR, when set and not empty: the development override.
std::optional<std::string> ScenarioDirOverride() {
  const char* dir = std::getenv("CKPTSIM_SCENARIO_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  return std::string(dir);
}

}  // namespace

LoadResult LoadScenario(const std::string& name_or_path) {
  if (name_or_path == kRandomJobName) return DrawRandomJob(1);
  const std::optional<std::string> dir = ScenarioDirOverride();
  if (!dir) {
    if (std::optional<EmbeddedFile> file = FindBuiltinByName(name_or_path)) {
      return LoadText(file->text, BuiltinDisplayPath(file->path), 0);
    }
  }
  if (LooksLikePath(name_or_path)) return LoadScenarioFile(name_or_path);
  if (dir) {
    std::filesystem::path path = std::filesystem::path(*dir) / (name_or_path + ".yaml");
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) return LoadScenarioFile(path.string());
  }
  std::vector<std::string> names = BuiltinScenarioNames();
  for (const std::string& name : CheckScenarioNames()) names.push_back(name);
  std::vector<std::string_view> views(names.begin(), names.end());
  return ScenarioError{name_or_path, 0,
                       fmt::format("unknown scenario '{}'{}; built-in scenarios{}: {}; "
                                   "give a path to load any other file",
                                   name_or_path, DidYouMean(name_or_path, views),
                                   dir ? fmt::format(" (CKPTSIM_SCENARIO_DIR={})", *dir) : "",
                                   views.empty() ? "none" : JoinNames(views))};
}

std::string BuiltinScenarioDir() { return ScenarioDirOverride().value_or(std::string(kBuiltinRoot)); }

std::vector<std::string> BuiltinScenarioNames() {
  const std::optional<std::string> dir = ScenarioDirOverride();
  if (!dir) return BuiltinLibraryNames();
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(*dir, error), end; !error && it != end; it.increment(error)) {
    const std::filesystem::path& path = it->path();
    std::error_code status_error;
    if (path.extension() == ".yaml" && it->is_regular_file(status_error)) {
      names.push_back(path.stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> CheckScenarioNames() { return BuiltinNamesUnder("check/"); }

}  // namespace ckptsim::scenarios
