#include "simulator/shrink.h"

#include <algorithm>
#include <functional>
#include <memory>

namespace ckptsim::simulator {
namespace {

bool Violates(const RunResult& result, properties::PropertyId property) {
  return std::any_of(result.violations.begin(), result.violations.end(),
                     [&](const properties::Violation& v) { return v.property == property; });
}

// Recompiles the graph of a candidate; false if the reduction made it invalid.
bool Recompile(RunConfig& config) {
  model::GraphError error;
  auto graph = model::JobGraph::Compile(config.graph_spec, &error);
  if (!graph) return false;
  config.graph = std::make_shared<const model::JobGraph>(std::move(*graph));
  return true;
}

// A job that resumes into a new version: its sources read what they read in
// the (reduced) job, recompiled. True if there is nothing to follow.
bool MirrorSourcesIntoNewVersion(RunConfig& config) {
  if (!config.stop.resume || !config.stop.resume_into) return true;
  for (const model::VertexSpec& source : config.graph_spec.vertices) {
    if (source.records_per_subtask.empty()) continue;
    for (model::VertexSpec& twin : config.stop.resume_into_spec.vertices) {
      if (!twin.operators.empty() && twin.operators.front().name == source.operators.front().name) {
        twin.records_per_subtask = source.records_per_subtask;
      }
    }
  }
  model::GraphError error;
  auto graph = model::JobGraph::Compile(config.stop.resume_into_spec, &error);
  if (!graph) return false;
  config.stop.resume_into = std::make_shared<const model::JobGraph>(std::move(*graph));
  return true;
}

// The scenario reductions to try, each as a function editing a copy; the
// order puts the big wins (no faults at all) first.
std::vector<std::function<bool(RunConfig&)>> ScenarioReductions(const RunConfig& config) {
  std::vector<std::function<bool(RunConfig&)>> out;
  out.push_back([](RunConfig& c) {
    if (!c.faults.any()) return false;
    c.faults = FaultOptions{};
    return true;
  });
  const auto budget = [&](int FaultOptions::*field) {
    out.push_back([field](RunConfig& c) {
      if (c.faults.*field == 0) return false;
      c.faults.*field = c.faults.*field / 2;
      return true;
    });
  };
  budget(&FaultOptions::subtask_failures_max);
  budget(&FaultOptions::task_manager_failures_max);
  budget(&FaultOptions::lost_notifications_max);
  budget(&FaultOptions::delayed_rpcs_max);
  budget(&FaultOptions::checkpoint_timeouts_max);
  out.push_back([](RunConfig& c) {
    const int64_t span = c.faults.fault_phase_ticks - c.faults.fault_phase_start_ticks;
    if (!c.faults.any() || span < 2) return false;
    c.faults.fault_phase_ticks = c.faults.fault_phase_start_ticks + span / 2;
    return true;
  });
  // A job that resumes into a new version keeps its shape: the new version is
  // written against it. Its sources still read fewer records, in both
  // versions alike (a source keeps its records across versions).
  const bool keeps_shape = config.stop.resume && config.stop.resume_into;
  for (size_t v = 0; v < config.graph_spec.vertices.size(); ++v) {
    out.push_back([v](RunConfig& c) {  // halve every record count of a bounded source
      auto& records = c.graph_spec.vertices[v].records_per_subtask;
      bool changed = false;
      for (int64_t& n : records) {
        if (n > 1) {
          n /= 2;
          changed = true;
        }
      }
      return changed && Recompile(c) && MirrorSourcesIntoNewVersion(c);
    });
    if (keeps_shape) continue;
    out.push_back([v](RunConfig& c) {  // one subtask fewer (forward neighbours follow)
      auto& vertices = c.graph_spec.vertices;
      if (vertices[v].parallelism <= 1) return false;
      std::vector<bool> group(vertices.size(), false);
      group[v] = true;
      for (bool grew = true; grew;) {
        grew = false;
        for (const model::EdgeSpec& e : c.graph_spec.edges) {
          if (e.partitioning != model::Partitioning::kForward || group[e.from] == group[e.to]) continue;
          group[e.from] = group[e.to] = true;
          grew = true;
        }
      }
      for (size_t u = 0; u < vertices.size(); ++u) {
        if (!group[u]) continue;
        model::VertexSpec& vertex = vertices[u];
        --vertex.parallelism;
        if (!vertex.records_per_subtask.empty()) vertex.records_per_subtask.resize(vertex.parallelism);
        if (!vertex.task_manager_of_subtask.empty()) vertex.task_manager_of_subtask.resize(vertex.parallelism);
      }
      return Recompile(c);
    });
  }
  return out;
}

class Shrinker {
 public:
  Shrinker(uint64_t seed, properties::PropertyId property, const ShrinkOptions& options)
      : seed_(seed), property_(property), options_(options) {}

  bool Budget() const { return runs_ < options_.max_runs; }
  int runs() const { return runs_; }

  // A fresh run of `config` (the scheduler decides, faults as configured).
  bool TryScenario(const RunConfig& config, RunResult* out) {
    ++runs_;
    RunResult result = Run(config, seed_, RunOptions{.stop_at_first_violation = true});
    if (!Violates(result, property_)) return false;
    *out = std::move(result);
    return true;
  }

  // A lenient replay of `decisions`, finished by the scheduler.
  bool TryDecisions(const RunConfig& config, const std::vector<model::Action>& decisions, RunResult* out) {
    ++runs_;
    RunResult result = Run(config, seed_,
                           RunOptions{.stop_at_first_violation = true,
                                      .replay = &decisions,
                                      .lenient_replay = true,
                                      .finish_after_replay = true});
    if (!Violates(result, property_)) return false;
    *out = std::move(result);
    return true;
  }

 private:
  uint64_t seed_;
  properties::PropertyId property_;
  ShrinkOptions options_;
  int runs_ = 0;
};

}  // namespace

ShrinkResult Shrink(const RunConfig& config, uint64_t seed, const std::vector<model::Action>& decisions,
                    properties::PropertyId property, const ShrinkOptions& options) {
  Shrinker shrinker(seed, property, options);
  ShrinkResult best;
  best.config = config;
  best.seed = seed;
  best.original_steps = static_cast<int64_t>(decisions.size());
  // The starting point: the given log, replayed exactly.
  best.result = Run(config, seed, RunOptions{.stop_at_first_violation = true, .replay = &decisions});
  best.decisions = best.result.decisions;

  // Phase 1: the scenario, to a fixpoint.
  for (bool progress = true; progress && shrinker.Budget();) {
    progress = false;
    for (const auto& reduce : ScenarioReductions(best.config)) {
      if (!shrinker.Budget()) break;
      RunConfig candidate = best.config;
      if (!reduce(candidate)) continue;
      RunResult result;
      if (!shrinker.TryScenario(candidate, &result)) continue;
      best.config = std::move(candidate);
      best.decisions = result.decisions;
      best.result = std::move(result);
      progress = true;
    }
  }

  // Phase 2: faults out of the log first, then ddmin over the whole log.
  for (size_t i = 0; i < best.decisions.size() && shrinker.Budget();) {
    if (!model::IsFault(best.decisions[i].kind)) {
      ++i;
      continue;
    }
    std::vector<model::Action> candidate = best.decisions;
    candidate.erase(candidate.begin() + static_cast<long>(i));
    RunResult result;
    if (shrinker.TryDecisions(best.config, candidate, &result) && result.decisions.size() <= best.decisions.size()) {
      best.decisions = result.decisions;
      best.result = std::move(result);
      continue;  // the same index now holds the next decision
    }
    ++i;
  }
  size_t chunks = 2;
  while (best.decisions.size() >= 2 && shrinker.Budget()) {
    const size_t size = best.decisions.size();
    chunks = std::min(chunks, size);
    const size_t chunk = (size + chunks - 1) / chunks;
    bool reduced = false;
    for (size_t start = 0; start < size && shrinker.Budget(); start += chunk) {
      std::vector<model::Action> candidate;
      candidate.reserve(size);
      candidate.insert(candidate.end(), best.decisions.begin(), best.decisions.begin() + static_cast<long>(start));
      candidate.insert(candidate.end(), best.decisions.begin() + static_cast<long>(std::min(size, start + chunk)),
                       best.decisions.end());
      RunResult result;
      if (shrinker.TryDecisions(best.config, candidate, &result) && result.decisions.size() < size) {
        best.decisions = result.decisions;
        best.result = std::move(result);
        reduced = true;
        break;
      }
    }
    if (reduced) {
      chunks = std::max<size_t>(chunks - 1, 2);
    } else if (chunks >= size) {
      break;  // single decisions: nothing more to remove
    } else {
      chunks = std::min(size, chunks * 2);
    }
  }
  // Reordering: a decision moved one place earlier can let the scheduler
  // finish the run sooner (an RPC delivered before a step, say).
  for (bool progress = true; progress && shrinker.Budget();) {
    progress = false;
    for (size_t i = 1; i < best.decisions.size() && shrinker.Budget(); ++i) {
      std::vector<model::Action> candidate = best.decisions;
      std::swap(candidate[i - 1], candidate[i]);
      RunResult result;
      if (shrinker.TryDecisions(best.config, candidate, &result) && result.decisions.size() < best.decisions.size()) {
        best.decisions = result.decisions;
        best.result = std::move(result);
        progress = true;
      }
    }
  }
  best.runs = shrinker.runs();
  return best;
}

}  // namespace ckptsim::simulator
