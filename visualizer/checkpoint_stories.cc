#include "visualizer/checkpoint_stories.h"

#include <array>
#include <map>

#include "visualizer/json_fields.h"
#include "visualizer/replay.h"

namespace ckptsim::visualizer {
namespace {

using nlohmann::json;

class Collector {
 public:
  Collector(const EventIndex& index, CheckpointHistory* history) : index_(index), history_(history) {}

  void Add(const IndexedEvent& event) {
    const json& line = *event.line;
    const int64_t id = IntField(line, "checkpoint");
    const StoryMoment when{event.step, event.tick};
    const std::string actor = StringField(line, "actor");
    if (event.kind == "checkpoint-triggered") {
      const model::JobGraph& graph = index_.versions.OfStep(event.step);
      CheckpointStory story{.id = id, .graph = &graph, .triggered = when, .wait_for = IntField(line, "wait_for")};
      story.acks.resize(static_cast<size_t>(graph.subtask_count()));
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
      const std::optional<int> s = SubtaskIndex(*story->graph, actor);
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

  // `graph`: the replayed state's, which indexes the plan.
  void AddPlan(int64_t id, const model::PendingCheckpoint& pending, const model::JobGraph* graph) {
    CheckpointStory* story = Find(id);
    if (story == nullptr || story->plan || story->graph != graph) return;
    story->plan = pending.plan;
    story->savepoint = story->savepoint || pending.kind == model::CheckpointKind::kSyncSavepoint;
  }

 private:
  CheckpointStory* Find(int64_t id) {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &history_->checkpoints[it->second];
  }

  // `name`'s index in `graph`; nullopt if that version has no such subtask.
  std::optional<int> SubtaskIndex(const model::JobGraph& graph, const std::string& name) {
    std::map<std::string, int>& names = names_[&graph == index_.versions.before.get() ? 0 : 1];
    if (names.empty()) {
      for (int s = 0; s < graph.subtask_count(); ++s) names[graph.SubtaskName(s)] = s;
    }
    const auto it = names.find(name);
    return it == names.end() ? std::nullopt : std::optional<int>(it->second);
  }

  const EventIndex& index_;
  CheckpointHistory* history_;
  std::map<int64_t, size_t> by_id_;  // the latest story of each id
  std::array<std::map<std::string, int>, 2> names_;  // by version: first, new
};

}  // namespace

bool CollectCheckpoints(const simulator::Trace& trace, const EventIndex& index, CheckpointHistory* history,
                        std::string* error) {
  *history = CheckpointHistory{};
  Collector collector(index, history);
  for (const IndexedEvent& event : index.events) collector.Add(event);
  // The plan is coordinator state, not an event: read it off the replayed
  // state right after each trigger.
  return Replay(
      trace, -1,
      [&](int64_t, const model::System& system) {
        for (const model::PendingCheckpoint& pending : system.coordinator.pending)
          collector.AddPlan(pending.id, pending, system.graph.get());
        return true;
      },
      error);
}

}  // namespace ckptsim::visualizer
