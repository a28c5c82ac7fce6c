#include "visualizer/spacetime_dot.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "visualizer/dot.h"
#include "visualizer/json_fields.h"
#include "visualizer/style.h"

namespace ckptsim::visualizer {
namespace {

constexpr size_t kNodeLinesMax = 6;
constexpr size_t kTooltipLinesMax = 40;

// The fill (and shape) of a node: its most significant event decides.
struct NodeLook {
  const char* fill = "#ffffff";
  const char* shape = "box";
};

NodeLook LookOf(const EventIndex& index, const SpacetimeNode& node) {
  struct Rule {
    std::vector<std::string_view> kinds;
    NodeLook look;
  };
  static const std::vector<Rule> kRules{
      {{"job-graph-changed"}, {kNewVersionColor, "doubleoctagon"}},
      {{"failed", "job-failed", "stop-failed"}, {"#ff9c9c", "octagon"}},
      {{"restarted", "job-resumed"}, {"#9fd3ff", "doubleoctagon"}},
      {{"canceled"}, {"#d0d0d0", "box"}},
      {{"checkpoint-aborted", "checkpoint-refused", "checkpoint-canceled", "transaction-aborted", "rpc-lost"},
       {"#ffd0c2", "box"}},
      {{"checkpoint-completed", "transaction-committed", "final-checkpoint-done"}, {"#bfe8bf", "box"}},
      {{"finished", "job-finished"}, {"#8fd18f", "box"}},
      {{"end-data", "end-of-input", "final-checkpoint-set", "closing", "stop-requested"}, {"#fff0a8", "box"}},
      {{"checkpoint-triggered", "checkpoint-performed", "checkpoint-acknowledged", "transaction-precommitted"},
       {"#d6e4ff", "box"}},
  };
  for (const Rule& rule : kRules) {
    for (const size_t e : node.events) {
      if (std::find(rule.kinds.begin(), rule.kinds.end(), index.events[e].kind) != rule.kinds.end()) return rule.look;
    }
  }
  return {};
}

std::string Count(size_t n, std::string_view what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

std::string FoldedLabel(const EventIndex& index, const SpacetimeNode& node) {
  size_t sends = 0;
  for (const size_t e : node.events) sends += index.events[e].kind == "send" ? 1 : 0;
  const int64_t first = index.events[node.events.front()].step;
  const int64_t last = index.events[node.events.back()].step;
  std::string label;
  if (sends > 0) label += fmt::format("{} sent\n", Count(sends, "record"));
  if (node.events.size() > sends) label += fmt::format("{} received\n", Count(node.events.size() - sends, "record"));
  return label + (first == last ? fmt::format("step {}", first) : fmt::format("steps {}-{}", first, last));
}

// `text` in lines of at most kLabelLineMax characters, broken at spaces.
std::string Wrapped(const std::string& text) {
  std::string out;
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.size() + 1 + word.size() > kLabelLineMax) {
      out += Shorten(line) + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + Shorten(line);
}

std::string EventsLabel(const EventIndex& index, const SpacetimeNode& node) {
  std::string label;
  for (size_t i = 0; i < node.events.size() && i < kNodeLinesMax; ++i) {
    if (i == kNodeLinesMax - 1 && node.events.size() > kNodeLinesMax) {
      label += fmt::format("+{} more", node.events.size() - i);
      break;
    }
    const IndexedEvent& event = index.events[node.events[i]];
    // The new version's marker says in full what changed.
    label += (event.kind == "job-graph-changed" ? Wrapped(event.text) : Shorten(event.text)) + "\n";
  }
  if (!label.empty() && label.back() == '\n') label.pop_back();
  return label;
}

std::string Tooltip(const EventIndex& index, const SpacetimeNode& node) {
  std::string tooltip;
  for (size_t i = 0; i < node.events.size() && i < kTooltipLinesMax; ++i) {
    const IndexedEvent& e = index.events[node.events[i]];
    tooltip += fmt::format("step {} tick {}: {}\n", e.step, e.tick, e.text);
  }
  if (node.events.size() > kTooltipLinesMax)
    tooltip += fmt::format("... {} more", node.events.size() - kTooltipLinesMax);
  if (!tooltip.empty() && tooltip.back() == '\n') tooltip.pop_back();
  return tooltip;
}

DotAttributes NodeAttributes(const EventIndex& index, const Highlights& highlights, const SpacetimeNode& node) {
  if (node.violation != nullptr) {
    const ViolationReport& v = *node.violation;
    return {{"label", fmt::format("{} {} VIOLATED at step {}\n{}", v.code, v.name, v.step, Shorten(v.summary, 60))},
            {"shape", "box"},
            {"style", "filled,bold"},
            {"fillcolor", "#ffe0e0"},
            {"color", kHighlightColor},
            {"fontcolor", kHighlightColor},
            {"penwidth", "2.5"},
            {"tooltip", fmt::format("{}\n{}", v.summary, fmt::join(v.details, "\n"))}};
  }
  const bool highlighted =
      std::any_of(node.events.begin(), node.events.end(), [&](size_t e) { return highlights.Covers(index.events[e]); });
  DotAttributes attributes;
  if (node.folded) {
    // A run of one or two records says more as its events than as counts.
    const std::string label = node.events.size() <= 2 ? EventsLabel(index, node) : FoldedLabel(index, node);
    attributes = {{"label", label}, {"style", "rounded,filled,dashed"}, {"fillcolor", "#f4f4f4"}};
  } else {
    const NodeLook look = LookOf(index, node);
    attributes = {{"label", EventsLabel(index, node)}, {"fillcolor", look.fill}};
    if (std::string_view(look.shape) != "box") attributes.emplace_back("shape", look.shape);
    if (std::string_view(look.fill) == kNewVersionColor) attributes.emplace_back("style", "filled,bold");
  }
  attributes.emplace_back("tooltip", Tooltip(index, node));
  if (highlighted) {
    attributes.emplace_back("color", kHighlightColor);
    attributes.emplace_back("penwidth", "2.5");
  }
  return attributes;
}

std::string RowLabel(const SpacetimeRow& row) {
  const std::string steps = row.first_step == row.last_step ? fmt::format("step {}", row.first_step)
                                                            : fmt::format("steps {}-{}", row.first_step, row.last_step);
  const std::string ticks = row.first_tick == row.last_tick ? fmt::format("tick {}", row.first_tick)
                                                            : fmt::format("ticks {}-{}", row.first_tick, row.last_tick);
  return steps + "\n" + ticks;
}

// Arrows between the same two nodes of the same kind are drawn once.
struct Arrow {
  int from = 0;
  int to = 0;
  LinkKind kind = LinkKind::kRecord;
  bool lost = false;
  bool ignored = false;
  std::vector<std::string> labels;
};

std::vector<Arrow> CollectArrows(const EventIndex& index, const SpacetimeLayout& layout) {
  std::vector<Arrow> arrows;
  std::map<std::tuple<int, int, LinkKind, bool, bool>, size_t> position;
  for (const Link& link : index.links) {
    if (link.from == kNoEvent || link.to == kNoEvent) continue;
    const int from = layout.node_of_event[link.from];
    const int to = layout.node_of_event[link.to];
    if (from < 0 || to < 0 || from == to) continue;
    const auto key = std::make_tuple(from, to, link.kind, link.lost, link.ignored);
    auto [it, added] = position.emplace(key, arrows.size());
    if (added) arrows.push_back(Arrow{from, to, link.kind, link.lost, link.ignored, {}});
    arrows[it->second].labels.push_back(link.label);
  }
  return arrows;
}

std::string ArrowLabel(const Arrow& arrow) {
  if (arrow.kind == LinkKind::kRecord && arrow.labels.size() > 1) return fmt::format("{} records", arrow.labels.size());
  std::string label;
  for (size_t i = 0; i < arrow.labels.size(); ++i) {
    if (i == 3) {
      label += fmt::format(" +{}", arrow.labels.size() - i);
      break;
    }
    label += (i == 0 ? "" : ", ") + arrow.labels[i];
  }
  if (arrow.lost) return fmt::format("LOST {}", label);
  if (arrow.ignored) return label + " (ignored)";
  return label;
}

DotAttributes ArrowAttributes(const Arrow& arrow) {
  const LinkStyle style = StyleOf(arrow.kind);
  DotAttributes attributes{{"label", ArrowLabel(arrow)},
                           {"color", style.color},
                           {"fontcolor", style.color},
                           {"style", style.style},
                           {"penwidth", style.penwidth}};
  if (arrow.lost) {
    attributes = {{"label", ArrowLabel(arrow)},
                  {"color", kHighlightColor},
                  {"fontcolor", kHighlightColor},
                  {"style", "dashed"},
                  {"arrowhead", "tee"}};
  }
  return attributes;
}

// Writes a laid-out window. The picture is a grid: every lane has a node on
// every row (an invisible point where it did nothing), so each lifeline is a
// chain of one-row edges that dot keeps straight (one group per lane), and
// each row is chained left to right in lane order: the lanes stay columns.
class Writer {
 public:
  Writer(const EventIndex& index, const Highlights& highlights, const SpacetimeLayout& layout)
      : index_(index),
        highlights_(highlights),
        layout_(layout),
        rows_(layout.rows.size()),
        dot_node_(layout.nodes.size()) {}

  std::string Write(const std::string& title) {
    SetUp(title);
    AddHeaders();
    AddRowLabels();
    AddGrid();
    AddArrows();
    AddStoreWrites();
    return graph_.ToDot();
  }

 private:
  void SetUp(const std::string& title) {
    graph_.SetGraphAttribute("label", title);
    graph_.SetGraphAttribute("labelloc", "t");
    graph_.SetGraphAttribute("fontname", kFontName);
    graph_.SetGraphAttribute("fontsize", "11");
    graph_.SetGraphAttribute("rankdir", "TB");
    graph_.SetGraphAttribute("nodesep", "0.12");
    graph_.SetGraphAttribute("ranksep", "0.22");
    graph_.SetNodeDefault("shape", "box");
    graph_.SetNodeDefault("style", "rounded,filled");
    graph_.SetNodeDefault("fontname", kFontName);
    graph_.SetNodeDefault("fontsize", "9");
    graph_.SetNodeDefault("margin", "0.06,0.03");
    graph_.SetNodeDefault("height", "0.2");
    graph_.SetEdgeDefault("fontname", kFontName);
    graph_.SetEdgeDefault("fontsize", "8");
    graph_.SetEdgeDefault("arrowsize", "0.6");
  }

  // The time column's header and the lane headers form the first row, in lane order.
  void AddHeaders() {
    time_header_ = graph_.AddNode({{"label", "step\ntick"}, {"shape", "plaintext"}, {"style", ""}});
    std::vector<DotGraph::NodeId> first_row{time_header_};
    for (const Lane& lane : index_.lanes) {
      DotAttributes attributes{{"label", LaneHeader(lane)},
                               {"style", "filled,bold"},
                               {"fontsize", "10"},
                               {"fillcolor", lane.kind == LaneKind::kSubtask ? "#e8e8e8" : "#c9d3e6"}};
      if (highlights_.subtasks.count(lane.name) != 0) {
        attributes.emplace_back("color", kHighlightColor);
        attributes.emplace_back("penwidth", "2.5");
      }
      attributes.emplace_back("group", fmt::format("lane{}", headers_.size()));
      headers_.push_back(graph_.AddNode(std::move(attributes)));
      graph_.AddEdge(first_row.back(), headers_.back(), {{"style", "invis"}});
      first_row.push_back(headers_.back());
    }
    graph_.AddRankSame(first_row);
  }

  // The time column: each row's steps and ticks.
  void AddRowLabels() {
    DotGraph::NodeId previous = time_header_;
    for (size_t r = 0; r < layout_.rows.size(); ++r) {
      const DotGraph::NodeId label =
          graph_.AddNode({{"label", RowLabel(layout_.rows[r])},
                          {"shape", "plaintext"},
                          {"style", ""},
                          {"fontsize", "8"},
                          {"fontcolor", layout_.rows[r].violation ? kHighlightColor : "#505050"}});
      graph_.AddEdge(previous, label, {{"style", "invis"}, {"weight", "100"}});
      previous = label;
      rows_[r].push_back(label);
    }
  }

  void AddGrid() {
    const size_t lanes = index_.lanes.size();
    std::vector<std::vector<int>> cell(layout_.rows.size(), std::vector<int>(lanes, -1));
    for (size_t n = 0; n < layout_.nodes.size(); ++n) {
      cell[static_cast<size_t>(layout_.nodes[n].row)][static_cast<size_t>(layout_.nodes[n].lane)] = static_cast<int>(n);
    }
    std::vector<DotGraph::NodeId> lane_last(headers_);
    for (size_t r = 0; r < layout_.rows.size(); ++r) {
      for (size_t lane = 0; lane < lanes; ++lane) {
        const int n = cell[r][lane];
        DotAttributes attributes =
            n >= 0 ? NodeAttributes(index_, highlights_, layout_.nodes[static_cast<size_t>(n)])
                   : DotAttributes{
                         {"shape", "point"}, {"style", "invis"}, {"width", "0.01"}, {"height", "0.01"}, {"label", ""}};
        attributes.emplace_back("group", fmt::format("lane{}", lane));
        const DotGraph::NodeId id = graph_.AddNode(std::move(attributes));
        if (n >= 0) dot_node_[static_cast<size_t>(n)] = id;
        // A lane's lifeline runs only while its subtask is in the job's version.
        const Lane& info = index_.lanes[lane];
        if (LaneExists(info, layout_.rows[r]) && (r == 0 || LaneExists(info, layout_.rows[r - 1]))) {
          graph_.AddEdge(lane_last[lane], id, {{"color", "#c8c8c8"}, {"arrowhead", "none"}});
        } else {
          graph_.AddEdge(lane_last[lane], id, {{"style", "invis"}});
        }
        lane_last[lane] = id;
        rows_[r].push_back(id);
      }
    }
    // Store writes are flat edges of their own: no second (invisible) flat edge
    // between the same two nodes, which dot would mis-route.
    std::set<std::pair<DotGraph::NodeId, DotGraph::NodeId>> written;
    for (const StoreWrite& write : layout_.store_writes) written.insert({From(write), To(write)});
    for (std::vector<DotGraph::NodeId>& row : rows_) {
      for (size_t i = 1; i < row.size(); ++i) {
        if (written.count({row[i - 1], row[i]}) == 0) graph_.AddEdge(row[i - 1], row[i], {{"style", "invis"}});
      }
      graph_.AddRankSame(std::move(row));
    }
  }

  void AddArrows() {
    for (const Arrow& arrow : CollectArrows(index_, layout_)) {
      graph_.AddEdge(dot_node_[static_cast<size_t>(arrow.from)], dot_node_[static_cast<size_t>(arrow.to)],
                     ArrowAttributes(arrow));
    }
  }

  // One flat arrow per writer and row: dot mis-routes parallel flat edges with labels.
  void AddStoreWrites() {
    std::map<std::pair<DotGraph::NodeId, DotGraph::NodeId>, std::vector<std::string>> writes;
    for (const StoreWrite& write : layout_.store_writes) {
      const IndexedEvent& event = index_.events[write.event];
      const std::string verb = event.kind.substr(std::string_view("transaction-").size());
      writes[{From(write), To(write)}].push_back(fmt::format("txn {} {}", IntField(*event.line, "transaction"), verb));
    }
    for (const auto& [ends, labels] : writes) {
      graph_.AddEdge(
          ends.first, ends.second,
          {{"xlabel", fmt::format("{}", fmt::join(labels, "\n"))}, {"color", "#8b5a2b"}, {"fontcolor", "#8b5a2b"}});
    }
  }

  // A subtask only one version of the job has says which.
  static std::string LaneHeader(const Lane& lane) {
    if (lane.new_version_only) return lane.name + "\n(new version)";
    if (lane.old_version_only) return lane.name + "\n(first version)";
    return lane.name;
  }

  // Whether `lane`'s subtask is deployed in the version of the job `row` runs on.
  bool LaneExists(const Lane& lane, const SpacetimeRow& row) const {
    const GraphVersions& versions = index_.versions;
    if (!versions.changed()) return true;
    if (lane.new_version_only) return row.last_step >= versions.changed_at;
    if (lane.old_version_only) return row.first_step < versions.changed_at;
    return true;
  }

  DotGraph::NodeId From(const StoreWrite& write) const { return dot_node_[static_cast<size_t>(write.from_node)]; }
  DotGraph::NodeId To(const StoreWrite& write) const {
    return dot_node_[static_cast<size_t>(layout_.node_of_event[write.event])];
  }

  const EventIndex& index_;
  const Highlights& highlights_;
  const SpacetimeLayout& layout_;
  DotGraph graph_;
  DotGraph::NodeId time_header_ = 0;
  std::vector<DotGraph::NodeId> headers_;            // by lane
  std::vector<std::vector<DotGraph::NodeId>> rows_;  // row label, then one node per lane
  std::vector<DotGraph::NodeId> dot_node_;           // by layout node
};

}  // namespace

std::string SpacetimeLayoutDot(const EventIndex& index, const Highlights& highlights, const SpacetimeLayout& layout,
                               const std::string& title) {
  return Writer(index, highlights, layout).Write(title);
}

}  // namespace ckptsim::visualizer
