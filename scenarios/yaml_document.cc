#include "scenarios/yaml_document.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

namespace ckptsim::scenarios {
namespace {

// Thrown from the event handler to stop the parser at the first refusal.
struct Refusal {
  int line = 0;  // 1-based
  std::string message;
};

// How a message names a tag: "!!str" rather than yaml-cpp's expanded form.
std::string WrittenTag(const std::string& tag) {
  constexpr std::string_view kCore = "tag:yaml.org,2002:";
  if (tag.starts_with(kCore)) return "!!" + tag.substr(kCore.size());
  return tag;
}

// Watches the events of documents: counts and places them, and refuses
// tags, deep nesting and alias bombs as they come.
class Guard : public YAML::EventHandler {
 public:
  int documents() const { return static_cast<int>(document_starts_.size()); }
  const YAML::Mark& document_start(int i) const { return document_starts_[i]; }
  // Where the document's first value is (its start if it has none).
  const YAML::Mark& first_value(int i) const { return first_values_[i]; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    document_starts_.push_back(mark);
    first_values_.push_back(mark);
    value_seen_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor, 1); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Seen(mark);
    auto it = anchored_sizes_.find(anchor);
    const int64_t size = it == anchored_sizes_.end() ? 1 : it->second;
    expanded_ = std::min(expanded_ + size, kYamlExpandedNodesMax + 1);
    if (expanded_ > kYamlExpandedNodesMax) {
      throw Refusal{mark.line + 1, fmt::format("aliases here expand the document to more than {} values; "
                                               "write the values out instead",
                                               kYamlExpandedNodesMax)};
    }
    Add(size);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string&) override {
    CheckTag(mark, tag);
    Leaf(mark, anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct OpenCollection {
    YAML::anchor_t anchor;
    int64_t size;  // values below it so far, aliases expanded
  };

  // Untagged plain scalars and collections carry "?", quoted scalars "!".
  static void CheckTag(const YAML::Mark& mark, const std::string& tag) {
    if (tag == "?" || tag == "!") return;
    throw Refusal{mark.line + 1,
                  fmt::format("YAML tags are not supported (got '{}'); remove the tag, and quote the value "
                              "if it must be a string",
                              ShownValue(WrittenTag(tag)))};
  }
  void Seen(const YAML::Mark& mark) {
    if (value_seen_) return;
    value_seen_ = true;
    first_values_.back() = mark;
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, int64_t size) {
    Seen(mark);
    ++expanded_;
    if (anchor != YAML::NullAnchor) anchored_sizes_[anchor] = size;
    Add(size);
  }
  void Add(int64_t size) {
    if (!open_.empty()) open_.back().size = std::min(open_.back().size + size, kYamlExpandedNodesMax + 1);
  }
  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    Seen(mark);
    CheckTag(mark, tag);
    ++expanded_;
    if (static_cast<int>(open_.size()) >= kYamlDepthMax) {
      throw Refusal{mark.line + 1,
                    fmt::format("lists and mappings nest deeper than {} levels here", kYamlDepthMax)};
    }
    open_.push_back(OpenCollection{anchor, 1});
  }
  void Close() {
    const OpenCollection done = open_.back();
    open_.pop_back();
    if (done.anchor != YAML::NullAnchor) anchored_sizes_[done.anchor] = done.size;
    Add(done.size);
  }

  std::vector<YAML::Mark> document_starts_;
  std::vector<YAML::Mark> first_values_;
  bool value_seen_ = false;
  std::vector<OpenCollection> open_;
  std::map<YAML::anchor_t, int64_t> anchored_sizes_;
  int64_t expanded_ = 0;  // values of the document so far, aliases expanded
};

}  // namespace

std::variant<YamlDocument, ScenarioError> ReadYamlDocument(std::string_view text, const std::string& display_name,
                                                           std::string_view what) {
  if (auto too_large = InputTooLarge(static_cast<int64_t>(text.size()))) {
    return ScenarioError{display_name, 0, *too_large};
  }
  std::string copy(text);
  // yaml-cpp takes "\r\n" and "\n" as line ends, but not "\r" alone.
  for (size_t i = 0; i < copy.size(); ++i) {
    if (copy[i] == '\r' && (i + 1 == copy.size() || copy[i + 1] != '\n')) copy[i] = '\n';
  }
  const int64_t newlines = std::count(copy.begin(), copy.end(), '\n');
  const int last_line = static_cast<int>(std::max<int64_t>(1, newlines + (copy.ends_with('\n') ? 0 : 1)));
  Guard guard;
  try {
    std::istringstream in(copy);
    YAML::Parser parser(in);
    // Three documents at most: the third tells a real second document from
    // a parser stuck at a token it cannot start a document with.
    for (int i = 0; i < 3 && parser.HandleNextDocument(guard); ++i) {
      if (guard.documents() >= 2) {
        const YAML::Mark& previous = guard.document_start(guard.documents() - 2);
        const YAML::Mark& current = guard.document_start(guard.documents() - 1);
        if (current.pos == previous.pos) {
          const int pos = std::clamp(current.pos, 0, static_cast<int>(copy.size()));
          const std::string_view rest = std::string_view(copy).substr(pos);
          const size_t token = rest.find_first_not_of(" \t\r\n");
          std::string shown = token == std::string_view::npos ? std::string("the end of the file")
                                                              : fmt::format("'{}'", ShownValue(rest.substr(token, 1)));
          return ScenarioError{display_name, current.line + 1,
                               fmt::format("invalid YAML at column {}: unexpected {} where a value must start",
                                           current.column + 1, shown)};
        }
      }
    }
  } catch (const Refusal& refusal) {
    return ScenarioError{display_name, std::min(refusal.line, last_line), refusal.message};
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard, for nesting our handler does not see as such
    // (its message is only "bad file").
    return ScenarioError{display_name, std::min(e.mark.line + 1, last_line),
                         fmt::format("the YAML nests deeper than yaml-cpp allows here ({} levels of recursion)",
                                     e.depth())};
  }
  if (guard.documents() >= 2) {
    return ScenarioError{display_name, std::min(guard.first_value(1).line + 1, last_line),
                         fmt::format("a second YAML document starts here; a {} file holds exactly one", what)};
  }
  YamlDocument document{.last_line = last_line};
  if (guard.documents() == 0) return document;
  document.empty = false;
  document.root = YAML::Load(copy);
  return document;
}

}  // namespace ckptsim::scenarios
