// Tokens of the schedule language. A step ("rpc notify-abort 4 (latest 3) ->
// A[0]") or a condition ("checkpoint 2 triggers [S[1], M[0]]") is split into
// words, numbers, subtask names and punctuation, each with the column it
// starts at, so the parsers can point at the word they refuse.
//
// A subtask is a name directly followed by "[index]" ("S1[0]"); a list
// bracket has a space or punctuation before it ("triggers [S1[0]]"). Names
// may contain letters, digits, '_', '-' and '.', as scenario names do; "->"
// and ".." end a name. After a subtask, '.' starts a field ("A[0].attempt")
// and '#' a record sequence ("S[0]#3").
#ifndef CKPTSIM_SCHEDULES_LEXER_H_
#define CKPTSIM_SCHEDULES_LEXER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptsim::schedules {

enum class TokenKind : uint8_t {
  kWord,     // a name or keyword: "checkpoint", "notify-abort", "FINISHED", "k-sink.finish"
  kNumber,   // decimal digits
  kSubtask,  // "S1[0]": `text` is the vertex name, `number` the index
  kPunct,    // [ ] , ( ) # .. -> <- . = != < <= > >=
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int64_t number = 0;  // kNumber, kSubtask (the index)
  int column = 0;      // 1-based, in the text given to Lex
};

// "S1[0]" for a subtask token, else the token's text ("end of text" at the end).
std::string Spelling(const Token& token);

// Splits `text`; on a character that starts no token, returns nullopt and
// sets *error to a message naming it.
std::optional<std::vector<Token>> Lex(std::string_view text, std::string* error);

// Reads a token list front to back; the last token is always kEnd.
class TokenReader {
 public:
  explicit TokenReader(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const;
  Token Next();
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  // Consumes the next token if it is the word or punctuation `text`.
  bool Accept(std::string_view text);
  bool IsWord(std::string_view text, size_t ahead = 0) const;

 private:
  std::vector<Token> tokens_;
  size_t position_ = 0;
};

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_LEXER_H_
