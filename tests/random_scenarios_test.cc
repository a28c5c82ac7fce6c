// Property-based tests over random small jobs (rapidcheck): random DAGs of
// 2-6 tasks, parallelism 1-3, bounded sources, every operator kind that fits.
// Under the FLIP-147 variant no run may violate P1-P3 (docs/protocol.md section
// 10), with or without faults, and without faults every property holds and
// the job finishes. Failing cases shrink to small graphs.
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "model/job_graph.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

using model::OperatorKind;
using model::Partitioning;

// A random job described by plain integers, so rapidcheck can shrink it.
struct RandomJob {
  int vertices = 2;
  std::vector<int> parallelism;   // 1..3
  std::vector<int> records;       // per source vertex, 0..8 per subtask
  std::vector<int> kind;          // operator choice for inner vertices
  std::vector<int> predecessor;   // main input: index into [0, v)
  std::vector<int> second_input;  // -1 or a second predecessor
  std::vector<int> partitioning;  // for the main input edge
  bool unaligned = false;
  int failures = 0;               // 0..2 subtask failures in the fault phase
  uint64_t seed = 1;
};

// How rapidcheck prints a counterexample: the job as the scenario it becomes.
void showValue(const RandomJob& job, std::ostream& os) {
  os << "vertices=" << job.vertices << " seed=" << job.seed << " failures=" << job.failures
     << " unaligned=" << job.unaligned << "\n";
  for (int v = 0; v < job.vertices; ++v) {
    os << "  V" << v << ": parallelism " << job.parallelism[v] << ", records " << job.records[v] << ", kind "
       << job.kind[v] << ", inputs " << job.predecessor[v] << "/" << job.second_input[v] << ", partitioning "
       << job.partitioning[v] << "\n";
  }
}

rc::Gen<RandomJob> GenJob() {
  return rc::gen::exec([] {
    RandomJob job;
    job.vertices = *rc::gen::inRange(2, 7);
    for (int v = 0; v < job.vertices; ++v) {
      job.parallelism.push_back(*rc::gen::inRange(1, 4));
      job.records.push_back(*rc::gen::inRange(0, 9));
      job.kind.push_back(*rc::gen::inRange(0, 6));
      job.predecessor.push_back(v == 0 ? -1 : *rc::gen::inRange(0, v));
      job.second_input.push_back(v < 2 ? -1 : *rc::gen::inRange(-1, v));
      job.partitioning.push_back(*rc::gen::inRange(0, 5));
    }
    job.unaligned = *rc::gen::arbitrary<bool>();
    job.failures = *rc::gen::inRange(0, 3);
    job.seed = *rc::gen::inRange<uint64_t>(1, 1000);
    return job;
  });
}

// Builds a valid scenario: vertex 0 and every vertex whose kind says so are
// bounded sources; a vertex nobody reads from gets a 2PC sink chained at its
// tail; forward edges only where parallelism matches.
simulator::RunConfig ToConfig(const RandomJob& job, model::Variant variant) {
  simulator::RunConfig config;
  config.scenario_name = "random";
  const int n = job.vertices;
  std::vector<bool> is_source(n, false);
  std::vector<bool> has_output(n, false);
  is_source[0] = true;
  for (int v = 1; v < n; ++v) is_source[v] = job.kind[v] == 0 && v % 2 == 1;
  for (int v = 1; v < n; ++v) {
    if (is_source[v]) continue;
    has_output[job.predecessor[v]] = true;
    if (job.second_input[v] >= 0 && job.second_input[v] != job.predecessor[v]) has_output[job.second_input[v]] = true;
  }
  for (int v = 0; v < n; ++v) {
    model::VertexSpec vertex;
    vertex.name = "V" + std::to_string(v);
    vertex.parallelism = job.parallelism[v];
    if (is_source[v]) {
      vertex.operators.push_back({vertex.name + "-source", OperatorKind::kBoundedSource});
      vertex.records_per_subtask.assign(vertex.parallelism, job.records[v]);
    } else {
      static constexpr OperatorKind kInner[] = {OperatorKind::kMap,        OperatorKind::kKeyedAggregate,
                                                OperatorKind::kUnionState, OperatorKind::kBroadcastState,
                                                OperatorKind::kBuffering,  OperatorKind::kMap};
      vertex.operators.push_back({vertex.name + "-op", kInner[job.kind[v] % 6]});
    }
    if (!has_output[v]) vertex.operators.push_back({vertex.name + "-sink", OperatorKind::kTwoPhaseCommitSink});
    config.graph_spec.vertices.push_back(std::move(vertex));
  }
  static constexpr Partitioning kParts[] = {Partitioning::kForward, Partitioning::kHash, Partitioning::kRebalance,
                                            Partitioning::kBroadcast, Partitioning::kRescale};
  for (int v = 1; v < n; ++v) {
    if (is_source[v]) continue;
    const int inputs[] = {job.predecessor[v], job.second_input[v]};
    for (int i = 0; i < 2; ++i) {
      const int from = inputs[i];
      if (from < 0 || (i == 1 && from == inputs[0])) continue;
      Partitioning p = kParts[(job.partitioning[v] + i) % 5];
      if (p == Partitioning::kForward && job.parallelism[from] != job.parallelism[v]) p = Partitioning::kHash;
      config.graph_spec.edges.push_back(model::EdgeSpec{from, v, p});
    }
  }
  model::GraphError error;
  auto graph = model::JobGraph::Compile(config.graph_spec, &error);
  RC_ASSERT(graph.has_value());
  config.graph = std::make_shared<const model::JobGraph>(std::move(*graph));
  config.protocol.variant = variant;
  config.protocol.checkpoint_mode =
      job.unaligned ? model::CheckpointMode::kUnaligned : model::CheckpointMode::kAligned;
  config.timing.checkpoint_interval_ticks = 20;
  if (job.failures > 0) {
    config.faults.subtask_failures_max = job.failures;
    config.faults.subtask_failure_ppm = 20000;
    config.faults.fault_phase_ticks = 150;
  }
  config.limits.max_steps = 200000;
  config.limits.max_ticks = 50000;
  return config;
}

RC_GTEST_PROP(RandomJobs, Flip147NeverViolatesP1ToP3EvenWithFailures, ()) {
  const RandomJob job = *GenJob();
  const simulator::RunConfig config = ToConfig(job, model::Variant::kFlip147);
  const simulator::RunResult result = simulator::Run(config, job.seed);
  for (const auto& v : result.violations) {
    RC_ASSERT(v.property != properties::PropertyId::kExactlyOnce);
    RC_ASSERT(v.property != properties::PropertyId::kNoDataLoss);
    RC_ASSERT(v.property != properties::PropertyId::kTopologicalFinish);
  }
  // Not asserted here: that the job finishes. With union list state and
  // region failover it may not (see UnionStateWithRegionFailover in
  // properties_test.cc): a real liveness gap, reported by L1.
}

RC_GTEST_PROP(RandomJobs, EveryPropertyHoldsWithoutFaults, ()) {
  RandomJob job = *GenJob();
  job.failures = 0;
  const simulator::RunConfig config = ToConfig(job, model::Variant::kFlip147);
  const simulator::RunResult result = simulator::Run(config, job.seed);
  RC_ASSERT(result.violations.empty());
  RC_ASSERT(result.job_finished);
}

}  // namespace
}  // namespace ckptsim::testing
