#include "visualizer/event_index.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "visualizer/event_text.h"
#include "visualizer/json_fields.h"

namespace ckptsim::visualizer {
namespace {

using nlohmann::json;

// Coordinator-side bookkeeping, whatever actor the event names.
constexpr std::array<std::string_view, 12> kCoordinatorKinds{
    "checkpoint-triggered", "checkpoint-refused", "checkpoint-acknowledged",
    "checkpoint-completed", "checkpoint-aborted", "job-finished",
    "job-failed",           "stop-requested",     "stop-failed",
    "job-resumed",          "channel-reset",      "job-graph-changed"};

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

LinkKind KindOfMessage(const json& message) {
  const std::string type = StringField(message, "type");
  if (type == "record") return LinkKind::kRecord;
  if (type == "barrier" || type == "cancel-marker") return LinkKind::kBarrier;
  if (type == "EndOfData") return LinkKind::kEndOfData;
  if (type == "EndOfPartition") return LinkKind::kEndOfPartition;
  return LinkKind::kOtherMessage;
}

// Pairs the two ends of messages, acknowledgements and RPCs as events arrive.
class Linker {
 public:
  explicit Linker(EventIndex& index) : index_(index) {}

  void Add(size_t event_index) {
    IndexedEvent& event = index_.events[event_index];
    const json& line = *event.line;
    const std::string channel = StringField(line, "channel");
    if (event.kind == "send" || event.kind == "channel-state-restored") {
      const json& message = MessageOf(line);
      event.link = NewLink(KindOfMessage(message), event_index, MessageShortText(message));
      in_flight_[channel].push_back({event.link, message.dump()});
    } else if (event.kind == "receive") {
      Receive(event_index, channel, MessageOf(line).dump());
    } else if (event.kind == "job-graph-changed") {
      // The new version's channels start empty; its names may repeat the old ones'.
      in_flight_.clear();
      acks_.clear();
    } else if (event.kind == "channel-reset") {
      in_flight_.erase(channel);
      acks_.erase(channel);
    } else if (event.kind == "eod-ack-sent") {
      event.link = NewLink(LinkKind::kEndOfDataAck, event_index, "EoD ack");
      acks_[channel].push_back(event.link);
    } else if (event.kind == "eod-ack-received") {
      std::deque<size_t>& pending = acks_[channel];
      if (!pending.empty()) {
        End(pending.front(), event_index);
        pending.pop_front();
      }
    } else if (event.kind == "rpc-sent") {
      event.link = NewLink(LinkKind::kRpc, event_index, RpcText(line));
      rpcs_[IntField(line, "uid")] = event.link;
    } else if (StartsWith(event.kind, "rpc-")) {
      const auto it = rpcs_.find(IntField(line, "uid"));
      if (it == rpcs_.end()) return;
      End(it->second, event_index);
      index_.links[it->second].lost = event.kind == "rpc-lost";
      index_.links[it->second].ignored = event.kind == "rpc-ignored";
      rpcs_.erase(it);
    }
  }

 private:
  struct InFlight {
    size_t link;
    std::string message;  // its JSON text: the identity a receive is matched by
  };

  static const json& MessageOf(const json& line) {
    static const json kEmpty = json::object();
    const json* message = Field(line, "message");
    return message != nullptr ? *message : kEmpty;
  }

  size_t NewLink(LinkKind kind, size_t from, std::string label) {
    index_.links.push_back(Link{.kind = kind, .from = from, .label = std::move(label)});
    return index_.links.size() - 1;
  }

  void End(size_t link, size_t event_index) {
    index_.links[link].to = event_index;
    index_.events[event_index].link = link;
  }

  // FIFO, except that an unaligned barrier overtakes: the first message in
  // flight equal to the one received is the one delivered.
  void Receive(size_t event_index, const std::string& channel, const std::string& message) {
    std::deque<InFlight>& queue = in_flight_[channel];
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->message != message) continue;
      End(it->link, event_index);
      queue.erase(it);
      return;
    }
  }

  EventIndex& index_;
  std::map<std::string, std::deque<InFlight>> in_flight_;
  std::map<std::string, std::deque<size_t>> acks_;
  std::map<int64_t, size_t> rpcs_;
};

int LaneOf(const json& line, const std::string& kind, const std::map<std::string, int>& lanes, int store_lane,
           int* origin_lane) {
  const auto find = [&](const std::string& name) {
    const auto it = lanes.find(name);
    return it == lanes.end() ? 0 : it->second;
  };
  for (const std::string_view coordinator_kind : kCoordinatorKinds) {
    if (kind == coordinator_kind) return 0;
  }
  if (StartsWith(kind, "transaction-")) {
    *origin_lane = find(StringField(line, "actor"));
    return store_lane;
  }
  if (StartsWith(kind, "rpc-")) {
    const bool to_subtask = RpcGoesToSubtask(StringField(line, "rpc"));
    const bool at_sender = kind == "rpc-sent";
    return to_subtask != at_sender ? find(StringField(line, "subtask")) : 0;
  }
  return find(StringField(line, "actor"));
}

// The subtask lanes: the first version's subtasks in index order; with a
// graph change, the new version's other subtasks after their vertex's others,
// and its new vertices after the vertex that precedes them in the new version.
void AddSubtaskLanes(const GraphVersions& versions, std::vector<Lane>* lanes, std::map<std::string, int>* lane_of) {
  const model::JobGraph& before = *versions.before;
  const model::JobGraph& after = *versions.after;
  // Vertex names in lane order.
  std::vector<std::string> vertices;
  for (const model::VertexInfo& v : before.vertices()) vertices.push_back(v.name);
  if (versions.changed()) {
    size_t at = 0;  // where the next new vertex goes
    for (const model::VertexInfo& v : after.vertices()) {
      const auto it = std::find(vertices.begin(), vertices.end(), v.name);
      if (it != vertices.end()) {
        at = static_cast<size_t>(it - vertices.begin()) + 1;
        continue;
      }
      vertices.insert(vertices.begin() + static_cast<std::ptrdiff_t>(at), v.name);
      ++at;
    }
  }
  const auto add = [&](const model::JobGraph& graph, int s, bool old_only, bool new_only) {
    const std::string name = graph.SubtaskName(s);
    if (lane_of->count(name) != 0) return;
    (*lane_of)[name] = static_cast<int>(lanes->size());
    lanes->push_back(Lane{.name = name,
                          .kind = LaneKind::kSubtask,
                          .subtask = s,
                          .old_version_only = old_only,
                          .new_version_only = new_only});
  };
  for (const std::string& name : vertices) {
    const std::optional<int> old_vertex = before.FindVertex(name);
    const std::optional<int> new_vertex = versions.changed() ? after.FindVertex(name) : std::nullopt;
    const int old_parallelism = old_vertex ? before.vertices()[static_cast<size_t>(*old_vertex)].parallelism : 0;
    const int new_parallelism = new_vertex ? after.vertices()[static_cast<size_t>(*new_vertex)].parallelism : 0;
    if (old_vertex) {
      for (int i = 0; i < old_parallelism; ++i) {
        add(before, before.SubtaskOf(*old_vertex, i), versions.changed() && i >= new_parallelism, false);
      }
    }
    if (new_vertex) {
      for (int i = old_parallelism; i < new_parallelism; ++i) add(after, after.SubtaskOf(*new_vertex, i), false, true);
    }
  }
}

}  // namespace

EventIndex IndexEvents(const simulator::Trace& trace) {
  EventIndex index;
  index.versions = GraphVersionsOf(trace);
  std::map<std::string, int> lane_of;
  index.lanes.push_back(Lane{.name = "coordinator", .kind = LaneKind::kCoordinator});
  AddSubtaskLanes(index.versions, &index.lanes, &lane_of);
  index.lanes.push_back(Lane{.name = "store", .kind = LaneKind::kStore});
  index.events.reserve(trace.events.size());
  Linker linker(index);
  for (const json& line : trace.events) {
    const std::string kind = StringField(line, "kind");
    const int64_t step = IntField(line, "step");
    if (kind == "action") {
      if (step >= 0 && static_cast<size_t>(step) >= index.actions.size())
        index.actions.resize(static_cast<size_t>(step) + 1);
      if (step >= 0) index.actions[static_cast<size_t>(step)] = {StringField(line, "action"), IntField(line, "tick")};
      continue;
    }
    IndexedEvent event{.step = step, .tick = IntField(line, "tick"), .kind = kind, .line = &line};
    event.lane = LaneOf(line, kind, lane_of, index.store_lane(), &event.origin_lane);
    event.text = EventText(line);
    if (kind == "job-graph-changed" && index.versions.changed()) {
      event.text = fmt::format("{}: {}", index.versions.MarkerText(), index.versions.summary);
    }
    const json* message = Field(line, "message");
    event.plain_record =
        (kind == "send" || kind == "receive") && message != nullptr && StringField(*message, "type") == "record";
    index.events.push_back(std::move(event));
    linker.Add(index.events.size() - 1);
  }
  index.steps = IntField(trace.footer, "steps", static_cast<int64_t>(trace.decisions.size()));
  index.ticks = IntField(trace.footer, "ticks", index.events.empty() ? 0 : index.events.back().tick);
  return index;
}

}  // namespace ckptsim::visualizer
