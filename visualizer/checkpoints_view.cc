#include "visualizer/checkpoints_view.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "visualizer/checkpoint_stories.h"
#include "visualizer/dot.h"
#include "visualizer/style.h"
#include "visualizer/timeline.h"

namespace ckptsim::visualizer {
namespace {

constexpr size_t kPerLine = 3;  // subtask entries per label line

bool Contains(const std::vector<int32_t>& list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Lines(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    out += items[i];
    if (i + 1 < items.size()) out += (i + 1) % kPerLine == 0 ? ",\n" : ", ";
  }
  return out;
}

std::string Names(const model::JobGraph& graph, const std::vector<int32_t>& subtasks) {
  std::vector<std::string> names;
  for (const int32_t s : subtasks) names.push_back(graph.SubtaskName(s));
  return Lines(names);
}

std::string TriggerLabel(const model::JobGraph& graph, const CheckpointStory& story) {
  std::string label = fmt::format("{} {}\ntriggered at step {}, tick {}", story.savepoint ? "savepoint" : "checkpoint",
                                  story.id, story.triggered.step, story.triggered.tick);
  if (!story.plan) return label + fmt::format("\nwaits for {} subtask(s)", story.wait_for);
  label += fmt::format("\ntriggers {}", Names(graph, story.plan->to_trigger));
  label += fmt::format("\nwaits for {} subtask(s)", story.plan->to_wait_for.size());
  if (!story.plan->finished_subtasks.empty()) {
    label += fmt::format("\nfinished at trigger: {}", Names(graph, story.plan->finished_subtasks));
  }
  return label;
}

// One node per task: how each of its subtasks answered.
DotAttributes AckAttributes(const model::JobGraph& graph, const CheckpointStory& story, int vertex) {
  const model::VertexInfo& info = graph.vertices()[static_cast<size_t>(vertex)];
  std::vector<std::string> lines;
  bool missing = false;
  bool any_waited = false;
  for (int s = info.first_subtask; s < info.first_subtask + info.parallelism; ++s) {
    const std::string name = Shorten(graph.SubtaskName(s), kNameMax);
    const bool waited = !story.plan || Contains(story.plan->to_wait_for, s);
    any_waited = any_waited || waited;
    const auto& ack = story.acks[static_cast<size_t>(s)];
    const auto decline = std::find_if(story.declines.begin(), story.declines.end(),
                                      [&](const SubtaskNote& n) { return n.subtask == graph.SubtaskName(s); });
    if (ack) {
      lines.push_back(fmt::format("{} ack at tick {}", name, ack->tick));
    } else if (decline != story.declines.end()) {
      lines.push_back(fmt::format("{} canceled: {}", name, decline->what));
      missing = true;
    } else if (story.plan && Contains(story.plan->finished_subtasks, s)) {
      lines.push_back(name + " finished");
    } else if (waited) {
      lines.push_back(name + " no ack");
      missing = true;
    } else {
      lines.push_back(name + " not in the plan");
    }
  }
  const char* fill = !any_waited ? "#e8e8e8" : missing ? "#ffd0c2" : "#d9f2d9";
  return {{"label", fmt::format("{}", fmt::join(lines, "\n"))}, {"fillcolor", fill}};
}

DotAttributes OutcomeAttributes(const CheckpointStory& story) {
  switch (story.outcome) {
    case CheckpointOutcome::kCompleted:
      return {{"label", fmt::format("COMPLETED\nstep {}, tick {}", story.ended.step, story.ended.tick)},
              {"fillcolor", "#a8e0a8"}};
    case CheckpointOutcome::kAborted:
      return {{"label",
               fmt::format("ABORTED\n{}\nstep {}, tick {}", story.abort_reason, story.ended.step, story.ended.tick)},
              {"fillcolor", "#ff9c9c"}};
    case CheckpointOutcome::kPending: return {{"label", "still pending\nat the end"}, {"fillcolor", "#f2f2f2"}};
  }
  return {};
}

std::string NotifiedLabel(const CheckpointStory& story) {
  std::vector<std::string> items;
  for (const SubtaskNote& n : story.notified) {
    items.push_back(fmt::format("{} {}{}", Shorten(n.subtask, kNameMax), n.when.tick,
                                n.what.empty() ? "" : fmt::format(" {}", n.what)));
  }
  const char* rpc = story.outcome == CheckpointOutcome::kCompleted ? "notify-complete" : "notify-abort";
  return fmt::format("{} (subtask tick):\n{}", rpc, Lines(items));
}

std::string CommitsLabel(const CheckpointStory& story) {
  std::vector<std::string> lines;
  for (const SubtaskNote& c : story.commits) {
    lines.push_back(fmt::format("{} committed by {} (tick {})", c.what, Shorten(c.subtask, kNameMax), c.when.tick));
  }
  if (lines.empty()) lines.push_back("no transaction committed");
  if (!story.released.empty()) {
    std::vector<std::string> names;
    for (const SubtaskNote& r : story.released) names.push_back(r.subtask);
    lines.push_back(fmt::format("released as final checkpoint:\n{}", Lines(names)));
  }
  return fmt::format("{}", fmt::join(lines, "\n"));
}

// Draws one checkpoint as a cluster; returns its first node.
DotGraph::NodeId AddCheckpoint(DotGraph& dot, const CheckpointStory& story, const Highlights& highlights) {
  const model::JobGraph& graph = *story.graph;
  const bool highlighted = highlights.checkpoints.count(story.id) != 0;
  DotAttributes cluster_attributes{{"label", ""}, {"style", "rounded"}, {"color", "#b0b0b0"}};
  if (highlighted) cluster_attributes = {{"label", ""}, {"style", "rounded,bold"}, {"color", kHighlightColor}};
  const DotGraph::ClusterId cluster = dot.AddCluster(DotGraph::kRoot, cluster_attributes);
  const DotGraph::NodeId trigger =
      dot.AddNode({{"label", TriggerLabel(graph, story)}, {"fillcolor", "#d6e4ff"}}, cluster);
  const DotGraph::NodeId outcome = dot.AddNode(OutcomeAttributes(story), cluster);
  const std::vector<int>& order = graph.topological_order();
  for (auto v = order.rbegin(); v != order.rend(); ++v) {  // bottom up, like the rows
    const DotGraph::NodeId acks = dot.AddNode(AckAttributes(graph, story, *v), cluster);
    dot.AddEdge(trigger, acks, {});
    dot.AddEdge(acks, outcome, {});
  }
  DotGraph::NodeId last = outcome;
  if (!story.notified.empty()) {
    const DotGraph::NodeId notified = dot.AddNode({{"label", NotifiedLabel(story)}}, cluster);
    dot.AddEdge(last, notified, {});
    last = notified;
  }
  if (story.outcome == CheckpointOutcome::kCompleted) {
    const DotGraph::NodeId commits = dot.AddNode({{"label", CommitsLabel(story)}, {"fillcolor", "#eef7ee"}}, cluster);
    dot.AddEdge(last, commits, {});
  }
  return trigger;
}

size_t NodesOf(const CheckpointStory& story) {
  return 2 + story.graph->vertices().size() + (story.notified.empty() ? 0 : 1) +
         (story.outcome == CheckpointOutcome::kCompleted ? 1 : 0);
}

// A row of the picture: a checkpoint, a run of refused triggers, or where the
// job's new version was deployed.
struct Row {
  const CheckpointStory* story = nullptr;  // null: refused triggers or the new version
  std::string label;                       // the refused triggers' or the new version's
  bool new_version = false;
};

struct Rows {
  std::vector<Row> rows;  // in trigger order
  size_t left_out = 0;    // checkpoints past the node budget
};

// The rows within the window of steps and the node budget.
Rows PickRows(const CheckpointHistory& history, const GraphVersions& versions, const CheckpointsOptions& options) {
  const int64_t from = options.from_step < 0 ? 0 : options.from_step;
  const int64_t to = options.to_step < 0 ? INT64_MAX : options.to_step;
  Rows picked;
  size_t nodes = 0;
  // The new version's row goes before the first entry of its step or later.
  bool new_version_due = versions.changed() && versions.changed_at >= from && versions.changed_at <= to;
  const auto place_new_version = [&](int64_t before_step) {
    if (!new_version_due || before_step < versions.changed_at) return;
    new_version_due = false;
    picked.rows.push_back({nullptr,
                           fmt::format("{}\nat step {}, tick {}\n{}", versions.MarkerText(), versions.changed_at,
                                       versions.changed_tick, versions.summary),
                           true});
    ++nodes;
  };
  for (size_t e = 0; e < history.order.size(); ++e) {
    const CheckpointHistory::Entry& entry = history.order[e];
    place_new_version(entry.refused ? history.refused[entry.index].when.step
                                    : history.checkpoints[entry.index].triggered.step);
    if (entry.refused) {
      // A run of refused triggers with one reason is one node.
      const RefusedTrigger& first = history.refused[entry.index];
      std::vector<std::string> ticks{std::to_string(first.when.tick)};
      while (e + 1 < history.order.size() && history.order[e + 1].refused &&
             history.refused[history.order[e + 1].index].reason == first.reason) {
        ticks.push_back(std::to_string(history.refused[history.order[++e].index].when.tick));
      }
      if (first.when.step < from || first.when.step > to) continue;
      picked.rows.push_back({nullptr, fmt::format("{} trigger(s) refused by the plan: {}\nat tick {}", ticks.size(),
                                                  first.reason, Lines(ticks))});
      ++nodes;
      continue;
    }
    const CheckpointStory& story = history.checkpoints[entry.index];
    if (story.triggered.step < from || story.triggered.step > to) continue;
    if (options.max_nodes != 0 && nodes + NodesOf(story) > options.max_nodes) {
      ++picked.left_out;
      continue;
    }
    picked.rows.push_back({&story, ""});
    nodes += NodesOf(story);
  }
  place_new_version(INT64_MAX);
  return picked;
}

std::string Title(const simulator::Trace& trace, const EventIndex& index, const CheckpointHistory& history,
                  const Highlights& highlights, const std::string& note) {
  std::string title = RunTitle(trace, index) + "\n";
  title += fmt::format("checkpoints: {} triggered, {} refused", history.checkpoints.size(), history.refused.size());
  if (!note.empty()) title += fmt::format("; {}", note);
  for (const ViolationReport& v : highlights.violations) {
    title += fmt::format("\n{} {} VIOLATED at step {}: {}", v.code, v.name, v.step, Shorten(v.summary, 100));
  }
  return title;
}

void SetUp(DotGraph& dot, const std::string& title) {
  dot.SetGraphAttribute("label", title);
  dot.SetGraphAttribute("labelloc", "t");
  dot.SetGraphAttribute("labeljust", "l");
  dot.SetGraphAttribute("fontname", kFontName);
  dot.SetGraphAttribute("fontsize", "11");
  dot.SetGraphAttribute("rankdir", "LR");
  dot.SetGraphAttribute("nodesep", "0.1");
  dot.SetGraphAttribute("ranksep", "0.3");
  dot.SetNodeDefault("shape", "box");
  dot.SetNodeDefault("style", "rounded,filled");
  dot.SetNodeDefault("fillcolor", "white");
  dot.SetNodeDefault("fontname", kFontName);
  dot.SetNodeDefault("fontsize", "9");
  dot.SetEdgeDefault("arrowsize", "0.6");
  dot.SetEdgeDefault("color", "#707070");
}

}  // namespace

bool CheckpointsDot(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights,
                    const CheckpointsOptions& options, CheckpointsView* view, std::string* error) {
  CheckpointHistory history;
  if (!CollectCheckpoints(trace, index, &history, error)) return false;
  const Rows picked = PickRows(history, index.versions, options);
  if (picked.left_out > 0) {
    view->note = fmt::format("{} checkpoint(s) left out to fit {} nodes; narrow with --from/--to", picked.left_out,
                             options.max_nodes);
  }
  DotGraph dot;
  SetUp(dot, Title(trace, index, history, highlights, view->note));
  // dot stacks the rows of a left-to-right layout bottom up: add the last first, so the first is on top.
  std::optional<DotGraph::NodeId> below;
  for (auto row = picked.rows.rbegin(); row != picked.rows.rend(); ++row) {
    DotGraph::NodeId first = 0;
    if (row->story != nullptr) {
      first = AddCheckpoint(dot, *row->story, highlights);
    } else if (row->new_version) {
      // In a cluster of its own, like a checkpoint's, so that dot keeps it in its row.
      const DotGraph::ClusterId cluster = dot.AddCluster(DotGraph::kRoot, {{"label", ""}, {"style", "invis"}});
      first = dot.AddNode({{"label", row->label},
                           {"fillcolor", kNewVersionColor},
                           {"style", "filled,bold"},
                           {"shape", "doubleoctagon"}},
                          cluster);
    } else {
      first = dot.AddNode({{"label", row->label}, {"fillcolor", "#ffd0c2"}, {"style", "filled"}});
    }
    if (below) dot.AddEdge(*below, first, {{"style", "invis"}, {"constraint", "false"}});
    below = first;
  }
  if (picked.rows.empty()) {
    const bool none = history.order.empty();
    dot.AddNode({{"label", none ? "no checkpoint was triggered" : "no checkpoint was triggered in these steps"},
                 {"style", "filled"}});
  }
  view->nodes = dot.node_count();
  view->dot = dot.ToDot();
  return true;
}

}  // namespace ckptsim::visualizer
