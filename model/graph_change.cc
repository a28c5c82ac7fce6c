#include "model/graph_change.h"

#include <map>
#include <string_view>

#include <fmt/format.h>

#include "model/check.h"

namespace ckptsim::model {
namespace {

// Which of `parallelism` subtasks gets element `element` of `count` when a
// list is cut into contiguous chunks, the first `count % parallelism` one
// element longer (Flink's RoundRobinOperatorStateRepartitioner).
int ChunkOwner(size_t element, size_t count, int parallelism) {
  const size_t p = static_cast<size_t>(parallelism);
  const size_t base = count / p;
  const size_t longer = count % p;
  if (element < longer * (base + 1)) return static_cast<int>(element / (base + 1));
  return static_cast<int>(longer + (element - longer * (base + 1)) / base);
}

std::optional<std::string> IndexOperators(const JobGraph& graph, std::string_view which,
                                          std::map<std::string_view, OperatorRef>* out) {
  for (size_t v = 0; v < graph.vertices().size(); ++v) {
    const VertexInfo& vertex = graph.vertices()[v];
    for (size_t o = 0; o < vertex.operators.size(); ++o) {
      const auto [it, inserted] =
          out->try_emplace(vertex.operators[o].name, OperatorRef{static_cast<int>(v), static_cast<int>(o)});
      if (!inserted) {
        return fmt::format("the {} job has two operators named '{}'; operator names identify state across versions",
                           which, vertex.operators[o].name);
      }
    }
  }
  return std::nullopt;
}

const OperatorSpec& SpecOf(const JobGraph& graph, OperatorRef ref) { return graph.vertices()[ref.vertex].operators[ref.op]; }

// Whether vertex `v` of `from` is in `to` as it was (name, parallelism,
// chain): its subtasks' snapshots carry over one to one.
bool VertexUnchanged(const GraphChange& change, int v) {
  const int nv = change.vertex_of[v];
  if (nv < 0) return false;
  const VertexInfo& a = change.from->vertices()[v];
  const VertexInfo& b = change.to->vertices()[nv];
  if (a.parallelism != b.parallelism || a.operators.size() != b.operators.size()) return false;
  for (size_t o = 0; o < a.operators.size(); ++o) {
    if (a.operators[o].name != b.operators[o].name || a.operators[o].kind != b.operators[o].kind) return false;
  }
  return true;
}

OperatorState RemappedState(const GraphChange& change, const OperatorState& state) {
  OperatorState out = state;
  for (RecordId& record : out.buffer) record = RemapRecord(change, record);
  return out;
}

// The state new subtask `j` (of `parallelism`) gets of one old operator,
// whose subtasks' states are `states` (null: finished, nothing reported).
// At equal parallelism Flink hands every subtask its own state back (union
// and broadcast state aside); otherwise keyed state follows its key and list
// state is cut into contiguous chunks (RoundRobinOperatorStateRepartitioner).
OperatorState Assign(const GraphChange& change, OperatorKind kind, const std::vector<const OperatorState*>& states,
                     int j, int parallelism) {
  const bool same = static_cast<int>(states.size()) == parallelism;
  std::vector<const OperatorState*> reporters;
  for (const OperatorState* state : states) {
    if (state != nullptr) reporters.push_back(state);
  }
  OperatorState out;
  if (same && states[j] != nullptr) out = RemappedState(change, *states[j]);
  switch (kind) {
    case OperatorKind::kKeyedAggregate:
      if (same) {
        if (out.key_counts.empty()) out.key_counts.assign(kKeyCount, 0);
        break;
      }
      out.key_counts.assign(kKeyCount, 0);
      for (const OperatorState* state : reporters) {
        for (int key = 0; key < kKeyCount; ++key) {
          if (KeyOwner(key, parallelism) == j) out.key_counts[key] += state->key_counts[key];
        }
      }
      break;
    case OperatorKind::kEventTimeWindow:
      if (same) break;
      for (const OperatorState* state : reporters) {
        for (const RecordId& record : state->buffer) {
          const RecordId remapped = RemapRecord(change, record);
          if (KeyOwner(KeyOf(remapped), parallelism) == j) out.buffer.push_back(remapped);
        }
      }
      break;
    case OperatorKind::kBuffering: {
      if (same) break;
      size_t count = 0;
      for (const OperatorState* state : reporters) count += state->buffer.size();
      size_t element = 0;
      for (const OperatorState* state : reporters) {
        for (const RecordId& record : state->buffer) {
          if (ChunkOwner(element++, count, parallelism) == j) out.buffer.push_back(RemapRecord(change, record));
        }
      }
      break;
    }
    case OperatorKind::kUnionState:
      // The whole list to everyone; at another parallelism what a subtask
      // counts itself starts afresh.
      out.union_entries.clear();
      for (const OperatorState* state : reporters) out.union_entries.push_back(state->value);
      break;
    case OperatorKind::kBroadcastState:
      if (!reporters.empty()) out.value = reporters[static_cast<size_t>(j) % reporters.size()]->value;
      break;
    case OperatorKind::kTwoPhaseCommitSink:
    case OperatorKind::kSinkV2Writer:
    case OperatorKind::kSinkV2Committer:
    case OperatorKind::kSinkV2GlobalCommitter:  // parallelism 1 in both versions: its own state back
      // TwoPhaseCommitSinkFunction keeps one list entry per subtask: each old
      // subtask's transactions travel together, to the subtask NewOwner
      // names, which also aborts what that owner left open.
      if (same) break;
      out.current_transaction = -1;
      for (size_t i = 0; i < states.size(); ++i) {
        if (states[i] == nullptr || ChunkOwner(i, states.size(), parallelism) != j) continue;
        const auto& pending = states[i]->pending_transactions;
        out.pending_transactions.insert(out.pending_transactions.end(), pending.begin(), pending.end());
      }
      break;
    case OperatorKind::kBoundedSource:
    case OperatorKind::kUnboundedSource:
    case OperatorKind::kMap:
      break;
  }
  return out;
}

}  // namespace

std::optional<std::string> MatchJobGraphs(std::shared_ptr<const JobGraph> from, std::shared_ptr<const JobGraph> to,
                                          GraphChange* out) {
  CKPTSIM_CHECK(from && to && out);
  std::map<std::string_view, OperatorRef> old_operators;
  std::map<std::string_view, OperatorRef> new_operators;
  if (auto error = IndexOperators(*from, "old", &old_operators)) return error;
  if (auto error = IndexOperators(*to, "new", &new_operators)) return error;
  GraphChange change;
  change.from = from;
  change.to = to;
  for (size_t v = 0; v < from->vertices().size(); ++v) {
    const VertexInfo& vertex = from->vertices()[v];
    std::vector<OperatorRef>& refs = change.operator_of.emplace_back();
    for (const OperatorSpec& op : vertex.operators) {
      const auto it = new_operators.find(op.name);
      const OperatorRef found = it == new_operators.end() ? OperatorRef{} : it->second;
      if (found.found() && SpecOf(*to, found).kind != op.kind) {
        return fmt::format("operator '{}' is a {} in the old job but a {} in the new one; its state cannot move",
                           op.name, Name(op.kind), Name(SpecOf(*to, found).kind));
      }
      if (!found.found() && (IsSource(op.kind) || WritesToStore(op.kind) || op.kind == OperatorKind::kSinkV2Committer ||
                              op.kind == OperatorKind::kSinkV2GlobalCommitter)) {
        return fmt::format(
            "operator '{}' ({}) is not in the new job; ckptsim keeps every source and sink across versions, so "
            "that records and transactions stay attributable",
            op.name, Name(op.kind));
      }
      if (found.found() && IsSource(op.kind)) {
        const VertexInfo& a = vertex;
        const VertexInfo& b = to->vertices()[found.vertex];
        if (found.vertex != static_cast<int>(v)) {
          return fmt::format("source '{}' moved from vertex {} to vertex {}; a record's key depends on its "
                             "source's index (see AlignSourcePositions)",
                             op.name, v, found.vertex);
        }
        if (a.parallelism != b.parallelism) {
          return fmt::format(
              "source '{}' has parallelism {} in the old job and {} in the new one; ckptsim keeps each source "
              "subtask's split with its subtask, so a source cannot be rescaled",
              op.name, a.parallelism, b.parallelism);
        }
        if (a.records_per_subtask != b.records_per_subtask) {
          return fmt::format("source '{}' reads other records in the new job; a restored source continues from "
                             "its offsets in the same input",
                             op.name);
        }
      }
      refs.push_back(found);
    }
    const auto same_name = to->FindVertex(vertex.name);
    change.vertex_of.push_back(same_name ? *same_name : -1);
  }
  *out = std::move(change);
  return std::nullopt;
}

std::optional<std::string> AlignSourcePositions(const JobGraph& from, JobGraphSpec* to_spec) {
  const int count = static_cast<int>(to_spec->vertices.size());
  std::vector<int> slot_of(count, -1);  // new position of each vertex of to_spec
  std::vector<bool> taken(count, false);
  for (size_t v = 0; v < from.vertices().size(); ++v) {
    const VertexInfo& vertex = from.vertices()[v];
    if (!vertex.is_source) continue;
    const std::string& head = vertex.operators.front().name;
    int found = -1;
    for (int w = 0; w < count; ++w) {
      const auto& ops = to_spec->vertices[w].operators;
      if (!ops.empty() && ops.front().name == head) found = w;
    }
    if (found < 0) return fmt::format("source '{}' is not the head of any vertex of the new job", head);
    if (static_cast<int>(v) >= count) {
      return fmt::format("source '{}' is vertex {} of the old job, but the new job has only {} vertices", head, v,
                         count);
    }
    slot_of[found] = static_cast<int>(v);
    taken[v] = true;
  }
  int next = 0;
  for (int w = 0; w < count; ++w) {
    if (slot_of[w] >= 0) continue;
    while (taken[next]) ++next;
    slot_of[w] = next;
    taken[next] = true;
  }
  JobGraphSpec aligned;
  aligned.vertices.resize(count);
  for (int w = 0; w < count; ++w) aligned.vertices[slot_of[w]] = std::move(to_spec->vertices[w]);
  for (EdgeSpec edge : to_spec->edges) {
    edge.from = slot_of[edge.from];
    edge.to = slot_of[edge.to];
    aligned.edges.push_back(edge);
  }
  *to_spec = std::move(aligned);
  return std::nullopt;
}

RecordId RemapRecord(const GraphChange& change, RecordId record) {
  const OperatorRef source = change.operator_of[record.source_vertex].front();
  CKPTSIM_CHECK(source.found() && source.op == 0);
  record.source_vertex = static_cast<uint16_t>(source.vertex);
  return record;  // sources keep their index (AlignSourcePositions) when the loader built `to`
}

int32_t NewOwner(const GraphChange& change, int32_t old_subtask) {
  const SubtaskInfo& info = change.from->subtasks()[old_subtask];
  const VertexInfo& vertex = change.from->vertices()[info.vertex];
  for (size_t o = 0; o < vertex.operators.size(); ++o) {
    if (!WritesToStore(vertex.operators[o].kind)) continue;
    const OperatorRef ref = change.operator_of[info.vertex][o];
    CKPTSIM_CHECK(ref.found());
    const int parallelism = change.to->vertices()[ref.vertex].parallelism;
    return change.to->SubtaskOf(ref.vertex, ChunkOwner(static_cast<size_t>(info.index),
                                                       static_cast<size_t>(vertex.parallelism), parallelism));
  }
  CKPTSIM_CHECK(false && "a transaction's owner writes to the store");
  return 0;
}

CompletedCheckpoint RedistributeSavepoint(const GraphChange& change, const CompletedCheckpoint& savepoint) {
  const JobGraph& from = *change.from;
  const JobGraph& to = *change.to;
  CKPTSIM_CHECK(savepoint.vertex_status.size() == from.vertices().size());
  CompletedCheckpoint out;
  out.id = savepoint.id;
  out.kind = savepoint.kind;
  out.mode = savepoint.mode;
  out.state_assigned = true;
  out.vertex_status.assign(to.vertices().size(), VertexFinishedStatus::kRunning);
  out.subtask_finished.assign(to.subtask_count(), false);
  out.snapshots.resize(to.subtask_count());
  // Where each new operator's state comes from (its old operator, if any),
  // statuses by operator (the topology check made them agree within a
  // vertex), and the vertices that are unchanged.
  std::vector<std::vector<OperatorRef>> old_of(to.vertices().size());
  for (size_t nv = 0; nv < to.vertices().size(); ++nv) old_of[nv].resize(to.vertices()[nv].operators.size());
  std::vector<int> unchanged_from(to.vertices().size(), -1);
  for (size_t v = 0; v < from.vertices().size(); ++v) {
    for (size_t k = 0; k < change.operator_of[v].size(); ++k) {
      const OperatorRef ref = change.operator_of[v][k];
      if (!ref.found()) continue;
      out.vertex_status[ref.vertex] = savepoint.vertex_status[v];
      old_of[ref.vertex][ref.op] = OperatorRef{static_cast<int>(v), static_cast<int>(k)};
    }
    if (VertexUnchanged(change, static_cast<int>(v))) unchanged_from[change.vertex_of[v]] = static_cast<int>(v);
  }
  // The states the old operator's subtasks reported (null: finished).
  const auto states_of = [&](OperatorRef old) {
    const VertexInfo& vertex = from.vertices()[old.vertex];
    std::vector<const OperatorState*> states;
    for (int i = 0; i < vertex.parallelism; ++i) {
      const auto& snapshot = savepoint.snapshots[vertex.first_subtask + i];
      CKPTSIM_CHECK(!snapshot || snapshot->channel_state.empty());  // savepoints are aligned
      states.push_back(snapshot ? &snapshot->operators[old.op] : nullptr);
    }
    return states;
  };
  for (size_t nv = 0; nv < to.vertices().size(); ++nv) {
    const VertexInfo& vertex = to.vertices()[nv];
    if (out.vertex_status[nv] == VertexFinishedStatus::kFullyFinished) {
      for (int j = 0; j < vertex.parallelism; ++j) out.subtask_finished[vertex.first_subtask + j] = true;
      continue;
    }
    if (unchanged_from[nv] >= 0) {
      // Each subtask as it was: finished ones stay without state, the others
      // get their own (union and broadcast as a same-job restore assigns them).
      const VertexInfo& old = from.vertices()[unchanged_from[nv]];
      for (int j = 0; j < vertex.parallelism; ++j) {
        const int32_t subtask = vertex.first_subtask + j;
        out.subtask_finished[subtask] = savepoint.subtask_finished[old.first_subtask + j];
        const auto& own = savepoint.snapshots[old.first_subtask + j];
        if (!own) continue;
        auto snapshot = std::make_shared<SubtaskSnapshot>(*own);
        snapshot->subtask = subtask;
        for (size_t o = 0; o < vertex.operators.size(); ++o) {
          snapshot->operators[o] = Assign(change, vertex.operators[o].kind, states_of(old_of[nv][o]), j,
                                          vertex.parallelism);
        }
        out.snapshots[subtask] = std::move(snapshot);
      }
      continue;
    }
    // A changed vertex: each operator's state redistributed on its own. Its
    // old source, if any, kept its parallelism (MatchJobGraphs): subtask j
    // reads split j on. A new source starts from the beginning.
    const OperatorRef head = old_of[nv].front();
    const VertexInfo* old_source = vertex.is_source && head.found() ? &from.vertices()[head.vertex] : nullptr;
    for (int j = 0; j < vertex.parallelism; ++j) {
      const int32_t subtask = vertex.first_subtask + j;
      auto snapshot = std::make_shared<SubtaskSnapshot>();
      snapshot->subtask = subtask;
      snapshot->checkpoint_id = savepoint.id;
      if (old_source != nullptr) {
        // A subtask whose split is done runs anyway (only a fully finished
        // vertex is deployed finished) for the state its chain is given.
        const auto& old = savepoint.snapshots[old_source->first_subtask + j];
        if (old) {
          snapshot->source_next_sequence = old->source_next_sequence;
        } else if (!old_source->is_unbounded_source) {
          snapshot->source_next_sequence = static_cast<uint32_t>(old_source->records_per_subtask[j]);
        } else {
          out.subtask_finished[subtask] = true;  // an unbounded split ends only by a drain: nothing to restore
          continue;
        }
      }
      snapshot->operators.resize(vertex.operators.size());
      for (size_t o = 0; o < vertex.operators.size(); ++o) {
        const OperatorKind kind = vertex.operators[o].kind;
        OperatorState& op = snapshot->operators[o];
        if (old_of[nv][o].found()) {
          op = Assign(change, kind, states_of(old_of[nv][o]), j, vertex.parallelism);
        } else if (kind == OperatorKind::kKeyedAggregate) {
          op.key_counts.assign(kKeyCount, 0);  // a new operator starts empty
        }
      }
      out.snapshots[subtask] = std::move(snapshot);
    }
  }
  return out;
}

}  // namespace ckptsim::model

namespace ckptsim::model {

bool operator==(const GraphChange& a, const GraphChange& b) {
  return a.from == b.from && a.to == b.to && DeepEqual(a.savepoint, b.savepoint) &&
         a.source_high_water == b.source_high_water;
}

}  // namespace ckptsim::model
