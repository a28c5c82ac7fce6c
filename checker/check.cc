#include "checker/check.h"

#include <algorithm>
#include <cmath>

#include "checker/protocol_model.h"
#include "model/check.h"
#include "model/routing.h"

namespace ckptsim::checker {
namespace {

SearchOptions SearchOptionsOf(const CheckRunOptions& options, int64_t default_depth) {
  SearchOptions search;
  search.max_states = options.max_states;
  search.max_depth = options.max_depth >= 0 ? options.max_depth : default_depth;
  search.jobs = options.jobs;
  search.stop_at_first = options.stop_at_first;
  search.properties = static_cast<int>(properties::kPropertyCount);
  search.cancel = options.cancel;
  search.progress = options.progress;
  return search;
}

// The decisions a path of choice indices stands for, re-applied from the
// initial state.
std::vector<model::Action> Decisions(const ProtocolModel& model, const std::vector<uint16_t>& path) {
  std::vector<model::Action> decisions;
  CheckState state;
  model.Initial(state);
  std::vector<Choice> choices;
  std::vector<model::Event> events;
  for (uint16_t index : path) {
    model.Choices(state, choices);
    CKPTSIM_CHECK(index < choices.size() && "a counterexample path re-applies from the initial state");
    decisions.push_back(choices[index].action);
    events.clear();
    model.Apply(state, index, events);
  }
  return decisions;
}

bool Wanted(const CheckRunOptions& options, properties::PropertyId id) {
  return options.properties.empty() ||
         std::find(options.properties.begin(), options.properties.end(), id) != options.properties.end();
}

// Swarm members each keep the shortest counterexample they met; the union
// keeps the shortest of all, the first member's on a tie.
void Absorb(SearchResult& into, SearchResult&& from) {
  into.stats.states += from.stats.states;
  into.stats.transitions += from.stats.transitions;
  into.stats.depth = std::max(into.stats.depth, from.stats.depth);
  into.stats.stored_bytes = std::max(into.stats.stored_bytes, from.stats.stored_bytes);
  into.stats.peak_frontier = std::max(into.stats.peak_frontier, from.stats.peak_frontier);
  if (into.stats.stopped_by.empty()) into.stats.stopped_by = from.stats.stopped_by;
  into.stats.complete = into.stats.complete && from.stats.complete;
  if (into.counterexamples.size() < from.counterexamples.size()) into.counterexamples.resize(from.counterexamples.size());
  for (size_t p = 0; p < from.counterexamples.size(); ++p) {
    auto& mine = into.counterexamples[p];
    auto& theirs = from.counterexamples[p];
    if (theirs && (!mine || theirs->actions.size() < mine->actions.size())) mine = std::move(theirs);
  }
}

}  // namespace

CheckResult Check(const simulator::RunConfig& scenario, const CheckRunOptions& options) {
  CheckResult result;
  result.config = CheckConfig(scenario);
  model::SetCheckContext("check of scenario " + result.config.scenario_name);
  const ProtocolModel model(result.config, options.partial_order_reduction);
  SearchResult search;
  switch (options.mode) {
    case SearchMode::kBfs:
      search = Bfs(model, SearchOptionsOf(options, std::numeric_limits<int64_t>::max()));
      break;
    case SearchMode::kDfs:
      search = Dfs(model, SearchOptionsOf(options, 200));
      break;
    case SearchMode::kSwarm: {
      const int searches = std::max(1, options.searches);
      SearchOptions member = SearchOptionsOf(options, 200);
      member.max_states = std::max<uint64_t>(1, options.max_states / static_cast<uint64_t>(searches));
      search.stats.complete = true;
      for (int i = 0; i < searches; ++i) {
        if (i % std::max(1, options.shards) != options.shard) continue;
        const uint64_t seed = model::Mix(options.seed, static_cast<uint64_t>(i) + 1) | 1;
        Absorb(search, Dfs(model, member, seed));
        ++result.searches_run;
        if (options.cancel && options.cancel->load()) break;
      }
      break;
    }
  }
  result.stats = search.stats;
  const double n = static_cast<double>(search.stats.states);
  result.collision_probability = std::min(1.0, n * (n - 1) / 2 / std::ldexp(1.0, 64));
  for (size_t p = 0; p < properties::kPropertyCount; ++p) {
    const auto id = static_cast<properties::PropertyId>(p);
    if (!Wanted(options, id)) continue;
    PropertyVerdict verdict{.property = id};
    if (p < search.counterexamples.size() && search.counterexamples[p]) {
      const Counterexample& cex = *search.counterexamples[p];
      verdict.violated = true;
      verdict.decisions = Decisions(model, cex.actions);
      verdict.violation = properties::Violation{.property = id,
                                                .step = static_cast<int64_t>(cex.actions.size()) - 1,
                                                .summary = cex.finding.summary,
                                                .details = cex.finding.details};
    }
    result.verdicts.push_back(std::move(verdict));
  }
  return result;
}

}  // namespace ckptsim::checker
