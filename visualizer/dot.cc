#include "visualizer/dot.h"

#include <algorithm>

#include <fmt/format.h>

namespace ckptsim::visualizer {
namespace {

// Graphviz expands escapes in tooltips twice (a "\\N" still becomes the node
// name), so a literal backslash in one is doubled once more.
std::string TooltipText(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Attributes(const DotAttributes& attributes) {
  std::string out;
  for (const auto& [key, value] : attributes) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}={}", key, QuoteDot(key == "tooltip" ? TooltipText(value) : value));
  }
  return out;
}

std::string NodeName(DotGraph::NodeId node) { return fmt::format("n{}", node); }

}  // namespace

std::string QuoteDot(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '&') {
      out += "&amp;";  // Graphviz reads entities in strings: "&amp;" in a name must not become "&"
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == kLeftLineEnd) {
      out += "\\l";
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string EscapeHtmlLabel(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
  }
  return out;
}

void DotGraph::SetGraphAttribute(std::string key, std::string value) {
  graph_attributes_.emplace_back(std::move(key), std::move(value));
}

void DotGraph::SetNodeDefault(std::string key, std::string value) {
  node_defaults_.emplace_back(std::move(key), std::move(value));
}

void DotGraph::SetEdgeDefault(std::string key, std::string value) {
  edge_defaults_.emplace_back(std::move(key), std::move(value));
}

DotGraph::ClusterId DotGraph::AddCluster(ClusterId parent, DotAttributes attributes) {
  clusters_.push_back(Cluster{parent, std::move(attributes)});
  return static_cast<ClusterId>(clusters_.size() - 1);
}

DotGraph::NodeId DotGraph::AddNode(DotAttributes attributes, ClusterId cluster) {
  return boost::add_vertex(NodeProperties{std::move(attributes), cluster, ""}, graph_);
}

DotGraph::NodeId DotGraph::AddHtmlNode(std::string html, DotAttributes attributes, ClusterId cluster) {
  return boost::add_vertex(NodeProperties{std::move(attributes), cluster, std::move(html)}, graph_);
}

void DotGraph::AddEdge(NodeId from, NodeId to, DotAttributes attributes) {
  boost::add_edge(from, to, EdgeProperties{std::move(attributes), edge_count()}, graph_);
}

void DotGraph::AddRankSame(std::vector<NodeId> nodes) { rank_groups_.push_back(std::move(nodes)); }

void DotGraph::WriteCluster(ClusterId cluster, int depth, std::string& out) const {
  // The root's contents sit at `depth`; a cluster's one level deeper than its header.
  const int inner_depth = cluster == kRoot ? depth : depth + 1;
  const std::string indent(static_cast<size_t>(2 * depth), ' ');
  const std::string inner(static_cast<size_t>(2 * inner_depth), ' ');
  if (cluster != kRoot) {
    out += fmt::format("{}subgraph cluster_{} {{\n", indent, cluster);
    for (const auto& [key, value] : clusters_[static_cast<size_t>(cluster)].attributes) {
      out += fmt::format("{}{}={};\n", inner, key, QuoteDot(value));
    }
  }
  for (NodeId node = 0; node < node_count(); ++node) {
    if (graph_[node].cluster != cluster) continue;
    const NodeProperties& properties = graph_[node];
    const std::string attributes = Attributes(properties.attributes);
    if (properties.html_label.empty()) {
      out += fmt::format("{}{} [{}];\n", inner, NodeName(node), attributes);
    } else {
      out += fmt::format("{}{} [label=<{}>{}{}];\n", inner, NodeName(node), properties.html_label,
                         attributes.empty() ? "" : ", ", attributes);
    }
  }
  for (size_t child = 0; child < clusters_.size(); ++child) {
    if (clusters_[child].parent == cluster) WriteCluster(static_cast<ClusterId>(child), inner_depth, out);
  }
  if (cluster != kRoot) out += indent + "}\n";
}

std::string DotGraph::ToDot() const {
  std::string out = "digraph ckptsim {\n";
  for (const auto& [key, value] : graph_attributes_) out += fmt::format("  {}={};\n", key, QuoteDot(value));
  if (!node_defaults_.empty()) out += fmt::format("  node [{}];\n", Attributes(node_defaults_));
  if (!edge_defaults_.empty()) out += fmt::format("  edge [{}];\n", Attributes(edge_defaults_));
  WriteCluster(kRoot, 1, out);
  for (const std::vector<NodeId>& group : rank_groups_) {
    out += "  { rank=same;";
    for (const NodeId node : group) out += fmt::format(" n{};", node);
    out += " }\n";
  }
  std::vector<Graph::edge_descriptor> edges;
  for (auto [it, end] = boost::edges(graph_); it != end; ++it) edges.push_back(*it);
  std::sort(edges.begin(), edges.end(),
            [&](const auto& a, const auto& b) { return graph_[a].order < graph_[b].order; });
  for (const auto& edge : edges) {
    const std::string attributes = Attributes(graph_[edge].attributes);
    out += fmt::format("  {} -> {}{};\n", NodeName(boost::source(edge, graph_)), NodeName(boost::target(edge, graph_)),
                       attributes.empty() ? "" : fmt::format(" [{}]", attributes));
  }
  out += "}\n";
  return out;
}

}  // namespace ckptsim::visualizer
