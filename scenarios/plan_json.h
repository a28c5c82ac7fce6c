// Typed reads of a parsed JSON document that name the JSON path of every
// problem, for the plan reader (plan_reader.h).
//
// Like the YAML reader, a JsonReader keeps only the first problem: reads
// after it return nothing, so reading code goes straight through and checks
// ok() where it must stop. Nothing here lets an nlohmann::json exception
// escape. Paths read "nodes[3].predecessors[0].id"; the top level is "".
//
// Thread-safety: none; one reader per plan.
#ifndef CKPTSIM_SCENARIOS_PLAN_JSON_H_
#define CKPTSIM_SCENARIOS_PLAN_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "scenarios/scenario_error.h"

namespace ckptsim::scenarios {

// "string \"4\"", "number 1.5", "array", "true", ...: what a value is, for messages.
std::string DescribeJson(const nlohmann::json& value);

class JsonReader {
 public:
  explicit JsonReader(std::string file) : file_(std::move(file)) {}

  // The document, or nullopt with a syntax error at its line and column.
  std::optional<nlohmann::json> Parse(std::string_view text);

  // Keeps the first report only. An empty path is the whole document.
  void Fail(const std::string& path, const std::string& message);
  bool ok() const { return !error_.has_value(); }
  const std::optional<ScenarioError>& error() const { return error_; }

  // Each read reports a value of the wrong type at `path` and returns nothing.
  bool Object(const nlohmann::json& value, const std::string& path);
  const nlohmann::json::array_t* Array(const nlohmann::json& value, const std::string& path);
  std::optional<std::string> String(const nlohmann::json& value, const std::string& path);
  std::optional<int64_t> Int(const nlohmann::json& value, const std::string& path, int64_t min, int64_t max);
  // A node id: an integer (StreamGraph plans) or a non-empty string (JobGraph plans), as text.
  std::optional<std::string> Id(const nlohmann::json& value, const std::string& path);

  // The value of `key` in `object` (an object); Require reports it missing at `path`.
  const nlohmann::json* Find(const nlohmann::json& object, std::string_view key);
  const nlohmann::json* Require(const nlohmann::json& object, const std::string& path, std::string_view key);

 private:
  std::string file_;
  std::optional<ScenarioError> error_;
};

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_JSON_H_
