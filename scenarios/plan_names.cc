#include "scenarios/plan_names.h"

#include <fmt/format.h>

#include <array>

namespace ckptsim::scenarios {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// Splits at `separator` where no bracket is open.
std::vector<std::string_view> SplitOutsideBrackets(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    if (depth == 0 && text.substr(i, separator.size()) == separator) {
      parts.push_back(text.substr(begin, i - begin));
      begin = i + separator.size();
      i = begin - 1;
    }
  }
  parts.push_back(text.substr(begin));
  return parts;
}

// "A -> B -> (C, D -> E)" as A, B, C, D, E.
void SplitCascade(std::string_view text, std::vector<std::string>* operators) {
  for (std::string_view part : SplitOutsideBrackets(text, " -> ")) {
    part = Trim(part);
    if (part.size() >= 2 && part.front() == '(' && part.back() == ')') {
      for (std::string_view branch : SplitOutsideBrackets(part.substr(1, part.size() - 2), ", ")) {
        SplitCascade(branch, operators);
      }
    } else if (!part.empty()) {
      operators->emplace_back(part);
    }
  }
}

// The tree layout's markers ("+- ", ":- ", "|") and a cascade's leading "->".
std::string_view StripLineMarkers(std::string_view line) {
  constexpr std::array<std::string_view, 4> kMarkers{"+-", ":-", "->", "|"};
  for (bool stripped = true; stripped;) {
    stripped = false;
    line = Trim(line);
    for (std::string_view marker : kMarkers) {
      if (line.starts_with(marker)) {
        line.remove_prefix(marker.size());
        stripped = true;
      }
    }
  }
  return line;
}

}  // namespace

std::string UnescapeHtml(std::string_view text) {
  struct Entity {
    std::string_view name;
    char value;
  };
  constexpr std::array<Entity, 7> kEntities{{{"&gt;", '>'},
                                             {"&lt;", '<'},
                                             {"&amp;", '&'},
                                             {"&quot;", '"'},
                                             {"&apos;", '\''},
                                             {"&#39;", '\''},
                                             {"&#92;", '\\'}}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const Entity& entity : kEntities) {
      if (text.substr(i, entity.name.size()) == entity.name) {
        out += entity.value;
        i += entity.name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

std::vector<std::string> SplitChainDescription(std::string_view description) {
  std::vector<std::string> operators;
  size_t begin = 0;
  while (begin <= description.size()) {
    size_t end = description.find("<br/>", begin);
    const size_t newline = description.find('\n', begin);
    size_t skip = 5;
    if (newline < end) {
      end = newline;
      skip = 1;
    }
    if (end == std::string_view::npos) end = description.size();
    // Split before unescaping: an escaped "&lt;br/&gt;" is the user's text.
    const std::string line = UnescapeHtml(description.substr(begin, end - begin));
    SplitCascade(StripLineMarkers(line), &operators);
    begin = end + skip;
  }
  return operators;
}

std::string SanitizeName(std::string_view text) {
  text = Trim(text);
  std::string_view index;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close != std::string_view::npos && close > 1 &&
        text.substr(1, close - 1).find_first_not_of("0123456789") == std::string_view::npos) {
      index = text.substr(1, close - 1);
      text = Trim(text.substr(close + 2));
    }
  }
  if (const size_t open = text.find('('); open != std::string_view::npos && open > 0) text = Trim(text.substr(0, open));
  const std::string wanted = index.empty() ? std::string(text) : fmt::format("{}[{}]", text, index);
  std::string name;
  bool gap = false;
  for (char c : wanted) {
    if (IsNameChar(c)) {
      if (gap && !name.empty()) name += '_';
      name += c;
      gap = false;
    } else {
      gap = true;
    }
  }
  constexpr size_t kMaxChars = 48;
  if (name.size() > kMaxChars) name.resize(kMaxChars);
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name.empty() ? "operator" : name;
}

std::string OneLine(std::string_view text, size_t max_chars) {
  std::string line;
  for (char c : text) line += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (line.size() > max_chars) {
    size_t cut = max_chars - 3;
    // Never inside a UTF-8 sequence: back off its continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "...";
  }
  return line;
}

std::string NameSet::Claim(const std::string& wanted) {
  std::string name = wanted;
  for (int suffix = 2; taken_.count(name) > 0; ++suffix) name = fmt::format("{}-{}", wanted, suffix);
  taken_.insert(name);
  return name;
}

}  // namespace ckptsim::scenarios
