// Internal to model/: the pieces Apply is built from. A Transition bundles the
// state being changed with the event sink, so handlers stay short. Nothing
// outside model/ includes this header.
#ifndef CKPTSIM_MODEL_TRANSITION_H_
#define CKPTSIM_MODEL_TRANSITION_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "model/event.h"
#include "model/plan.h"
#include "model/state.h"

namespace ckptsim::model {

struct Transition {
  System& system;
  std::vector<Event>& events;
  const JobGraph& graph;

  Transition(System& s, std::vector<Event>& e) : system(s), events(e), graph(*s.graph) {}
  void Emit(const Event& event) { events.push_back(event); }
  void SendRpc(Rpc rpc);
  // Appends a message to a channel (at the head for priority barriers).
  void Send(int32_t channel, const Message& message);
  void SendToAllOutputs(int32_t subtask, const Message& message);
  void OperatorEvent(int32_t subtask, int32_t op, OperatorCall call, int64_t checkpoint = 0, int64_t value = 0);
  // The FLIP-147 flow: flip147 and every bug-zoo variant built on it.
  bool IsFlip147() const { return IsFlip147Flow(system.options.variant); }
  // The run's variant is the bug-zoo variant `bug`: its one deviation applies.
  bool Bug(Variant bug) const { return system.options.variant == bug; }
};

// operators.cc: the operator chain of one subtask.
void OpenOperators(Transition& t, int32_t subtask);
void ProcessRecord(Transition& t, int32_t subtask, size_t first_op, RecordId record);
void ProcessMaxWatermark(Transition& t, int32_t subtask, size_t first_op);
void EndInputOfHead(Transition& t, int32_t subtask, int input_index);
void FinishOperators(Transition& t, int32_t subtask, StopMode mode);
// end-input-on-no-drain (FLINK-21132): endInput of every operator that has an
// input, as a stop without drain ended the task before that fix.
void EndInputAfterNoDrainStop(Transition& t, int32_t subtask);
// prepareSnapshotPreBarrier head to tail; whatever it emits precedes the barrier.
void PrepareSnapshotPreBarrier(Transition& t, int32_t subtask, int64_t checkpoint_id);
SubtaskSnapshot SnapshotOperators(Transition& t, int32_t subtask, int64_t checkpoint_id);
void NotifyOperatorsComplete(Transition& t, int32_t subtask, int64_t checkpoint_id);
void NotifyOperatorsAborted(Transition& t, int32_t subtask, int64_t checkpoint_id);
void CloseOperators(Transition& t, int32_t subtask);
bool OutputsHaveCapacity(const System& system, int32_t subtask);

// sinks.cc: transactions in the external store, Sink V2 committables.
void BeginTransaction(Transition& t, int32_t subtask, OperatorState& op);
void AbortTransaction(Transition& t, int32_t subtask, int64_t txn_id);
// The open transaction becomes PRECOMMITTED under `tag`; returns its id.
int64_t PrecommitTransaction(Transition& t, int32_t subtask, OperatorState& op, int64_t tag);
// Commits (idempotently) every pending entry with key <= bound; the event
// names `checkpoint_id`.
void CommitPendingUpTo(Transition& t, int32_t subtask, OperatorState& op, int64_t bound, int64_t checkpoint_id);
// initializeState after a restore: re-commit what the operator restored,
// abort what earlier attempts of the transactions' owner left behind.
void RecoverTransactions(Transition& t, int32_t subtask, size_t operator_index, bool open_only);
// Sink V2 writer flush: the open transaction becomes a committable, handed
// to the committer. Before checkpoint `checkpoint_id`'s barrier: tagged with
// it, and a new transaction begins. Without an id: endInput's last flush.
void FlushSinkWriter(Transition& t, int32_t subtask, size_t writer, std::optional<int64_t> checkpoint_id);
// A committer or a global committer heading its chain takes a committable
// (or, a global committer, a summary) from `channel`. One that arrives after
// the channel's EndOfData is dropped: the consumer's input has ended.
void ProcessCommittable(Transition& t, int32_t subtask, int32_t channel, const Message& message);
// A committer feeding a global committer defers its EndOfData until the final
// checkpoint (or the stop's savepoint) forwarded its last committables
// (FLINK-38614); false in end-of-data-before-final-committables.
bool DefersEndOfData(const Transition& t, int32_t subtask);

// subtask.cc: the StreamTask side.
bool SubtaskStepEnabled(const System& system, int32_t subtask);
bool DeliverEnabled(const System& system, int32_t channel);
void StepSubtask(Transition& t, int32_t subtask);
void DeliverChannel(Transition& t, int32_t channel);
void DeliverAck(Transition& t, int32_t channel);
void DeliverRpcToSubtask(Transition& t, const Rpc& rpc);

// coordinator.cc: the CheckpointCoordinator side.
bool TriggerEnabled(const System& system);
void TriggerCheckpoint(Transition& t);
void ExpireCheckpoint(Transition& t, int64_t checkpoint_id);
void DeliverRpcToCoordinator(Transition& t, const Rpc& rpc);
void AbortPendingCheckpoint(Transition& t, int index, AbortReason reason);
// The stop-with-savepoint in progress failed: periodic checkpoints resume.
void FailStop(Transition& t);
// ComputePlan is public: model/plan.h.

// failover.cc: failures, restarts, restore, stop-with-savepoint and resume.
void Failover(Transition& t, const std::vector<int32_t>& failed, FailureCause cause);
// A failure of the job as a whole (SchedulerBase.handleGlobalFailure): every
// subtask is canceled and restarts, whatever the failover strategy.
void FailGlobally(Transition& t, FailureCause cause);
void Restart(Transition& t);
bool FailEnabled(const System& system, int32_t subtask);
void FailTaskManager(Transition& t, int task_manager);
bool LoseEnabled(const Rpc& rpc);
bool StopEnabled(const System& system);
void RequestStop(Transition& t, StopMode mode);
bool ResumeEnabled(const System& system);
void Resume(Transition& t);
bool EndLogsEnabled(const System& system);
void EndLogs(Transition& t);
void ResumeIntoChangedJob(System& system, std::vector<Event>& events);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_TRANSITION_H_
