#include "schedules/history.h"

namespace ckptsim::schedules {

using model::EventKind;

const CheckpointRecord* History::Find(int64_t checkpoint_id) const {
  for (const CheckpointRecord& record : checkpoints_) {
    if (record.id == checkpoint_id) return &record;
  }
  return nullptr;
}

CheckpointRecord* History::FindMutable(int64_t checkpoint_id) {
  return const_cast<CheckpointRecord*>(Find(checkpoint_id));
}

void History::Observe(const model::System& system, int64_t step, std::span<const model::Event> events) {
  for (const model::Event& event : events) {
    switch (event.kind) {
      case EventKind::kCheckpointTriggered: {
        CheckpointRecord record{.id = event.checkpoint, .triggered_at_step = step};
        for (const model::PendingCheckpoint& pending : system.coordinator.pending) {
          if (pending.id != event.checkpoint) continue;
          record.kind = pending.kind;
          record.plan = pending.plan;
        }
        checkpoints_.push_back(std::move(record));
        break;
      }
      case EventKind::kCheckpointRefused:
        refusals_.push_back(RefusalRecord{step, static_cast<model::AbortReason>(event.aux)});
        break;
      case EventKind::kCheckpointCompleted:
        if (CheckpointRecord* record = FindMutable(event.checkpoint)) {
          record->status = CheckpointStatus::kCompleted;
          if (const model::CompletedCheckpoint* completed = model::CompletedWithId(system.coordinator, event.checkpoint)) {
            record->vertex_status = completed->vertex_status;
            record->subtask_finished = completed->subtask_finished;
          }
        }
        break;
      case EventKind::kCheckpointAborted:
        if (CheckpointRecord* record = FindMutable(event.checkpoint)) {
          record->status = CheckpointStatus::kAborted;
          record->reason = static_cast<model::AbortReason>(event.aux);
        }
        break;
      case EventKind::kCheckpointPerformed:
        if (CheckpointRecord* record = FindMutable(event.checkpoint)) record->performed_by.push_back(event.subtask);
        break;
      case EventKind::kCheckpointAcknowledged:
        if (CheckpointRecord* record = FindMutable(event.checkpoint)) record->acknowledged_by.push_back(event.subtask);
        break;
      case EventKind::kOperatorCall: {
        const auto call = static_cast<model::OperatorCall>(event.aux);
        calls_.push_back(CallRecord{.subtask = event.subtask,
                                    .op = event.op,
                                    .call = call,
                                    .argument = call == model::OperatorCall::kEndInput ? event.value : event.checkpoint,
                                    .step = step});
        break;
      }
      default: break;
    }
  }
}

}  // namespace ckptsim::schedules
