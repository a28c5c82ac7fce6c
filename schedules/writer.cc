#include "schedules/writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "model/system.h"
#include "schedules/describe.h"

namespace ckptsim::schedules {

std::string FormatSchedule(const ScheduleHeader& header, const std::vector<WrittenStep>& steps) {
  std::string text;
  for (const std::string& comment : header.comments) text += fmt::format("# {}\n", comment);
  if (!header.scenario.empty()) text += fmt::format("scenario: {}\n", header.scenario);
  if (!header.variant.empty()) text += fmt::format("variant: {}\n", header.variant);
  if (header.seed) text += fmt::format("seed: {}\n", *header.seed);
  text += "steps:\n";
  for (const WrittenStep& step : steps) {
    text += step.comment.empty() ? fmt::format("  - {}\n", step.text)
                                 : fmt::format("  - {:<40} # {}\n", step.text, step.comment);
  }
  return text;
}

namespace {

// Whether YAML reads `text`, written plain after "key: ", back as this string.
bool IsPlainScalar(std::string_view text) {
  constexpr std::string_view kIndicators = "[]{}&*!|>'\"%@`#,?:-";
  if (text.empty() || kIndicators.find(text.front()) != std::string_view::npos) return false;
  for (std::string_view breaks : {": ", " #", "\"", "\\"}) {
    if (text.find(breaks) != std::string_view::npos) return false;
  }
  return !text.ends_with(':') && !text.ends_with(' ');
}

}  // namespace

std::string MappingStep(std::string_view verb, std::string_view argument) {
  if (IsPlainScalar(argument)) return fmt::format("{}: {}", verb, argument);
  std::string quoted;
  for (char c : argument) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return fmt::format("{}: \"{}\"", verb, quoted);
}

bool WriteFileAtomically(const std::string& path, const std::string& contents, std::string* error) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    *error = fmt::format("{}: cannot write: {}", path, std::strerror(errno));
    return false;
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = fmt::format("{}: cannot write: {}", path, std::strerror(errno));
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

std::string ScenarioReference(const std::string& scenario_arg, const std::string& schedule_path) {
  const bool path =
      scenario_arg.find('/') != std::string::npos || scenario_arg.ends_with(".yaml") || scenario_arg.ends_with(".yml");
  if (!path) return scenario_arg;
  std::error_code error;
  const std::filesystem::path folder = std::filesystem::absolute(schedule_path, error).parent_path();
  const std::filesystem::path scenario = std::filesystem::absolute(scenario_arg, error);
  if (error) return scenario_arg;
  return std::filesystem::proximate(scenario, folder, error).string();
}

std::optional<std::vector<WrittenStep>> StepsFromDecisions(Session& session,
                                                           const std::vector<model::Action>& decisions,
                                                           std::string* error) {
  std::vector<WrittenStep> steps;
  for (const model::Action& action : decisions) {
    if (!model::IsEnabled(session.system(), action)) {
      *error = fmt::format("decision {} ('{}') is not enabled: the model changed since the trace was written",
                           steps.size(), model::Describe(session.graph(), action));
      return std::nullopt;
    }
    WrittenStep step{.text = DescribeStep(session.system(), action), .comment = Hint(session.system(), action)};
    session.Apply(action);
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace ckptsim::schedules
