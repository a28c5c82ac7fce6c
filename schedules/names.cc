#include "schedules/names.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "scenarios/yaml_reader.h"

namespace ckptsim::schedules {
namespace {

std::vector<std::string_view> VertexNames(const model::JobGraph& graph) {
  std::vector<std::string_view> names;
  for (const model::VertexInfo& vertex : graph.vertices()) names.push_back(vertex.name);
  return names;
}

// Every value of an enum, in order: model::Name answers "?" past the last one.
template <typename Enum>
std::vector<std::string_view> EnumNames() {
  std::vector<std::string_view> names;
  for (int i = 0; i < 256 && model::Name(static_cast<Enum>(i)) != "?"; ++i) {
    names.push_back(model::Name(static_cast<Enum>(i)));
  }
  return names;
}

}  // namespace

std::optional<int> ResolveVertex(const model::JobGraph& graph, std::string_view name, std::string* error) {
  if (auto vertex = graph.FindVertex(name)) return *vertex;
  const std::vector<std::string_view> names = VertexNames(graph);
  *error = fmt::format("no vertex '{}'{}; vertices: {}", name, scenarios::DidYouMean(name, names),
                       scenarios::JoinNames(names));
  return std::nullopt;
}

std::optional<int32_t> ResolveSubtask(const model::JobGraph& graph, const Token& token, std::string* error) {
  auto vertex = ResolveVertex(graph, token.text, error);
  if (!vertex) return std::nullopt;
  const int parallelism = graph.vertices()[*vertex].parallelism;
  if (token.number >= parallelism) {
    *error = parallelism == 1
                 ? fmt::format("no subtask {}: vertex '{}' has parallelism 1, so only {}[0]", Spelling(token),
                               token.text, token.text)
                 : fmt::format("no subtask {}: vertex '{}' has parallelism {}: {}[0] to {}[{}]", Spelling(token),
                               token.text, parallelism, token.text, token.text, parallelism - 1);
    return std::nullopt;
  }
  return graph.SubtaskOf(*vertex, static_cast<int>(token.number));
}

std::optional<int32_t> ResolveChannel(const model::JobGraph& graph, int32_t producer, int32_t consumer,
                                      std::string* error) {
  std::vector<std::string> outputs;
  for (int c : graph.subtasks()[producer].output_channels) {
    if (graph.channels()[c].consumer == consumer) return c;
    outputs.push_back(graph.ChannelName(c));
  }
  *error = outputs.empty()
               ? fmt::format("no channel {}->{}: {} has no output channel", graph.SubtaskName(producer),
                             graph.SubtaskName(consumer), graph.SubtaskName(producer))
               : fmt::format("no channel {}->{}; the channels of {} are {}", graph.SubtaskName(producer),
                             graph.SubtaskName(consumer), graph.SubtaskName(producer), fmt::join(outputs, ", "));
  return std::nullopt;
}

std::optional<int32_t> ReadChannel(const model::JobGraph& graph, TokenReader& reader, std::string* error) {
  const Token producer_token = reader.Next();
  if (producer_token.kind != TokenKind::kSubtask) {
    *error = fmt::format("expected a channel Producer[i]->Consumer[j], got '{}'", Spelling(producer_token));
    return std::nullopt;
  }
  auto producer = ResolveSubtask(graph, producer_token, error);
  if (!producer) return std::nullopt;
  if (!reader.Accept("->")) {
    *error = fmt::format("expected '->' after {} (a channel is Producer[i]->Consumer[j]), got '{}'",
                         Spelling(producer_token), Spelling(reader.Peek()));
    return std::nullopt;
  }
  const Token consumer_token = reader.Next();
  if (consumer_token.kind != TokenKind::kSubtask) {
    *error = fmt::format("expected the consumer subtask after '->', got '{}'", Spelling(consumer_token));
    return std::nullopt;
  }
  auto consumer = ResolveSubtask(graph, consumer_token, error);
  if (!consumer) return std::nullopt;
  return ResolveChannel(graph, *producer, *consumer, error);
}

bool ReadSubtasks(const model::JobGraph& graph, TokenReader& reader, std::vector<int32_t>* out, std::string* error) {
  const Token token = reader.Next();
  if (token.kind == TokenKind::kSubtask) {
    auto subtask = ResolveSubtask(graph, token, error);
    if (!subtask) return false;
    out->push_back(*subtask);
    return true;
  }
  if (token.kind == TokenKind::kWord) {
    auto vertex = ResolveVertex(graph, token.text, error);
    if (!vertex) return false;
    const model::VertexInfo& info = graph.vertices()[*vertex];
    for (int i = 0; i < info.parallelism; ++i) out->push_back(info.first_subtask + i);
    return true;
  }
  *error = fmt::format("expected a subtask (Vertex[i]) or a vertex name, got '{}'", Spelling(token));
  return false;
}

std::optional<std::vector<int32_t>> ReadSubtaskList(const model::JobGraph& graph, TokenReader& reader,
                                                    std::string* error) {
  if (!reader.Accept("[")) {
    *error = fmt::format("expected a list '[...]' of subtasks, got '{}'", Spelling(reader.Peek()));
    return std::nullopt;
  }
  std::vector<int32_t> subtasks;
  if (!reader.Accept("]")) {
    do {
      if (!ReadSubtasks(graph, reader, &subtasks, error)) return std::nullopt;
    } while (reader.Accept(","));
    if (!reader.Accept("]")) {
      *error = fmt::format("expected ',' or ']' in the list, got '{}'", Spelling(reader.Peek()));
      return std::nullopt;
    }
  }
  std::sort(subtasks.begin(), subtasks.end());
  subtasks.erase(std::unique(subtasks.begin(), subtasks.end()), subtasks.end());
  return subtasks;
}

std::optional<int> FindOperator(const model::JobGraph& graph, int vertex, std::string_view name) {
  const auto& operators = graph.vertices()[vertex].operators;
  for (size_t i = 0; i < operators.size(); ++i) {
    if (operators[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<size_t> ResolveWord(const Token& token, std::string_view what, const std::vector<std::string_view>& names,
                                  std::string* error) {
  if (token.kind == TokenKind::kWord) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == token.text) return i;
    }
  }
  const std::string spelled = Spelling(token);
  *error = fmt::format("unknown {} '{}'{}; allowed: {}", what, spelled, scenarios::DidYouMean(spelled, names),
                       scenarios::JoinNames(names));
  return std::nullopt;
}

const std::vector<std::string_view>& PhaseNames() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names = EnumNames<model::SubtaskPhase>();
    names.push_back("FINISHED_ON_RESTORE");
    return names;
  }();
  return kNames;
}

const std::vector<std::string_view>& ExecutionStateNames() {
  static const std::vector<std::string_view> kNames = EnumNames<model::ExecutionState>();
  return kNames;
}

const std::vector<std::string_view>& RpcKindNames() {
  static const std::vector<std::string_view> kNames = EnumNames<model::RpcKind>();
  return kNames;
}

const std::vector<std::string_view>& AbortReasonNames() {
  static const std::vector<std::string_view> kNames = EnumNames<model::AbortReason>();
  return kNames;
}

const std::vector<std::string_view>& OperatorCallNames() {
  // Flink's method names; processWatermark is only ever called with MAX_WATERMARK.
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names = EnumNames<model::OperatorCall>();
    for (std::string_view& name : names) name = name.substr(0, name.find('('));
    return names;
  }();
  return kNames;
}

std::string SubtaskList(const model::JobGraph& graph, const std::vector<int32_t>& subtasks) {
  if (subtasks.empty()) return "none";
  std::vector<std::string> names;
  for (int32_t s : subtasks) names.push_back(graph.SubtaskName(s));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace ckptsim::schedules
