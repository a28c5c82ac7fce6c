// Typed, located reading of a parsed YAML document, for the scenario loader.
//
// The scenario format is strict: each mapping has a fixed set of keys and
// each value one expected type and range. A MapReader checks a mapping's keys
// when it is made, then hands out typed values. Every problem goes to a
// Diagnostics, which keeps only the first one: reads after a problem return
// nothing or leave the default in place, so parsing code reads straight
// through and checks Diagnostics::ok() once at the end. Bad input never makes
// anything here throw: no yaml-cpp conversion (Node::as) is ever called.
//
// Messages read "context: key: problem", e.g.
//   vertex 'B': parallelism: expected an integer, got 'abc'
//
// Thread-safety: none; one reader per load.
#ifndef CKPTSIM_SCENARIOS_YAML_READER_H_
#define CKPTSIM_SCENARIOS_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario_error.h"

namespace ckptsim::scenarios {

// The first problem found in one file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // Keeps the first report only: later ones are usually consequences of it.
  // A line past `last_line` (an empty value at the end of the file, which
  // yaml-cpp places on the line after) is reported at the last line.
  void Report(int line, std::string message);
  // The file's last line, once known; 0 leaves lines as they are.
  void set_last_line(int line) { last_line_ = line; }
  bool ok() const { return !error_.has_value(); }
  const std::optional<ScenarioError>& error() const { return error_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::optional<ScenarioError> error_;
  int last_line_ = 0;
};

// A YAML value and the line to blame for it.
// Copies share the node. The node is const, which rules out assigning a
// Located: YAML::Node's operator= writes through to the document instead of
// rebinding.
struct Located {
  const YAML::Node node;  // null for `key:` with nothing after it
  int line = 0;           // of the key for a mapping value, of the element in a list
  std::string key;        // how messages name the value: "parallelism", "records[2]"
};

// The 1-based line a node starts on.
int LineOf(const YAML::Node& node);

struct IntBounds {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
};

// " (did you mean 'x'?)" for the candidate closest to `word` in edit
// distance if it is close enough, else "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);
// "a, b, c".
std::string JoinNames(std::span<const std::string_view> names);

class MapReader {
 public:
  // Reports a value that is neither a mapping nor empty, keys outside
  // `allowed_keys` and keys given twice. An empty value reads as an empty
  // mapping, so `timing:` with every line commented out is fine.
  // REQUIRES: `allowed_keys` and `diagnostics` outlive the reader.
  MapReader(const Located& value, std::string context, std::span<const std::string_view> allowed_keys,
            Diagnostics* diagnostics);

  int line() const { return line_; }
  const std::string& context() const { return context_; }
  bool Has(std::string_view key) const { return Find(key).has_value(); }
  std::optional<Located> Find(std::string_view key) const;
  // As Find, but reports a missing key at the mapping's first line.
  std::optional<Located> Require(std::string_view key);

  // Typed reads of an optional key: an absent key leaves *out unchanged.
  void Read(std::string_view key, std::string* out);
  void Read(std::string_view key, bool* out);
  void Read(std::string_view key, IntBounds bounds, int* out);
  void Read(std::string_view key, IntBounds bounds, int64_t* out);

  // Conversions of one value: nullopt after reporting why not.
  std::optional<std::string> String(const Located& value);
  // A non-empty string of letters, digits, '_', '-' and '.', so that names
  // read unambiguously in traces ("Vertex[2]") and on command lines.
  std::optional<std::string> Name(const Located& value);
  std::optional<bool> Bool(const Located& value);
  std::optional<int64_t> Int(const Located& value, IntBounds bounds);
  std::optional<std::vector<Located>> List(const Located& value);
  // One of a fixed set of names, e.g. an operator kind.
  template <typename Enum>
  std::optional<Enum> Choice(const Located& value, std::string_view what,
                             std::optional<Enum> (*parse)(std::string_view),
                             std::span<const std::string_view> allowed) {
    std::optional<std::string> text = String(value);
    if (!text) return std::nullopt;
    std::optional<Enum> parsed = parse(*text);
    if (!parsed) ReportUnknown(value, what, *text, allowed);
    return parsed;
  }

  // "context: key: problem" at the value's line.
  void Report(const Located& value, std::string_view problem);
  // "context: problem" at `line`.
  void Report(int line, std::string_view problem);

 private:
  void ReportUnknown(const Located& value, std::string_view what, std::string_view text,
                     std::span<const std::string_view> allowed);

  YAML::Node node_;
  int line_ = 0;
  std::string context_;
  Diagnostics* diagnostics_;
};

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_YAML_READER_H_
