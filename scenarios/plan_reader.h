// Reading Flink's JSON execution plans into a PlanGraph: the operators and
// the edges between them, each with the JSON path it was read from, so that
// every later problem can point at the plan's own words.
//
// Two formats are read, told apart by the keys of the first node:
// - the StreamGraph plan that StreamExecutionEnvironment#getExecutionPlan()
//   and the SQL EXPLAIN of a JSON execution plan write: `nodes`, one per
//   operator, with `id`, `type`, `pact` (Data Source, Operator, Data Sink),
//   `contents`, `parallelism` and `predecessors` (`id`, `ship_strategy`);
// - the JobGraph plan of Flink's REST API (GET /jobs/:id/plan): `nodes`, one
//   per task, with `id`, `parallelism`, `description` (the task's chained
//   operators, HTML-escaped, in Flink's cascading or tree layout) and `inputs`
//   (`id`, `ship_strategy`). The REST answer's `{"plan": {...}}` wrapper is
//   accepted.
// Keys the reader does not use (`side`, `exchange`, `optimizer_properties`,
// ...) are ignored: Flink adds keys from version to version.
//
// The reader checks what the plan states: JSON syntax (with line and column),
// types, required keys, ids used twice or unknown, self loops and cycles, a
// FORWARD edge between different parallelisms, a source with inputs, an
// operator without inputs, a sink with outputs. It returns the first problem
// as a ScenarioError (line 0, or the JSON line for a syntax error) whose
// message starts with the JSON path: "nodes[3].predecessors[0].id: unknown
// node id 42".
//
// Thread-safety: stateless; may be called from several threads at once.
#ifndef CKPTSIM_SCENARIOS_PLAN_READER_H_
#define CKPTSIM_SCENARIOS_PLAN_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenarios/scenario_error.h"

namespace ckptsim::scenarios {

enum class PlanFormat : uint8_t {
  kStreamGraph,  // one node per operator; chaining is still to be decided
  kJobGraph,     // one node per task; the plan shows the chaining
};

enum class PlanRole : uint8_t { kSource, kOperator, kSink };

// Flink's StreamPartitioner names, as `ship_strategy` writes them.
enum class ShipStrategy : uint8_t { kForward, kHash, kRebalance, kRescale, kBroadcast, kGlobal, kShuffle, kCustom };

std::string_view Name(ShipStrategy strategy);  // "FORWARD", ...
// Case-insensitive, so DataSet-era plans' "Forward" reads too.
std::optional<ShipStrategy> ParseShipStrategy(std::string_view text);

struct PlanNode {
  // The plan's id: the node's (StreamGraph) or its task's (JobGraph).
  std::string id;
  std::string path;      // where it was read: "nodes[3]", or "nodes[3].description"
  std::string type;      // Flink's name of the operator
  std::string contents;  // Flink's description of it; may be empty
  PlanRole role = PlanRole::kOperator;
  int parallelism = 1;
  // Names of sink operators the reader folded into this sink, in chain order
  // (a Sink V2 sink's "Sink: Committer" after its "Sink: Writer").
  std::vector<std::string> folded_sinks;
};

struct PlanEdge {
  int from = 0;  // index into PlanGraph::nodes
  int to = 0;
  ShipStrategy strategy = ShipStrategy::kForward;
  std::string path;  // "nodes[3].predecessors[0]"
  // JobGraph plans: the link between two operators of one task.
  bool within_task = false;
};

struct PlanGraph {
  PlanFormat format = PlanFormat::kStreamGraph;
  int plan_nodes = 0;  // entries of `nodes` in the file
  // In the order the plan lists them; a JobGraph task's operators head first.
  std::vector<PlanNode> nodes;
  // By consumer in node order, then in input order.
  std::vector<PlanEdge> edges;
  // JobGraph plans: each task's node indices, head first. Empty for StreamGraph plans.
  std::vector<std::vector<int>> tasks;
  // Why the reader changed what the plan lists (sink operators folded), for comments.
  std::vector<std::string> notes;
};

// Parses `json`; `display_name` is the file name errors carry.
std::variant<PlanGraph, ScenarioError> ReadPlan(std::string_view json, const std::string& display_name);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_READER_H_
