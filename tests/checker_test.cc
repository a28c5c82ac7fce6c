// The exhaustive search engines (checker/search.h), tested first on toy
// models whose state spaces are known, as Stateright does: a counter, a
// two-process mutex with a race, Peterson's mutex, and two dining
// philosophers that deadlock. Counts are pinned, and an independent naive
// breadth-first enumeration agrees with them.
#include <array>
#include <map>
#include <queue>
#include <set>

#include <gtest/gtest.h>

#include "checker/search.h"

namespace ckptsim::testing {
namespace {

using checker::Expansion;
using checker::Finding;
using checker::kStateFinding;

// 0 -> 1 -> ... -> n.
struct Counter {
  struct State {
    int value = 0;
  };
  int limit = 10;
  void Initial(State& out) const { out = State{}; }
  void Expand(const State& state, Expansion<State>& out) const {
    if (state.value < limit) out.Push(0).value = state.value + 1;
  }
  uint64_t Fingerprint(const State& state) const { return 0x1234u + static_cast<uint64_t>(state.value) * 0x9e37u; }
};

// Two processes: idle (0) -> checked the other's flag (1) -> critical (2, flag
// set) -> idle. With `peterson`, a process also sets its flag and gives the
// turn away before it waits, so the race is gone.
struct Mutex {
  struct State {
    std::array<int, 2> pc{0, 0};
    std::array<bool, 2> flag{false, false};
    int turn = 0;
  };
  bool peterson = false;
  void Initial(State& out) const { out = State{}; }
  void Expand(const State& s, Expansion<State>& out) const {
    for (int p = 0; p < 2; ++p) {
      const int q = 1 - p;
      State next = s;
      bool enabled = true;
      switch (s.pc[p]) {
        case 0:
          if (peterson) {
            next.flag[p] = true;
            next.turn = q;
          } else {
            enabled = !s.flag[q];  // check...
          }
          next.pc[p] = 1;
          break;
        case 1:
          if (peterson) {
            enabled = !s.flag[q] || s.turn == p;
          } else {
            next.flag[p] = true;  // ... then set: not atomic
          }
          next.pc[p] = 2;
          break;
        case 2:
          next.flag[p] = false;
          next.pc[p] = 0;
          break;
      }
      if (!enabled) continue;
      State& slot = out.Push(static_cast<uint16_t>(p));
      slot = next;
      if (next.pc[0] == 2 && next.pc[1] == 2) {
        out.Report(out.count() - 1, Finding{.property = 0, .summary = "both processes are critical"});
      }
    }
  }
  uint64_t Fingerprint(const State& s) const {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int v : {s.pc[0], s.pc[1], static_cast<int>(s.flag[0]), static_cast<int>(s.flag[1]), s.turn}) {
      h = (h ^ static_cast<uint64_t>(v + 1)) * 0x100000001b3ULL;
    }
    return h;
  }
};

// Two philosophers and two forks; each takes its left fork, then its right
// one, eats and puts both down. Both holding their left fork is a deadlock.
struct Philosophers {
  struct State {
    std::array<int, 2> held{0, 0};  // forks held: 0, 1 (left), 2 (both)
  };
  void Initial(State& out) const { out = State{}; }
  void Expand(const State& s, Expansion<State>& out) const {
    const auto fork_free = [&](int fork) {
      // fork p is philosopher p's left, and philosopher (p + 1) % 2's right.
      return s.held[fork] == 0 && s.held[(fork + 1) % 2] != 2;
    };
    for (int p = 0; p < 2; ++p) {
      State next = s;
      if (s.held[p] == 0 && fork_free(p)) {
        next.held[p] = 1;
      } else if (s.held[p] == 1 && s.held[(p + 1) % 2] == 0) {
        next.held[p] = 2;
      } else if (s.held[p] == 2) {
        next.held[p] = 0;
      } else {
        continue;
      }
      out.Push(static_cast<uint16_t>(p)) = next;
    }
    if (out.count() == 0) out.Report(kStateFinding, Finding{.property = 0, .summary = "deadlock"});
  }
  uint64_t Fingerprint(const State& s) const {
    return 0x51ed27u + static_cast<uint64_t>(s.held[0]) * 0x1000193u + static_cast<uint64_t>(s.held[1]) * 0x9e3779b9u;
  }
};

// An independent count: a set of fingerprints and a plain queue.
template <typename Model>
std::pair<size_t, size_t> NaiveCount(const Model& model) {
  using State = typename Model::State;
  std::set<uint64_t> seen;
  std::queue<State> queue;
  State initial;
  model.Initial(initial);
  seen.insert(model.Fingerprint(initial));
  queue.push(initial);
  size_t transitions = 0;
  Expansion<State> out;
  while (!queue.empty()) {
    State state = queue.front();
    queue.pop();
    out.Clear();
    model.Expand(state, out);
    transitions += out.count();
    for (size_t i = 0; i < out.count(); ++i) {
      if (seen.insert(model.Fingerprint(out.state(i))).second) queue.push(out.state(i));
    }
  }
  return {seen.size(), transitions};
}

TEST(CheckerToys, CounterHasLimitPlusOneStates) {
  const Counter counter{.limit = 10};
  const auto result = checker::Bfs(counter, {});
  EXPECT_EQ(result.stats.states, 11u);
  EXPECT_EQ(result.stats.transitions, 10u);
  EXPECT_EQ(result.stats.depth, 10);
  EXPECT_TRUE(result.stats.complete);
  EXPECT_FALSE(result.counterexamples[0]);
  EXPECT_EQ(NaiveCount(counter), std::make_pair(size_t{11}, size_t{10}));
}

TEST(CheckerToys, DepthAndStateBoundsStopTheSearch) {
  const Counter counter{.limit = 100};
  const auto deep = checker::Bfs(counter, {.max_depth = 7});
  EXPECT_EQ(deep.stats.states, 8u);
  EXPECT_FALSE(deep.stats.complete);
  EXPECT_EQ(deep.stats.stopped_by, "max-depth");
  const auto many = checker::Bfs(counter, {.max_states = 20});
  EXPECT_LE(many.stats.states, 20u);
  EXPECT_EQ(many.stats.stopped_by, "max-states");
}

TEST(CheckerToys, TheRacyMutexIsCaughtWithAShortestCounterexample) {
  const Mutex racy{.peterson = false};
  const auto result = checker::Bfs(racy, {});
  ASSERT_TRUE(result.counterexamples[0]);
  // p0 checks, p1 checks, p0 enters, p1 enters: four steps, none shorter.
  EXPECT_EQ(result.counterexamples[0]->actions, (std::vector<uint16_t>{0, 1, 0, 1}));
  EXPECT_EQ(result.counterexamples[0]->finding.summary, "both processes are critical");
  EXPECT_EQ(result.stats.stopped_by, "violation");
}

TEST(CheckerToys, PetersonsMutexHoldsOverItsWholeSpace) {
  const Mutex peterson{.peterson = true};
  const auto result = checker::Bfs(peterson, {});
  EXPECT_FALSE(result.counterexamples[0]);
  EXPECT_TRUE(result.stats.complete);
  EXPECT_EQ(result.stats.states, 10u);
  EXPECT_EQ(result.stats.transitions, 16u);
  EXPECT_EQ(NaiveCount(peterson), std::make_pair(size_t{10}, size_t{16}));
}

TEST(CheckerToys, TheDeadlockOfTwoPhilosophersIsFound) {
  const Philosophers philosophers;
  const auto result = checker::Bfs(philosophers, {});
  ASSERT_TRUE(result.counterexamples[0]);
  EXPECT_EQ(result.counterexamples[0]->actions, (std::vector<uint16_t>{0, 1}));  // both take their left fork
  EXPECT_EQ(result.counterexamples[0]->finding.summary, "deadlock");
}

TEST(CheckerToys, TwoThreadsGiveTheSameCountsAndCounterexamples) {
  const Counter counter{.limit = 5000};
  const auto one = checker::Bfs(counter, {.jobs = 1});
  const auto two = checker::Bfs(counter, {.jobs = 2});
  EXPECT_EQ(one.stats.states, two.stats.states);
  EXPECT_EQ(one.stats.transitions, two.stats.transitions);
  const Mutex racy{.peterson = false};
  EXPECT_EQ(checker::Bfs(racy, {.jobs = 1}).counterexamples[0]->actions,
            checker::Bfs(racy, {.jobs = 2}).counterexamples[0]->actions);
}

}  // namespace
}  // namespace ckptsim::testing
