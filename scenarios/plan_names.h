// Flink's operator names made into ckptsim's: a JobGraph task's description
// split into its chained operators, and a name sanitised to the scenario
// format's rules (letters, digits, '_', '-', '.'; unique), so pictures of an
// imported job show the names the user gave.
//
// Thread-safety: NameSet has none; the functions are stateless.
#ifndef CKPTSIM_SCENARIOS_PLAN_NAMES_H_
#define CKPTSIM_SCENARIOS_PLAN_NAMES_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ckptsim::scenarios {

// The operators of one JobGraph task, head first, from the HTML-escaped
// description the REST API writes: lines joined by "<br/>" in Flink's tree
// layout ("+- [2]:Map") or cascading layout ("Source -&gt; Map"); a fork
// chained into one task, "A -> (B, C)", is listed branch after branch.
std::vector<std::string> SplitChainDescription(std::string_view description);

// "&gt;" to ">", and the other entities Flink's escaping writes.
std::string UnescapeHtml(std::string_view text);

// A valid scenario name for an operator Flink calls `text`: its name without
// the arguments ("Window(TumblingEventTimeWindows(5000), ...)" -> "Window"),
// an index prefix moved to the end ("[3]:Calc(...)" -> "Calc_3"), every run
// of other characters one '_' ("Source: MyTable1[15]" -> "Source_MyTable1_15"),
// at most 48 characters; "operator" if nothing is left.
std::string SanitizeName(std::string_view text);

// `text` on one line, at most `max_chars` long, for a YAML comment.
std::string OneLine(std::string_view text, size_t max_chars = 100);

// Names handed out once each: a name already taken gets "-2", "-3", ...
class NameSet {
 public:
  std::string Claim(const std::string& wanted);

 private:
  std::set<std::string> taken_;
};

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_NAMES_H_
