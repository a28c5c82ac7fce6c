// Restoring a stop's savepoint into a changed job (docs/protocol.md section 7,
// "Rescaling and changed jobs"): which changes a savepoint survives, how each
// kind of state is redistributed at the new parallelism, and the resume into
// the new version end to end (topology check refusal, P1/P2/P7 across it).
#include "model/graph_change.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "model/event.h"
#include "model/restore_check.h"
#include "model/system.h"
#include "properties/property.h"
#include "scenarios/loader.h"
#include "simulator/config_json.h"
#include "simulator/runner.h"
#include "simulator/trace.h"

namespace ckptsim::testing {
namespace {

using model::CompletedCheckpoint;
using model::OperatorState;
using model::RecordId;
using model::SubtaskSnapshot;

simulator::RunConfig LoadOrDie(const std::string& yaml) {
  auto loaded = scenarios::LoadScenarioText(yaml, "test.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    return {};
  }
  return std::get<simulator::RunConfig>(loaded);
}

std::string LoadError(const std::string& yaml) {
  auto loaded = scenarios::LoadScenarioText(yaml, "test.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) return error->ToString();
  return "";
}

// A job graph from the `vertices:`/`edges:` part of a scenario.
std::shared_ptr<const model::JobGraph> GraphOf(const std::string& graph_yaml) {
  return LoadOrDie("name: g\nexpect: {terminates: false}\n" + graph_yaml).graph;
}

model::GraphChange Match(std::shared_ptr<const model::JobGraph> from, std::shared_ptr<const model::JobGraph> to) {
  model::GraphChange change;
  const auto refusal = model::MatchJobGraphs(from, to, &change);
  EXPECT_FALSE(refusal.has_value()) << *refusal;
  return change;
}

std::string Refusal(const std::string& from, const std::string& to) {
  model::GraphChange change;
  return model::MatchJobGraphs(GraphOf(from), GraphOf(to), &change).value_or("");
}

RecordId Record(int vertex, uint16_t subtask, uint32_t sequence) {
  return RecordId{.lineage = 1, .sequence = sequence, .source_vertex = static_cast<uint16_t>(vertex),
                  .source_subtask = subtask};
}

const char* kOld = R"(
vertices:
  - {name: S, parallelism: 2, records: 10, operators: [{name: s, kind: bounded_source}, {name: s-map, kind: map}]}
  - {name: K, parallelism: 2, operators: [{name: k-agg, kind: keyed_aggregate}, {name: k-buf, kind: buffering}]}
  - {name: W, parallelism: 2, operators: [{name: w-win, kind: event_time_window}, {name: w-union, kind: union_state},
                                          {name: w-bcast, kind: broadcast_state}]}
  - {name: T, parallelism: 3, operators: [{name: t-sink, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: hash}
  - {from: K, to: W, partitioning: hash}
  - {from: W, to: T, partitioning: rebalance}
)";

// K and W rescaled 2 -> 3, T 3 -> 2, a map added in front of the sink, s-map dropped.
const char* kNew = R"(
vertices:
  - {name: S, parallelism: 2, records: 10, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 3, operators: [{name: k-agg, kind: keyed_aggregate}, {name: k-buf, kind: buffering}]}
  - {name: W, parallelism: 3, operators: [{name: w-win, kind: event_time_window}, {name: w-union, kind: union_state},
                                          {name: w-bcast, kind: broadcast_state}]}
  - {name: T, parallelism: 2, operators: [{name: t-new, kind: map}, {name: t-sink, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: K, partitioning: hash}
  - {from: K, to: W, partitioning: hash}
  - {from: W, to: T, partitioning: rebalance}
)";

// A savepoint of kOld with known contents: every vertex running, W[1] finished.
CompletedCheckpoint OldSavepoint(const model::JobGraph& graph) {
  CompletedCheckpoint savepoint;
  savepoint.id = 7;
  savepoint.kind = model::CheckpointKind::kSyncSavepoint;
  savepoint.mode = model::StopMode::kNoDrain;
  savepoint.vertex_status.assign(graph.vertices().size(), model::VertexFinishedStatus::kRunning);
  savepoint.vertex_status[2] = model::VertexFinishedStatus::kPartlyFinished;
  savepoint.subtask_finished.assign(graph.subtask_count(), false);
  savepoint.snapshots.resize(graph.subtask_count());
  for (int s = 0; s < graph.subtask_count(); ++s) {
    const model::SubtaskInfo& info = graph.subtasks()[s];
    const model::VertexInfo& vertex = graph.vertices()[info.vertex];
    auto snapshot = std::make_shared<SubtaskSnapshot>();
    snapshot->subtask = s;
    snapshot->checkpoint_id = 7;
    snapshot->operators.resize(vertex.operators.size());
    if (vertex.is_source) snapshot->source_next_sequence = 4 + static_cast<uint32_t>(info.index);
    for (size_t o = 0; o < vertex.operators.size(); ++o) {
      OperatorState& op = snapshot->operators[o];
      switch (vertex.operators[o].kind) {
        case model::OperatorKind::kKeyedAggregate:
          op.key_counts.assign(model::kKeyCount, 0);
          for (int key = 0; key < model::kKeyCount; ++key) {
            if (key % 2 == info.index) op.key_counts[key] = 10 + key;
          }
          break;
        case model::OperatorKind::kBuffering:
          for (uint32_t i = 0; i < 3; ++i) op.buffer.push_back(Record(0, static_cast<uint16_t>(info.index), i));
          break;
        case model::OperatorKind::kEventTimeWindow:
          for (uint32_t i = 0; i < 6; ++i) op.buffer.push_back(Record(0, static_cast<uint16_t>(info.index), 100 + i));
          break;
        case model::OperatorKind::kUnionState:
        case model::OperatorKind::kBroadcastState:
          op.value = 100 + info.index;
          break;
        case model::OperatorKind::kTwoPhaseCommitSink:
          op.pending_transactions = {{7, 10 + info.index}};
          op.current_transaction = 20 + info.index;
          break;
        default:
          break;
      }
    }
    savepoint.snapshots[s] = std::move(snapshot);
  }
  savepoint.subtask_finished[graph.SubtaskOf(2, 1)] = true;  // W[1]: finished, reports nothing
  savepoint.snapshots[graph.SubtaskOf(2, 1)] = nullptr;
  return savepoint;
}

const OperatorState& Op(const CompletedCheckpoint& checkpoint, const model::JobGraph& graph, int vertex, int index,
                        size_t op) {
  const auto& snapshot = checkpoint.snapshots[graph.SubtaskOf(vertex, index)];
  EXPECT_NE(snapshot, nullptr);
  return snapshot->operators[op];
}

class Redistribution : public ::testing::Test {
 protected:
  void SetUp() override {
    from_ = GraphOf(kOld);
    to_ = GraphOf(kNew);
    change_ = Match(from_, to_);
    savepoint_ = OldSavepoint(*from_);
    out_ = model::RedistributeSavepoint(change_, savepoint_);
  }
  std::shared_ptr<const model::JobGraph> from_;
  std::shared_ptr<const model::JobGraph> to_;
  model::GraphChange change_;
  CompletedCheckpoint savepoint_;
  CompletedCheckpoint out_;
};

TEST_F(Redistribution, KeyedStateFollowsItsKeyAndNothingIsCountedTwice) {
  std::vector<int64_t> total(model::kKeyCount, 0);
  for (int j = 0; j < 3; ++j) {
    const OperatorState& op = Op(out_, *to_, 1, j, 0);
    ASSERT_EQ(op.key_counts.size(), static_cast<size_t>(model::kKeyCount));
    for (int key = 0; key < model::kKeyCount; ++key) {
      if (key % 3 != j) {
        EXPECT_EQ(op.key_counts[key], 0) << "key " << key << " on K[" << j << "]";
      }
      total[key] += op.key_counts[key];
    }
  }
  for (int key = 0; key < model::kKeyCount; ++key) EXPECT_EQ(total[key], 10 + key);
}

TEST_F(Redistribution, ListStateIsSpreadRoundRobinWithEveryElementOnce) {
  std::vector<RecordId> all;
  for (int j = 0; j < 3; ++j) {
    const auto& buffer = Op(out_, *to_, 1, j, 1).buffer;
    EXPECT_EQ(buffer.size(), 2u) << "6 elements over 3 subtasks";
    all.insert(all.end(), buffer.begin(), buffer.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
  EXPECT_EQ(all.size(), 6u);
}

TEST_F(Redistribution, WindowContentsGoToTheirKeysSubtask) {
  size_t restored = 0;
  for (int j = 0; j < 3; ++j) {
    for (const RecordId& record : Op(out_, *to_, 2, j, 0).buffer) {
      EXPECT_EQ(model::KeyOf(record) % 3, j);
      ++restored;
    }
  }
  EXPECT_EQ(restored, 6u) << "W[1] finished: only W[0]'s six windows records exist";
}

TEST_F(Redistribution, UnionStateGoesWholeToEverySubtask) {
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(Op(out_, *to_, 2, j, 1).union_entries, (std::vector<int64_t>{100})) << "W[1] reported nothing";
  }
}

TEST_F(Redistribution, BroadcastStateComesFromTheIthModKReporter) {
  for (int j = 0; j < 3; ++j) EXPECT_EQ(Op(out_, *to_, 2, j, 2).value, 100) << "the one reporter is W[0]";
}

TEST_F(Redistribution, SinkTransactionListsGoInContiguousChunksWithTheirOwners) {
  // T: 3 -> 2. Flink cuts the three per-subtask entries into chunks {0, 1} and
  // {2}; the transactions' owners move the same way. The sink is op 1 now.
  using Pending = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(Op(out_, *to_, 3, 0, 1).pending_transactions, (Pending{{7, 10}, {7, 11}}));
  EXPECT_EQ(Op(out_, *to_, 3, 1, 1).pending_transactions, (Pending{{7, 12}}));
  EXPECT_EQ(model::NewOwner(change_, from_->SubtaskOf(3, 0)), to_->SubtaskOf(3, 0));
  EXPECT_EQ(model::NewOwner(change_, from_->SubtaskOf(3, 1)), to_->SubtaskOf(3, 0));
  EXPECT_EQ(model::NewOwner(change_, from_->SubtaskOf(3, 2)), to_->SubtaskOf(3, 1));
}

// P9 restored state over a redistribution (docs/protocol.md sections 7 and
// 10), judged at the resume's kJobGraphChanged step.
std::optional<properties::Violation> RestoredStateOf(model::GraphChange change, const CompletedCheckpoint& savepoint,
                                                     const CompletedCheckpoint& redistributed) {
  change.savepoint = std::make_shared<const CompletedCheckpoint>(savepoint);
  change.source_high_water.assign(change.from->subtask_count(), 0);
  change.redistributed = std::make_shared<const CompletedCheckpoint>(redistributed);
  model::System system = model::InitialSystem(change.to, model::ProtocolOptions{});
  system.graph_change = std::make_shared<const model::GraphChange>(std::move(change));
  auto checker = properties::MakeRestoredStateChecker(system);
  const std::vector<model::Event> events{model::Event{.kind = model::EventKind::kJobGraphChanged, .checkpoint = 7}};
  checker->OnStep(system, 1, events);
  return checker->violation();
}

// This savepoint's W is partly finished and uses union state, which Flink's
// union-state rule never lets complete: W[1]'s union entry is missing on
// every new W subtask. With W[1]'s state in the savepoint the same
// redistribution passes, and dropping one element of K's list state from it
// is reported.
TEST_F(Redistribution, P9ReportsAMissingUnionEntryAndALostListElement) {
  const auto missing = RestoredStateOf(change_, savepoint_, out_);
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->summary.find("W[0] operator w-union: the entry of W[1] is missing"), std::string::npos)
      << missing->summary;

  CompletedCheckpoint complete = savepoint_;
  const int32_t w1 = from_->SubtaskOf(2, 1);
  auto snapshot = std::make_shared<SubtaskSnapshot>(*complete.snapshots[from_->SubtaskOf(2, 0)]);
  snapshot->subtask = w1;
  snapshot->operators[0].buffer.clear();
  snapshot->operators[1].value = 101;
  snapshot->operators[2].value = 101;
  complete.snapshots[w1] = snapshot;
  complete.subtask_finished[w1] = false;
  complete.vertex_status[2] = model::VertexFinishedStatus::kRunning;
  const CompletedCheckpoint redistributed = model::RedistributeSavepoint(change_, complete);
  const auto clean = RestoredStateOf(change_, complete, redistributed);
  EXPECT_FALSE(clean) << clean->summary;

  CompletedCheckpoint lost = redistributed;
  auto k0 = std::make_shared<SubtaskSnapshot>(*lost.snapshots[to_->SubtaskOf(1, 0)]);
  ASSERT_FALSE(k0->operators[1].buffer.empty());
  k0->operators[1].buffer.pop_back();
  lost.snapshots[to_->SubtaskOf(1, 0)] = k0;
  const auto dropped = RestoredStateOf(change_, complete, lost);
  ASSERT_TRUE(dropped);
  EXPECT_NE(dropped->summary.find("operator k-buf held 6 list entries, its new subtasks got 5"), std::string::npos)
      << dropped->summary;
}

TEST_F(Redistribution, SourcesContinueFromTheirOffsets) {
  for (int j = 0; j < 2; ++j) {
    const auto& snapshot = out_.snapshots[to_->SubtaskOf(0, j)];
    ASSERT_NE(snapshot, nullptr);
    EXPECT_EQ(snapshot->source_next_sequence, 4u + static_cast<uint32_t>(j));
  }
  EXPECT_TRUE(out_.state_assigned);
  EXPECT_EQ(out_.vertex_status[2], model::VertexFinishedStatus::kPartlyFinished);
}

TEST(GraphChange, AnUnchangedVertexKeepsItsSnapshotsAndFinishedSubtasks) {
  auto from = GraphOf(kOld);
  auto to = GraphOf(kOld);
  const model::GraphChange change = Match(from, to);
  const CompletedCheckpoint savepoint = OldSavepoint(*from);
  const CompletedCheckpoint out = model::RedistributeSavepoint(change, savepoint);
  for (int s = 0; s < from->subtask_count(); ++s) {
    EXPECT_EQ(out.subtask_finished[s], savepoint.subtask_finished[s]);
    ASSERT_EQ(out.snapshots[s] == nullptr, savepoint.snapshots[s] == nullptr);
    if (!out.snapshots[s]) continue;
    EXPECT_EQ(out.snapshots[s]->source_next_sequence, savepoint.snapshots[s]->source_next_sequence);
    for (size_t o = 0; o < out.snapshots[s]->operators.size(); ++o) {
      EXPECT_EQ(out.snapshots[s]->operators[o].buffer, savepoint.snapshots[s]->operators[o].buffer);
      EXPECT_EQ(out.snapshots[s]->operators[o].key_counts, savepoint.snapshots[s]->operators[o].key_counts);
      EXPECT_EQ(out.snapshots[s]->operators[o].pending_transactions,
                savepoint.snapshots[s]->operators[o].pending_transactions);
    }
  }
}

// Flink hands each subtask its own state back when an operator keeps its
// parallelism, even in a vertex whose chain changed.
TEST(GraphChange, AtTheSameParallelismEachSubtaskKeepsItsOwnState) {
  std::string same_k = kNew;
  same_k.replace(same_k.find("{name: K, parallelism: 3"), 24, "{name: K, parallelism: 2");
  auto from = GraphOf(kOld);
  auto to = GraphOf(same_k);
  const model::GraphChange change = Match(from, to);
  const CompletedCheckpoint savepoint = OldSavepoint(*from);
  const CompletedCheckpoint out = model::RedistributeSavepoint(change, savepoint);
  for (int j = 0; j < 2; ++j) {
    const OperatorState& old_buffer = savepoint.snapshots[from->SubtaskOf(1, j)]->operators[1];
    EXPECT_EQ(Op(out, *to, 1, j, 1).buffer, old_buffer.buffer) << "K[" << j << "]";
    EXPECT_EQ(Op(out, *to, 1, j, 0).key_counts, savepoint.snapshots[from->SubtaskOf(1, j)]->operators[0].key_counts);
  }
}

// Found in review: a source subtask whose split is done still runs when its
// vertex is not fully finished, and keeps the state its chain is given (here
// a sink chained to the source in the new version, rescaled 3 -> 2).
TEST(GraphChange, ASourceSubtaskWithItsSplitDoneKeepsTheStateOfItsChain) {
  auto from = GraphOf(R"(
vertices:
  - {name: S, parallelism: 2, records: [4, 40], operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 3, operators: [{name: k, kind: two_phase_commit_sink}]}
edges: [{from: S, to: K, partitioning: rebalance}]
)");
  auto to = GraphOf(R"(
vertices:
  - {name: SK, parallelism: 2, records: [4, 40], operators: [{name: s, kind: bounded_source}, {name: k, kind: two_phase_commit_sink}]}
)");
  const model::GraphChange change = Match(from, to);
  CompletedCheckpoint savepoint;
  savepoint.id = 7;
  savepoint.vertex_status = {model::VertexFinishedStatus::kPartlyFinished, model::VertexFinishedStatus::kRunning};
  savepoint.subtask_finished = {true, false, false, false, false};
  savepoint.snapshots.resize(5);
  auto source = std::make_shared<SubtaskSnapshot>();
  source->operators.resize(1);
  source->source_next_sequence = 7;
  savepoint.snapshots[1] = source;
  for (int i = 0; i < 3; ++i) {
    auto sink = std::make_shared<SubtaskSnapshot>();
    sink->operators.resize(1);
    sink->operators[0].pending_transactions = {{7, 10 + i}};
    savepoint.snapshots[2 + i] = sink;
  }
  const CompletedCheckpoint out = model::RedistributeSavepoint(change, savepoint);
  using Pending = std::vector<std::pair<int64_t, int64_t>>;
  ASSERT_NE(out.snapshots[0], nullptr);
  EXPECT_FALSE(out.subtask_finished[0]);
  EXPECT_EQ(out.snapshots[0]->source_next_sequence, 4u) << "nothing left to read";
  EXPECT_EQ(out.snapshots[0]->operators[1].pending_transactions, (Pending{{7, 10}, {7, 11}}));
  ASSERT_NE(out.snapshots[1], nullptr);
  EXPECT_EQ(out.snapshots[1]->source_next_sequence, 7u);
  EXPECT_EQ(out.snapshots[1]->operators[1].pending_transactions, (Pending{{7, 12}}));
}

TEST(GraphChange, AFullyFinishedVertexIsDeployedFinishedAtAnyParallelism) {
  auto from = GraphOf(kOld);
  auto to = GraphOf(kNew);
  const model::GraphChange change = Match(from, to);
  CompletedCheckpoint savepoint = OldSavepoint(*from);
  savepoint.vertex_status[3] = model::VertexFinishedStatus::kFullyFinished;
  const CompletedCheckpoint out = model::RedistributeSavepoint(change, savepoint);
  EXPECT_EQ(out.vertex_status[3], model::VertexFinishedStatus::kFullyFinished);
  for (int j = 0; j < 2; ++j) {
    EXPECT_TRUE(out.subtask_finished[to->SubtaskOf(3, j)]);
    EXPECT_EQ(out.snapshots[to->SubtaskOf(3, j)], nullptr);
  }
}

TEST(GraphChange, RefusesChangesNoSavepointSurvives) {
  const std::string base = R"(
vertices:
  - {name: S, parallelism: 2, records: 5, operators: [{name: s, kind: bounded_source}]}
  - {name: K, parallelism: 2, operators: [{name: k, kind: keyed_aggregate}]}
  - {name: T, parallelism: 2, operators: [{name: t, kind: two_phase_commit_sink}]}
edges: [{from: S, to: K, partitioning: hash}, {from: K, to: T, partitioning: forward}]
)";
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = base;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  EXPECT_NE(Refusal(base, replaced("kind: keyed_aggregate", "kind: union_state")).find("operator 'k' is a"),
            std::string::npos);
  // A removed operator with state: Flink skips it when the savepoint records
  // it fully finished and refuses it otherwise; without a savepoint (at load
  // time) that is left open. Sources and sinks must stay.
  const std::string renamed = replaced("{name: k, kind: keyed_aggregate}", "{name: k2, kind: keyed_aggregate}");
  EXPECT_EQ(Refusal(base, renamed), "");
  model::CompletedCheckpoint savepoint;
  savepoint.id = 4;
  savepoint.kind = model::CheckpointKind::kSyncSavepoint;
  savepoint.vertex_status.assign(3, model::VertexFinishedStatus::kPartlyFinished);
  EXPECT_NE(model::CheckNonRestoredState(*GraphOf(base), savepoint, *GraphOf(renamed), false)
                .value_or("")
                .find("cannot restore savepoint 4: operator 'k' (keyed_aggregate) has state in it but is not in "
                      "the new job"),
            std::string::npos);
  EXPECT_EQ(model::CheckNonRestoredState(*GraphOf(base), savepoint, *GraphOf(renamed), true), std::nullopt);
  savepoint.vertex_status[1] = model::VertexFinishedStatus::kFullyFinished;
  EXPECT_EQ(model::CheckNonRestoredState(*GraphOf(base), savepoint, *GraphOf(renamed), false), std::nullopt);
  EXPECT_NE(Refusal(base, replaced("{name: t, kind: two_phase_commit_sink}", "{name: t2, kind: two_phase_commit_sink}"))
                .find("operator 't' (two_phase_commit_sink) is not in the new job"),
            std::string::npos);
  EXPECT_NE(Refusal(base, replaced("{name: S, parallelism: 2, records: 5", "{name: S, parallelism: 3, records: 5"))
                .find("source 's' has parallelism 2 in the old job and 3"),
            std::string::npos);
  EXPECT_NE(Refusal(base, replaced("records: 5", "records: 6")).find("source 's' reads other records"),
            std::string::npos);
  // Legal: rescale the aggregation and the sink together (forward), add a map.
  EXPECT_EQ(Refusal(base, replaced("{name: K, parallelism: 2, operators: [{name: k, kind: keyed_aggregate}]}",
                                   "{name: K, parallelism: 2, operators: [{name: k, kind: keyed_aggregate}, "
                                   "{name: m, kind: map}]}")),
            "");
}

TEST(GraphChange, SourcesAreMovedBackToTheirIndexSoRecordsKeepTheirKeys) {
  auto from = GraphOf(R"(
vertices:
  - {name: A, parallelism: 1, records: 5, operators: [{name: a, kind: bounded_source}]}
  - {name: B, parallelism: 1, records: 5, operators: [{name: b, kind: bounded_source}]}
  - {name: T, parallelism: 1, operators: [{name: t, kind: two_phase_commit_sink}]}
edges: [{from: A, to: T, partitioning: forward}, {from: B, to: T, partitioning: forward}]
)");
  const auto loaded = LoadOrDie(R"(
name: g
vertices:
  - {name: T, parallelism: 1, operators: [{name: t, kind: two_phase_commit_sink}]}
  - {name: B, parallelism: 1, records: 5, operators: [{name: b, kind: bounded_source}]}
  - {name: A, parallelism: 1, records: 5, operators: [{name: a, kind: bounded_source}]}
edges: [{from: A, to: T, partitioning: forward}, {from: B, to: T, partitioning: forward}]
)");
  model::JobGraphSpec spec = loaded.graph_spec;
  ASSERT_EQ(model::AlignSourcePositions(*from, &spec), std::nullopt);
  EXPECT_EQ(spec.vertices[0].name, "A");
  EXPECT_EQ(spec.vertices[1].name, "B");
  EXPECT_EQ(spec.vertices[2].name, "T");
  EXPECT_EQ(spec.vertices[spec.edges[0].from].name, "A");
  EXPECT_EQ(spec.vertices[spec.edges[0].to].name, "T");
}

// --- The scenario key and the resume end to end --------------------------------

std::string UpgradeScenario(const std::string& new_version) {
  return R"(
name: upgrade
vertices:
  - {name: A, parallelism: 1, records: 2, operators: [{name: a, kind: bounded_source}]}
  - {name: AK, parallelism: 1, operators: [{name: ak, kind: two_phase_commit_sink}]}
  - {name: B, parallelism: 2, records: 200, operators: [{name: b, kind: bounded_source}]}
  - {name: BK, parallelism: 2, operators: [{name: bk-agg, kind: keyed_aggregate}, {name: bk, kind: two_phase_commit_sink}]}
edges:
  - {from: A, to: AK, partitioning: forward}
  - {from: B, to: BK, partitioning: hash}
checkpointing: {interval_ticks: 30}
stop_with_savepoint:
  at_tick: 300
  drain: false
  resume: true
  resume_after_ticks: 10
)" "  resume_into:\n" +
         new_version + "\nlimits: {max_steps: 400000, max_ticks: 40000}\nexpect: {terminates: true}\n";
}

// B's sink rescaled 2 -> 3 (its aggregation chained in front).
const char* kRescaledB = R"(    vertices:
      - {name: A, parallelism: 1, records: 2, operators: [{name: a, kind: bounded_source}]}
      - {name: AK, parallelism: 1, operators: [{name: ak, kind: two_phase_commit_sink}]}
      - {name: B, parallelism: 2, records: 200, operators: [{name: b, kind: bounded_source}]}
      - {name: BK, parallelism: 3, operators: [{name: bk-agg, kind: keyed_aggregate}, {name: bk, kind: two_phase_commit_sink}]}
    edges:
      - {from: A, to: AK, partitioning: forward}
      - {from: B, to: BK, partitioning: hash})";

// A new source feeding AK, which the savepoint records as fully finished.
const char* kSourceBeforeFinishedSink = R"(    vertices:
      - {name: A, parallelism: 1, records: 2, operators: [{name: a, kind: bounded_source}]}
      - {name: AK, parallelism: 1, operators: [{name: ak, kind: two_phase_commit_sink}]}
      - {name: B, parallelism: 2, records: 200, operators: [{name: b, kind: bounded_source}]}
      - {name: BK, parallelism: 2, operators: [{name: bk-agg, kind: keyed_aggregate}, {name: bk, kind: two_phase_commit_sink}]}
      - {name: C, parallelism: 1, records: 5, operators: [{name: c, kind: bounded_source}]}
    edges:
      - {from: A, to: AK, partitioning: forward}
      - {from: C, to: AK, partitioning: forward}
      - {from: B, to: BK, partitioning: hash})";

int CountEvents(const simulator::RunConfig& config, uint64_t seed, model::EventKind kind, model::System* end = nullptr) {
  struct Counter : simulator::RunObserver {
    model::EventKind kind;
    int count = 0;
    model::System last;
    void OnStep(const model::System& system, int64_t, int64_t, const model::Action&,
                std::span<const model::Event> events) override {
      for (const model::Event& e : events) count += e.kind == kind;
      last = system;
    }
  } counter;
  counter.kind = kind;
  simulator::Run(config, seed, simulator::RunOptions{.observer = &counter});
  if (end != nullptr) *end = counter.last;
  return counter.count;
}

TEST(ResumeIntoChangedJob, RescaledSinkCommitsEveryRecordExactlyOnce) {
  const simulator::RunConfig config = LoadOrDie(UpgradeScenario(kRescaledB));
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const simulator::RunResult result = simulator::Run(config, seed);
    EXPECT_TRUE(result.job_finished) << "seed " << seed;
    EXPECT_TRUE(result.violations.empty()) << "seed " << seed << ": " << result.violations.front().summary;
    EXPECT_EQ(result.stats.records_committed, 402) << "seed " << seed;
    EXPECT_EQ(result.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 1);
    EXPECT_EQ(result.stats.subtasks, 7);
  }
}

// A new version may add a pipeline of its own: its source starts from the
// beginning and every one of its records is committed too.
TEST(ResumeIntoChangedJob, ANewPipelineRunsFromItsFirstRecord) {
  std::string with_new_pipeline = kRescaledB;
  with_new_pipeline.replace(with_new_pipeline.find("    edges:"), 10,
                            "      - {name: C, parallelism: 2, records: 7, operators: [{name: c, kind: bounded_source}]}\n"
                            "      - {name: CK, parallelism: 2, operators: [{name: ck, kind: two_phase_commit_sink}]}\n"
                            "    edges:\n      - {from: C, to: CK, partitioning: forward}\n");
  const simulator::RunConfig config = LoadOrDie(UpgradeScenario(with_new_pipeline));
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const simulator::RunResult result = simulator::Run(config, seed);
    EXPECT_TRUE(result.violations.empty()) << "seed " << seed << ": " << result.violations.front().summary;
    EXPECT_EQ(result.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 1);
    EXPECT_EQ(result.stats.records_committed, 402 + 14) << "seed " << seed;
  }
}

TEST(ResumeIntoChangedJob, ANewSourceInFrontOfAFinishedSinkIsRefusedAndTheJobStaysStopped) {
  const simulator::RunConfig config = LoadOrDie(UpgradeScenario(kSourceBeforeFinishedSink));
  model::System end;
  EXPECT_EQ(CountEvents(config, 3, model::EventKind::kResumeRefused, &end), 1);
  EXPECT_NE(end.resume_refusal.find("cannot restore vertex 'AK': it is fully finished but its predecessor 'C'"),
            std::string::npos)
      << end.resume_refusal;
  EXPECT_EQ(end.graph_change, nullptr);
  EXPECT_TRUE(end.job_finished && end.stopped_without_drain);
  const simulator::RunResult result = simulator::Run(config, 3);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_EQ(result.stats.resume_refusal, end.resume_refusal);
}

// Flink skips the empty state of a fully finished operator the new version
// dropped (Checkpoints.loadAndValidateCheckpoint), and refuses the state of
// a running one: the check needs the savepoint, so it runs at the resume.
TEST(ResumeIntoChangedJob, ADroppedOperatorMustBeFullyFinished) {
  const std::string old_job = R"(
name: drop
vertices:
  - {name: A, parallelism: 1, records: 2, operators: [{name: a, kind: bounded_source}]}
  - {name: AK, parallelism: 1, operators: [{name: ak-count, kind: keyed_aggregate}, {name: ak, kind: two_phase_commit_sink}]}
  - {name: B, parallelism: 2, records: 200, operators: [{name: b, kind: bounded_source}]}
  - {name: BK, parallelism: 2, operators: [{name: bk-agg, kind: keyed_aggregate}, {name: bk, kind: two_phase_commit_sink}]}
edges:
  - {from: A, to: AK, partitioning: forward}
  - {from: B, to: BK, partitioning: hash}
checkpointing: {interval_ticks: 30}
stop_with_savepoint:
  at_tick: 300
  resume: true
  resume_into:
    vertices:
      - {name: A, parallelism: 1, records: 2, operators: [{name: a, kind: bounded_source}]}
      - {name: AK, parallelism: 1, operators: [AK_CHAIN]}
      - {name: B, parallelism: 2, records: 200, operators: [{name: b, kind: bounded_source}]}
      - {name: BK, parallelism: 2, operators: [BK_CHAIN]}
    edges:
      - {from: A, to: AK, partitioning: forward}
      - {from: B, to: BK, partitioning: hash}
limits: {max_steps: 400000, max_ticks: 40000}
)";
  const auto with = [&](const std::string& ak, const std::string& bk) {
    std::string text = old_job;
    text.replace(text.find("AK_CHAIN"), 8, ak);
    text.replace(text.find("BK_CHAIN"), 8, bk);
    return LoadOrDie(text);
  };
  const std::string ak_count = "{name: ak-count, kind: keyed_aggregate}, {name: ak, kind: two_phase_commit_sink}";
  const std::string bk_agg = "{name: bk-agg, kind: keyed_aggregate}, {name: bk, kind: two_phase_commit_sink}";
  // AK has finished when the stop comes: dropping its aggregation is fine.
  const simulator::RunConfig finished_dropped = with("{name: ak, kind: two_phase_commit_sink}", bk_agg);
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const simulator::RunResult result = simulator::Run(finished_dropped, seed);
    EXPECT_TRUE(result.violations.empty()) << "seed " << seed << ": " << result.violations.front().summary;
    EXPECT_EQ(result.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 1);
    EXPECT_EQ(result.stats.records_committed, 402);
  }
  // BK still runs: its aggregation's state cannot be dropped, unless the
  // user allows non-restored state (issue 12: the refusal names the option).
  simulator::RunConfig bk_dropped = with(ak_count, "{name: bk, kind: two_phase_commit_sink}");
  const simulator::RunResult refused = simulator::Run(bk_dropped, 1);
  EXPECT_NE(refused.stats.resume_refusal.find("operator 'bk-agg' (keyed_aggregate) has state in it but is not in "
                                              "the new job"),
            std::string::npos)
      << refused.stats.resume_refusal;
  EXPECT_NE(refused.stats.resume_refusal.find("allow_non_restored_state"), std::string::npos)
      << refused.stats.resume_refusal;
  EXPECT_EQ(refused.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 0);
  std::string allowed_text = old_job;
  allowed_text.replace(allowed_text.find("AK_CHAIN"), 8, ak_count);
  allowed_text.replace(allowed_text.find("BK_CHAIN"), 8, "{name: bk, kind: two_phase_commit_sink}");
  allowed_text.replace(allowed_text.find("  resume: true\n"), 15, "  resume: true\n  allow_non_restored_state: true\n");
  bk_dropped = LoadOrDie(allowed_text);
  EXPECT_TRUE(bk_dropped.protocol.allow_non_restored_state);
  const simulator::RunResult allowed = simulator::Run(bk_dropped, 1);
  EXPECT_EQ(allowed.stats.resume_refusal, "");
  EXPECT_EQ(allowed.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 1);
  EXPECT_TRUE(allowed.violations.empty()) << allowed.violations.front().summary;
}

// Test the tester: records a dropped operator held in the savepoint are gone
// once allow_non_restored_state drops its state, and P2 says so.
TEST(ResumeIntoChangedJob, AllowingNonRestoredStateLosesWhatADroppedBufferHeld) {
  const simulator::RunConfig config = LoadOrDie(R"(
name: drop-buffer
vertices:
  - {name: S, parallelism: 1, records: 200, operators: [{name: s, kind: bounded_source}]}
  - {name: B, parallelism: 1, operators: [{name: b-buffer, kind: buffering}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: B, partitioning: forward}
checkpointing: {interval_ticks: 30}
stop_with_savepoint:
  at_tick: 150
  resume: true
  allow_non_restored_state: true
  resume_into:
    vertices:
      - {name: S, parallelism: 1, records: 200, operators: [{name: s, kind: bounded_source}]}
      - {name: B, parallelism: 1, operators: [{name: k, kind: two_phase_commit_sink}]}
    edges:
      - {from: S, to: B, partitioning: forward}
)");
  const simulator::RunResult result = simulator::Run(config, 1);
  EXPECT_EQ(result.stats.sometimes[static_cast<size_t>(simulator::Sometimes::kResumedIntoNewVersion)], 1);
  ASSERT_FALSE(result.violations.empty());
  EXPECT_EQ(properties::Info(result.violations.front().property).code, "P2");
  ASSERT_FALSE(result.violations.front().details.empty());
  EXPECT_NE(result.violations.front().details.front().find("whose state the new job dropped"), std::string::npos)
      << result.violations.front().details.front();
}

TEST(ResumeIntoChangedJob, TheTraceReplaysBitForBitAcrossTheChange) {
  const simulator::RunConfig config = LoadOrDie(UpgradeScenario(kRescaledB));
  const std::string path = ::testing::TempDir() + "/upgrade-trace.jsonl";
  std::string error;
  auto writer = simulator::TraceWriter::Open(path, config, 5, &error);
  ASSERT_NE(writer, nullptr) << error;
  const simulator::RunResult result = simulator::Run(config, 5, simulator::RunOptions{.observer = writer.get()});
  ASSERT_TRUE(writer->Finish(result, &error)) << error;
  auto read = simulator::ReadTrace(path);
  ASSERT_TRUE(std::holds_alternative<simulator::Trace>(read)) << std::get<std::string>(read);
  const simulator::Trace& trace = std::get<simulator::Trace>(read);
  ASSERT_NE(trace.config.stop.resume_into, nullptr);
  EXPECT_EQ(trace.config.stop.resume_into->subtask_count(), 7);
  const simulator::RunResult replayed = simulator::Run(trace.config, trace.seed, {.replay = &trace.decisions});
  EXPECT_EQ(replayed.diverged_at_step, -1) << replayed.divergence;
  EXPECT_EQ(replayed.trace_hash, result.trace_hash);
  std::remove(path.c_str());
}

TEST(ResumeIntoChangedJob, ScenarioKeyErrorsNameTheLine) {
  std::string drained = UpgradeScenario(kRescaledB);
  drained.replace(drained.find("drain: false"), 12, "drain: true");
  EXPECT_NE(LoadError(drained).find("resume_into: a job resumes into a new version only after a stop without drain"),
            std::string::npos)
      << LoadError(drained);
  std::string renamed = kRescaledB;
  renamed.replace(renamed.find("bk-agg, kind: keyed_aggregate"), 29, "bk-agg, kind: union_state");
  const std::string error = LoadError(UpgradeScenario(renamed));
  EXPECT_NE(error.find("test.yaml:"), std::string::npos) << error;
  EXPECT_NE(error.find("resume_into: operator 'bk-agg' is a keyed_aggregate in the old job but a union_state"),
            std::string::npos)
      << error;
  EXPECT_NE(LoadError(UpgradeScenario("    vertices: []\n    extra: 1")).find("extra"), std::string::npos);
}

TEST(ResumeIntoChangedJob, TheNewVersionMayBeAnotherScenarioFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "ckptsim-upgrade";
  std::filesystem::create_directories(dir);
  std::string v2 = std::string("name: v2\n") + kRescaledB;
  // The new version's file is a scenario of its own: de-indent its graph.
  std::string flat;
  for (size_t at = 0; at < v2.size();) {
    size_t end = v2.find('\n', at);
    if (end == std::string::npos) end = v2.size();
    std::string line = v2.substr(at, end - at);
    if (line.rfind("    ", 0) == 0) line = line.substr(4);
    flat += line + "\n";
    at = end + 1;
  }
  std::ofstream(dir / "v2.yaml") << flat;
  std::string v1 = UpgradeScenario("");
  v1.replace(v1.find("  resume_into:\n"), 15, "  resume_into: v2.yaml\n");
  std::ofstream(dir / "v1.yaml") << v1;
  auto loaded = scenarios::LoadScenarioFile((dir / "v1.yaml").string());
  ASSERT_TRUE(std::holds_alternative<simulator::RunConfig>(loaded))
      << std::get<scenarios::ScenarioError>(loaded).ToString();
  EXPECT_EQ(std::get<simulator::RunConfig>(loaded).stop.resume_into->subtask_count(), 7);
  std::filesystem::remove(dir / "v2.yaml");
  auto missing = scenarios::LoadScenarioFile((dir / "v1.yaml").string());
  ASSERT_TRUE(std::holds_alternative<scenarios::ScenarioError>(missing));
  EXPECT_NE(std::get<scenarios::ScenarioError>(missing).ToString().find("cannot load the new version"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ckptsim::testing
