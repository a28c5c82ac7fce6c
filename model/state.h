// The whole state of a simulated job: subtasks with their operator chains,
// channels, RPCs in flight, the checkpoint coordinator and the external
// transactional store. Plain value types: a System is copyable (the
// exhaustive checker forks states) and hashes to a fingerprint the project
// computes itself (fingerprint.h).
//
// Invariants kept by Apply (system.h):
// - every channel's queue is FIFO except unaligned barriers at its head;
// - a subtask's phase only moves forward within one attempt;
// - the coordinator's view of a subtask lags the subtask: it changes only when
//   a report RPC is delivered.
#ifndef CKPTSIM_MODEL_STATE_H_
#define CKPTSIM_MODEL_STATE_H_

#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/channel_index.h"
#include "model/fields.h"
#include "model/job_graph.h"
#include "model/messages.h"
#include "model/options.h"

namespace ckptsim::model {

// A FIFO queue over a vector: cheap to copy, no per-element allocation.
template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  const T& front() const { return items_[head_]; }
  const T& operator[](size_t i) const { return items_[head_ + i]; }
  void push_back(const T& item) { items_.push_back(item); }
  void push_front(const T& item) {
    if (head_ > 0) {
      items_[--head_] = item;
    } else {
      items_.insert(items_.begin(), item);
    }
  }
  void insert(size_t i, const T& item) { items_.insert(items_.begin() + static_cast<long>(head_ + i), item); }
  void erase(size_t i) { items_.erase(items_.begin() + static_cast<long>(head_ + i)); }
  void pop_front() {
    ++head_;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<long>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  // Equal when the queued items are (where the consumed prefix starts is not state).
  bool operator==(const Fifo& other) const {
    if (size() != other.size()) return false;
    for (size_t i = 0; i < size(); ++i) {
      if (!DeepEqual((*this)[i], other[i])) return false;
    }
    return true;
  }

 private:
  std::vector<T> items_;
  size_t head_ = 0;
};

struct Channel {
  Fifo<Message> queue;
  // Producer side, this attempt.
  bool end_of_data_sent = false;
  bool end_of_partition_sent = false;
  // Consumer side, this attempt.
  bool end_of_data_received = false;
  bool end_of_partition_received = false;
  bool max_watermark_received = false;
  StopMode end_of_data_mode = StopMode::kDrain;
  bool blocked = false;  // delivered the pending checkpoint's aligned barrier
  bool aligned = false;  // counts as aligned for the pending checkpoint
  // Reverse direction: the consumer's acknowledgement of EndOfData.
  bool ack_in_flight = false;
  bool ack_received = false;
  // Unaligned barriers waiting at the head of the queue, in order: how many
  // messages each one overtook when it was inserted (section 3).
  std::vector<int32_t> priority_overtaken;
  CKPTSIM_FIELDS(Channel, queue, end_of_data_sent, end_of_partition_sent, end_of_data_received,
                 end_of_partition_received, max_watermark_received, end_of_data_mode, blocked, aligned, ack_in_flight,
                 ack_received, priority_overtaken)
};

// A global committer's record of one committer subtask's summary for one
// checkpoint (Flink's SubtaskCommittableManager): how many committables it
// announced and how many arrived so far.
struct CommittableSummaryEntry {
  int64_t tag = 0;       // checkpoint id, or kEndOfInputTag
  int32_t subtask = 0;   // the committer's subtask index
  int32_t announced = 0;
  int32_t received = 0;
  bool operator==(const CommittableSummaryEntry&) const = default;
  CKPTSIM_FIELD_LIST(CommittableSummaryEntry, tag, subtask, announced, received)
};

// Per-operator runtime state. One struct for every kind; the fields a kind
// does not use stay empty.
struct OperatorState {
  // Lifecycle flags (docs/protocol.md section 2 order), this attempt.
  bool initialized = false;
  bool opened = false;
  bool input_ended = false;  // endInput() was called (all inputs)
  bool finished = false;     // finish() was called
  bool closed = false;
  bool saw_max_watermark = false;
  bool max_watermark_held = false;  // kBuffering: MAX_WATERMARK waits behind the held records
  // kKeyedAggregate: records per key. kUnionState/kBroadcastState: records seen.
  std::vector<int64_t> key_counts;
  int64_t value = 0;
  // kBuffering: records held until endInput()/finish(). kEventTimeWindow:
  // records held in windows until MAX_WATERMARK fires them.
  std::vector<RecordId> buffer;
  // kTwoPhaseCommitSink, kSinkV2Writer: the open transaction (-1: none).
  // kTwoPhaseCommitSink: the pre-committed transactions, keyed by the
  // checkpoint that pre-committed them. kSinkV2Committer: the committables
  // collected and not yet committed, keyed by their tag (checkpoint id or
  // kEndOfInputTag). kSinkV2GlobalCommitter: the committables received and not
  // yet committed, by tag; `summaries` says which are complete, and `value` is
  // its lastCompletedCheckpointId.
  int64_t current_transaction = -1;
  std::vector<std::pair<int64_t, int64_t>> pending_transactions;
  // Restored but not yet handled by initializeState: sinks re-commit what
  // they restored and abort what earlier attempts left behind (docs/protocol.md
  // section 8).
  bool restored = false;
  // kUnionState after a restore: every reported entry (union list state goes
  // to all subtasks, section 7), in subtask order.
  std::vector<int64_t> union_entries;
  // kSinkV2GlobalCommitter: the summaries of the checkpoints not yet committed.
  std::vector<CommittableSummaryEntry> summaries;
  CKPTSIM_FIELDS(OperatorState, initialized, opened, input_ended, finished, closed, saw_max_watermark,
                 max_watermark_held, key_counts, value, buffer, current_transaction, pending_transactions, restored,
                 union_entries, summaries)
};

// A record in flight on an input channel when an unaligned checkpoint was
// taken: persisted with the checkpoint and put back on the channel on restore.
struct ChannelStateEntry {
  int32_t channel = 0;
  RecordId record;
  CKPTSIM_FIELDS(ChannelStateEntry, channel, record)
};

// What a subtask contributes to a checkpoint.
struct SubtaskSnapshot {
  int32_t subtask = 0;
  int64_t checkpoint_id = 0;
  bool finished_operators = false;
  bool deployed_as_finished = false;
  uint32_t source_next_sequence = 0;
  std::vector<OperatorState> operators;
  std::vector<ChannelStateEntry> channel_state;  // unaligned checkpoints only
  HashCache cached_hash;  // shared as const: its fingerprint is computed once
  CKPTSIM_FIELDS(SubtaskSnapshot, subtask, checkpoint_id, finished_operators, deployed_as_finished,
                 source_next_sequence, operators, channel_state)
  CKPTSIM_GHOST_FIELDS(SubtaskSnapshot, cached_hash)
};

inline bool Rpc::operator==(const Rpc& other) const { return DeepEqual(*this, other); }

enum class SubtaskPhase : uint8_t {
  kDeploying,
  kInitializing,               // initializeState + open, tail to head
  kProcessing,                 // RUNNING: taking input
  kDataFinished,               // RUNNING: endData() done, inputs still open (barriers, EndOfPartition)
  kWaitingForFinalCheckpoint,  // RUNNING: end of input, waiting (afterInvoke)
  kClosing,                    // RUNNING: isRunning == false, closing operators
  kFinished,
  kFailed,
  kCanceled,
};
std::string_view Name(SubtaskPhase phase);

// Flink's ExecutionState, as derived from the model's phase.
enum class ExecutionState : uint8_t { kDeploying, kInitializing, kRunning, kFinished, kFailed, kCanceled };
std::string_view Name(ExecutionState state);
ExecutionState ExecutionStateOf(SubtaskPhase phase);
bool IsTerminal(ExecutionState state);

struct Subtask {
  SubtaskPhase phase = SubtaskPhase::kDeploying;
  uint32_t attempt = 0;
  bool deployed_as_finished = false;  // FINISHED_ON_RESTORE
  bool no_splits = false;             // a source restored after its split was done: nothing to read
  // Source heads: next record sequence number; records left for bounded ones.
  uint32_t next_sequence = 0;
  // endData() ran (StreamTask.endOfDataReceived) and in which mode.
  bool end_of_data = false;
  StopMode end_mode = StopMode::kDrain;
  bool finished_operators = false;
  bool end_of_input = false;  // every input channel delivered EndOfPartition (or a source ended)
  // Final checkpoint bookkeeping (StreamTask fields); 0 = unset.
  int64_t final_checkpoint_min_id = 0;
  bool final_checkpoint_completed = false;
  int64_t sync_savepoint_id = 0;
  int64_t latest_report_checkpoint_id = 0;  // notifications at or below are ignored
  int64_t last_checkpoint_id = 0;           // highest checkpoint performed or aborted here
  // Aligned barrier handling: the checkpoint being aligned (0 = none).
  int64_t pending_alignment_id = 0;
  bool pending_alignment_savepoint = false;
  // Unaligned: the snapshot taken at the first barrier, acknowledged once every
  // open channel delivered its barrier; it collects the overtaken records.
  std::optional<SubtaskSnapshot> unaligned_snapshot;
  std::vector<int64_t> aborted_checkpoint_ids;  // notified aborted, not yet performed
  int64_t restored_checkpoint_id = 0;           // 0: started fresh
  std::vector<OperatorState> operators;         // head first
  CKPTSIM_FIELDS(Subtask, phase, attempt, deployed_as_finished, no_splits, next_sequence, end_of_data, end_mode,
                 finished_operators, end_of_input, final_checkpoint_min_id, final_checkpoint_completed,
                 sync_savepoint_id, latest_report_checkpoint_id, last_checkpoint_id, pending_alignment_id,
                 pending_alignment_savepoint, unaligned_snapshot, aborted_checkpoint_ids, restored_checkpoint_id,
                 operators)
};

// The union, broadcast and list state an attempt of `subtask` holds, in
// words ("union state [3, 4]; broadcast state 5; 2 list entries"), for the
// restore notes of traces, timelines and schedules; empty when its chain
// keeps none of them.
std::string DescribeOperatorState(const JobGraph& graph, int32_t subtask, const Subtask& sub);

struct CheckpointPlan {
  std::vector<int32_t> to_trigger;
  std::vector<int32_t> to_wait_for;
  std::vector<int32_t> to_commit_to;
  std::vector<int32_t> finished_subtasks;    // terminal at plan time
  std::vector<bool> fully_finished_vertex;   // by vertex
  CKPTSIM_FIELDS(CheckpointPlan, to_trigger, to_wait_for, to_commit_to, finished_subtasks, fully_finished_vertex)
};

enum class CheckpointKind : uint8_t { kCheckpoint, kSyncSavepoint };

struct PendingCheckpoint {
  int64_t id = 0;
  CheckpointKind kind = CheckpointKind::kCheckpoint;
  StopMode mode = StopMode::kDrain;  // kSyncSavepoint only
  CheckpointPlan plan;
  std::vector<bool> acknowledged;  // by subtask
  int32_t acks_missing = 0;
  std::vector<std::shared_ptr<const SubtaskSnapshot>> snapshots;  // by subtask
  std::vector<bool> finished_operators_ack;                        // by subtask
  std::vector<bool> deployed_as_finished_vertex;                   // by vertex
  CKPTSIM_FIELDS(PendingCheckpoint, id, kind, mode, plan, acknowledged, acks_missing, snapshots,
                 finished_operators_ack, deployed_as_finished_vertex)
};

enum class VertexFinishedStatus : uint8_t { kRunning, kPartlyFinished, kFullyFinished };

struct CompletedCheckpoint {
  int64_t id = 0;
  CheckpointKind kind = CheckpointKind::kCheckpoint;
  StopMode mode = StopMode::kDrain;
  std::vector<VertexFinishedStatus> vertex_status;                 // by vertex
  std::vector<bool> subtask_finished;                              // by subtask: FinishedOperatorSubtaskState
  std::vector<std::shared_ptr<const SubtaskSnapshot>> snapshots;  // by subtask; null for finished ones
  // A savepoint redistributed for a changed job (graph_change.h): each
  // snapshot is what its subtask restores, union and broadcast state
  // included, rather than what that subtask reported.
  bool state_assigned = false;
  HashCache cached_hash;  // shared as const: its fingerprint is computed once
  CKPTSIM_FIELDS(CompletedCheckpoint, id, kind, mode, vertex_status, subtask_finished, snapshots, state_assigned)
  CKPTSIM_GHOST_FIELDS(CompletedCheckpoint, cached_hash)
};

// Statistics of a run, kept beside the state (ghost: never compared or hashed).
struct CheckpointCounters {
  int64_t triggered = 0;
  int64_t completed = 0;
  int64_t aborted = 0;
  int64_t refused = 0;  // trigger requests whose plan could not be computed
  std::array<int64_t, 16> aborted_by_reason{};
};

struct Coordinator {
  int64_t next_checkpoint_id = 1;
  // The completed-checkpoint store's latest entry: what a failover restores
  // and what an abort notification piggy-backs. Savepoints never enter it
  // (CheckpointCoordinator.completePendingCheckpoint adds checkpoints only).
  int64_t latest_completed_id = 0;
  std::vector<PendingCheckpoint> pending;  // ascending id
  std::shared_ptr<const CompletedCheckpoint> latest_completed;
  // The latest completed (synchronous) savepoint: what a resume restores.
  std::shared_ptr<const CompletedCheckpoint> latest_savepoint;
  // The JobManager's view of each subtask, updated by report RPCs.
  std::vector<ExecutionState> view;
  std::vector<bool> end_of_data_reported;
  bool immediate_trigger_requested = false;  // FLINK-28386: all subtasks reported end of data
  bool periodic_enabled = true;
  // Stop-with-savepoint (section 6): requested, in which mode, and the
  // synchronous savepoint currently pending for it (0: none).
  bool stop_requested = false;
  StopMode stop_mode = StopMode::kDrain;
  int64_t stop_savepoint_id = 0;
  CheckpointCounters counters;
  CKPTSIM_FIELDS(Coordinator, next_checkpoint_id, latest_completed_id, pending, latest_completed, latest_savepoint,
                 view, end_of_data_reported, immediate_trigger_requested, periodic_enabled, stop_requested, stop_mode,
                 stop_savepoint_id)
  CKPTSIM_GHOST_FIELDS(Coordinator, counters)
};

enum class TransactionState : uint8_t { kOpen, kPrecommitted, kCommitted, kAborted };
std::string_view Name(TransactionState state);

struct Transaction {
  int32_t owner_subtask = 0;
  uint32_t owner_attempt = 0;
  TransactionState state = TransactionState::kOpen;
  int64_t precommit_checkpoint_id = 0;
  std::vector<RecordId> records;
  CKPTSIM_FIELDS(Transaction, owner_subtask, owner_attempt, state, precommit_checkpoint_id, records)
};

// The external transactional system a 2PC sink writes to. A transaction's id
// is its index. Commit is idempotent; only COMMITTED records are visible.
struct ExternalStore {
  std::vector<Transaction> transactions;
  CKPTSIM_FIELDS(ExternalStore, transactions)
};

struct GraphChange;  // graph_change.h
// Equal when they describe the same change from the same savepoint (the rest
// of a GraphChange is derived from those); defined in graph_change.cc.
bool operator==(const GraphChange& a, const GraphChange& b);

struct System {
  std::shared_ptr<const JobGraph> graph;
  // The new version of the job a resume restores the stop's savepoint into
  // (null: the same job), and, once it has, how the two versions relate.
  // A resume the finished-state topology check refuses leaves the job
  // stopped, with Flink's reason.
  std::shared_ptr<const JobGraph> resume_graph;
  std::shared_ptr<const GraphChange> graph_change;
  std::string resume_refusal;
  ProtocolOptions options;
  std::vector<Subtask> subtasks;
  std::vector<Channel> channels;
  std::vector<Rpc> rpcs;  // in flight, in send order
  uint64_t next_rpc_uid = 1;
  Coordinator coordinator;
  ExternalStore store;
  bool job_finished = false;  // every subtask FINISHED, as seen by the coordinator
  bool job_failed = false;    // the restart strategy gave up: the job is FAILED for good
  // How the job reached FINISHED: by stop-with-savepoint without drain (the
  // sources did not run out, so nothing is promised about completeness).
  bool stopped_without_drain = false;
  bool stopped_with_drain = false;
  // Failover (section 7): subtasks failed or canceled and waiting to be
  // redeployed, ascending; restarts done so far.
  std::vector<int32_t> awaiting_restart;
  int32_t restarts = 0;
  // Per source subtask: the highest record sequence any attempt emitted, so a
  // property knows what the sources produced across restores.
  std::vector<uint32_t> source_high_water;
  // Exhaustive checking: each unbounded source subtask reads a finite log of
  // this many records (-1: unbounded, as the simulator runs it), which ends
  // when the environment says so (ActionKind::kEndLogs); from then on an
  // unbounded source that read its log ends its input like a bounded one.
  int64_t unbounded_log_records = -1;
  bool logs_ended = false;
  // Derived from `channels` (channel_index.h), so a ghost: which of them have
  // something to deliver.
  ChannelIndex channel_index;
  CKPTSIM_FIELDS(System, graph, resume_graph, graph_change, resume_refusal, options, subtasks, channels, rpcs,
                 coordinator, store, job_finished, job_failed, stopped_without_drain, stopped_with_drain,
                 awaiting_restart, restarts, source_high_water, unbounded_log_records, logs_ended)
  CKPTSIM_GHOST_FIELDS(System, next_rpc_uid, channel_index)
};

// The completed checkpoint or savepoint with this id, if it is the latest of
// its kind (what a kCheckpointCompleted event refers to); null otherwise.
inline const CompletedCheckpoint* CompletedWithId(const Coordinator& coordinator, int64_t id) {
  if (coordinator.latest_completed && coordinator.latest_completed->id == id) return coordinator.latest_completed.get();
  if (coordinator.latest_savepoint && coordinator.latest_savepoint->id == id) return coordinator.latest_savepoint.get();
  return nullptr;
}

// Whether the stop-with-savepoint in progress already has its savepoint.
inline bool StopSavepointCompleted(const Coordinator& coordinator) {
  return coordinator.stop_requested && coordinator.stop_savepoint_id != 0 && coordinator.latest_savepoint &&
         coordinator.latest_savepoint->id == coordinator.stop_savepoint_id;
}

// A freshly deployed job: every subtask DEPLOYING, nothing in flight.
System InitialSystem(std::shared_ptr<const JobGraph> graph, const ProtocolOptions& options);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_STATE_H_
