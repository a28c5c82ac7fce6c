#include "scenarios/yaml_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>

#include "scenarios/input_limits.h"

namespace ckptsim::scenarios {
namespace {

// How a message shows a value that is not what was expected.
std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (node.Tag() == "!") return fmt::format("the quoted string \"{}\"", ShownValue(node.Scalar()));
  return fmt::format("'{}'", ShownValue(node.Scalar()));
}

bool IsPlainScalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!"; }

// Decimal integers with an optional sign and '_' between digits (1_000_000).
struct ParsedInteger {
  bool valid = false;
  bool out_of_range = false;
  int64_t value = 0;
};

ParsedInteger ParseInteger(std::string_view text) {
  std::string digits;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    if (text[i] == '-') digits.push_back('-');
    ++i;
  }
  bool previous_was_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      previous_was_digit = true;
    } else if (c == '_' && previous_was_digit && i + 1 < text.size()) {
      previous_was_digit = false;
    } else {
      return {};
    }
  }
  if (!previous_was_digit) return {};
  ParsedInteger result;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), result.value);
  result.valid = error == std::errc() && end == digits.data() + digits.size();
  result.out_of_range = error == std::errc::result_out_of_range;
  return result;
}

// Optimal string alignment distance: edits plus transpositions of neighbours.
int EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string Prefix(const std::string& context) { return context.empty() ? "" : context + ": "; }

}  // namespace

void Diagnostics::Report(int line, std::string message) {
  if (error_) return;
  if (last_line_ > 0 && line > last_line_) line = last_line_;
  error_ = ScenarioError{file_, line, std::move(message)};
}

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  // Edit distance is quadratic in length; a long word is no typo anyway.
  if (word.size() > kSuggestedWordBytesMax) return "";
  std::string_view best;
  int best_distance = INT_MAX;
  for (std::string_view candidate : candidates) {
    if (candidate.size() > kSuggestedWordBytesMax) continue;
    int distance = EditDistance(word, candidate);
    // A missing unit suffix ("interval" for "interval_ticks") is close too.
    if (word.size() >= 3 && candidate.starts_with(word)) distance = std::min(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // Close means at most two edits, and fewer than half the word's letters
  // (so 'C' does not suggest 'A').
  int threshold = word.size() <= 4 ? 1 : 2;
  if (best.empty() || best_distance > threshold || 2 * best_distance > static_cast<int>(word.size())) {
    return "";
  }
  return fmt::format(" (did you mean '{}'?)", best);
}

std::string JoinNames(std::span<const std::string_view> names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

MapReader::MapReader(const Located& value, std::string context,
                     std::span<const std::string_view> allowed_keys, Diagnostics* diagnostics)
    : line_(value.line), context_(std::move(context)), diagnostics_(diagnostics) {
  const YAML::Node& node = value.node;
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    Report(value.line,
           fmt::format("expected a mapping with keys {}, got {}", JoinNames(allowed_keys), Describe(node)));
    return;
  }
  node_ = node;
  std::map<std::string, int> seen;  // key, line
  // Stops at the first problem: only the first is reported.
  for (const auto& entry : node) {
    YAML::Node key = entry.first;
    int key_line = LineOf(key);
    if (!IsPlainScalar(key)) {
      Report(key_line, fmt::format("keys must be plain names, got {}", Describe(key)));
      return;
    }
    const std::string& name = key.Scalar();
    if (name == "<<") {
      Report(key_line, "YAML merge keys ('<<') are not supported; write the keys out");
      return;
    }
    if (std::find(allowed_keys.begin(), allowed_keys.end(), name) == allowed_keys.end()) {
      Report(key_line, fmt::format("unknown key '{}'{}; allowed keys: {}", ShownValue(name),
                                   DidYouMean(name, allowed_keys), JoinNames(allowed_keys)));
      return;
    }
    auto [it, inserted] = seen.emplace(name, key_line);
    if (!inserted) {
      Report(key_line, fmt::format("key '{}' is given twice (first on line {})", name, it->second));
      return;
    }
  }
}

std::optional<Located> MapReader::Find(std::string_view key) const {
  if (!node_.IsMap()) return std::nullopt;
  for (const auto& entry : node_) {
    YAML::Node name = entry.first;
    if (name.IsScalar() && name.Scalar() == key) return Located{entry.second, LineOf(name), std::string(key)};
  }
  return std::nullopt;
}

std::optional<Located> MapReader::Require(std::string_view key) {
  std::optional<Located> value = Find(key);
  if (!value) Report(line_, fmt::format("missing required key '{}'", key));
  return value;
}

void MapReader::Read(std::string_view key, std::string* out) {
  if (auto value = Find(key)) {
    if (auto text = String(*value)) *out = std::move(*text);
  }
}

void MapReader::Read(std::string_view key, bool* out) {
  if (auto value = Find(key)) {
    if (auto flag = Bool(*value)) *out = *flag;
  }
}

void MapReader::Read(std::string_view key, IntBounds bounds, int* out) {
  bounds.min = std::max<int64_t>(bounds.min, INT_MIN);
  bounds.max = std::min<int64_t>(bounds.max, INT_MAX);
  if (auto value = Find(key)) {
    if (auto number = Int(*value, bounds)) *out = static_cast<int>(*number);
  }
}

void MapReader::Read(std::string_view key, IntBounds bounds, int64_t* out) {
  if (auto value = Find(key)) {
    if (auto number = Int(*value, bounds)) *out = *number;
  }
}

std::optional<std::string> MapReader::String(const Located& value) {
  if (!value.node.IsScalar()) {
    Report(value, fmt::format("expected a string, got {}", Describe(value.node)));
    return std::nullopt;
  }
  return value.node.Scalar();
}

std::optional<std::string> MapReader::Name(const Located& value) {
  std::optional<std::string> text = String(value);
  if (!text) return std::nullopt;
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  };
  if (text->empty() || !std::all_of(text->begin(), text->end(), allowed)) {
    Report(value, fmt::format("'{}' is not a valid name: use letters, digits, '_', '-' and '.'", ShownValue(*text)));
    return std::nullopt;
  }
  return text;
}

std::optional<bool> MapReader::Bool(const Located& value) {
  if (IsPlainScalar(value.node)) {
    const std::string& text = value.node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  Report(value, fmt::format("expected true or false, got {}", Describe(value.node)));
  return std::nullopt;
}

std::optional<int64_t> MapReader::Int(const Located& value, IntBounds bounds) {
  ParsedInteger parsed;
  if (IsPlainScalar(value.node)) parsed = ParseInteger(value.node.Scalar());
  if (parsed.out_of_range) {
    Report(value, fmt::format("{} is out of range", ShownValue(value.node.Scalar())));
    return std::nullopt;
  }
  if (!parsed.valid) {
    Report(value, fmt::format("expected an integer, got {}", Describe(value.node)));
    return std::nullopt;
  }
  if (parsed.value < bounds.min) {
    Report(value, bounds.min == 0 ? fmt::format("must not be negative, got {}", parsed.value)
                                  : fmt::format("must be at least {}, got {}", bounds.min, parsed.value));
    return std::nullopt;
  }
  if (parsed.value > bounds.max) {
    Report(value, fmt::format("must be at most {}, got {}", bounds.max, parsed.value));
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<std::vector<Located>> MapReader::List(const Located& value) {
  std::vector<Located> items;
  if (!value.node.IsDefined() || value.node.IsNull()) return items;
  if (!value.node.IsSequence()) {
    Report(value, fmt::format("expected a list, got {}", Describe(value.node)));
    return std::nullopt;
  }
  int index = 0;
  for (const YAML::Node& item : value.node) {
    items.push_back(Located{item, LineOf(item), fmt::format("{}[{}]", value.key, index++)});
  }
  return items;
}

void MapReader::Report(const Located& value, std::string_view problem) {
  diagnostics_->Report(value.line, fmt::format("{}{}: {}", Prefix(context_), value.key, problem));
}

void MapReader::Report(int line, std::string_view problem) {
  diagnostics_->Report(line, fmt::format("{}{}", Prefix(context_), problem));
}

void MapReader::ReportUnknown(const Located& value, std::string_view what, std::string_view text,
                              std::span<const std::string_view> allowed) {
  Report(value, fmt::format("unknown {} '{}'{}; allowed: {}", what, ShownValue(text), DidYouMean(text, allowed),
                            JoinNames(allowed)));
}

}  // namespace ckptsim::scenarios
