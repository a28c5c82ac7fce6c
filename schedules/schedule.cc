#include "schedules/schedule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "scenarios/input_limits.h"
#include "scenarios/yaml_document.h"
#include "scenarios/yaml_reader.h"

namespace ckptsim::schedules {
namespace {

using scenarios::Diagnostics;
using scenarios::Located;
using scenarios::MapReader;

constexpr std::array<std::string_view, 5> kTopLevelKeys{"description", "scenario", "variant", "seed", "steps"};
constexpr std::array<std::string_view, 4> kDriverVerbs{"start", "run", "until", "expect"};

// Keys of a step written as a mapping: one verb, and what goes with it.
const std::vector<std::string_view>& StepKeys() {
  static const std::vector<std::string_view> kKeys = [] {
    std::vector<std::string_view> keys = ActionVerbs();
    keys.insert(keys.end(), kDriverVerbs.begin(), kDriverVerbs.end());
    for (std::string_view extra : {"within", "only", "except"}) keys.push_back(extra);
    return keys;
  }();
  return kKeys;
}

bool IsVerb(std::string_view word) {
  const auto& verbs = ActionVerbs();
  return std::find(verbs.begin(), verbs.end(), word) != verbs.end() ||
         std::find(kDriverVerbs.begin(), kDriverVerbs.end(), word) != kDriverVerbs.end();
}

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t\n") - first + 1));
}

bool LooksLikePath(std::string_view name) {
  return name.find('/') != std::string_view::npos || name.ends_with(".yaml") || name.ends_with(".yml");
}

// "- step A[0]" or "- expect: A[0] is FINISHED" (with `within`, `only`, `except`).
void ReadEntry(const Located& item, Diagnostics* diagnostics, std::vector<ScheduleEntry>* entries) {
  ScheduleEntry entry{.line = item.line};
  const std::string context = fmt::format("step {}", entries->size() + 1);
  const YAML::Node& node = item.node;
  if (node.IsScalar()) {
    const std::string text = Trim(node.Scalar());
    const size_t space = text.find(' ');
    entry.verb = text.substr(0, space);
    entry.argument = space == std::string::npos ? "" : Trim(text.substr(space + 1));
    entries->push_back(std::move(entry));
    return;
  }
  const std::vector<std::string_view>& keys = StepKeys();
  MapReader step(item, context, keys, diagnostics);
  if (!node.IsMap()) {
    if (!node.IsDefined() || node.IsNull()) step.Report(item.line, "empty step");
    return;
  }
  std::vector<std::string_view> verbs;
  for (std::string_view key : keys) {
    if (IsVerb(key) && step.Has(key)) verbs.push_back(key);
  }
  if (verbs.size() != 1) {
    step.Report(item.line, verbs.empty() ? "a step needs a verb (an action, start, run, until or expect)"
                                         : fmt::format("a step has one verb, got '{}' and '{}'", verbs[0], verbs[1]));
    return;
  }
  entry.verb = std::string(verbs[0]);
  const Located value = *step.Find(entry.verb);
  if (value.node.IsDefined() && !value.node.IsNull()) {
    if (auto text = step.String(value)) entry.argument = Trim(*text);
  }
  const bool drives = entry.verb == "run" || entry.verb == "until";
  if (auto within = step.Find("within")) {
    if (entry.verb != "until") {
      step.Report(*within, "only 'until' takes 'within'");
    } else {
      entry.within = step.Int(*within, {.min = 1, .max = 100'000'000});
    }
  }
  if (step.Has("only") && step.Has("except")) {
    step.Report(item.line, "give 'only' or 'except', not both");
    return;
  }
  for (std::string_view key : {"only", "except"}) {
    auto list = step.Find(key);
    if (!list) continue;
    if (!drives) {
      step.Report(*list, fmt::format("only 'run' and 'until' take '{}'", key));
      return;
    }
    entry.filter_is_only = key == "only";
    if (list->node.IsScalar()) {  // one pattern: "only: step S[0]"
      if (auto text = step.String(*list)) entry.filters.emplace_back(list->line, Trim(*text));
      continue;
    }
    auto items = step.List(*list);
    if (!items) return;
    for (const Located& pattern : *items) {
      if (auto text = step.String(pattern)) entry.filters.emplace_back(pattern.line, Trim(*text));
    }
  }
  entries->push_back(std::move(entry));
}

std::variant<ScheduleFile, ScheduleError> Parse(const std::string& yaml, const std::string& display_name,
                                                const std::string& folder) {
  Diagnostics diagnostics(display_name);
  auto read = scenarios::ReadYamlDocument(yaml, display_name, "schedule");
  if (auto* refusal = std::get_if<ScheduleError>(&read)) return *refusal;
  const scenarios::YamlDocument& document = std::get<scenarios::YamlDocument>(read);
  if (document.empty)
    return ScheduleError{display_name, 0, "the file holds no YAML document; a schedule is a list of steps"};
  diagnostics.set_last_line(document.last_line);
  ScheduleFile file{.path = display_name};
  const Located top{document.root, scenarios::LineOf(document.root), ""};
  std::optional<Located> steps;
  if (top.node.IsSequence()) {
    steps.emplace(Located{top.node, top.line, "steps"});
  } else {
    MapReader reader(top, "", kTopLevelKeys, &diagnostics);
    reader.Read("description", &file.description);
    reader.Read("scenario", &file.scenario);
    reader.Read("variant", &file.variant);
    if (auto scenario = reader.Find("scenario")) file.scenario_line = scenario->line;
    if (auto variant = reader.Find("variant")) file.variant_line = variant->line;
    if (auto seed = reader.Find("seed")) {
      if (auto value = reader.Int(*seed, {.min = 0})) file.seed = static_cast<uint64_t>(*value);
    }
    if (auto found = reader.Require("steps")) steps.emplace(Located{found->node, found->line, "steps"});
    if (steps && diagnostics.ok()) {
      if (auto items = reader.List(*steps)) {
        for (const Located& item : *items) ReadEntry(item, &diagnostics, &file.entries);
      }
    }
    steps.reset();
  }
  if (steps) {
    int index = 0;
    for (const YAML::Node& item : steps->node) {
      ReadEntry(Located{item, scenarios::LineOf(item), fmt::format("steps[{}]", index++)}, &diagnostics, &file.entries);
    }
  }
  if (diagnostics.ok() && file.entries.empty()) diagnostics.Report(top.line, "the schedule has no steps");
  if (!diagnostics.ok()) return *diagnostics.error();
  file.description.erase(file.description.find_last_not_of(" \n") + 1);
  if (!file.scenario.empty() && LooksLikePath(file.scenario) && !folder.empty() &&
      std::filesystem::path(file.scenario).is_relative()) {
    file.scenario = (std::filesystem::path(folder) / file.scenario).lexically_normal().string();
  }
  return file;
}

ScheduleError At(const ScheduleFile& file, int line, std::string message) {
  return ScheduleError{file.path, line, std::move(message)};
}

}  // namespace

std::variant<ScheduleFile, ScheduleError> ReadScheduleText(std::string_view yaml, const std::string& display_name,
                                                           const std::string& folder) {
  try {
    return Parse(std::string(yaml), display_name, folder);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return ScheduleError{display_name, 0, fmt::format("invalid YAML: {}", e.msg)};
    // "[step S[0], ack]" is the common slip: brackets inside a flow list.
    const bool flow = e.msg.find("flow") != std::string::npos;
    return ScheduleError{display_name, e.mark.line + 1,
                         fmt::format("invalid YAML at column {}: {}{}", e.mark.column + 1, e.msg,
                                     flow ? " (a name like S[0] inside a [...] list must be quoted; or write the "
                                            "list one item per line, '- step S[0]')"
                                          : "")};
  } catch (const std::exception& e) {
    return ScheduleError{display_name, 0, fmt::format("cannot read the schedule: {}", e.what())};
  }
}

std::variant<ScheduleFile, ScheduleError> ReadScheduleFile(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    return ScheduleError{path, 0, fmt::format("cannot open the schedule file: {}", error.message())};
  }
  if (!std::filesystem::exists(status)) return ScheduleError{path, 0, "no such schedule file"};
  if (!std::filesystem::is_regular_file(status)) return ScheduleError{path, 0, "not a regular file"};
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error) {
    if (auto too_large = scenarios::InputTooLarge(static_cast<int64_t>(size))) return ScheduleError{path, 0, *too_large};
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) return ScheduleError{path, 0, "cannot read the schedule file"};
  return ReadScheduleText(text, path, std::filesystem::path(path).parent_path().string());
}

std::variant<std::vector<ScheduleStep>, ScheduleError> CompileSchedule(const ScheduleFile& file,
                                                                       const model::JobGraph& graph) {
  std::vector<ScheduleStep> steps;
  std::map<int, int> entries_on_line;  // a pasted decision log has thousands on one line
  for (const ScheduleEntry& entry : file.entries) ++entries_on_line[entry.line];
  for (size_t i = 0; i < file.entries.size(); ++i) {
    const ScheduleEntry& entry = file.entries[i];
    ScheduleStep step{.line = entry.line};
    if (entries_on_line[entry.line] > 1) {
      step.entry = fmt::format(" (entry {} of the list)", i + 1);
    }
    step.text = entry.argument.empty() ? entry.verb : fmt::format("{} {}", entry.verb, entry.argument);
    std::string error;
    if (entry.verb == "start") {
      step.kind = StepKind::kStart;
      if (!entry.argument.empty()) {
        return At(file, entry.line, fmt::format("start takes no argument, got '{}'", scenarios::ShownValue(entry.argument)));
      }
    } else if (entry.verb == "run") {
      step.kind = StepKind::kRun;
      int64_t count = 0;
      const auto [end, ec] =
          std::from_chars(entry.argument.data(), entry.argument.data() + entry.argument.size(), count);
      if (entry.argument.empty() || ec != std::errc() || end != entry.argument.data() + entry.argument.size() ||
          count < 1 || count > 100'000'000) {
        return At(file, entry.line,
                  fmt::format("run: expected a number of steps from 1 to 100000000, got '{}'",
                              scenarios::ShownValue(entry.argument)));
      }
      step.steps = count;
    } else if (entry.verb == "until" || entry.verb == "expect") {
      step.kind = entry.verb == "until" ? StepKind::kUntil : StepKind::kExpect;
      step.steps = entry.within.value_or(kUntilStepsDefault);
      step.condition = ParseCondition(graph, entry.argument, &error);
      if (!step.condition) {
        return At(file, entry.line, fmt::format("{} '{}'{}: {}", entry.verb, scenarios::ShownValue(entry.argument), step.entry, error));
      }
    } else {
      auto action = ParseActionStep(graph, step.text, &error);
      if (!action) return At(file, entry.line, fmt::format("step '{}'{}: {}", scenarios::ShownValue(step.text), step.entry, error));
      step.action = *action;
    }
    step.filter_is_only = entry.filter_is_only;
    for (const auto& [line, text] : entry.filters) {
      auto pattern = ParseActionPattern(graph, text, &error);
      if (!pattern) {
        return At(file, line, fmt::format("{} '{}': {}", entry.filter_is_only ? "only" : "except", scenarios::ShownValue(text), error));
      }
      step.filters.push_back(std::move(*pattern));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace ckptsim::schedules
