#include "cli/run_line.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace ckptsim::cli {
namespace {

using Json = nlohmann::ordered_json;

// Each check reports the first problem of a line and stops reading it.
class LineReader {
 public:
  explicit LineReader(std::string* error) : error_(error) {}

  const Json* Field(const Json& object, const char* key, bool (*is_type)(const Json&), const char* type) {
    const auto it = object.find(key);
    if (it == object.end()) return Fail(fmt::format("missing '{}'", key));
    if (!is_type(*it)) return Fail(fmt::format("'{}' is not {}", key, type));
    return &*it;
  }
  const Json* Fail(std::string message) {
    if (error_->empty()) *error_ = std::move(message);
    return nullptr;
  }

 private:
  std::string* error_;
};

bool IsString(const Json& json) { return json.is_string(); }
bool IsObject(const Json& json) { return json.is_object(); }
bool IsInteger(const Json& json) { return json.is_number_integer(); }
// RunToJson's counts are signed; parsed back from text they are unsigned.
bool IsCount(const Json& json) {
  return json.is_number_unsigned() || (json.is_number_integer() && json.get<int64_t>() >= 0);
}

bool IsHexHash(const std::string& text) {
  if (text.size() != 16) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<RunLine> RunLineFromJson(const Json& json, std::string* error) {
  error->clear();
  LineReader reader(error);
  if (!json.is_object()) {
    reader.Fail("not a JSON object");
    return std::nullopt;
  }
  const Json* scenario = reader.Field(json, "scenario", IsString, "a string");
  const Json* variant = reader.Field(json, "variant", IsString, "a string");
  const Json* seed = reader.Field(json, "seed", IsCount, "a seed (an integer >= 0)");
  const Json* steps = reader.Field(json, "steps", IsCount, "an integer >= 0");
  const Json* hash = reader.Field(json, "trace_hash", IsString, "a string");
  const Json* properties = reader.Field(json, "properties", IsObject, "an object");
  const Json* sometimes = reader.Field(json, "sometimes", IsObject, "an object");
  const Json* faults = reader.Field(json, "faults", IsObject, "an object");
  const Json* expectation = reader.Field(json, "expectation_problem", IsString, "a string");
  const Json* replay = reader.Field(json, "replay", IsString, "a string");
  if (!error->empty()) return std::nullopt;
  const auto swarm = json.find("swarm");
  if (swarm == json.end() || !(swarm->is_null() || swarm->is_object())) {
    reader.Fail("'swarm' is not null or an object of drawn parameters");
    return std::nullopt;
  }
  RunLine line;
  line.key = RunKey{scenario->get<std::string>(), variant->get<std::string>(), swarm->is_object(),
                    seed->get<uint64_t>()};
  if (line.key.scenario.empty()) reader.Fail("'scenario' is empty");
  line.trace_hash = hash->get<std::string>();
  if (!IsHexHash(line.trace_hash)) reader.Fail("'trace_hash' is not 16 hex digits");
  line.steps = steps->get<int64_t>();
  line.replay = replay->get<std::string>();

  int64_t earliest_step = -1;
  for (const auto& [code, verdict] : properties->items()) {
    if (code.ends_with("_report")) continue;
    if (verdict != "held" && verdict != "violated") {
      reader.Fail(fmt::format("property '{}' is neither \"held\" nor \"violated\"", code));
      break;
    }
    if (verdict == "held") continue;
    line.violated.push_back(code);
    const auto report = properties->find(code + "_report");
    if (report == properties->end() || !report->is_object()) {
      reader.Fail(fmt::format("property '{}' is violated but '{}_report' is missing", code, code));
      break;
    }
    const Json* step = reader.Field(*report, "step", IsInteger, "an integer");
    const Json* summary = reader.Field(*report, "summary", IsString, "a string");
    if (step == nullptr || summary == nullptr) break;
    if (earliest_step < 0 || step->get<int64_t>() < earliest_step) {
      earliest_step = step->get<int64_t>();
      line.failure = fmt::format("{} {}", code, summary->get<std::string>());
    }
  }
  if (line.failure.empty() && !expectation->get<std::string>().empty()) {
    line.failure = expectation->get<std::string>();
    line.expectation_failed = true;
  }
  for (const auto& [key, value] : faults->items()) {
    if (key == "job_failed") {
      if (!value.is_boolean()) reader.Fail("'faults.job_failed' is not true or false");
      line.job_failed = value.is_boolean() && value.get<bool>();
    } else if (IsCount(value)) {
      line.faults.emplace_back(key, value.get<int64_t>());
    } else {
      reader.Fail(fmt::format("'faults.{}' is not an integer >= 0", key));
    }
  }
  for (const auto& [key, value] : sometimes->items()) {
    if (!IsCount(value)) {
      reader.Fail(fmt::format("'sometimes.{}' is not an integer >= 0", key));
      break;
    }
    line.sometimes.emplace_back(key, value.get<int64_t>());
  }
  if (!error->empty()) return std::nullopt;
  return line;
}

std::optional<RunLineFile> ReadRunLineFile(const std::string& path, bool allow_truncated_tail, std::string* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    *error = fmt::format("{}: cannot read: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) {
    *error = fmt::format("{}: cannot read", path);
    return std::nullopt;
  }
  RunLineFile result;
  size_t begin = 0;
  int number = 0;
  while (begin < text.size()) {
    ++number;
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      // Lines are written whole with their newline: a line without one was cut short.
      if (allow_truncated_tail) {
        result.truncated_tail = true;
        result.truncated_line = number;
        break;
      }
      *error = fmt::format("{}:{}: truncated line (no newline at the end of the file: an interrupted sweep? "
                           "'ckptsim sweep --resume --out {}' drops it and runs the rest)",
                           path, number, path);
      return std::nullopt;
    }
    const std::string_view content(text.data() + begin, end - begin);
    begin = end + 1;
    result.complete_bytes = begin;
    const Json json = Json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      *error = fmt::format("{}:{}: malformed run line: not valid JSON", path, number);
      return std::nullopt;
    }
    std::string problem;
    std::optional<RunLine> line = RunLineFromJson(json, &problem);
    if (!line) {
      *error = fmt::format("{}:{}: malformed run line: {}", path, number, problem);
      return std::nullopt;
    }
    result.lines.emplace_back(number, std::move(*line));
  }
  return result;
}

}  // namespace ckptsim::cli
