// A trace's events placed for drawing. Each event sits on a lane (the
// checkpoint coordinator, one lane per subtask, the external store), and the
// two ends of everything that travels are linked: a channel message's send
// and receive (or channel-state restore and receive), an EndOfData
// acknowledgement's send and receipt, an RPC's send and its delivery, refusal
// or loss. Built once per trace; the views read it.
//
// Lanes: the coordinator first, then the subtasks in index order, then the
// store. A trace that resumes into a changed job graph (graph_versions.h)
// keys subtask lanes by name across both versions: "Totals[0]" is one lane in
// both, a subtask only the new version has gets a lane of its own, next to its
// vertex's others (a vertex only the new version has, after the vertex that
// precedes it in the new version). Checkpoint bookkeeping (trigger, acknowledgements, completion,
// aborts, channel resets) is on the coordinator's lane; transactions on the
// store's, with the writing subtask as `origin_lane`.
#ifndef CKPTSIM_VISUALIZER_EVENT_INDEX_H_
#define CKPTSIM_VISUALIZER_EVENT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulator/trace.h"
#include "visualizer/graph_versions.h"

namespace ckptsim::visualizer {

enum class LaneKind : uint8_t { kCoordinator, kSubtask, kStore };

struct Lane {
  std::string name;  // "coordinator", "A[0]", "store"
  LaneKind kind = LaneKind::kSubtask;
  int subtask = -1;  // kSubtask only: its index in the graph it first appears in
  // A trace that resumes into a changed job graph: a subtask only one version has.
  bool old_version_only = false;
  bool new_version_only = false;
};

enum class LinkKind : uint8_t {
  kRecord,
  kBarrier,  // barriers and cancel markers
  kEndOfData,
  kEndOfPartition,
  kOtherMessage,  // MAX_WATERMARK, committables
  kEndOfDataAck,
  kRpc,
};

inline constexpr size_t kNoEvent = static_cast<size_t>(-1);

struct Link {
  LinkKind kind = LinkKind::kRecord;
  size_t from = kNoEvent;  // the sending event
  size_t to = kNoEvent;    // the receiving event; kNoEvent while still in flight at the end
  bool lost = false;       // an RPC that was lost (`to` is the loss)
  bool ignored = false;    // an RPC the receiver ignored
  std::string label;       // short: "B3", "EoD", "trigger 3"
};

struct IndexedEvent {
  int64_t step = 0;
  int64_t tick = 0;
  std::string kind;
  int lane = 0;
  int origin_lane = -1;                  // store events: the subtask that acted
  size_t link = kNoEvent;                // index into links, if this event is an end of one
  bool plain_record = false;             // a record's send or receive: folded in long traces
  std::string text;                      // EventText
  const nlohmann::json* line = nullptr;  // the trace line (owned by the Trace)
};

struct ActionLine {
  std::string text;  // the decision, as in the decision log
  int64_t tick = 0;  // when it fired
};

struct EventIndex {
  std::vector<Lane> lanes;
  std::vector<IndexedEvent> events;  // trace order; action lines are in `actions`
  std::vector<Link> links;
  std::vector<ActionLine> actions;  // by step
  int64_t steps = 0;                // decisions in the run
  int64_t ticks = 0;                // the run's last tick
  GraphVersions versions;           // the job graph of each step

  int coordinator_lane() const { return 0; }
  int store_lane() const { return static_cast<int>(lanes.size()) - 1; }
};

// REQUIRES: `trace` outlives the index (events point into its lines).
EventIndex IndexEvents(const simulator::Trace& trace);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_EVENT_INDEX_H_
