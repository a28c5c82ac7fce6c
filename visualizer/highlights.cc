#include "visualizer/highlights.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <regex>

#include "properties/property.h"
#include "visualizer/json_fields.h"

namespace ckptsim::visualizer {
namespace {

using nlohmann::json;

// The footer's property codes in the catalog's order (P1..P8, L1..L3), then
// any code this version does not know, alphabetically.
std::vector<std::string> CodesInOrder(const json& properties) {
  std::vector<std::string> codes;
  for (const properties::PropertyInfo& info : properties::AllProperties()) {
    if (Field(properties, info.code) != nullptr) codes.emplace_back(info.code);
  }
  if (!properties.is_object()) return codes;
  for (const auto& [code, verdict] : properties.items()) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  return codes;
}

const json& PropertiesOf(const simulator::Trace& trace) {
  static const json kEmpty = json::object();
  const json* properties = Field(trace.footer, "properties");
  return properties != nullptr ? *properties : kEmpty;
}

// Digits as a number; nullopt if they overflow (a report is text: never throw on it).
std::optional<int64_t> Number(const std::string& digits) {
  int64_t value = 0;
  const auto [end, status] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (status != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

void CollectNames(const std::string& text, Highlights* highlights) {
  static const std::regex kRecord(R"(([^\s:,;()]+\[\d+\]#\d+))");
  static const std::regex kSubtask(R"(([^\s:,;()#]+\[\d+\])(?!#))");
  static const std::regex kTransaction(R"(transaction (\d+))");
  static const std::regex kCheckpoint(R"((?:checkpoint|savepoint) (\d+))");
  for (std::sregex_iterator it(text.begin(), text.end(), kRecord), end; it != end; ++it) {
    highlights->records.insert((*it)[1]);
  }
  for (std::sregex_iterator it(text.begin(), text.end(), kSubtask), end; it != end; ++it) {
    highlights->subtasks.insert((*it)[1]);
  }
  for (std::sregex_iterator it(text.begin(), text.end(), kTransaction), end; it != end; ++it) {
    if (auto n = Number((*it)[1])) highlights->transactions.insert(*n);
  }
  for (std::sregex_iterator it(text.begin(), text.end(), kCheckpoint), end; it != end; ++it) {
    if (auto n = Number((*it)[1])) highlights->checkpoints.insert(*n);
  }
}

bool StartsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

std::vector<Verdict> VerdictsOf(const simulator::Trace& trace) {
  const json& properties = PropertiesOf(trace);
  std::vector<Verdict> verdicts;
  for (const std::string& code : CodesInOrder(properties)) {
    const json& verdict = properties[code];
    verdicts.push_back(Verdict{code, StringField(verdict, "name"), StringField(verdict, "verdict") == "violated"});
  }
  return verdicts;
}

Highlights HighlightsOf(const simulator::Trace& trace) {
  const json& properties = PropertiesOf(trace);
  Highlights highlights;
  for (const std::string& code : CodesInOrder(properties)) {
    const json& verdict = properties[code];
    if (StringField(verdict, "verdict") != "violated") continue;
    ViolationReport report{.code = code,
                           .name = StringField(verdict, "name"),
                           .step = IntField(verdict, "step"),
                           .summary = StringField(verdict, "summary")};
    if (const json* details = Field(verdict, "details"); details != nullptr && details->is_array()) {
      for (const json& line : *details) {
        if (line.is_string()) report.details.push_back(line.get<std::string>());
      }
    }
    highlights.steps.insert(report.step);
    CollectNames(report.summary, &highlights);
    for (const std::string& line : report.details) CollectNames(line, &highlights);
    highlights.violations.push_back(std::move(report));
  }
  return highlights;
}

bool Highlights::Covers(const IndexedEvent& event) const {
  if (violations.empty()) return false;
  if (steps.count(event.step) != 0) return true;
  const json& line = *event.line;
  if (event.kind == "send" || event.kind == "receive" || event.kind == "channel-state-restored") {
    const json* message = Field(line, "message");
    return message != nullptr && records.count(StringField(*message, "record")) != 0;
  }
  if (StartsWith(event.kind, "transaction-")) return transactions.count(IntField(line, "transaction", -1)) != 0;
  if (event.kind == "checkpoint-triggered" || event.kind == "checkpoint-completed" ||
      event.kind == "checkpoint-aborted") {
    return checkpoints.count(IntField(line, "checkpoint")) != 0;
  }
  return false;
}

}  // namespace ckptsim::visualizer
