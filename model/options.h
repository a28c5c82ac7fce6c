// Protocol options: the checkpointing configuration a job runs with and the
// protocol variant (the real FLIP-147 flow, the pre-1.14 legacy flow, or a
// variant with an injected bug). Timing (intervals, timeouts, latencies) is
// not here: the model has no clock; drivers decide when actions fire.
#ifndef CKPTSIM_MODEL_OPTIONS_H_
#define CKPTSIM_MODEL_OPTIONS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "model/fields.h"

namespace ckptsim::model {

enum class Variant : uint8_t {
  kFlip147,  // Flink 1.15+: EndOfData, final checkpoint, checkpoints after tasks finish
  kLegacy,   // pre-1.14: no EndOfData, no final checkpoint, no checkpoint once a task finished
  // The bug zoo: the FLIP-147 flow with one real Flink bug put back, each as
  // small as the bug was in Flink (names.cc describes each with its issue).
  kAbortIfAnyFinished,           // FLINK-2491
  kCommitOnEndInput,             // FLINK-25941
  kSilentTriggerDrop,            // FLINK-23741, FLINK-21246
  kNoLatestCompletedOnAbort,     // FLINK-21080 (review)
  kEndInputOnNoDrain,            // FLINK-21132
  kNoEndInputOnDrain,            // FLINK-21453
  kBeginTransactionAfterFinish,  // FLINK-23473
  kUnionStatePartialOk,          // FLINK-21080
  kWriterDefersEndOfInputCommittables,  // FLINK-26403
  kConstantEndOfInputId,                // FLINK-37605, FLINK-38370
  kEndOfDataBeforeFinalCommittables,    // FLINK-38614
};

// Every variant, in the order `ckptsim list variants` prints them.
inline constexpr std::array kAllVariants{
    Variant::kFlip147,
    Variant::kLegacy,
    Variant::kAbortIfAnyFinished,
    Variant::kCommitOnEndInput,
    Variant::kSilentTriggerDrop,
    Variant::kNoLatestCompletedOnAbort,
    Variant::kEndInputOnNoDrain,
    Variant::kNoEndInputOnDrain,
    Variant::kBeginTransactionAfterFinish,
    Variant::kUnionStatePartialOk,
    Variant::kWriterDefersEndOfInputCommittables,
    Variant::kConstantEndOfInputId,
    Variant::kEndOfDataBeforeFinalCommittables,
};

// The FLIP-147 flow (EndOfData, finish() before a final checkpoint): flip147
// and every bug-zoo variant, which all expect what flip147 promises.
inline bool IsFlip147Flow(Variant variant) { return variant != Variant::kLegacy; }

// A bug-zoo variant: flip147 with one Flink bug.
inline bool IsZooVariant(Variant variant) { return IsFlip147Flow(variant) && variant != Variant::kFlip147; }

enum class CheckpointMode : uint8_t { kAligned, kUnaligned };

// jobmanager.execution.failover-strategy: which subtasks restart after a failure.
enum class FailoverStrategy : uint8_t {
  kRegion,  // the pipelined region of the failed subtask (Flink's default)
  kFull,    // every subtask of the job
};

// Every variant, flip147 first: what ParseVariant accepts, `list variants`
// lists and `zoo` runs. A new variant goes here too (tests/zoo_command_test.cc
// fails on one that Name knows and this list lacks).
std::span<const Variant> AllVariants();
std::string_view Name(Variant variant);
std::string_view Description(Variant variant);
std::optional<Variant> ParseVariant(std::string_view text);
std::string_view Name(CheckpointMode mode);
std::optional<CheckpointMode> ParseCheckpointMode(std::string_view text);
std::string_view Name(FailoverStrategy strategy);
std::optional<FailoverStrategy> ParseFailoverStrategy(std::string_view text);

struct ProtocolOptions {
  Variant variant = Variant::kFlip147;
  // execution.checkpointing.interval > 0; off means no checkpoint is ever triggered.
  bool checkpointing_enabled = true;
  // execution.checkpointing.checkpoints-after-tasks-finish (default true since 1.15).
  bool checkpoints_after_tasks_finish = true;
  // FLINK-28386 (1.18+): trigger a checkpoint as soon as every subtask reported end of data.
  bool immediate_final_checkpoint = true;
  // execution.checkpointing.max-concurrent-checkpoints.
  int max_concurrent_checkpoints = 1;
  CheckpointMode checkpoint_mode = CheckpointMode::kAligned;
  FailoverStrategy failover_strategy = FailoverStrategy::kRegion;
  // Fixed-delay restart strategy: restarts allowed before the job FAILS for good.
  int restart_attempts = 10;
  // Sink V2 as before FLINK-37605 (Flink 1.15 to 1.19.2, 1.20.0-1.20.1, 2.0.0):
  // end-of-input committables carry the EOI sentinel, and a committer whose
  // input ended commits all it holds on any notify-complete, even one for a
  // checkpoint taken before they arrived. Off: current Flink, which tags them
  // with the writer's last known checkpoint id + 1 (docs/protocol.md section 8).
  bool sink_v2_end_of_input_sentinel = false;
  // --allowNonRestoredState (execution.savepoint.ignore-unclaimed-state): a
  // restore into a new version drops the state of operators it no longer has
  // instead of refusing (model/restore_check.h, CheckNonRestoredState).
  bool allow_non_restored_state = false;
  bool operator==(const ProtocolOptions&) const = default;
  CKPTSIM_FIELD_LIST(ProtocolOptions, variant, checkpointing_enabled, checkpoints_after_tasks_finish,
                     immediate_final_checkpoint, max_concurrent_checkpoints, checkpoint_mode, failover_strategy,
                     restart_attempts, sink_v2_end_of_input_sentinel, allow_non_restored_state)
};

// Sink V2 end-of-input committables tagged with the EOI sentinel: the scenario
// option (Flink before FLINK-37605), or the constant-end-of-input-id variant,
// the same bug put back as a zoo variant.
inline bool SinkV2EndOfInputSentinel(const ProtocolOptions& options) {
  return options.sink_v2_end_of_input_sentinel || options.variant == Variant::kConstantEndOfInputId;
}

// The coordinator side of execution.checkpointing.checkpoints-after-tasks-finish
// (DefaultCheckpointPlan.mayHaveFinishedTasks): a checkpoint may include
// finished subtasks. Never in the legacy flow, nor in abort-if-any-finished
// (FLINK-2491's limitation, the flow of 1.14 with the option off).
inline bool CheckpointsAfterTasksFinish(const ProtocolOptions& options) {
  return IsFlip147Flow(options.variant) && options.variant != Variant::kAbortIfAnyFinished &&
         options.checkpoints_after_tasks_finish;
}

// StreamTask.areCheckpointsWithFinishedTasksEnabled: FLIP-147 flow, checkpointing
// on and checkpoints after tasks finish on. Only then do finished subtasks wait
// for a final checkpoint and may a checkpoint include finished subtasks.
inline bool FinalCheckpointsEnabled(const ProtocolOptions& options) {
  return CheckpointsAfterTasksFinish(options) && options.checkpointing_enabled;
}

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_OPTIONS_H_
