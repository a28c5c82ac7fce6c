// `ckptsim import-plan PLAN.json [-o SCENARIO.yaml] [--bounded ID=N ...]
// [--sink-kind 2pc|sink-v2]`: a Flink JSON execution plan as a scenario file
// (scenarios/plan_import.h).
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "scenarios/loader.h"
#include "scenarios/plan_import.h"

namespace ckptsim::cli {
namespace {

// "17=5": the source with plan id 17 emits 5 records per subtask. Ids may
// hold '=' (JobGraph ids do not, but nothing forbids it), so the last one splits.
bool ParseBounded(const std::string& text, std::pair<std::string, int64_t>* out, std::string* error) {
  const size_t equals = text.rfind('=');
  int64_t records = -1;
  const char* begin = text.data() + (equals == std::string::npos ? 0 : equals + 1);
  const char* end = text.data() + text.size();
  const auto [stop, status] = std::from_chars(begin, end, records);
  if (equals == std::string::npos || equals == 0 || begin == end || stop != end || status != std::errc() ||
      records < 0) {
    *error = fmt::format(
        "--bounded '{}': expected ID=N, a source's node id in the plan and the records each of its "
        "subtasks emits (N >= 0)",
        text);
    return false;
  }
  *out = {text.substr(0, equals), records};
  return true;
}

// Writes next to `path` and renames, so an interrupted write leaves no half file.
bool WriteWhole(const std::string& path, const std::string& text, std::string* error) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      *error = fmt::format("-o {}: cannot write the scenario file", path);
      std::remove(temporary.c_str());
      return false;
    }
  }
  std::error_code code;
  std::filesystem::rename(temporary, path, code);
  if (code) {
    *error = fmt::format("-o {}: cannot write the scenario file ({})", path, code.message());
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

int ImportPlanCommand(const ImportPlanArgs& args) {
  scenarios::PlanImportOptions options;
  for (const std::string& text : args.bounded) {
    std::pair<std::string, int64_t> bounded;
    std::string error;
    if (!ParseBounded(text, &bounded, &error)) return UsageError(error);
    options.bounded_records.push_back(std::move(bounded));
  }
  std::optional<scenarios::SinkKind> sink_kind = scenarios::ParseSinkKind(args.sink_kind);
  if (!sink_kind) return UsageError(fmt::format("--sink-kind '{}': expected 2pc or sink-v2", args.sink_kind));
  options.sink_kind = *sink_kind;

  auto imported = scenarios::ImportPlanFile(args.plan, options);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&imported)) return UsageError(error->ToString());
  const scenarios::ImportedPlan& plan = std::get<scenarios::ImportedPlan>(imported);
  // The importer compiled the graph; a file that does not load is ckptsim's bug.
  auto loaded = scenarios::LoadScenarioText(plan.yaml, args.out.empty() ? args.plan : args.out);
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    fmt::print(stderr, "ckptsim: internal error: the scenario imported from {} does not load: {}\n", args.plan,
               error->ToString());
    return kExitInternal;
  }
  if (args.out.empty()) {
    fmt::print("{}", plan.yaml);
    return kExitOk;
  }
  if (std::string error; !WriteWhole(args.out, plan.yaml, &error)) return UsageError(error);
  fmt::print("wrote {}: {}\nrun it: ckptsim sweep {} --seeds 200\n", args.out, plan.summary, args.out);
  return kExitOk;
}

}  // namespace ckptsim::cli
