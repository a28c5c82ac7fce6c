#include "visualizer/checkpoint_stories.h"

#include <map>

#include "visualizer/json_fields.h"
#include "visualizer/replay.h"

namespace ckptsim::visualizer {
namespace {

using nlohmann::json;

class Collector {
 public:
  Collector(const simulator::Trace& trace, CheckpointHistory* history) : trace_(trace), history_(history) {}

  void Add(const IndexedEvent& event) {
    const json& line = *event.line;
    const int64_t id = IntField(line, "checkpoint");
    const StoryMoment when{event.step, event.tick};
    const std::string actor = StringField(line, "actor");
    if (event.kind == "checkpoint-triggered") {
      CheckpointStory story{.id = id, .triggered = when, .wait_for = IntField(line, "wait_for")};
      story.acks.resize(static_cast<size_t>(trace_.config.graph->subtask_count()));
      by_id_[id] = history_->checkpoints.size();
      history_->order.push_back({false, history_->checkpoints.size()});
      history_->checkpoints.push_back(std::move(story));
      return;
    }
    if (event.kind == "checkpoint-refused") {
      history_->order.push_back({true, history_->refused.size()});
      history_->refused.push_back({when, StringField(line, "reason")});
      return;
    }
    CheckpointStory* story = Find(id);
    if (story == nullptr) return;
    if (event.kind == "checkpoint-acknowledged") {
      const std::optional<int> s = SubtaskIndex(actor);
      if (s) story->acks[static_cast<size_t>(*s)] = when;
    } else if (event.kind == "checkpoint-canceled") {
      story->declines.push_back({actor, when, StringField(line, "reason")});
    } else if (event.kind == "checkpoint-completed") {
      story->outcome = CheckpointOutcome::kCompleted;
      story->ended = when;
    } else if (event.kind == "checkpoint-aborted") {
      story->outcome = CheckpointOutcome::kAborted;
      story->ended = when;
      story->abort_reason = StringField(line, "reason");
    } else if (event.kind == "rpc-delivered" || event.kind == "rpc-lost" || event.kind == "rpc-ignored") {
      const std::string rpc = StringField(line, "rpc");
      if (rpc != "notify-complete" && rpc != "notify-abort") return;
      const std::string fate = event.kind == "rpc-lost" ? "LOST" : event.kind == "rpc-ignored" ? "ignored" : "";
      story->notified.push_back({StringField(line, "subtask"), when, fate});
    } else if (event.kind == "transaction-committed") {
      story->commits.push_back({actor, when, "txn " + std::to_string(IntField(line, "transaction"))});
    } else if (event.kind == "final-checkpoint-done") {
      story->released.push_back({actor, when, ""});
    } else if (event.kind == "send") {
      const json* message = Field(line, "message");
      if (message != nullptr && BoolField(*message, "savepoint")) story->savepoint = true;
    }
  }

  void AddPlan(int64_t id, const model::PendingCheckpoint& pending) {
    CheckpointStory* story = Find(id);
    if (story == nullptr || story->plan) return;
    story->plan = pending.plan;
    story->savepoint = story->savepoint || pending.kind == model::CheckpointKind::kSyncSavepoint;
  }

 private:
  CheckpointStory* Find(int64_t id) {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &history_->checkpoints[it->second];
  }

  std::optional<int> SubtaskIndex(const std::string& name) {
    if (names_.empty()) {
      for (int s = 0; s < trace_.config.graph->subtask_count(); ++s) names_[trace_.config.graph->SubtaskName(s)] = s;
    }
    const auto it = names_.find(name);
    return it == names_.end() ? std::nullopt : std::optional<int>(it->second);
  }

  const simulator::Trace& trace_;
  CheckpointHistory* history_;
  std::map<int64_t, size_t> by_id_;  // the latest story of each id
  std::map<std::string, int> names_;
};

}  // namespace

bool CollectCheckpoints(const simulator::Trace& trace, const EventIndex& index, CheckpointHistory* history,
                        std::string* error) {
  *history = CheckpointHistory{};
  Collector collector(trace, history);
  for (const IndexedEvent& event : index.events) collector.Add(event);
  // The plan is coordinator state, not an event: read it off the replayed
  // state right after each trigger.
  return Replay(
      trace, -1,
      [&](int64_t, const model::System& system) {
        for (const model::PendingCheckpoint& pending : system.coordinator.pending)
          collector.AddPlan(pending.id, pending);
        return true;
      },
      error);
}

}  // namespace ckptsim::visualizer
