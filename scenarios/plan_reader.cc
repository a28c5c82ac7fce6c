#include "scenarios/plan_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "scenarios/input_limits.h"
#include "scenarios/plan_json.h"
#include "scenarios/plan_names.h"
#include "scenarios/yaml_reader.h"

namespace ckptsim::scenarios {
namespace {

using Json = nlohmann::json;

struct StrategyName {
  ShipStrategy strategy;
  std::string_view name;
};
constexpr std::array<StrategyName, 8> kStrategyNames{{
    {ShipStrategy::kForward, "FORWARD"},
    {ShipStrategy::kHash, "HASH"},
    {ShipStrategy::kRebalance, "REBALANCE"},
    {ShipStrategy::kRescale, "RESCALE"},
    {ShipStrategy::kBroadcast, "BROADCAST"},
    {ShipStrategy::kGlobal, "GLOBAL"},
    {ShipStrategy::kShuffle, "SHUFFLE"},
    {ShipStrategy::kCustom, "CUSTOM"},
}};

constexpr std::array<std::string_view, 3> kPactNames{"Data Source", "Operator", "Data Sink"};

// The scenario format's maximum (scenarios/input_limits.h), so that an
// imported plan loads.
constexpr int64_t kMaxParallelism = kParallelismMax;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

std::string StrategyList() {
  std::string list;
  for (const StrategyName& entry : kStrategyNames) list += (list.empty() ? "" : ", ") + std::string(entry.name);
  return list;
}

// The edges and ids the two node readers share.
class GraphBuilder {
 public:
  explicit GraphBuilder(JsonReader* reader) : reader_(reader) {}

  // False after reporting an id used twice.
  bool AddId(const std::string& id, const std::string& path, int node) {
    auto [it, inserted] = ids_.emplace(id, std::make_pair(node, path));
    if (!inserted) {
      reader_->Fail(path + ".id", fmt::format("node id {} is used twice (first at {})", id, it->second.second));
    }
    return inserted;
  }

  std::optional<int> Resolve(const std::string& id, const std::string& path) {
    auto it = ids_.find(id);
    if (it != ids_.end()) return it->second.first;
    reader_->Fail(path, fmt::format("unknown node id {}", id));
    return std::nullopt;
  }

  std::optional<ShipStrategy> Strategy(const Json& input, const std::string& path) {
    const Json* value = reader_->Require(input, path, "ship_strategy");
    if (value == nullptr) return std::nullopt;
    std::optional<std::string> text = reader_->String(*value, path + ".ship_strategy");
    if (!text) return std::nullopt;
    if (auto parsed = ParseShipStrategy(*text)) return parsed;
    reader_->Fail(path + ".ship_strategy", fmt::format("unknown ship strategy '{}'; known: {}", *text, StrategyList()));
    return std::nullopt;
  }

 private:
  JsonReader* reader_;
  std::map<std::string, std::pair<int, std::string>> ids_;  // id -> (node, path)
};

// An input as written, resolved once every node's id is known.
struct PendingInput {
  std::string id;
  std::string path;
  int to = 0;
  ShipStrategy strategy = ShipStrategy::kForward;
};

void ResolveInputs(const std::vector<PendingInput>& pending, GraphBuilder& builder, JsonReader& reader,
                   PlanGraph* graph, const std::vector<int>& tail_of_node) {
  for (const PendingInput& input : pending) {
    if (!reader.ok()) return;
    std::optional<int> from = builder.Resolve(input.id, input.path + ".id");
    if (!from) return;
    graph->edges.push_back(
        {.from = tail_of_node[*from], .to = input.to, .strategy = input.strategy, .path = input.path});
  }
}

std::vector<PendingInput> ReadInputs(const Json& node, const std::string& path, std::string_view key, int to,
                                     JsonReader& reader, GraphBuilder& builder) {
  std::vector<PendingInput> inputs;
  const Json* list = reader.Find(node, key);
  if (list == nullptr) return inputs;
  const Json::array_t* items = reader.Array(*list, path + "." + std::string(key));
  for (size_t i = 0; items != nullptr && i < items->size() && reader.ok(); ++i) {
    const std::string item_path = fmt::format("{}.{}[{}]", path, key, i);
    const Json& item = (*items)[i];
    if (!reader.Object(item, item_path)) break;
    PendingInput input{.path = item_path, .to = to};
    const Json* id = reader.Require(item, item_path, "id");
    if (id == nullptr) break;
    std::optional<std::string> text = reader.Id(*id, item_path + ".id");
    std::optional<ShipStrategy> strategy = builder.Strategy(item, item_path);
    if (!text || !strategy) break;
    input.id = *text;
    input.strategy = *strategy;
    inputs.push_back(std::move(input));
  }
  return inputs;
}

int ReadParallelism(const Json& node, const std::string& path, JsonReader& reader) {
  const Json* value = reader.Require(node, path, "parallelism");
  if (value == nullptr) return 1;
  return static_cast<int>(reader.Int(*value, path + ".parallelism", 1, kMaxParallelism).value_or(1));
}

// One StreamGraph node per operator.
void ReadStreamGraphNodes(const Json::array_t& nodes, const std::string& base, JsonReader& reader, PlanGraph* graph) {
  GraphBuilder builder(&reader);
  std::vector<PendingInput> pending;
  for (size_t i = 0; i < nodes.size() && reader.ok(); ++i) {
    const std::string path = fmt::format("{}[{}]", base, i);
    const Json& json = nodes[i];
    if (!reader.Object(json, path)) return;
    PlanNode node{.path = path};
    const Json* id = reader.Require(json, path, "id");
    if (id == nullptr) return;
    node.id = reader.Id(*id, path + ".id").value_or("");
    if (const Json* type = reader.Require(json, path, "type"))
      node.type = reader.String(*type, path + ".type").value_or("");
    std::string pact;
    if (const Json* value = reader.Require(json, path, "pact"))
      pact = reader.String(*value, path + ".pact").value_or("");
    if (const Json* contents = reader.Find(json, "contents")) {
      node.contents = reader.String(*contents, path + ".contents").value_or("");
    }
    node.parallelism = ReadParallelism(json, path, reader);
    if (!reader.ok()) return;
    if (pact == "Data Source") {
      node.role = PlanRole::kSource;
    } else if (pact == "Operator") {
      node.role = PlanRole::kOperator;
    } else if (pact == "Data Sink") {
      node.role = PlanRole::kSink;
    } else {
      const std::string hint = pact == "IterativeDataStream" ? " (iterations are not modelled)" : "";
      reader.Fail(path + ".pact", fmt::format("unknown pact '{}'{}{}; known: {}", pact, hint,
                                              DidYouMean(pact, kPactNames), JoinNames(kPactNames)));
      return;
    }
    if (node.type.empty()) {
      reader.Fail(path + ".type", "is empty; it names the operator");
      return;
    }
    const int index = static_cast<int>(graph->nodes.size());
    if (!builder.AddId(node.id, path, index)) return;
    std::vector<PendingInput> inputs = ReadInputs(json, path, "predecessors", index, reader, builder);
    if (!reader.ok()) return;
    if (node.role == PlanRole::kSource && !inputs.empty()) {
      reader.Fail(path + ".predecessors",
                  fmt::format("a Data Source has no inputs, but this one lists {}", inputs.size()));
      return;
    }
    if (node.role != PlanRole::kSource && inputs.empty()) {
      reader.Fail(path, fmt::format("{} node {} has no predecessors; only a Data Source has no inputs", pact, node.id));
      return;
    }
    pending.insert(pending.end(), inputs.begin(), inputs.end());
    graph->nodes.push_back(std::move(node));
  }
  std::vector<int> identity(graph->nodes.size());
  for (size_t n = 0; n < identity.size(); ++n) identity[n] = static_cast<int>(n);
  ResolveInputs(pending, builder, reader, graph, identity);
}

// One JobGraph node per task; its operators come from the description.
void ReadJobGraphNodes(const Json::array_t& nodes, const std::string& base, JsonReader& reader, PlanGraph* graph) {
  GraphBuilder builder(&reader);
  std::vector<PendingInput> pending;
  std::vector<int> tail_of_node;  // a task's head node -> its tail node
  for (size_t i = 0; i < nodes.size() && reader.ok(); ++i) {
    const std::string path = fmt::format("{}[{}]", base, i);
    const Json& json = nodes[i];
    if (!reader.Object(json, path)) return;
    const Json* id_value = reader.Require(json, path, "id");
    if (id_value == nullptr) return;
    const std::string id = reader.Id(*id_value, path + ".id").value_or("");
    std::string description;
    if (const Json* value = reader.Require(json, path, "description")) {
      description = reader.String(*value, path + ".description").value_or("");
    }
    const int parallelism = ReadParallelism(json, path, reader);
    if (!reader.ok()) return;
    const std::vector<std::string> operators = SplitChainDescription(description);
    if (operators.empty()) {
      reader.Fail(path + ".description", "names no operator; a task's description lists its chained operators");
      return;
    }
    const int head = static_cast<int>(graph->nodes.size());
    if (!builder.AddId(id, path, head)) return;
    std::vector<PendingInput> inputs = ReadInputs(json, path, "inputs", head, reader, builder);
    if (!reader.ok()) return;
    std::vector<int> task;
    for (size_t o = 0; o < operators.size(); ++o) {
      const int index = static_cast<int>(graph->nodes.size());
      graph->nodes.push_back({.id = id,
                              .path = path + ".description",
                              .type = operators[o],
                              .role = (o == 0 && inputs.empty()) ? PlanRole::kSource : PlanRole::kOperator,
                              .parallelism = parallelism});
      if (o > 0) {
        graph->edges.push_back({.from = index - 1, .to = index, .path = path + ".description", .within_task = true});
      }
      task.push_back(index);
    }
    tail_of_node.resize(graph->nodes.size(), 0);
    tail_of_node[head] = task.back();
    graph->tasks.push_back(std::move(task));
    pending.insert(pending.end(), inputs.begin(), inputs.end());
  }
  ResolveInputs(pending, builder, reader, graph, tail_of_node);
  if (!reader.ok()) return;
  // A task nothing reads from ends the job: Flink's sink is its last operator.
  std::vector<bool> has_consumer(graph->nodes.size(), false);
  for (const PlanEdge& edge : graph->edges) has_consumer[edge.from] = true;
  for (const std::vector<int>& task : graph->tasks) {
    PlanNode& tail = graph->nodes[task.back()];
    if (!has_consumer[task.back()] && !(task.size() == 1 && tail.role == PlanRole::kSource)) {
      tail.role = PlanRole::kSink;
    }
  }
}

// Errors about edges point at the consumer's input, where the edge is written.
void CheckEdges(const PlanGraph& graph, JsonReader& reader) {
  for (const PlanEdge& edge : graph.edges) {
    const PlanNode& from = graph.nodes[edge.from];
    const PlanNode& to = graph.nodes[edge.to];
    if (edge.from == edge.to || (!edge.within_task && from.id == to.id)) {
      reader.Fail(edge.path + ".id", fmt::format("node {} is its own predecessor", to.id));
      return;
    }
    if (from.role == PlanRole::kSink) {
      reader.Fail(edge.path + ".id", fmt::format("node {} is a Data Sink, which has no outputs", from.id));
      return;
    }
    if (edge.strategy == ShipStrategy::kForward && from.parallelism != to.parallelism) {
      reader.Fail(edge.path + ".ship_strategy",
                  fmt::format("FORWARD joins equal parallelisms, but node {} has {} and node {} has {}", from.id,
                              from.parallelism, to.id, to.parallelism));
      return;
    }
  }
}

// Depth-first search from every node; an edge into a node on the stack closes a cycle.
void CheckAcyclic(const PlanGraph& graph, JsonReader& reader) {
  const int n = static_cast<int>(graph.nodes.size());
  std::vector<std::vector<int>> out(n);
  for (int e = 0; e < static_cast<int>(graph.edges.size()); ++e) out[graph.edges[e].from].push_back(e);
  enum class Mark : uint8_t { kNew, kOnStack, kDone };
  std::vector<Mark> mark(n, Mark::kNew);
  std::vector<int> stack;  // nodes of the current path
  struct Frame {
    int node;
    size_t next;
  };
  for (int start = 0; start < n; ++start) {
    if (mark[start] != Mark::kNew) continue;
    std::vector<Frame> frames{{start, 0}};
    mark[start] = Mark::kOnStack;
    stack.push_back(start);
    while (!frames.empty()) {
      Frame& frame = frames.back();
      if (frame.next == out[frame.node].size()) {
        mark[frame.node] = Mark::kDone;
        stack.pop_back();
        frames.pop_back();
        continue;
      }
      const PlanEdge& edge = graph.edges[out[frame.node][frame.next++]];
      if (mark[edge.to] == Mark::kOnStack) {
        // Operators of one JobGraph task share its id: name each task once.
        std::vector<std::string> ids;
        for (auto it = std::find(stack.begin(), stack.end(), edge.to); it != stack.end(); ++it) {
          if (ids.empty() || ids.back() != graph.nodes[*it].id) ids.push_back(graph.nodes[*it].id);
        }
        std::string cycle;
        for (const std::string& id : ids) cycle += (cycle.empty() ? "" : " -> ") + id;
        reader.Fail(edge.path + ".id", fmt::format("node {} closes a cycle: {} -> {}", graph.nodes[edge.from].id, cycle,
                                                   graph.nodes[edge.to].id));
        return;
      }
      if (mark[edge.to] == Mark::kNew) {
        mark[edge.to] = Mark::kOnStack;
        stack.push_back(edge.to);
        frames.push_back({edge.to, 0});
      }
    }
  }
}

// A Sink V2 sink is several operators ("Sink: Writer", "Sink: Committer"):
// one sink here, named after the first, the others listed in folded_sinks.
void FoldSinkOperators(PlanGraph* graph) {
  std::vector<bool> removed(graph->nodes.size(), false);
  for (int s = 0; s < static_cast<int>(graph->nodes.size()); ++s) {
    if (graph->nodes[s].role != PlanRole::kSink) continue;
    for (;;) {
      int input = -1;
      int inputs = 0;
      for (int e = 0; e < static_cast<int>(graph->edges.size()); ++e) {
        if (graph->edges[e].to == s) {
          input = e;
          ++inputs;
        }
      }
      if (inputs != 1) break;
      const PlanEdge edge = graph->edges[input];
      PlanNode& before = graph->nodes[edge.from];
      const auto outputs = std::count_if(graph->edges.begin(), graph->edges.end(),
                                         [&](const PlanEdge& other) { return other.from == edge.from; });
      // A JobGraph plan's tasks are as Flink chained them: fold only within one.
      const bool same_task = graph->format == PlanFormat::kStreamGraph || edge.within_task;
      if (before.role != PlanRole::kOperator || !StartsWithIgnoringCase(before.type, "sink") || outputs != 1 ||
          edge.strategy != ShipStrategy::kForward || !same_task) {
        break;
      }
      PlanNode& sink = graph->nodes[s];
      graph->notes.push_back(fmt::format("node {} \"{}\" and node {} \"{}\" are one sink here", before.id, before.type,
                                         sink.id, sink.type));
      sink.folded_sinks.insert(sink.folded_sinks.begin(), sink.type);
      sink.type = before.type;
      sink.id = before.id;
      sink.path = before.path;
      if (sink.contents.empty()) sink.contents = before.contents;
      removed[edge.from] = true;
      graph->edges.erase(graph->edges.begin() + input);
      for (PlanEdge& other : graph->edges) {
        if (other.to == edge.from) other.to = s;
      }
    }
  }
  // Renumber what is left.
  std::vector<int> index(graph->nodes.size(), -1);
  std::vector<PlanNode> kept;
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    if (removed[n]) continue;
    index[n] = static_cast<int>(kept.size());
    kept.push_back(std::move(graph->nodes[n]));
  }
  graph->nodes = std::move(kept);
  for (PlanEdge& edge : graph->edges) {
    edge.from = index[edge.from];
    edge.to = index[edge.to];
  }
  for (std::vector<int>& task : graph->tasks) {
    std::vector<int> renumbered;
    for (int node : task) {
      if (index[node] >= 0) renumbered.push_back(index[node]);
    }
    task = std::move(renumbered);
  }
}

}  // namespace

std::string_view Name(ShipStrategy strategy) {
  for (const StrategyName& entry : kStrategyNames) {
    if (entry.strategy == strategy) return entry.name;
  }
  return "?";
}

std::optional<ShipStrategy> ParseShipStrategy(std::string_view text) {
  for (const StrategyName& entry : kStrategyNames) {
    if (EqualsIgnoringCase(entry.name, text)) return entry.strategy;
  }
  return std::nullopt;
}

std::variant<PlanGraph, ScenarioError> ReadPlan(std::string_view json, const std::string& display_name) {
  JsonReader reader(display_name);
  std::optional<Json> parsed = reader.Parse(json);
  if (!parsed) return *reader.error();
  const Json* top = &*parsed;
  std::string base;
  if (top->is_object() && !top->contains("nodes") && top->contains("plan")) {
    top = &(*top)["plan"];  // the REST API's answer
    base = "plan";
  }
  if (!top->is_object()) {
    reader.Fail(
        base.empty() ? "the top level" : base,
        fmt::format("expected an object with a 'nodes' list (a Flink execution plan), got {}", DescribeJson(*top)));
    return *reader.error();
  }
  PlanGraph graph;
  const Json* nodes_value = reader.Require(*top, base, "nodes");
  const std::string nodes_path = base.empty() ? "nodes" : base + ".nodes";
  const Json::array_t* nodes = nodes_value ? reader.Array(*nodes_value, nodes_path) : nullptr;
  if (nodes == nullptr) return *reader.error();
  if (nodes->empty()) {
    reader.Fail(nodes_path, "is empty; a plan lists at least one node");
    return *reader.error();
  }
  graph.plan_nodes = static_cast<int>(nodes->size());
  const Json& first = nodes->front();
  if (!reader.Object(first, nodes_path + "[0]")) return *reader.error();
  if (first.contains("pact") || first.contains("predecessors") || first.contains("type")) {
    graph.format = PlanFormat::kStreamGraph;
    ReadStreamGraphNodes(*nodes, nodes_path, reader, &graph);
  } else if (first.contains("description") || first.contains("inputs")) {
    graph.format = PlanFormat::kJobGraph;
    ReadJobGraphNodes(*nodes, nodes_path, reader, &graph);
  } else {
    reader.Fail(nodes_path + "[0]",
                "is neither a StreamGraph node (with 'type' and 'pact', as getExecutionPlan() writes) nor a "
                "JobGraph node (with 'description', as the REST API's plan writes)");
  }
  if (reader.ok()) CheckEdges(graph, reader);
  if (reader.ok()) CheckAcyclic(graph, reader);
  if (!reader.ok()) return *reader.error();
  FoldSinkOperators(&graph);
  return graph;
}

}  // namespace ckptsim::scenarios
