// The job an imported plan becomes, before it is written as YAML: vertices,
// operators and edges with their final names, and the comments that say
// what the importer decided and why. Internal to plan_import.cc and
// plan_yaml.cc.
#ifndef CKPTSIM_SCENARIOS_PLAN_DRAFT_H_
#define CKPTSIM_SCENARIOS_PLAN_DRAFT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/job_graph.h"

namespace ckptsim::scenarios {

// In a comment, a space that wrapping never breaks ("--bounded 17=5").
inline constexpr char kUnbrokenSpace = '\x1f';

struct DraftOperator {
  std::string name;
  model::OperatorKind kind = model::OperatorKind::kMap;
  std::string comment;  // what the plan calls it and why it got its kind
  int node = -1;        // PlanGraph node; -1 for an operator the importer added
};

struct DraftVertex {
  std::string name;
  int parallelism = 1;
  std::vector<DraftOperator> operators;  // head first
  int64_t records = -1;                  // a bounded source's records per subtask; -1: none
  std::string note;     // why the importer made this vertex, if it is not a task of the plan as chained
  std::string comment;  // which plan nodes it holds and why they are chained; then the note
  std::string path;     // the JSON path its errors point at
};

struct DraftEdge {
  int from = 0;  // index into DraftJob::vertices
  int to = 0;
  model::Partitioning partitioning = model::Partitioning::kForward;
  std::string comment;  // the plan's ship strategy and what became of it
  std::string path;
  int from_node = -1;  // the PlanGraph node Flink sends from; -1 for an edge the importer added
};

struct DraftJob {
  std::string name;
  std::string description;
  std::vector<std::string> header;  // paragraphs for the file's opening comment
  std::vector<DraftVertex> vertices;
  std::vector<DraftEdge> edges;
  // "node 19 \"Source: MyTable2[17]\"" for each unbounded source: the job is stopped.
  std::vector<std::string> unbounded_sources;
};

// The scenario file: every section written out, defaults included.
std::string WriteScenarioYaml(const DraftJob& job);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_DRAFT_H_
