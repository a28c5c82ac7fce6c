// A graph in Graphviz's DOT language, held as a Boost.Graph adjacency_list
// whose nodes and edges carry their DOT attributes, plus nested clusters and
// groups of nodes of equal rank (rows). Every view builds one and writes it
// with ToDot.
//
// Names from the trace (vertex and operator names) may hold quotes, spaces,
// backslashes and shell metacharacters. They only ever appear in attribute
// values, which ToDot always quotes and escapes; node and cluster ids are
// generated ("n12", "cluster_3"), never taken from user text. In a value,
// '\n' is a centred line break and '\x01' ends a left-aligned line.
//
// Output is a pure function of the calls made: attributes are written in the
// order they were set, nodes in the order they were added.
#ifndef CKPTSIM_VISUALIZER_DOT_H_
#define CKPTSIM_VISUALIZER_DOT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace ckptsim::visualizer {

using DotAttributes = std::vector<std::pair<std::string, std::string>>;

// Ends a left-aligned line in a label (DOT's "\l").
inline constexpr char kLeftLineEnd = '\x01';

// `text` as a quoted DOT string: quotes and backslashes escaped, '&' as
// "&amp;" (Graphviz decodes entities), '\n' as a centred line break,
// kLeftLineEnd as "\l", other control characters dropped.
std::string QuoteDot(std::string_view text);
// `text` escaped for Graphviz HTML-like labels (&, <, >, ").
std::string EscapeHtmlLabel(std::string_view text);

class DotGraph {
 public:
  using NodeId = size_t;
  using ClusterId = int;
  static constexpr ClusterId kRoot = -1;

  DotGraph() = default;

  void SetGraphAttribute(std::string key, std::string value);
  void SetNodeDefault(std::string key, std::string value);
  void SetEdgeDefault(std::string key, std::string value);
  // A cluster (drawn as a box around its nodes) inside `parent`.
  ClusterId AddCluster(ClusterId parent, DotAttributes attributes);
  NodeId AddNode(DotAttributes attributes, ClusterId cluster = kRoot);
  // A node whose label is Graphviz HTML-like markup, written as label=<...>.
  // REQUIRES: `html` is well-formed markup built by ckptsim; any trace text in
  // it was escaped with EscapeHtmlLabel.
  NodeId AddHtmlNode(std::string html, DotAttributes attributes, ClusterId cluster = kRoot);
  void AddEdge(NodeId from, NodeId to, DotAttributes attributes);
  // These nodes share one rank (a row in a top-down layout).
  void AddRankSame(std::vector<NodeId> nodes);

  size_t node_count() const { return boost::num_vertices(graph_); }
  size_t edge_count() const { return boost::num_edges(graph_); }
  std::string ToDot() const;

 private:
  struct NodeProperties {
    DotAttributes attributes;
    ClusterId cluster = kRoot;
    std::string html_label;  // empty: none
  };
  struct EdgeProperties {
    DotAttributes attributes;
    size_t order = 0;  // insertion order: edges are written in it
  };
  struct Cluster {
    ClusterId parent = kRoot;
    DotAttributes attributes;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, NodeProperties, EdgeProperties>;

  void WriteCluster(ClusterId cluster, int depth, std::string& out) const;

  Graph graph_;
  DotAttributes graph_attributes_;
  DotAttributes node_defaults_;
  DotAttributes edge_defaults_;
  std::vector<Cluster> clusters_;
  std::vector<std::vector<NodeId>> rank_groups_;
};

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_DOT_H_
