// The System value type (fields.h) and the fingerprint the exhaustive checker
// deduplicates states by: copies are independent, equality and the
// fingerprint are derived from one field list per struct, and equal
// fingerprints mean equal states.
#include <map>

#include <gtest/gtest.h>

#include "harness.h"
#include "model/fingerprint.h"
#include "model/graph_change.h"
#include "model/system.h"
#include "scenarios/loader.h"
#include "simulator/runner.h"

namespace ckptsim::testing {
namespace {

// A member added to a state struct but named in neither of its field lists
// fails here, at compile time.
static_assert(model::FieldCountMatches<model::Channel>());
static_assert(model::FieldCountMatches<model::OperatorState>());
static_assert(model::FieldCountMatches<model::ChannelStateEntry>());
static_assert(model::FieldCountMatches<model::SubtaskSnapshot>());
static_assert(model::FieldCountMatches<model::Subtask>());
static_assert(model::FieldCountMatches<model::CheckpointPlan>());
static_assert(model::FieldCountMatches<model::PendingCheckpoint>());
static_assert(model::FieldCountMatches<model::CompletedCheckpoint>());
static_assert(model::FieldCountMatches<model::Coordinator>());
static_assert(model::FieldCountMatches<model::Transaction>());
static_assert(model::FieldCountMatches<model::ExternalStore>());
static_assert(model::FieldCountMatches<model::System>());
static_assert(model::FieldCountMatches<model::Rpc>());
static_assert(model::FieldCountMatches<model::Message>());
static_assert(model::FieldCountMatches<model::RecordId>());
static_assert(model::FieldCountMatches<model::ProtocolOptions>());

struct Counted {
  int a = 0;
  bool b = false;
  CKPTSIM_FIELD_LIST(Counted, a)
};
struct CountedWithGhost {
  int a = 0;
  bool b = false;
  CKPTSIM_FIELD_LIST(CountedWithGhost, a)
  CKPTSIM_GHOST_FIELDS(CountedWithGhost, b)
};
// The check itself can fail: a struct with an unlisted member is caught.
static_assert(!model::FieldCountMatches<Counted>());
static_assert(model::FieldCountMatches<CountedWithGhost>());

TEST(Fingerprint, CopiesAgreeAndAnyActionChangesIt) {
  Script s("fig6");
  const model::System copy = s.system();
  EXPECT_EQ(model::Fingerprint(copy), model::Fingerprint(s.system()));
  EXPECT_TRUE(copy == s.system());
  s.Do("step A[0]");
  EXPECT_NE(model::Fingerprint(copy), model::Fingerprint(s.system()));
  EXPECT_FALSE(copy == s.system());
}

TEST(Fingerprint, SameStateAlongTwoPathsFingerprintsTheSame) {
  Script one("fig6");
  Script two("fig6");
  one.Do("step A[0]").Do("step C[0]").Do("step A[0]").Do("step C[0]");
  two.Do("step C[0]").Do("step C[0]").Do("step A[0]").Do("step A[0]");
  // Both sent the same report-running RPCs, under different uids.
  EXPECT_EQ(model::Fingerprint(one.system()), model::Fingerprint(two.system()));
  model::System same_graph = two.system();  // each script compiled its own graph; a run shares one
  same_graph.graph = one.system().graph;
  EXPECT_TRUE(one.system() == same_graph);
}

TEST(Fingerprint, IgnoresGhostFieldsButNotStoreContents) {
  Script s("fig6");
  model::System counted = s.system();
  counted.coordinator.counters.triggered = 99;
  counted.next_rpc_uid = 1234;
  EXPECT_EQ(model::Fingerprint(counted), model::Fingerprint(s.system()));
  EXPECT_TRUE(counted == s.system());
  model::System with_txn = s.system();
  with_txn.store.transactions.push_back(model::Transaction{});
  EXPECT_NE(model::Fingerprint(with_txn), model::Fingerprint(s.system()));
  EXPECT_FALSE(with_txn == s.system());
}

// The field that once slipped out of the hand-kept fingerprint.
TEST(Fingerprint, CompletedCheckpointStateAssignedIsState) {
  Script s("fig6");
  model::System a = s.system();
  model::System b = s.system();
  auto completed = std::make_shared<model::CompletedCheckpoint>();
  a.coordinator.latest_savepoint = completed;
  auto assigned = std::make_shared<model::CompletedCheckpoint>(*completed);
  assigned->state_assigned = true;
  b.coordinator.latest_savepoint = assigned;
  EXPECT_NE(model::Fingerprint(a), model::Fingerprint(b));
  EXPECT_FALSE(a == b);
}

// Pinned so an unintended change to the hashing shows up as a failure.
// Last changed by OperatorState::summaries, the global committer's
// committable summaries (issue 14).
TEST(Fingerprint, GoldenValueOfFig6InitialState) {
  Script s("fig6");
  EXPECT_EQ(model::Fingerprint(s.system()), 0xebd594bad83aa099ULL);
}

// Replays every built-in scenario's run (plain and swarm) step by step.
template <typename OnStep>
void ForEveryStepOfEveryBuiltin(int seeds, OnStep on_step) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    for (int seed = 1; seed <= seeds; ++seed) {
      simulator::RunConfig config = LoadOrDie(name);
      const simulator::RunResult run = simulator::Run(config, static_cast<uint64_t>(seed));
      model::System system = simulator::InitialSystemOf(config);
      std::vector<model::Event> events;
      for (const model::Action& action : run.decisions) {
        on_step(name, system, action, events);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

// Issue: a copied System shared its unaligned snapshot with the original, so
// a step on one changed the other. Every copy taken before a step must come
// out of that step unchanged.
TEST(SystemValueType, ACopyTakenBeforeAStepIsUnchangedByIt) {
  int64_t steps = 0;
  ForEveryStepOfEveryBuiltin(2, [&](const std::string& name, model::System& system, const model::Action& action,
                                    std::vector<model::Event>& events) {
    const model::System before = system;
    const model::System twin = system;
    const uint64_t fingerprint = model::Fingerprint(before);
    events.clear();
    model::Apply(system, action, events);
    ++steps;
    ASSERT_EQ(model::Fingerprint(before), fingerprint) << name << " step " << steps;
    ASSERT_TRUE(before == twin) << name << " step " << steps;
  });
  EXPECT_GT(steps, 10000);
}

TEST(SystemValueType, EqualFingerprintsMeanEqualStatesOverTheBuiltins) {
  std::map<uint64_t, model::System> seen;
  int64_t repeats = 0;
  ForEveryStepOfEveryBuiltin(1, [&](const std::string& name, model::System& system, const model::Action& action,
                                    std::vector<model::Event>& events) {
    events.clear();
    model::Apply(system, action, events);
    const auto [it, inserted] = seen.try_emplace(model::Fingerprint(system), system);
    if (!inserted) {
      ++repeats;
      ASSERT_TRUE(it->second == system) << name << ": two states with one fingerprint differ";
    }
  });
  EXPECT_GT(seen.size(), 5000u);
}

// model/channel_index.h: the index of ready channels is derived from the
// channels, so after every step (failures, restores and resumes into a new
// graph among them) it must agree with one rebuilt from scratch.
TEST(ChannelIndex, AgreesWithTheChannelsAfterEveryStepOfEveryBuiltin) {
  int64_t steps = 0;
  ForEveryStepOfEveryBuiltin(3, [&](const std::string& name, model::System& system, const model::Action& action,
                                    std::vector<model::Event>& events) {
    events.clear();
    model::Apply(system, action, events);
    ++steps;
    ASSERT_TRUE(model::ChannelIndexMatches(system)) << name << " step " << steps << " after " << model::Describe(*system.graph, action);
  });
  EXPECT_GT(steps, 10000);
}

// The check above can fail: a queue changed behind the index's back is seen.
TEST(ChannelIndex, AChannelChangedWithoutReindexIsCaught) {
  simulator::RunConfig config = LoadOrDie("fig6");
  model::System system = simulator::InitialSystemOf(config);
  ASSERT_TRUE(model::ChannelIndexMatches(system));
  system.channels[0].queue.push_back(model::Message{.kind = model::MessageKind::kEndOfPartition});
  EXPECT_FALSE(model::ChannelIndexMatches(system));
  model::Reindex(system, 0);
  EXPECT_TRUE(model::ChannelIndexMatches(system));
}

}  // namespace
}  // namespace ckptsim::testing
