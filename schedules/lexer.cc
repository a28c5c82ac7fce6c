#include "schedules/lexer.h"

#include <charconv>

#include <fmt/format.h>

namespace ckptsim::schedules {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool StartsWith(std::string_view text, size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}

}  // namespace

std::string Spelling(const Token& token) {
  switch (token.kind) {
    case TokenKind::kSubtask: return fmt::format("{}[{}]", token.text, token.number);
    case TokenKind::kEnd: return "end of text";
    case TokenKind::kWord:
    case TokenKind::kNumber:
    case TokenKind::kPunct: return token.text;
  }
  return token.text;
}

std::optional<std::vector<Token>> Lex(std::string_view text, std::string* error) {
  std::vector<Token> tokens;
  size_t i = 0;
  const auto punct = [&](size_t length) {
    tokens.push_back(Token{
        .kind = TokenKind::kPunct, .text = std::string(text.substr(i, length)), .column = static_cast<int>(i) + 1});
    i += length;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    // Two-character punctuation first, so "->" is not a name's '-' and "<-" not '<'.
    bool matched = false;
    for (std::string_view two : {"->", "<-", "..", "!=", "<=", ">="}) {
      if (StartsWith(text, i, two)) {
        punct(2);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::string_view("[],()#=<>").find(c) != std::string_view::npos) {
      punct(1);
      continue;
    }
    if (!IsNameChar(c) || c == '.') {
      *error = fmt::format("unexpected character '{}' at column {}", c, i + 1);
      return std::nullopt;
    }
    const size_t start = i;
    while (i < text.size() && IsNameChar(text[i]) && !StartsWith(text, i, "->") && !StartsWith(text, i, "..")) ++i;
    const std::string_view word = text.substr(start, i - start);
    Token token{.kind = TokenKind::kWord, .text = std::string(word), .column = static_cast<int>(start) + 1};
    bool all_digits = true;
    for (char d : word) all_digits = all_digits && IsDigit(d);
    if (all_digits) {
      token.kind = TokenKind::kNumber;
      auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), token.number);
      if (ec != std::errc() || end != word.data() + word.size()) {
        *error = fmt::format("number '{}' at column {} is out of range", word, start + 1);
        return std::nullopt;
      }
    } else if (i < text.size() && text[i] == '[') {
      // "Name[index]": a subtask.
      size_t close = i + 1;
      while (close < text.size() && IsDigit(text[close])) ++close;
      if (close > i + 1 && close < text.size() && text[close] == ']') {
        const std::string_view digits = text.substr(i + 1, close - i - 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), token.number);
        if (ec != std::errc()) {
          *error = fmt::format("subtask index '{}' at column {} is out of range", digits, i + 2);
          return std::nullopt;
        }
        token.kind = TokenKind::kSubtask;
        i = close + 1;
        tokens.push_back(std::move(token));
        // A field after a subtask: "A[0].finalCheckpointMinId".
        if (i < text.size() && text[i] == '.' && !StartsWith(text, i, "..")) punct(1);
        continue;
      }
      *error =
          fmt::format("'{}[' at column {} is not a subtask: write Vertex[index], e.g. {}[0]", word, start + 1, word);
      return std::nullopt;
    }
    tokens.push_back(std::move(token));
  }
  tokens.push_back(Token{.kind = TokenKind::kEnd, .column = static_cast<int>(text.size()) + 1});
  return tokens;
}

const Token& TokenReader::Peek(size_t ahead) const {
  const size_t at = position_ + ahead;
  return at < tokens_.size() ? tokens_[at] : tokens_.back();
}

Token TokenReader::Next() {
  Token token = Peek();
  if (position_ + 1 < tokens_.size()) ++position_;
  return token;
}

bool TokenReader::Accept(std::string_view text) {
  const Token& token = Peek();
  if ((token.kind == TokenKind::kWord || token.kind == TokenKind::kPunct) && token.text == text) {
    Next();
    return true;
  }
  return false;
}

bool TokenReader::IsWord(std::string_view text, size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.kind == TokenKind::kWord && token.text == text;
}

}  // namespace ckptsim::schedules
