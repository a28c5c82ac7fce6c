#include "visualizer/jobgraph.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "visualizer/dot.h"
#include "visualizer/style.h"
#include "visualizer/timeline.h"

namespace ckptsim::visualizer {
namespace {

using model::SubtaskPhase;

constexpr size_t kQueueGroupsMax = 6;
constexpr size_t kRpcsListedMax = 4;

std::string MessageGroup(const model::Message& m) {
  switch (m.kind) {
    case model::MessageKind::kRecord: return "rec";
    case model::MessageKind::kMaxWatermark: return "MAX_WM";
    case model::MessageKind::kBarrier:
      return fmt::format("{}{}{}", m.savepoint ? "SP" : "B", m.checkpoint_id, m.unaligned ? "u" : "");
    case model::MessageKind::kCancelMarker: return fmt::format("cancel {}", m.checkpoint_id);
    case model::MessageKind::kEndOfData:
      return m.mode == model::StopMode::kDrain ? "EoD" : fmt::format("EoD({})", model::Name(m.mode));
    case model::MessageKind::kEndOfPartition: return "EoP";
    case model::MessageKind::kCommittable: return fmt::format("txn {}", m.transaction);
    case model::MessageKind::kCommittableSummary: return fmt::format("summary {}", m.committables);
  }
  return "?";
}

// The latest completed checkpoint's word on a vertex: "" while it runs.
std::string_view FinishedWords(const model::System& system, int vertex) {
  const auto& completed = system.coordinator.latest_completed;
  if (!completed || static_cast<size_t>(vertex) >= completed->vertex_status.size()) return "";
  switch (completed->vertex_status[static_cast<size_t>(vertex)]) {
    case model::VertexFinishedStatus::kRunning: return "";
    case model::VertexFinishedStatus::kPartlyFinished: return "partly finished";
    case model::VertexFinishedStatus::kFullyFinished: return "fully finished";
  }
  return "";
}

std::string OperatorState(const model::OperatorState& op) {
  if (op.closed) return "closed";
  if (op.finished) return "finished";
  if (op.input_ended) return "input ended";
  if (op.opened) return "open";
  if (op.initialized) return "initialized";
  return "not started";
}

std::string OperatorLabel(const model::OperatorSpec& spec, const model::OperatorState* state) {
  std::string label = Shorten(spec.name, kNameMax) + "\n" + std::string(model::Name(spec.kind));
  if (state == nullptr) return label;
  label += fmt::format("\n{}", OperatorState(*state));
  if (state->current_transaction >= 0) label += fmt::format("\ntxn {} open", state->current_transaction);
  if (!state->pending_transactions.empty()) {
    std::vector<std::string> pending;
    for (const auto& [checkpoint, transaction] : state->pending_transactions) {
      pending.push_back(fmt::format("{}@{}", transaction,
                                    checkpoint == model::kEndOfInputTag ? "EOI" : fmt::format("{}", checkpoint)));
    }
    label += fmt::format("\npending txn {}", fmt::join(pending, ", "));
  }
  if (!state->buffer.empty()) label += fmt::format("\nbuffer {} record(s)", state->buffer.size());
  return label;
}

std::string SubtaskLabel(const model::System& system, int s) {
  const model::JobGraph& graph = *system.graph;
  const model::Subtask& subtask = system.subtasks[static_cast<size_t>(s)];
  std::string label = fmt::format("{}: {}", Shorten(graph.SubtaskName(s), kNameMax),
                                  PhaseWords(subtask.phase, subtask.deployed_as_finished));
  if (subtask.attempt > 0) label += fmt::format("\nattempt {}", subtask.attempt);
  if (subtask.deployed_as_finished && subtask.phase != model::SubtaskPhase::kFinished) {
    label += "\ndeployed as finished (on restore)";
  }
  if (subtask.final_checkpoint_min_id != 0) {
    label += fmt::format("\nfinalCheckpointMinId {}{}", subtask.final_checkpoint_min_id,
                         subtask.final_checkpoint_completed ? " (done)" : "");
  }
  if (subtask.sync_savepoint_id != 0) label += fmt::format("\nsync savepoint {} pending", subtask.sync_savepoint_id);
  if (subtask.pending_alignment_id != 0) label += fmt::format("\naligning checkpoint {}", subtask.pending_alignment_id);
  if (subtask.restored_checkpoint_id != 0) label += fmt::format("\nrestored from {}", subtask.restored_checkpoint_id);
  const model::VertexInfo& vertex =
      graph.vertices()[static_cast<size_t>(graph.subtasks()[static_cast<size_t>(s)].vertex)];
  if (vertex.is_source) label += fmt::format("\n{} record(s) emitted", subtask.next_sequence);
  const auto& completed = system.coordinator.latest_completed;
  if (completed && static_cast<size_t>(s) < completed->subtask_finished.size() &&
      completed->subtask_finished[static_cast<size_t>(s)]) {
    label += fmt::format("\nfinished in checkpoint {}", completed->id);
  }
  return label;
}

std::string CoordinatorLine(const model::System& system) {
  const model::Coordinator& c = system.coordinator;
  std::string line =
      c.latest_completed
          ? fmt::format("coordinator: latest completed {} {}",
                        c.latest_completed->kind == model::CheckpointKind::kSyncSavepoint ? "savepoint" : "checkpoint",
                        c.latest_completed->id)
          : std::string("coordinator: no checkpoint completed yet");
  for (const model::PendingCheckpoint& p : c.pending) {
    const size_t waiting = p.plan.to_wait_for.size();
    line += fmt::format("; pending {} {} ({} of {} acks)",
                        p.kind == model::CheckpointKind::kSyncSavepoint ? "savepoint" : "checkpoint", p.id,
                        waiting - static_cast<size_t>(p.acks_missing), waiting);
  }
  if (c.stop_requested) line += fmt::format("; stop-with-savepoint ({}) requested", model::Name(c.stop_mode));
  if (system.job_finished) line += "; job FINISHED";
  if (system.job_failed) line += "; job FAILED";
  return line;
}

std::string RpcsLine(const model::System& system, const model::JobGraph& graph) {
  if (system.rpcs.empty()) return "RPCs in flight: none";
  std::vector<std::string> rpcs;
  for (size_t i = 0; i < system.rpcs.size() && i < kRpcsListedMax; ++i) {
    const model::Rpc& rpc = system.rpcs[i];
    const std::string what = rpc.checkpoint_id != 0 ? fmt::format("{} {}", model::Name(rpc.kind), rpc.checkpoint_id)
                                                    : std::string(model::Name(rpc.kind));
    rpcs.push_back(model::IsToSubtask(rpc.kind) ? fmt::format("{} -> {}", what, graph.SubtaskName(rpc.subtask))
                                                : fmt::format("{} <- {}", what, graph.SubtaskName(rpc.subtask)));
  }
  if (system.rpcs.size() > kRpcsListedMax) rpcs.push_back(fmt::format("+{} more", system.rpcs.size() - kRpcsListedMax));
  return fmt::format("RPCs in flight: {}", fmt::join(rpcs, ", "));
}

std::string StoreLine(const model::System& system) {
  std::array<size_t, 4> counts{};
  for (const model::Transaction& t : system.store.transactions) ++counts[static_cast<size_t>(t.state)];
  return fmt::format("store: {} transaction(s): {} committed, {} pre-committed, {} open, {} aborted",
                     system.store.transactions.size(), counts[static_cast<size_t>(model::TransactionState::kCommitted)],
                     counts[static_cast<size_t>(model::TransactionState::kPrecommitted)],
                     counts[static_cast<size_t>(model::TransactionState::kOpen)],
                     counts[static_cast<size_t>(model::TransactionState::kAborted)]);
}

// Which version of the job the picture shows, for a trace that changes it; "" otherwise.
std::string VersionLine(const GraphVersions& versions, const model::System& system) {
  if (!versions.changed()) return "";
  if (system.graph_change != nullptr) {
    return fmt::format("the job's new version, deployed at step {} from savepoint {}: {}\n", versions.changed_at,
                       versions.savepoint, versions.summary);
  }
  return fmt::format("the job's first version; its new version is deployed at step {} ({})\n", versions.changed_at,
                     versions.summary);
}

std::string Title(const simulator::Trace& trace, const EventIndex& index, const model::System& system, int64_t step) {
  std::string title = RunTitle(trace, index) + "\n";
  const size_t k = static_cast<size_t>(step);
  const int64_t tick = k == 0 || index.actions.empty() ? 0 : index.actions[std::min(k, index.actions.size()) - 1].tick;
  if (k < trace.decisions.size()) {
    title += fmt::format("job graph after {} of {} decisions (tick {}); next: {}\n", step, index.steps, tick,
                         model::Describe(*system.graph, trace.decisions[k]));
  } else {
    title += fmt::format("job graph at the end of the run (after {} decisions, tick {})\n", step, tick);
  }
  title += VersionLine(index.versions, system);
  return title + CoordinatorLine(system) + "\n" + RpcsLine(system, *system.graph) + "\n" + StoreLine(system);
}

std::string ChannelLabel(const model::JobGraph& graph, const model::Channel& channel, int c) {
  const model::ChannelInfo& info = graph.channels()[static_cast<size_t>(c)];
  std::string label(model::Name(graph.edges()[static_cast<size_t>(info.edge)].partitioning));
  const std::string queue = QueueText(channel);
  if (!queue.empty()) label += fmt::format("\n{}", queue);
  if (channel.blocked) label += "\nblocked (aligning)";
  if (channel.ack_in_flight) label += "\nEoD ack in flight";
  return label;
}

DotAttributes ChannelAttributes(const model::JobGraph& graph, const model::Channel& channel, int c) {
  DotAttributes attributes{{"label", ChannelLabel(graph, channel, c)}};
  if (channel.end_of_partition_received) {
    attributes.insert(attributes.end(), {{"color", "#b0b0b0"}, {"fontcolor", "#909090"}, {"style", "dotted"}});
  } else if (channel.blocked) {
    attributes.insert(attributes.end(), {{"color", "#1f5fbf"}, {"fontcolor", "#1f5fbf"}, {"penwidth", "2"}});
  } else if (!channel.queue.empty()) {
    attributes.insert(attributes.end(), {{"color", "#303030"}, {"penwidth", "1.6"}});
  } else {
    attributes.emplace_back("color", "#707070");
  }
  return attributes;
}

// The phase colours and operator marks as one table node, one rank right of `anchor`.
void AddLegend(DotGraph& graph, DotGraph::NodeId anchor) {
  constexpr std::array<std::pair<SubtaskPhase, bool>, 9> kPhases{{{SubtaskPhase::kDeploying, false},
                                                                  {SubtaskPhase::kProcessing, false},
                                                                  {SubtaskPhase::kDataFinished, false},
                                                                  {SubtaskPhase::kWaitingForFinalCheckpoint, false},
                                                                  {SubtaskPhase::kClosing, false},
                                                                  {SubtaskPhase::kFinished, false},
                                                                  {SubtaskPhase::kFinished, true},
                                                                  {SubtaskPhase::kFailed, false},
                                                                  {SubtaskPhase::kCanceled, false}}};
  std::string html = R"(<TABLE BORDER="1" COLOR="#b0b0b0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">)"
                     R"(<TR><TD COLSPAN="2"><B>subtask phase</B></TD></TR>)";
  for (const auto& [phase, on_restore] : kPhases) {
    html += fmt::format(R"(<TR><TD BGCOLOR="{}" BORDER="1" WIDTH="18"> </TD><TD ALIGN="LEFT">{}</TD></TR>)"
                        "\n",
                        PhaseColor(phase, on_restore), EscapeHtmlLabel(PhaseWords(phase, on_restore)));
  }
  html += R"(<TR><TD COLSPAN="2"><B>operator in the latest completed checkpoint</B></TD></TR>)"
          R"(<TR><TD COLSPAN="2" ALIGN="LEFT">double green border: fully finished</TD></TR>)"
          R"(<TR><TD COLSPAN="2" ALIGN="LEFT">dashed green border: partly finished</TD></TR></TABLE>)";
  const DotGraph::NodeId legend = graph.AddHtmlNode(html, {{"shape", "plaintext"}, {"style", ""}, {"fontsize", "8"}});
  graph.AddEdge(anchor, legend, {{"style", "invis"}});
}

// Each subtask's operator nodes, head first.
using OperatorNodes = std::vector<std::vector<DotGraph::NodeId>>;

// One operator node; marked when the latest completed checkpoint finished its task.
DotGraph::NodeId AddOperator(DotGraph& dot, const model::JobGraph& graph, const model::Subtask& subtask, int s,
                             size_t o, std::string_view finished, DotGraph::ClusterId cluster) {
  const model::OperatorSpec& spec =
      graph.vertices()[static_cast<size_t>(graph.subtasks()[static_cast<size_t>(s)].vertex)].operators[o];
  const model::OperatorState* state = o < subtask.operators.size() ? &subtask.operators[o] : nullptr;
  // The tooltip keeps the whole name when the label had to cut it.
  DotAttributes attributes{
      {"label", OperatorLabel(spec, state)},
      {"tooltip", fmt::format("{} ({}) of {}", spec.name, model::Name(spec.kind), graph.SubtaskName(s))}};
  if (finished == "fully finished") {
    attributes.insert(attributes.end(), {{"peripheries", "2"}, {"color", "#2e7d32"}});
  } else if (finished == "partly finished") {
    attributes.insert(attributes.end(), {{"style", "rounded,filled,dashed"}, {"color", "#2e7d32"}});
  }
  return dot.AddNode(std::move(attributes), cluster);
}

// A task: a cluster of subtask clusters, each holding its chained operators.
void AddTask(DotGraph& dot, const model::System& system, int v, OperatorNodes* operators) {
  const model::JobGraph& graph = *system.graph;
  const model::VertexInfo& vertex = graph.vertices()[static_cast<size_t>(v)];
  const std::string_view finished = FinishedWords(system, v);
  std::string label = fmt::format("task {} (parallelism {})", Shorten(vertex.name, kNameMax), vertex.parallelism);
  if (!finished.empty()) {
    label += fmt::format("\n{} in checkpoint {}", finished, system.coordinator.latest_completed->id);
  }
  const DotGraph::ClusterId task =
      dot.AddCluster(DotGraph::kRoot, {{"label", label},
                                       {"style", finished == "fully finished" ? "rounded,bold" : "rounded"},
                                       {"color", finished.empty() ? "#808080" : "#2e7d32"},
                                       {"fontsize", "10"}});
  for (int s = vertex.first_subtask; s < vertex.first_subtask + vertex.parallelism; ++s) {
    const model::Subtask& subtask = system.subtasks[static_cast<size_t>(s)];
    const DotGraph::ClusterId cluster =
        dot.AddCluster(task, {{"label", SubtaskLabel(system, s)},
                              {"style", "rounded,filled"},
                              {"fillcolor", PhaseColor(subtask.phase, subtask.deployed_as_finished)},
                              {"color", "#606060"},
                              {"fontsize", "9"}});
    std::vector<DotGraph::NodeId>& chain = (*operators)[static_cast<size_t>(s)];
    for (size_t o = 0; o < vertex.operators.size(); ++o) {
      chain.push_back(AddOperator(dot, graph, subtask, s, o, finished, cluster));
      if (o > 0) dot.AddEdge(chain[o - 1], chain[o], {{"color", "#606060"}, {"arrowhead", "none"}, {"penwidth", "2"}});
    }
  }
}

}  // namespace

std::string QueueText(const model::Channel& channel) {
  std::vector<std::string> groups;
  size_t records = 0;
  size_t hidden = 0;
  const auto add = [&](std::string group) {
    if (groups.size() < kQueueGroupsMax) {
      groups.push_back(std::move(group));
    } else {
      ++hidden;
    }
  };
  for (size_t i = 0; i < channel.queue.size(); ++i) {
    const model::Message& m = channel.queue[i];
    if (m.kind == model::MessageKind::kRecord) {
      ++records;
      continue;
    }
    if (records > 0) add(fmt::format("{} rec", records));
    records = 0;
    add(MessageGroup(m));
  }
  if (records > 0) add(fmt::format("{} rec", records));
  std::string text = fmt::format("{}", fmt::join(groups, ", "));
  if (hidden > 0) text += fmt::format(", +{}", hidden);
  return text;
}

std::string JobGraphDot(const simulator::Trace& trace, const EventIndex& index, const model::System& system,
                        int64_t step) {
  // The state's own graph: after a resume into a changed job, the new version.
  const model::JobGraph& graph = *system.graph;
  DotGraph dot;
  dot.SetGraphAttribute("label", Title(trace, index, system, step));
  dot.SetGraphAttribute("labelloc", "t");
  dot.SetGraphAttribute("labeljust", "l");
  dot.SetGraphAttribute("fontname", kFontName);
  dot.SetGraphAttribute("fontsize", "11");
  dot.SetGraphAttribute("rankdir", "LR");
  dot.SetGraphAttribute("nodesep", "0.2");
  dot.SetGraphAttribute("ranksep", "0.6");
  dot.SetNodeDefault("shape", "box");
  dot.SetNodeDefault("style", "rounded,filled");
  dot.SetNodeDefault("fillcolor", "white");
  dot.SetNodeDefault("fontname", kFontName);
  dot.SetNodeDefault("fontsize", "9");
  dot.SetEdgeDefault("fontname", kFontName);
  dot.SetEdgeDefault("fontsize", "8");
  dot.SetEdgeDefault("arrowsize", "0.7");
  OperatorNodes operators(static_cast<size_t>(graph.subtask_count()));
  for (const int v : graph.topological_order()) AddTask(dot, system, v, &operators);
  for (int c = 0; c < graph.channel_count(); ++c) {
    const model::ChannelInfo& info = graph.channels()[static_cast<size_t>(c)];
    dot.AddEdge(operators[static_cast<size_t>(info.producer)].back(),
                operators[static_cast<size_t>(info.consumer)].front(),
                ChannelAttributes(graph, system.channels[static_cast<size_t>(c)], c));
  }
  const model::VertexInfo& last = graph.vertices()[static_cast<size_t>(graph.topological_order().back())];
  AddLegend(dot, operators[static_cast<size_t>(last.first_subtask)].back());
  return dot.ToDot();
}

}  // namespace ckptsim::visualizer
