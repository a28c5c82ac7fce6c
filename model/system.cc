#include "model/system.h"

#include <algorithm>

#include "model/check.h"
#include "model/routing.h"
#include "model/transition.h"

namespace ckptsim::model {

void Transition::SendRpc(Rpc rpc) {
  rpc.uid = system.next_rpc_uid++;
  events.push_back(Event{.kind = EventKind::kRpcSent, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                         .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
  // Kept grouped by path, in send order within each: the order of RPCs on
  // different paths is no state (nothing orders them), so the list is canonical.
  const int path = RpcPath(rpc);
  auto at = std::upper_bound(system.rpcs.begin(), system.rpcs.end(), path,
                             [](int p, const Rpc& other) { return p < RpcPath(other); });
  system.rpcs.insert(at, std::move(rpc));
}

bool RpcDeliverable(const System& system, size_t index) {
  const Rpc& rpc = system.rpcs[index];
  if (rpc.delayed) return true;
  const int path = RpcPath(rpc);
  for (size_t i = index; i-- > 0 && RpcPath(system.rpcs[i]) == path;) {
    if (!system.rpcs[i].delayed) return false;  // an older RPC of the path goes first
  }
  return true;
}

namespace {

int FindRpc(const System& system, int64_t uid) {
  for (size_t i = 0; i < system.rpcs.size(); ++i) {
    if (static_cast<int64_t>(system.rpcs[i].uid) == uid) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

void Transition::Send(int32_t channel, const Message& message) {
  Channel& ch = system.channels[channel];
  if (message.kind == MessageKind::kBarrier && message.unaligned) {
    // Behind the priority barriers already at the head, ahead of all data.
    const size_t position = ch.priority_overtaken.size();
    ch.priority_overtaken.push_back(static_cast<int32_t>(ch.queue.size() - position));
    ch.queue.insert(position, message);
  } else {
    ch.queue.push_back(message);
  }
  Reindex(system, channel);
  if (message.kind == MessageKind::kEndOfData) ch.end_of_data_sent = true;
  if (message.kind == MessageKind::kEndOfPartition) ch.end_of_partition_sent = true;
  events.push_back(Event{.kind = EventKind::kSend, .subtask = graph.channels()[channel].producer, .channel = channel,
                         .message = message});
}

void Transition::SendToAllOutputs(int32_t subtask, const Message& message) {
  for (int32_t c : graph.subtasks()[subtask].output_channels) Send(c, message);
}

void Transition::OperatorEvent(int32_t subtask, int32_t op, OperatorCall call, int64_t checkpoint, int64_t value) {
  events.push_back(Event{.kind = EventKind::kOperatorCall, .aux = static_cast<uint8_t>(call), .subtask = subtask,
                         .op = op, .checkpoint = checkpoint, .value = value});
}

System InitialSystem(std::shared_ptr<const JobGraph> graph, const ProtocolOptions& options) {
  System system;
  system.options = options;
  system.subtasks.resize(graph->subtask_count());
  for (int s = 0; s < graph->subtask_count(); ++s) {
    const VertexInfo& vertex = graph->vertices()[graph->subtasks()[s].vertex];
    Subtask& sub = system.subtasks[s];
    sub.operators.resize(vertex.operators.size());
    for (size_t i = 0; i < vertex.operators.size(); ++i) {
      if (vertex.operators[i].kind == OperatorKind::kKeyedAggregate) sub.operators[i].key_counts.assign(kKeyCount, 0);
    }
  }
  system.channels.resize(graph->channel_count());
  system.coordinator.view.assign(graph->subtask_count(), ExecutionState::kDeploying);
  system.coordinator.end_of_data_reported.assign(graph->subtask_count(), false);
  system.source_high_water.assign(graph->subtask_count(), 0);
  system.graph = std::move(graph);
  RebuildChannelIndex(system);
  return system;
}

void Reindex(System& system, int32_t channel) {
  const Channel& ch = system.channels[static_cast<size_t>(channel)];
  system.channel_index.Update(channel, system.graph->channels()[channel].producer, !ch.queue.empty() && !ch.blocked,
                              ch.ack_in_flight, ch.queue.size() >= kChannelCapacityRecords);
}

void RebuildChannelIndex(System& system) {
  system.channel_index.Reset(system.channels.size(), system.subtasks.size());
  for (size_t c = 0; c < system.channels.size(); ++c) Reindex(system, static_cast<int32_t>(c));
}

bool ChannelIndexMatches(const System& system) {
  System fresh;
  fresh.graph = system.graph;
  fresh.channels = system.channels;
  fresh.subtasks.resize(system.subtasks.size());
  RebuildChannelIndex(fresh);
  return fresh.channel_index == system.channel_index;
}

void EnabledActions(const System& system, std::vector<Action>& out) {
  out.clear();
  const int subtasks = static_cast<int>(system.subtasks.size());
  for (int s = 0; s < subtasks; ++s) {
    if (SubtaskStepEnabled(system, s)) out.push_back(Action{ActionKind::kStep, s});
  }
  system.channel_index.ForEachReady([&](int32_t c) {
    if (DeliverEnabled(system, c)) out.push_back(Action{ActionKind::kDeliver, c});
  });
  system.channel_index.ForEachAck([&](int32_t c) { out.push_back(Action{ActionKind::kDeliverAck, c}); });
  for (size_t i = 0; i < system.rpcs.size(); ++i) {
    if (RpcDeliverable(system, i)) out.push_back(Action{ActionKind::kDeliverRpc, static_cast<int64_t>(system.rpcs[i].uid)});
  }
  if (TriggerEnabled(system)) out.push_back(Action{ActionKind::kTriggerCheckpoint, 0});
  for (const PendingCheckpoint& checkpoint : system.coordinator.pending) {
    out.push_back(Action{ActionKind::kExpireCheckpoint, checkpoint.id});
  }
  if (!system.awaiting_restart.empty()) out.push_back(Action{ActionKind::kRestart, 0});
}

bool IsEnabled(const System& system, const Action& action) {
  const auto in_range = [](int64_t value, size_t size) { return value >= 0 && value < static_cast<int64_t>(size); };
  switch (action.kind) {
    case ActionKind::kStep:
      return in_range(action.target, system.subtasks.size()) &&
             SubtaskStepEnabled(system, static_cast<int32_t>(action.target));
    case ActionKind::kDeliver:
      return in_range(action.target, system.channels.size()) &&
             DeliverEnabled(system, static_cast<int32_t>(action.target));
    case ActionKind::kDeliverAck:
      return in_range(action.target, system.channels.size()) && system.channels[action.target].ack_in_flight;
    case ActionKind::kDeliverRpc: {
      const int index = FindRpc(system, action.target);
      return index >= 0 && RpcDeliverable(system, static_cast<size_t>(index));
    }
    case ActionKind::kDelayRpc: {
      const int index = FindRpc(system, action.target);
      return index >= 0 && !system.rpcs[index].delayed && !system.job_failed;
    }
    case ActionKind::kTriggerCheckpoint:
      return TriggerEnabled(system);
    case ActionKind::kExpireCheckpoint:
    case ActionKind::kExpireEarly:
      return std::any_of(system.coordinator.pending.begin(), system.coordinator.pending.end(),
                         [&](const PendingCheckpoint& p) { return p.id == action.target; });
    case ActionKind::kRestart:
      return !system.awaiting_restart.empty();
    case ActionKind::kFailSubtask:
      return in_range(action.target, system.subtasks.size()) &&
             FailEnabled(system, static_cast<int32_t>(action.target));
    case ActionKind::kFailTaskManager: {
      const JobGraph& graph = *system.graph;
      for (int s = 0; s < graph.subtask_count(); ++s) {
        if (graph.subtasks()[s].task_manager == action.target && FailEnabled(system, s)) return true;
      }
      return false;
    }
    case ActionKind::kLoseRpc:
      return std::any_of(system.rpcs.begin(), system.rpcs.end(), [&](const Rpc& rpc) {
        return static_cast<int64_t>(rpc.uid) == action.target && LoseEnabled(rpc);
      });
    case ActionKind::kStopWithSavepoint:
      return (action.target == 0 || action.target == 1) && StopEnabled(system);
    case ActionKind::kResume:
      return ResumeEnabled(system);
    case ActionKind::kEndLogs:
      return EndLogsEnabled(system);
  }
  return false;
}

void Apply(System& system, const Action& action, std::vector<Event>& events) {
  if (action.kind == ActionKind::kResume && system.resume_graph && !system.graph_change) {
    ResumeIntoChangedJob(system, events);  // swaps the graph: no Transition may outlive the old one
    return;
  }
  Transition t(system, events);
  switch (action.kind) {
    case ActionKind::kStep:
      StepSubtask(t, static_cast<int32_t>(action.target));
      return;
    case ActionKind::kDeliver:
      DeliverChannel(t, static_cast<int32_t>(action.target));
      return;
    case ActionKind::kDeliverAck:
      DeliverAck(t, static_cast<int32_t>(action.target));
      return;
    case ActionKind::kDeliverRpc: {
      const int index = FindRpc(system, action.target);
      CKPTSIM_CHECK(index >= 0);
      Rpc rpc = std::move(system.rpcs[index]);
      system.rpcs.erase(system.rpcs.begin() + index);
      t.Emit(Event{.kind = EventKind::kRpcDelivered, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                   .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
      if (IsToSubtask(rpc.kind)) {
        DeliverRpcToSubtask(t, rpc);
      } else {
        DeliverRpcToCoordinator(t, rpc);
      }
      return;
    }
    case ActionKind::kTriggerCheckpoint:
      TriggerCheckpoint(t);
      return;
    case ActionKind::kExpireCheckpoint:
    case ActionKind::kExpireEarly:
      ExpireCheckpoint(t, action.target);
      return;
    case ActionKind::kRestart:
      Restart(t);
      return;
    case ActionKind::kFailSubtask:
      Failover(t, {static_cast<int32_t>(action.target)}, FailureCause::kInjected);
      return;
    case ActionKind::kFailTaskManager:
      FailTaskManager(t, static_cast<int>(action.target));
      return;
    case ActionKind::kLoseRpc: {
      const int index = FindRpc(system, action.target);
      CKPTSIM_CHECK(index >= 0);
      const Rpc& rpc = system.rpcs[index];
      t.Emit(Event{.kind = EventKind::kRpcLost, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                   .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
      system.rpcs.erase(system.rpcs.begin() + index);
      return;
    }
    case ActionKind::kDelayRpc: {
      const int index = FindRpc(system, action.target);
      CKPTSIM_CHECK(index >= 0);
      Rpc& rpc = system.rpcs[index];
      rpc.delayed = true;
      t.Emit(Event{.kind = EventKind::kRpcDelayed, .aux = static_cast<uint8_t>(rpc.kind), .subtask = rpc.subtask,
                   .checkpoint = rpc.checkpoint_id, .value = static_cast<int64_t>(rpc.uid)});
      return;
    }
    case ActionKind::kEndLogs:
      EndLogs(t);
      return;
    case ActionKind::kStopWithSavepoint:
      RequestStop(t, action.target == 0 ? StopMode::kDrain : StopMode::kNoDrain);
      return;
    case ActionKind::kResume:
      Resume(t);
      return;
  }
}

bool IsQuiescent(const System& system) {
  for (const Subtask& sub : system.subtasks) {
    if (!IsTerminal(ExecutionStateOf(sub.phase))) return false;
  }
  return system.rpcs.empty();
}

}  // namespace ckptsim::model
