// Reading the job graph part of a scenario file (`vertices` and `edges`)
// into a model::JobGraphSpec, and compiling it with the file's lines at hand.
//
// The reader resolves what only the file knows: vertex names in edges, the
// `records` and `task_managers` shorthands, which vertices need `records`,
// and names given twice. Structural rules (cycles, forward edges between
// different parallelisms, sinks that are not the tail of a vertex without
// outputs, ...) belong to model::JobGraph::Compile; CompileJobGraph maps the
// vertex or edge index of its error back to the line of that vertex or edge.
#ifndef CKPTSIM_SCENARIOS_GRAPH_READER_H_
#define CKPTSIM_SCENARIOS_GRAPH_READER_H_

#include <memory>
#include <vector>

#include "model/job_graph.h"
#include "scenarios/yaml_reader.h"

namespace ckptsim::scenarios {

// Where each part of the graph is written in the file.
struct GraphLines {
  int vertices_line = 0;          // the `vertices:` key
  std::vector<int> vertex_lines;  // first line of each vertex, by spec index
  std::vector<int> edge_lines;    // first line of each edge, by spec index
};

// Reads the top-level `vertices` (required) and `edges` (optional) keys.
model::JobGraphSpec ReadJobGraph(MapReader& top, Diagnostics* diagnostics, GraphLines* lines);

// Compiles `spec`; on failure reports at the line of the offending vertex or
// edge and returns null.
std::shared_ptr<const model::JobGraph> CompileJobGraph(const model::JobGraphSpec& spec,
                                                       const GraphLines& lines, Diagnostics* diagnostics);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_GRAPH_READER_H_
