// One YAML document, read from untrusted bytes with bounded time and memory.
//
// yaml-cpp 0.7 alone is not safe on hostile input: LoadAll never returns on
// a document that starts with ',' (its parser makes no progress and yields
// empty documents forever), tags are dropped without a word, and aliases
// expand without limit for anyone who walks the tree. ReadYamlDocument runs
// the parser once over the events with a handler that refuses, at their
// line, what the file formats of ckptsim do not allow: a second document,
// YAML tags, nesting deeper than kYamlDepthMax, and aliases that would expand
// to more than kYamlExpandedNodesMax values; then it builds the node tree of
// the first document. Files above kInputBytesMax are refused before parsing.
// Old Mac line endings (CR alone) are read as line ends, as editors show them.
//
// yaml-cpp's own syntax errors (YAML::Exception) still propagate, so each
// caller keeps its wording for them.
//
// Thread-safety: none needed; each call is independent.
#ifndef CKPTSIM_SCENARIOS_YAML_DOCUMENT_H_
#define CKPTSIM_SCENARIOS_YAML_DOCUMENT_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "scenarios/input_limits.h"
#include "scenarios/scenario_error.h"

namespace ckptsim::scenarios {

// Collections nested deeper than this are refused (a scenario needs 4).
inline constexpr int kYamlDepthMax = 100;
// Values reachable through aliases, counted with every alias expanded.
inline constexpr int64_t kYamlExpandedNodesMax = 1'000'000;

struct YamlDocument {
  bool empty = true;  // the text holds no document at all
  YAML::Node root;    // the first document (null if empty)
  int last_line = 0;  // the number of the text's last line (1-based)
};

// `what` names the format in messages: "scenario", "schedule".
// REQUIRES: yaml-cpp exceptions are caught by the caller.
std::variant<YamlDocument, ScenarioError> ReadYamlDocument(std::string_view text, const std::string& display_name,
                                                           std::string_view what);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_YAML_DOCUMENT_H_
