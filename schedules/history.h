// What a session remembers beyond the current state, so that conditions can
// ask about the past: every checkpoint with the plan it was triggered with
// and how it ended, every operator lifecycle call, every refused trigger.
// The model keeps only what the protocol needs (a pending checkpoint's plan
// is gone once it completes); the history keeps it for the questions.
#ifndef CKPTSIM_SCHEDULES_HISTORY_H_
#define CKPTSIM_SCHEDULES_HISTORY_H_

#include <cstdint>
#include <span>
#include <vector>

#include "model/event.h"
#include "model/messages.h"
#include "model/state.h"

namespace ckptsim::schedules {

enum class CheckpointStatus : uint8_t { kPending, kCompleted, kAborted };

struct CheckpointRecord {
  int64_t id = 0;
  model::CheckpointKind kind = model::CheckpointKind::kCheckpoint;
  model::CheckpointPlan plan;
  CheckpointStatus status = CheckpointStatus::kPending;
  model::AbortReason reason = model::AbortReason::kNone;  // kAborted only
  // Completed only: the finished markers it recorded (docs/protocol.md section 5).
  std::vector<model::VertexFinishedStatus> vertex_status;
  std::vector<bool> subtask_finished;
  // In the order it happened: subtasks that took it (snapshot, barrier sent)
  // and whose acknowledgement the coordinator accepted.
  std::vector<int32_t> performed_by;
  std::vector<int32_t> acknowledged_by;
  int64_t triggered_at_step = 0;
};

struct CallRecord {
  int32_t subtask = 0;
  int32_t op = 0;  // index in the chain
  model::OperatorCall call = model::OperatorCall::kOpen;
  int64_t argument = 0;  // checkpoint id, or the input of endInput (1-based)
  int64_t step = 0;
};

struct RefusalRecord {
  int64_t step = 0;
  model::AbortReason reason = model::AbortReason::kNone;
};

class History {
 public:
  // After `system` took step `step`, which produced `events`.
  void Observe(const model::System& system, int64_t step, std::span<const model::Event> events);

  const CheckpointRecord* Find(int64_t checkpoint_id) const;
  const std::vector<CheckpointRecord>& checkpoints() const { return checkpoints_; }
  const std::vector<CallRecord>& calls() const { return calls_; }
  const std::vector<RefusalRecord>& refusals() const { return refusals_; }

 private:
  CheckpointRecord* FindMutable(int64_t checkpoint_id);

  std::vector<CheckpointRecord> checkpoints_;  // ascending id
  std::vector<CallRecord> calls_;
  std::vector<RefusalRecord> refusals_;
};

}  // namespace ckptsim::schedules

#endif  // CKPTSIM_SCHEDULES_HISTORY_H_
