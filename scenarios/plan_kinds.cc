#include "scenarios/plan_kinds.h"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "scenarios/plan_names.h"

namespace ckptsim::scenarios {
namespace {

using model::OperatorKind;

struct Rule {
  std::string_view word;  // lower case
  OperatorKind kind;
  std::string_view why;
};

// In order: the first rule whose word appears wins.
constexpr std::array<Rule, 18> kRules{{
    {"broadcast", OperatorKind::kBroadcastState, "broadcast state, the same on every subtask"},
    {"window", OperatorKind::kEventTimeWindow, "holds records until a watermark fires them"},
    {"overaggregate", OperatorKind::kEventTimeWindow, "holds rows until a watermark passes them"},
    {"temporalsort", OperatorKind::kEventTimeWindow, "holds rows until a watermark passes them"},
    {"async", OperatorKind::kBuffering, "holds records in flight until they complete, at the latest in finish()"},
    {"sort", OperatorKind::kBuffering, "emits only at end of input"},
    {"lookupjoin", OperatorKind::kMap, "reads an external table and keeps no state"},
    {"aggregation", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"aggregate", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"reduce", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"rank", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"deduplicate", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"changelognormalize", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"join", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"keyed", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"distinct", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"limit", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
    {"groupby", OperatorKind::kKeyedAggregate, "keyed state, a count per key"},
}};

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The operator names in a description, without their arguments:
// "[20]:GroupAggregate(groupBy=[count], ...)" -> "groupaggregate".
std::string OperatorNames(std::string_view contents) {
  std::string names;
  for (const std::string& part : SplitChainDescription(contents)) names += Lowercase(SanitizeName(part)) + " ";
  return names;
}

std::optional<KindGuess> Match(const std::string& text, std::string_view where) {
  // A local (mini-batch) pre-aggregation flushes before every barrier, so it holds no state.
  if (text.find("local") != std::string::npos && text.find("aggregate") != std::string::npos) {
    return KindGuess{OperatorKind::kMap,
                     fmt::format("its {} says 'local' aggregate: a pre-aggregation that flushes before every "
                                 "barrier and keeps no state",
                                 where)};
  }
  for (const Rule& rule : kRules) {
    if (text.find(rule.word) != std::string::npos) {
      return KindGuess{rule.kind, fmt::format("its {} says '{}': {}", where, rule.word, rule.why)};
    }
  }
  return std::nullopt;
}

}  // namespace

KindGuess GuessOperatorKind(std::string_view type, std::string_view contents) {
  if (auto guess = Match(Lowercase(type), "type")) return *guess;
  if (auto guess = Match(OperatorNames(contents), "contents")) return *guess;
  return {OperatorKind::kMap, "neither its type nor its contents name state"};
}

}  // namespace ckptsim::scenarios
