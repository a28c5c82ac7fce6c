// The restore topology check (docs/protocol.md section 7):
// which per-operator finished statuses a savepoint may be restored with into
// a possibly changed job graph. Each refusal test breaks exactly one rule.
#include "model/restore_check.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ckptsim::testing {
namespace {

using model::OperatorFinishedStatus;
using model::Partitioning;
using model::VertexFinishedStatus;

constexpr VertexFinishedStatus kRunning = VertexFinishedStatus::kRunning;
constexpr VertexFinishedStatus kPartly = VertexFinishedStatus::kPartlyFinished;
constexpr VertexFinishedStatus kFully = VertexFinishedStatus::kFullyFinished;

// Builds a compiled job graph of parallelism-2 vertices; a source's chain is
// a bounded source head followed by maps, any other vertex's chain is maps.
class GraphBuilder {
 public:
  GraphBuilder& Source(const std::string& name, const std::vector<std::string>& operators) {
    return Add(name, operators, model::OperatorKind::kBoundedSource);
  }
  GraphBuilder& Task(const std::string& name, const std::vector<std::string>& operators) {
    return Add(name, operators, model::OperatorKind::kMap);
  }
  GraphBuilder& Edge(const std::string& from, const std::string& to, Partitioning partitioning) {
    spec_.edges.push_back({.from = Index(from), .to = Index(to), .partitioning = partitioning});
    return *this;
  }
  model::JobGraph Build() const {
    model::GraphError error;
    auto graph = model::JobGraph::Compile(spec_, &error);
    EXPECT_TRUE(graph.has_value()) << error.message;
    return graph.value();
  }

 private:
  GraphBuilder& Add(const std::string& name, const std::vector<std::string>& operators, model::OperatorKind head) {
    model::VertexSpec vertex{.name = name, .parallelism = 2};
    for (const std::string& op : operators) {
      vertex.operators.push_back({.name = op, .kind = vertex.operators.empty() ? head : model::OperatorKind::kMap});
    }
    if (head == model::OperatorKind::kBoundedSource) vertex.records_per_subtask = {3, 3};
    spec_.vertices.push_back(vertex);
    return *this;
  }
  int Index(const std::string& name) const {
    for (size_t v = 0; v < spec_.vertices.size(); ++v) {
      if (spec_.vertices[v].name == name) return static_cast<int>(v);
    }
    ADD_FAILURE() << "no vertex " << name;
    return 0;
  }

  model::JobGraphSpec spec_;
};

// A -> B over one edge of `partitioning`.
model::JobGraph Pair(Partitioning partitioning) {
  return GraphBuilder().Source("A", {"a"}).Task("B", {"b"}).Edge("A", "B", partitioning).Build();
}

std::optional<std::string> Check(const model::JobGraph& graph, const std::vector<OperatorFinishedStatus>& statuses) {
  return model::CheckFinishedStateTopology(graph, statuses);
}

// Expects a refusal whose message contains every fragment.
void ExpectRefused(const std::optional<std::string>& refusal, const std::vector<std::string>& fragments) {
  ASSERT_TRUE(refusal.has_value()) << "the restore was accepted";
  for (const std::string& fragment : fragments) {
    EXPECT_NE(refusal->find(fragment), std::string::npos) << "'" << fragment << "' is not in: " << *refusal;
  }
  EXPECT_EQ(refusal->find('\n'), std::string::npos) << *refusal;
}

// --- Legal restores -------------------------------------------------------

TEST(RestoreCheckLegal, EverythingRunning) {
  const auto graph = GraphBuilder()
                         .Source("A", {"a1", "a2"})
                         .Task("B", {"b"})
                         .Task("C", {"c"})
                         .Edge("A", "B", Partitioning::kHash)
                         .Edge("B", "C", Partitioning::kForward)
                         .Build();
  EXPECT_EQ(Check(graph, {{"a1", kRunning}, {"a2", kRunning}, {"b", kRunning}, {"c", kRunning}}), std::nullopt);
  EXPECT_EQ(Check(graph, {}), std::nullopt);
}

// Rule 2 satisfied: fully finished vertices whose predecessors are all fully
// finished, over edges of both kinds; a running vertex may follow them.
TEST(RestoreCheckLegal, FullyFinishedChain) {
  const auto graph = GraphBuilder()
                         .Source("A", {"a1", "a2"})
                         .Task("B", {"b"})
                         .Task("C", {"c1", "c2"})
                         .Task("D", {"d"})
                         .Edge("A", "B", Partitioning::kForward)
                         .Edge("B", "C", Partitioning::kHash)
                         .Edge("C", "D", Partitioning::kRebalance)
                         .Build();
  EXPECT_EQ(Check(graph, {{"a1", kFully}, {"a2", kFully}, {"b", kFully}, {"c1", kFully}, {"c2", kFully},
                          {"d", kRunning}}),
            std::nullopt);
}

// Rule 3, ALL_TO_ALL half satisfied.
TEST(RestoreCheckLegal, PartlyFinishedAfterFullyFinishedHashPredecessor) {
  EXPECT_EQ(Check(Pair(Partitioning::kHash), {{"a", kFully}, {"b", kPartly}}), std::nullopt);
  EXPECT_EQ(Check(Pair(Partitioning::kBroadcast), {{"a", kFully}, {"b", kPartly}}), std::nullopt);
}

// Rule 3, POINTWISE half: a partly finished predecessor is enough.
TEST(RestoreCheckLegal, PartlyFinishedAfterPartlyFinishedForwardPredecessor) {
  EXPECT_EQ(Check(Pair(Partitioning::kForward), {{"a", kPartly}, {"b", kPartly}}), std::nullopt);
  EXPECT_EQ(Check(Pair(Partitioning::kRescale), {{"a", kPartly}, {"b", kPartly}}), std::nullopt);
  EXPECT_EQ(Check(Pair(Partitioning::kForward), {{"a", kFully}, {"b", kPartly}}), std::nullopt);
}

// Dropped operators are not this check's business.
TEST(RestoreCheckLegal, OperatorsMissingFromTheNewGraphAreIgnored) {
  EXPECT_EQ(Check(Pair(Partitioning::kHash), {{"a", kFully}, {"b", kFully}, {"gone", kRunning}}), std::nullopt);
}

// --- Refused restores -----------------------------------------------------

// Rule 1. A lone source, so no other rule can refuse it.
TEST(RestoreCheckRefused, MixedStatusesInAChain) {
  const auto graph = GraphBuilder().Source("A", {"a1", "a2"}).Build();
  ExpectRefused(Check(graph, {{"a1", kFully}, {"a2", kRunning}}),
                {"'A'", "a1: fully finished", "a2: all running", "must share one finished status"});
  ExpectRefused(Check(graph, {{"a1", kPartly}, {"a2", kFully}}), {"'A'", "must share one finished status"});
}

// Rule 1 with a new operator chained onto a finished one: the new one is running.
TEST(RestoreCheckRefused, NewOperatorChainedToAFinishedOne) {
  const auto graph = GraphBuilder().Source("A", {"a", "added"}).Build();
  ExpectRefused(Check(graph, {{"a", kFully}}), {"'A'", "added: all running", "must share one finished status"});
}

// Rule 2.
TEST(RestoreCheckRefused, FullyFinishedAfterPartlyFinished) {
  ExpectRefused(Check(Pair(Partitioning::kForward), {{"a", kPartly}, {"b", kFully}}),
                {"vertex 'B'", "predecessor 'A' is partly finished",
                 "a fully finished vertex needs every predecessor fully finished"});
  ExpectRefused(Check(Pair(Partitioning::kHash), {{"a", kRunning}, {"b", kFully}}),
                {"vertex 'B'", "predecessor 'A' is all running", "needs every predecessor fully finished"});
}

// Rule 3, ALL_TO_ALL half.
TEST(RestoreCheckRefused, PartlyAfterPartlyOverHash) {
  ExpectRefused(Check(Pair(Partitioning::kHash), {{"a", kPartly}, {"b", kPartly}}),
                {"vertex 'B'", "predecessor 'A'", "all-to-all", "is partly finished",
                 "needs every all-to-all predecessor fully finished"});
  ExpectRefused(Check(Pair(Partitioning::kRebalance), {{"a", kRunning}, {"b", kPartly}}),
                {"vertex 'B'", "predecessor 'A'", "is all running", "all-to-all predecessor fully finished"});
}

// Rule 3, POINTWISE half.
TEST(RestoreCheckRefused, PartlyAfterAllRunningOverForward) {
  ExpectRefused(Check(Pair(Partitioning::kForward), {{"a", kRunning}, {"b", kPartly}}),
                {"vertex 'B'", "predecessor 'A'", "pointwise", "is all running",
                 "needs every pointwise predecessor partly or fully finished"});
  ExpectRefused(Check(Pair(Partitioning::kRescale), {{"a", kRunning}, {"b", kPartly}}),
                {"vertex 'B'", "predecessor 'A'", "pointwise"});
}

// Rule 3, a predecessor connected by edges of both kinds counts as ALL_TO_ALL
// whatever the edge order. JobGraph::Compile refuses two edges between one
// pair of vertices, so the topology is built by hand.
TEST(RestoreCheckRefused, PredecessorOverEdgesOfBothKindsCountsAsAllToAll) {
  std::vector<model::VertexInfo> vertices(2);
  vertices[0].name = "A";
  vertices[0].operators = {{.name = "a", .kind = model::OperatorKind::kBoundedSource}};
  vertices[1].name = "B";
  vertices[1].operators = {{.name = "b"}};
  const std::vector<int> order = {0, 1};
  const std::vector<model::EdgeSpec> forward_first = {{.from = 0, .to = 1, .partitioning = Partitioning::kForward},
                                                      {.from = 0, .to = 1, .partitioning = Partitioning::kHash}};
  const std::vector<model::EdgeSpec> hash_first = {forward_first[1], forward_first[0]};
  for (const auto* edges : {&forward_first, &hash_first}) {
    const model::RestoreTopology topology{.vertices = vertices, .edges = *edges, .topological_order = order};
    SCOPED_TRACE(edges == &forward_first ? "forward edge first" : "hash edge first");
    // Legal over the forward edge alone, refused over the hash edge.
    ExpectRefused(model::CheckFinishedStateTopology(topology, {{"a", kPartly}, {"b", kPartly}}),
                  {"vertex 'B'", "predecessor 'A'", "all-to-all", "needs every all-to-all predecessor fully finished"});
    // Both halves of rule 3 refuse an all-running predecessor; the all-to-all one is reported.
    ExpectRefused(model::CheckFinishedStateTopology(topology, {{"a", kRunning}, {"b", kPartly}}),
                  {"all-to-all predecessor fully finished"});
    EXPECT_EQ(model::CheckFinishedStateTopology(topology, {{"a", kFully}, {"b", kPartly}}), std::nullopt);
  }
}

// A new upstream vertex is all running: it may not feed a partly finished one.
TEST(RestoreCheckRefused, NewOperatorsAbsentFromTheSavepointCountAsRunning) {
  ExpectRefused(Check(Pair(Partitioning::kForward), {{"b", kPartly}}),
                {"vertex 'B'", "predecessor 'A'", "is all running"});
  ExpectRefused(Check(Pair(Partitioning::kHash), {{"b", kFully}}), {"vertex 'B'", "predecessor 'A' is all running"});
  // A new downstream vertex is all running too, which nothing forbids.
  EXPECT_EQ(Check(Pair(Partitioning::kHash), {{"a", kFully}}), std::nullopt);
}

// The first violation in topological order is reported, not the first in
// vertex index order: C (index 0) and B both break a rule, B is upstream.
TEST(RestoreCheckRefused, FirstViolationInTopologicalOrder) {
  const auto graph = GraphBuilder()
                         .Task("C", {"c"})
                         .Source("A", {"a"})
                         .Task("B", {"b"})
                         .Edge("A", "B", Partitioning::kForward)
                         .Edge("B", "C", Partitioning::kForward)
                         .Build();
  const std::vector<OperatorFinishedStatus> statuses = {{"a", kRunning}, {"b", kPartly}, {"c", kFully}};
  ExpectRefused(Check(graph, statuses), {"vertex 'B'", "predecessor 'A'", "is all running"});
}

// Our operator names are not checked for uniqueness; a savepoint that gives
// one name two statuses cannot say which one applies.
TEST(RestoreCheckRefused, OperatorNameWithTwoStatuses) {
  const auto graph = GraphBuilder().Source("A", {"a"}).Build();
  ExpectRefused(Check(graph, {{"a", kFully}, {"a", kRunning}}),
                {"vertex 'A'", "operator 'a'", "two finished statuses", "fully finished and all running"});
  EXPECT_EQ(Check(graph, {{"a", kFully}, {"a", kFully}}), std::nullopt);
}

// --- Statuses from a completed checkpoint ---------------------------------

model::JobGraph ThreeVertices() {
  return GraphBuilder()
      .Source("A", {"a1", "a2"})
      .Task("B", {"b"})
      .Task("C", {"c1", "c2", "c3"})
      .Edge("A", "B", Partitioning::kHash)
      .Edge("B", "C", Partitioning::kForward)
      .Build();
}

// "name: status, ..." so a mismatch prints readably.
std::string Render(const std::vector<OperatorFinishedStatus>& statuses) {
  std::string out;
  for (const OperatorFinishedStatus& entry : statuses) {
    if (!out.empty()) out += ", ";
    out += entry.operator_name + ": " + std::to_string(static_cast<int>(entry.status));
  }
  return out;
}

TEST(RestoreCheckOperatorStatuses, EveryOperatorGetsItsVertexStatus) {
  const auto graph = ThreeVertices();
  model::CompletedCheckpoint checkpoint{.id = 7, .kind = model::CheckpointKind::kSyncSavepoint,
                                        .vertex_status = {kFully, kPartly, kRunning}};
  const std::vector<OperatorFinishedStatus> expected = {{"a1", kFully},  {"a2", kFully},  {"b", kPartly},
                                                        {"c1", kRunning}, {"c2", kRunning}, {"c3", kRunning}};
  EXPECT_EQ(Render(model::OperatorStatuses(graph, checkpoint)), Render(expected));
  EXPECT_EQ(Check(graph, model::OperatorStatuses(graph, checkpoint)), std::nullopt);
}

// A savepoint restored into a changed graph: a new vertex N inserted in front
// of the partly finished B is all running, which B's pointwise input forbids;
// appending a new vertex behind C is fine.
TEST(RestoreCheckOperatorStatuses, InsertingAVertexInFrontOfAPartlyFinishedOneIsRefused) {
  const model::CompletedCheckpoint checkpoint{.vertex_status = {kFully, kPartly, kRunning}};
  const auto statuses = model::OperatorStatuses(ThreeVertices(), checkpoint);
  const auto inserted = GraphBuilder()
                            .Source("A", {"a1", "a2"})
                            .Task("N", {"n"})
                            .Task("B", {"b"})
                            .Task("C", {"c1", "c2", "c3"})
                            .Edge("A", "N", Partitioning::kHash)
                            .Edge("N", "B", Partitioning::kForward)
                            .Edge("B", "C", Partitioning::kForward)
                            .Build();
  ExpectRefused(Check(inserted, statuses), {"vertex 'B'", "predecessor 'N'", "is all running"});
  const auto appended = GraphBuilder()
                            .Source("A", {"a1", "a2"})
                            .Task("B", {"b"})
                            .Task("C", {"c1", "c2", "c3"})
                            .Task("D", {"d"})
                            .Edge("A", "B", Partitioning::kHash)
                            .Edge("B", "C", Partitioning::kForward)
                            .Edge("C", "D", Partitioning::kHash)
                            .Build();
  EXPECT_EQ(Check(appended, statuses), std::nullopt);
}

// Regrouping the chain so that a finished and a running operator share a vertex is refused.
TEST(RestoreCheckOperatorStatuses, ChainingAFinishedOperatorWithARunningOneIsRefused) {
  const model::CompletedCheckpoint checkpoint{.vertex_status = {kFully, kFully, kRunning}};
  const auto statuses = model::OperatorStatuses(ThreeVertices(), checkpoint);
  const auto rechained = GraphBuilder()
                             .Source("A", {"a1", "a2"})
                             .Task("BC", {"b", "c1", "c2", "c3"})
                             .Edge("A", "BC", Partitioning::kHash)
                             .Build();
  ExpectRefused(Check(rechained, statuses), {"vertex 'BC'", "b: fully finished", "c1: all running"});
}

// --- State without an operator to go to (Checkpoints.loadAndValidateCheckpoint) ---

// Issue 12: restore-check said "legal" for fig6 into wide, whose operators
// are all new. A dropped source's state (its offsets) must go somewhere; a
// dropped map keeps none; a fully finished vertex left none.
TEST(RestoreCheckNonRestoredState, StateOfADroppedOperatorIsRefusedUnlessAllowed) {
  const auto old_graph = GraphBuilder().Source("A", {"a", "a-map"}).Task("B", {"b"}).Edge("A", "B",
                                                                                             Partitioning::kHash).Build();
  const auto new_graph = GraphBuilder().Source("X", {"x"}).Task("B", {"b"}).Edge("X", "B", Partitioning::kHash).Build();
  model::CompletedCheckpoint checkpoint{.id = 3, .kind = model::CheckpointKind::kCheckpoint,
                                        .vertex_status = {kPartly, kRunning}};
  ASSERT_EQ(model::NonRestoredStateOperators(old_graph, checkpoint, new_graph).size(), 1u);
  EXPECT_EQ(model::NonRestoredStateOperators(old_graph, checkpoint, new_graph).front().name, "a");
  ExpectRefused(model::CheckNonRestoredState(old_graph, checkpoint, new_graph, false),
                {"cannot restore checkpoint 3", "operator 'a' (bounded_source)", "not in the new job",
                 "--allow-non-restored-state", "allow_non_restored_state", "--allowNonRestoredState"});
  EXPECT_EQ(model::CheckNonRestoredState(old_graph, checkpoint, new_graph, true), std::nullopt);
  checkpoint.vertex_status[0] = kFully;
  EXPECT_TRUE(model::NonRestoredStateOperators(old_graph, checkpoint, new_graph).empty());
  EXPECT_EQ(model::CheckNonRestoredState(old_graph, checkpoint, new_graph, false), std::nullopt);
  // The same job: every state has its operator.
  checkpoint.vertex_status[0] = kRunning;
  EXPECT_EQ(model::CheckNonRestoredState(old_graph, checkpoint, old_graph, false), std::nullopt);
}

}  // namespace
}  // namespace ckptsim::testing
