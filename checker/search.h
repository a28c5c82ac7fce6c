// The exhaustive search engines, over any model with this shape (the
// protocol model of protocol_model.h, and the toy models the tests pin):
//
//   struct Model {
//     using State = ...;                       // a value: copying gives an independent state
//     void Initial(State& out) const;
//     // The successors of `state`, one per action the search explores from it,
//     // each with the index of that action among the state's actions (what a
//     // path is made of); and what `state` or a transition violates.
//     void Expand(const State& state, Expansion<State>& out) const;
//     uint64_t Fingerprint(const State& state) const;
//   };
//
// Breadth-first search finds a shortest path to each violation. It runs
// level by level; within a level the frontier is cut into contiguous chunks
// that worker threads expand, each keeping the successors it found new (not in
// the visited set, deduplicated within its chunk) with their discovery key
// (position of the parent in the frontier, action index). Between levels the
// threads' finds are merged by fingerprint keeping the smallest key, and the
// next frontier is ordered by that key: exactly the order a single thread
// discovers states in, so counts, counterexamples and their paths are the
// same for any number of threads.
//
// Stored per visited state: its fingerprint in the visited set (8 bytes a
// slot) and its parent link (a 4-byte parent index and a 2-byte action
// index); a path is rebuilt by re-applying actions from the initial state.
// Frontier states are kept whole while their level is expanded.
//
// Depth-first search (Dfs) keeps only the states on its path: for spaces too
// large for BFS, its counterexamples are not shortest. Randomized DFS (a
// seed) explores actions in a seeded order: swarm verification runs many.
#ifndef CKPTSIM_CHECKER_SEARCH_H_
#define CKPTSIM_CHECKER_SEARCH_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "checker/fingerprint_set.h"

namespace ckptsim::checker {

inline constexpr uint16_t kStateFinding = 0xffff;  // a finding about a state itself, not a transition

// What a model reports: a property (its own numbering) and words.
struct Finding {
  int property = 0;
  std::string summary;
  std::vector<std::string> details;
};

// The successors of one state, written by Model::Expand. Slots are reused
// across expansions (copy-assignment into a kept State allocates nothing in
// the common case).
template <typename State>
class Expansion {
 public:
  // A slot for the successor by action `action`; the model fills it.
  State& Push(uint16_t action) {
    if (count_ == states_.size()) states_.emplace_back();
    if (count_ == actions_.size()) {
      actions_.push_back(action);
    } else {
      actions_[count_] = action;
    }
    return states_[count_++];
  }
  // Drops the successor pushed last (the model decided against it).
  void Pop() { --count_; }
  // A violation of the transition into slot `slot`, or of the state itself (kStateFinding).
  void Report(size_t slot, Finding finding) {
    findings_.emplace_back(slot == kStateFinding ? kStateFinding : actions_[slot], std::move(finding));
  }
  void Clear() {
    count_ = 0;
    findings_.clear();
  }
  size_t count() const { return count_; }
  const State& state(size_t i) const { return states_[i]; }
  State& mutable_state(size_t i) { return states_[i]; }
  uint16_t action(size_t i) const { return actions_[i]; }
  // (action, finding); action kStateFinding for the state itself.
  const std::vector<std::pair<uint16_t, Finding>>& findings() const { return findings_; }

 private:
  std::vector<State> states_;
  std::vector<uint16_t> actions_;
  size_t count_ = 0;
  std::vector<std::pair<uint16_t, Finding>> findings_;
};

struct SearchOptions {
  uint64_t max_states = 50'000'000;
  int64_t max_depth = std::numeric_limits<int64_t>::max();
  int jobs = 1;
  bool stop_at_first = false;  // else go on until every property is violated or the space is done
  int properties = 1;          // how many properties the model reports on (0 .. properties-1)
  // Polled between chunks: a true value ends the search (interrupted).
  const std::atomic<bool>* cancel = nullptr;
  // Called about once a second from the searching thread.
  std::function<void(uint64_t states, int64_t depth, size_t queue, size_t bytes, double seconds)> progress;
};

struct Counterexample {
  std::vector<uint16_t> actions;  // from the initial state
  Finding finding;
};

struct SearchStats {
  uint64_t states = 0;       // distinct states visited
  uint64_t transitions = 0;  // successors generated
  int64_t depth = 0;         // deepest level reached
  bool complete = false;     // every reachable state (within the depth bound) was explored
  std::string stopped_by;    // why not complete: "max-states", "max-depth", "interrupted", "violation"
  double seconds = 0;
  size_t stored_bytes = 0;  // visited set + parent links
  size_t peak_frontier = 0;
};

struct SearchResult {
  SearchStats stats;
  // The first (shortest) counterexample of each property found, by property.
  std::vector<std::optional<Counterexample>> counterexamples;
};

namespace search_internal {

// A successor found new by one thread, with where it was found.
struct Found {
  uint64_t fingerprint;
  uint64_t key;  // parent position << 16 | action
  uint32_t slot;  // into the thread's state pool
  uint16_t thread;
};

// A small open-addressing map fingerprint -> index, reset per level.
class LocalIndex {
 public:
  void Reset(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    if (keys_.size() != capacity) {
      keys_.assign(capacity, 0);
      values_.assign(capacity, 0);
    } else {
      std::fill(keys_.begin(), keys_.end(), 0);
    }
    used_ = 0;
  }
  // The index stored for `fingerprint`, or stores `value` and returns nullopt.
  std::optional<uint32_t> FindOrInsert(uint64_t fingerprint, uint32_t value) {
    if ((used_ + 1) * 2 > keys_.size()) Grow();
    const uint64_t key = fingerprint == 0 ? 1 : fingerprint;
    const size_t mask = keys_.size() - 1;
    for (size_t i = (key * 0x9e3779b97f4a7c15ULL) >> 7 & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == 0) {
        keys_[i] = key;
        values_[i] = value;
        ++used_;
        return std::nullopt;
      }
    }
  }

 private:
  void Grow() {
    std::vector<uint64_t> keys = std::move(keys_);
    std::vector<uint32_t> values = std::move(values_);
    keys_.assign(keys.size() * 2, 0);
    values_.assign(keys.size() * 2, 0);
    used_ = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != 0) FindOrInsert(keys[i], values[i]);
    }
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;
  size_t used_ = 0;
};

// A finding with where it was found, for choosing the first deterministically.
struct Located {
  uint64_t key;       // parent position << 16 | action (kStateFinding: the state itself)
  uint32_t parent;    // state index of the state expanded
  Finding finding;
  // A finding about the state itself has a path one shorter than one about
  // a transition out of a state of the same level: it comes first.
  bool Before(const Located& other) const {
    const bool transition = (key & 0xffff) != kStateFinding;
    const bool other_transition = (other.key & 0xffff) != kStateFinding;
    return transition != other_transition ? !transition : key < other.key;
  }
};

}  // namespace search_internal

// Breadth-first search of `model` from its initial state.
template <typename Model>
SearchResult Bfs(const Model& model, const SearchOptions& options) {
  using State = typename Model::State;
  using search_internal::Found;
  using search_internal::Located;
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  const int jobs = std::max(1, options.jobs);
  SearchResult result;
  result.counterexamples.resize(static_cast<size_t>(std::max(1, options.properties)));
  FingerprintSet visited;
  std::vector<uint32_t> parent;  // by state index
  std::vector<uint16_t> via;     // by state index: the action from the parent
  // Two generations of state pools, one per thread: the frontier being
  // expanded and the one being found.
  std::vector<std::vector<State>> pools[2];
  std::vector<size_t> pool_used[2];
  for (int g = 0; g < 2; ++g) {
    pools[g].resize(static_cast<size_t>(jobs));
    pool_used[g].assign(static_cast<size_t>(jobs), 0);
  }
  struct Entry {
    uint16_t thread;
    uint32_t slot;
  };
  std::vector<Entry> frontier;
  int current = 0;
  pools[current][0].emplace_back();
  model.Initial(pools[current][0][0]);
  pool_used[current][0] = 1;
  frontier.push_back({0, 0});
  visited.Insert(model.Fingerprint(pools[current][0][0]));
  parent.push_back(0);
  via.push_back(0);
  result.stats.states = 1;
  uint64_t level_start = 0;  // state index of frontier[0]
  int properties_violated = 0;
  double next_progress = 1.0;

  const auto path_to = [&](uint32_t state) {
    std::vector<uint16_t> path;
    for (uint32_t s = state; s != 0; s = parent[s]) path.push_back(via[s]);
    std::reverse(path.begin(), path.end());
    return path;
  };

  for (int64_t depth = 0;; ++depth) {
    result.stats.depth = depth;
    result.stats.peak_frontier = std::max(result.stats.peak_frontier, frontier.size());
    if (options.progress && elapsed() >= next_progress) {
      options.progress(result.stats.states, depth, frontier.size(), visited.bytes() + parent.size() * 6, elapsed());
      next_progress = elapsed() + 1.0;
    }
    const int next = 1 - current;
    std::fill(pool_used[next].begin(), pool_used[next].end(), 0);
    std::vector<std::vector<Found>> found(static_cast<size_t>(jobs));
    std::vector<std::vector<Located>> findings(static_cast<size_t>(jobs));
    std::vector<uint64_t> transitions(static_cast<size_t>(jobs), 0);
    std::atomic<bool> cancelled{false};
    const bool expand = depth < options.max_depth;
    const auto work = [&](int thread, size_t begin, size_t end) {
      Expansion<State> out;
      search_internal::LocalIndex index;
      index.Reset((end - begin) * 4);
      std::vector<State>& pool = pools[next][thread];
      size_t& used = pool_used[next][thread];
      auto& mine = found[thread];
      for (size_t position = begin; position < end; ++position) {
        if (options.cancel && (position & 255) == 0 && options.cancel->load(std::memory_order_relaxed)) {
          cancelled.store(true);
          return;
        }
        const State& state = pools[current][frontier[position].thread][frontier[position].slot];
        out.Clear();
        model.Expand(state, out);
        const auto state_index = static_cast<uint32_t>(level_start + position);
        for (const auto& [action, finding] : out.findings()) {
          findings[thread].push_back(
              Located{.key = (static_cast<uint64_t>(position) << 16) | action, .parent = state_index, .finding = finding});
        }
        if (!expand) continue;
        transitions[thread] += out.count();
        for (size_t i = 0; i < out.count(); ++i) {
          const uint64_t fingerprint = model.Fingerprint(out.state(i));
          if (visited.Contains(fingerprint)) continue;
          const uint64_t key = (static_cast<uint64_t>(position) << 16) | out.action(i);
          if (index.FindOrInsert(fingerprint, static_cast<uint32_t>(mine.size()))) continue;  // found earlier in the chunk
          if (used == pool.size()) pool.emplace_back();
          std::swap(pool[used], out.mutable_state(i));
          mine.push_back(Found{.fingerprint = fingerprint, .key = key, .slot = static_cast<uint32_t>(used),
                               .thread = static_cast<uint16_t>(thread)});
          ++used;
        }
      }
    };
    if (jobs == 1 || frontier.size() < 64) {
      work(0, 0, frontier.size());
    } else {
      std::vector<std::thread> threads;
      const size_t chunk = (frontier.size() + static_cast<size_t>(jobs) - 1) / static_cast<size_t>(jobs);
      for (int t = 0; t < jobs; ++t) {
        const size_t begin = std::min(frontier.size(), static_cast<size_t>(t) * chunk);
        const size_t end = std::min(frontier.size(), begin + chunk);
        threads.emplace_back(work, t, begin, end);
      }
      for (std::thread& thread : threads) thread.join();
    }
    for (uint64_t n : transitions) result.stats.transitions += n;
    // The first finding of each property at this level, by discovery key.
    std::vector<Located*> first(result.counterexamples.size(), nullptr);
    for (auto& list : findings) {
      for (Located& located : list) {
        const auto property = static_cast<size_t>(located.finding.property);
        if (property >= first.size() || result.counterexamples[property]) continue;
        if (first[property] == nullptr || located.Before(*first[property])) first[property] = &located;
      }
    }
    for (size_t p = 0; p < first.size(); ++p) {
      if (first[p] == nullptr) continue;
      Counterexample cex{.actions = path_to(first[p]->parent), .finding = std::move(first[p]->finding)};
      const auto action = static_cast<uint16_t>(first[p]->key & 0xffff);
      if (action != kStateFinding) cex.actions.push_back(action);
      result.counterexamples[p] = std::move(cex);
      ++properties_violated;
    }
    if (cancelled.load()) {
      result.stats.stopped_by = "interrupted";
      break;
    }
    if (properties_violated > 0 &&
        (options.stop_at_first || properties_violated == static_cast<int>(result.counterexamples.size()))) {
      result.stats.stopped_by = "violation";
      break;
    }
    // Merge the threads' finds: one per fingerprint, the smallest key, in key order.
    std::vector<Found> merged;
    for (auto& list : found) merged.insert(merged.end(), list.begin(), list.end());
    std::sort(merged.begin(), merged.end(), [](const Found& a, const Found& b) {
      return a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint : a.key < b.key;
    });
    merged.erase(std::unique(merged.begin(), merged.end(),
                             [](const Found& a, const Found& b) { return a.fingerprint == b.fingerprint; }),
                 merged.end());
    std::sort(merged.begin(), merged.end(), [](const Found& a, const Found& b) { return a.key < b.key; });
    if (merged.empty()) {
      // Nothing new: the space is exhausted, unless the depth bound cut it.
      result.stats.complete = expand;
      if (!expand) result.stats.stopped_by = "max-depth";
      break;
    }
    if (result.stats.states + merged.size() > options.max_states) {
      result.stats.stopped_by = "max-states";
      break;
    }
    visited.Reserve(merged.size());
    frontier.clear();
    for (const Found& f : merged) {
      visited.Insert(f.fingerprint);
      parent.push_back(static_cast<uint32_t>(level_start + (f.key >> 16)));
      via.push_back(static_cast<uint16_t>(f.key & 0xffff));
      frontier.push_back({f.thread, f.slot});
    }
    level_start = result.stats.states;
    result.stats.states += merged.size();
    current = next;
  }
  result.stats.seconds = elapsed();
  result.stats.stored_bytes = visited.bytes() + parent.capacity() * sizeof(uint32_t) + via.capacity() * sizeof(uint16_t);
  return result;
}

// Depth-first search of `model` within options.max_depth, keeping only the
// states on its path and the visited fingerprints. With a nonzero `seed` the
// successors of each state are tried in an order drawn from the seed and the
// state's fingerprint (a swarm member); with 0 in action order. The
// counterexample kept per property is the shortest this search met.
template <typename Model>
SearchResult Dfs(const Model& model, const SearchOptions& options, uint64_t seed = 0) {
  using State = typename Model::State;
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  SearchResult result;
  result.counterexamples.resize(static_cast<size_t>(std::max(1, options.properties)));
  struct Frame {
    State state;
    Expansion<State> out;
    std::vector<uint16_t> order;  // slots, in the order tried
    size_t next = 0;
    uint16_t via = 0;  // the action that led here
    uint64_t fingerprint = 0;
  };
  std::vector<Frame> stack;
  size_t depth = 0;  // frames in use; stack[0 .. depth)
  FingerprintSet visited;
  int violated = 0;
  bool cut = false;  // a state was left unexpanded at the depth bound
  double next_progress = 1.0;
  const auto path = [&](size_t frames) {
    std::vector<uint16_t> actions;
    for (size_t f = 1; f < frames; ++f) actions.push_back(stack[f].via);
    return actions;
  };
  const auto keep = [&](const Finding& finding, std::vector<uint16_t> actions) {
    auto& slot = result.counterexamples[static_cast<size_t>(finding.property)];
    if (slot && slot->actions.size() <= actions.size()) return;
    if (!slot) ++violated;
    slot = Counterexample{.actions = std::move(actions), .finding = finding};
  };
  const auto enter = [&](uint16_t via) {
    Frame& frame = stack[depth];
    frame.via = via;
    frame.fingerprint = model.Fingerprint(frame.state);
    frame.out.Clear();
    frame.next = 0;
    if (static_cast<int64_t>(depth) < options.max_depth) {
      model.Expand(frame.state, frame.out);
    } else {
      cut = true;
    }
    ++depth;
    frame.order.resize(frame.out.count());
    for (size_t i = 0; i < frame.order.size(); ++i) frame.order[i] = static_cast<uint16_t>(i);
    if (seed != 0) {
      uint64_t draw = seed ^ frame.fingerprint;
      for (size_t i = frame.order.size(); i > 1; --i) {
        draw += 0x9e3779b97f4a7c15ULL;
        uint64_t z = draw;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::swap(frame.order[i - 1], frame.order[z % i]);
      }
    }
    for (const auto& [action, finding] : frame.out.findings()) {
      if (static_cast<size_t>(finding.property) >= result.counterexamples.size()) continue;
      std::vector<uint16_t> actions = path(depth);
      if (action != kStateFinding) actions.push_back(action);
      keep(finding, std::move(actions));
    }
  };
  stack.emplace_back();
  model.Initial(stack[0].state);
  visited.Insert(model.Fingerprint(stack[0].state));
  result.stats.states = 1;
  enter(0);
  while (depth > 0) {
    if (violated > 0 && (options.stop_at_first || violated == static_cast<int>(result.counterexamples.size()))) {
      result.stats.stopped_by = "violation";
      break;
    }
    if (options.cancel && (result.stats.transitions & 1023) == 0 && options.cancel->load(std::memory_order_relaxed)) {
      result.stats.stopped_by = "interrupted";
      break;
    }
    if (options.progress && (result.stats.transitions & 4095) == 0 && elapsed() >= next_progress) {
      options.progress(result.stats.states, static_cast<int64_t>(depth), depth, visited.bytes(), elapsed());
      next_progress = elapsed() + 1.0;
    }
    Frame& top = stack[depth - 1];
    if (top.next == top.order.size()) {
      --depth;
      continue;
    }
    const uint16_t slot = top.order[top.next++];
    ++result.stats.transitions;
    const uint64_t fingerprint = model.Fingerprint(top.out.state(slot));
    if (visited.Contains(fingerprint)) continue;
    if (result.stats.states >= options.max_states) {
      result.stats.stopped_by = "max-states";
      break;
    }
    visited.Reserve(1);
    visited.Insert(fingerprint);
    ++result.stats.states;
    if (depth == stack.size()) stack.emplace_back();
    // stack may have moved: take the parent again.
    Frame& parent = stack[depth - 1];
    std::swap(stack[depth].state, parent.out.mutable_state(slot));
    enter(parent.out.action(slot));
    result.stats.depth = std::max(result.stats.depth, static_cast<int64_t>(depth) - 1);
  }
  if (result.stats.stopped_by.empty()) {
    result.stats.complete = !cut;
    if (cut) result.stats.stopped_by = "max-depth";
  }
  result.stats.seconds = elapsed();
  result.stats.stored_bytes = visited.bytes();
  result.stats.peak_frontier = stack.size();
  return result;
}

}  // namespace ckptsim::checker

#endif  // CKPTSIM_CHECKER_SEARCH_H_
