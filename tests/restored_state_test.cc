// P9 restored state (docs/protocol.md sections 7 and 10): a restored attempt
// starts from what its checkpoint holds, assigned as Flink's
// StateAssignmentOperation assigns it. A real restore passes; the same
// restore with a union entry dropped, a finished subtask's share missing from
// the checkpoint, a broadcast state nobody held or a list entry lost is
// reported. The known-buggy rule (union-state-partial-ok, FLINK-21080) is
// caught by it on the union-state-partial built-in: tests/zoo_test.cc.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "properties/property.h"

namespace ckptsim::testing {
namespace {

using model::Event;
using model::EventKind;
using properties::PropertyId;

constexpr const char* kRestoreJob = R"(name: restored
vertices:
  - {name: S, parallelism: 2, records: 4, operators: [{name: s, kind: bounded_source}]}
  - {name: U, parallelism: 2, operators: [{name: u, kind: union_state}, {name: b, kind: broadcast_state},
                                          {name: l, kind: buffering}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S, to: U, partitioning: forward}
)";

// Checkpoint 1 taken with records in every operator, then U[0] failed and
// restarted from it.
Script Restored() {
  Script s(kRestoreJob);
  s.StartAll();
  s.Do("step S[0]").Do("step S[0]").Do("step S[1]");
  s.Do("deliver S[0]->U[0]").Do("deliver S[0]->U[0]").Do("deliver S[1]->U[1]");
  s.Do("trigger").Rpc(model::RpcKind::kTriggerCheckpoint, "S[0]").Rpc(model::RpcKind::kTriggerCheckpoint, "S[1]");
  s.Do("deliver S[0]->U[0]").Do("deliver S[1]->U[1]");
  for (const char* subtask : {"S[0]", "S[1]", "U[0]", "U[1]"}) s.Rpc(model::RpcKind::kAcknowledge, subtask);
  EXPECT_EQ(s.system().coordinator.latest_completed_id, 1);
  s.Do("fail U[0]").Do("restart");
  return s;
}

// P9 over the state `edit` leaves after the restart (of U[0]'s region: S[0]
// and U[0]).
std::optional<properties::Violation> CheckAfter(const Script& s, const auto& edit) {
  model::System system = s.system();
  edit(system);
  auto checker = properties::MakeRestoredStateChecker(system);
  std::vector<Event> events;
  for (int32_t subtask = 0; subtask < static_cast<int32_t>(system.subtasks.size()); ++subtask) {
    if (system.subtasks[subtask].restored_checkpoint_id != 1) continue;
    events.push_back(Event{.kind = EventKind::kRestarted, .subtask = subtask, .checkpoint = 1});
  }
  EXPECT_FALSE(events.empty());
  checker->OnStep(system, 1, events);
  return checker->violation();
}

model::OperatorState& Op(model::System& system, const Script& s, const char* subtask, int op) {
  return system.subtasks[s.Subtask(subtask)].operators[op];
}

TEST(P9RestoredState, ARealRestorePasses) {
  const Script s = Restored();
  const auto& u0 = s.Sub("U[0]");
  EXPECT_EQ(u0.restored_checkpoint_id, 1);
  EXPECT_EQ(u0.operators[0].union_entries, (std::vector<int64_t>{2, 1}));
  const auto violation = CheckAfter(s, [](model::System&) {});
  EXPECT_FALSE(violation) << violation->summary;
}

TEST(P9RestoredState, AUnionEntryDroppedIsReported) {
  const Script s = Restored();
  const auto violation = CheckAfter(s, [&](model::System& system) { Op(system, s, "U[0]", 0).union_entries.pop_back(); });
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->property, PropertyId::kRestoredState);
  EXPECT_NE(violation->summary.find("U[0] operator u restored from checkpoint 1"), std::string::npos)
      << violation->summary;
  EXPECT_NE(violation->summary.find("restored entries [2], but the old subtasks reported [2, 1]"), std::string::npos)
      << violation->summary;
}

// What FLINK-21080 lost: a subtask that had finished took no snapshot, so the
// checkpoint has no union entry of it.
TEST(P9RestoredState, AFinishedSubtasksMissingShareIsReported) {
  const Script s = Restored();
  const auto violation = CheckAfter(s, [&](model::System& system) {
    auto checkpoint = std::make_shared<model::CompletedCheckpoint>(*system.coordinator.latest_completed);
    checkpoint->snapshots[s.Subtask("U[1]")] = nullptr;
    checkpoint->subtask_finished[s.Subtask("U[1]")] = true;
    system.coordinator.latest_completed = checkpoint;
  });
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->summary.find("the entry of U[1] is missing: it had finished"), std::string::npos) << violation->summary;
}

TEST(P9RestoredState, ABroadcastStateNoReporterHeldIsReported) {
  const Script s = Restored();
  const auto violation = CheckAfter(s, [&](model::System& system) { Op(system, s, "U[0]", 1).value = 7; });
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->summary.find("restored broadcast state 7, which no old subtask held"), std::string::npos)
      << violation->summary;
}

TEST(P9RestoredState, AListEntryLostIsReported) {
  const Script s = Restored();
  ASSERT_FALSE(s.Sub("U[0]").operators[2].buffer.empty());
  const auto violation = CheckAfter(s, [&](model::System& system) { Op(system, s, "U[0]", 2).buffer.pop_back(); });
  ASSERT_TRUE(violation);
  EXPECT_NE(violation->summary.find("list entries"), std::string::npos) << violation->summary;
}

}  // namespace
}  // namespace ckptsim::testing
