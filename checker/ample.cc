#include "checker/ample.h"

#include <algorithm>

#include "model/job_graph.h"
#include "model/system.h"

namespace ckptsim::checker {
namespace {

bool Commits(const model::VertexInfo& vertex) {
  return std::any_of(vertex.operators.begin(), vertex.operators.end(), [](const model::OperatorSpec& op) {
    return op.kind == model::OperatorKind::kTwoPhaseCommitSink || op.kind == model::OperatorKind::kSinkV2Writer ||
           op.kind == model::OperatorKind::kSinkV2Committer;
  });
}

bool HasCommitter(const model::VertexInfo& vertex) {
  return std::any_of(vertex.operators.begin(), vertex.operators.end(),
                     [](const model::OperatorSpec& op) { return op.kind == model::OperatorKind::kSinkV2Committer; });
}

// The subtask whose process an action belongs to, or -1 (the coordinator, a
// fault, a scenario step: never reduced).
int32_t ProcessOf(const model::System& system, const model::Action& action) {
  const model::JobGraph& graph = *system.graph;
  switch (action.kind) {
    case model::ActionKind::kStep:
      return static_cast<int32_t>(action.target);
    case model::ActionKind::kDeliver:
      return graph.channels()[action.target].consumer;
    case model::ActionKind::kDeliverAck:
      return graph.channels()[action.target].producer;
    case model::ActionKind::kDeliverRpc:
      for (const model::Rpc& rpc : system.rpcs) {
        if (static_cast<int64_t>(rpc.uid) == action.target) return model::IsToSubtask(rpc.kind) ? rpc.subtask : -1;
      }
      return -1;
    default:
      return -1;
  }
}

// Whether the actions of `subtask` may be taken alone in `state`.
bool Reducible(const CheckState& state, int32_t subtask, const std::vector<Choice>& choices) {
  const model::System& system = state.system;
  const model::JobGraph& graph = *system.graph;
  const model::Subtask& sub = system.subtasks[subtask];
  const model::VertexInfo& vertex = graph.vertices()[graph.subtasks()[subtask].vertex];
  const auto left = [&](model::FaultKind kind) { return state.budget.faults[static_cast<size_t>(kind)]; };
  if (sub.sync_savepoint_id != 0) return false;  // an abort of its savepoint fails its region
  // A pending checkpoint ends in notifications to every subtask it planned,
  // which do not commute with a committing subtask's own steps (a sink that
  // closes before its notify-complete arrives never commits): while one is
  // pending, such a subtask is not taken alone, even before the RPC is sent.
  if (Commits(vertex) && !system.coordinator.pending.empty()) return false;
  bool rpc_in = false;
  for (const model::Rpc& rpc : system.rpcs) {
    if (rpc.subtask != subtask || !model::IsToSubtask(rpc.kind)) continue;
    rpc_in = true;
    if (rpc.kind == model::RpcKind::kTriggerCheckpoint && rpc.savepoint) return false;
    if ((rpc.kind == model::RpcKind::kNotifyComplete || rpc.kind == model::RpcKind::kNotifyAbort) && Commits(vertex)) {
      return false;
    }
  }
  if (rpc_in && (left(model::FaultKind::kLostNotification) > 0 || left(model::FaultKind::kDelayedRpc) > 0)) {
    return false;
  }
  for (int32_t c : graph.subtasks()[subtask].input_channels) {
    const model::Channel& channel = system.channels[c];
    for (size_t i = 0; i < channel.queue.size(); ++i) {
      if (channel.queue[i].kind == model::MessageKind::kBarrier && channel.queue[i].savepoint) return false;
    }
  }
  for (const Choice& choice : choices) {
    if (ProcessOf(system, choice.action) != subtask) continue;
    if (choice.allowance != Allowance::kFree) return false;
    if (choice.action.kind == model::ActionKind::kStep && sub.phase == model::SubtaskPhase::kInitializing &&
        HasCommitter(vertex)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool AmpleSet(const CheckState& state, const std::vector<Choice>& choices, std::vector<uint16_t>& out) {
  const model::System& system = state.system;
  if (choices.size() < 2) return false;
  if (system.options.checkpoint_mode == model::CheckpointMode::kUnaligned) return false;
  const auto left = [&](model::FaultKind kind) { return state.budget.faults[static_cast<size_t>(kind)]; };
  if (left(model::FaultKind::kSubtaskFailure) > 0 || left(model::FaultKind::kTaskManagerFailure) > 0) return false;
  for (const Choice& choice : choices) {
    if (choice.action.kind == model::ActionKind::kResume) return false;
  }
  // The smallest reducible process, the lowest subtask on a tie.
  std::vector<int32_t> process(choices.size());
  for (size_t i = 0; i < choices.size(); ++i) process[i] = ProcessOf(system, choices[i].action);
  int32_t best = -1;
  size_t best_size = choices.size();
  for (int32_t s = 0; s < static_cast<int32_t>(system.subtasks.size()); ++s) {
    const size_t size = static_cast<size_t>(std::count(process.begin(), process.end(), s));
    if (size == 0 || size >= best_size || !Reducible(state, s, choices)) continue;
    best = s;
    best_size = size;
  }
  if (best < 0) return false;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (process[i] == best) out.push_back(static_cast<uint16_t>(i));
  }
  return true;
}

}  // namespace ckptsim::checker
