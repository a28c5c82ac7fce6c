#include "visualizer/perfetto.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "visualizer/json_fields.h"
#include "visualizer/timeline.h"

namespace ckptsim::visualizer {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kPid = 1;

// The B/E spans of one track. Ending a span that is not the innermost ends
// the ones inside it too and begins them again at once, so spans always nest.
class SpanTrack {
 public:
  SpanTrack(int tid, Json* out) : tid_(tid), out_(out) {}

  void Begin(int64_t ts, const std::string& name) {
    Emit("B", ts, name);
    open_.push_back(name);
  }
  bool IsOpen(const std::string& name) const { return std::find(open_.begin(), open_.end(), name) != open_.end(); }
  void End(int64_t ts, const std::string& name) {
    const auto it = std::find(open_.rbegin(), open_.rend(), name);
    if (it == open_.rend()) return;
    const size_t at = static_cast<size_t>(open_.rend() - it) - 1;
    const std::vector<std::string> inner(open_.begin() + static_cast<long>(at) + 1, open_.end());
    for (size_t i = open_.size(); i > at; --i) Emit("E", ts, open_[i - 1]);
    open_.resize(at);
    for (const std::string& span : inner) Begin(ts, span);
  }
  void EndAll(int64_t ts) {
    while (!open_.empty()) {
      Emit("E", ts, open_.back());
      open_.pop_back();
    }
  }

 private:
  void Emit(const char* phase, int64_t ts, const std::string& name) {
    out_->push_back(Json{{"ph", phase}, {"pid", kPid}, {"tid", tid_}, {"ts", ts}, {"name", name}, {"cat", "span"}});
  }

  int tid_;
  Json* out_;
  std::vector<std::string> open_;
};

// Microseconds per tick: 1000 unless a tick holds too many events to space 2 us apart.
int64_t MicrosPerTick(const EventIndex& index) {
  int64_t most = 0;
  for (size_t i = 0, run = 0; i < index.events.size(); ++i) {
    run = i > 0 && index.events[i - 1].tick == index.events[i].tick ? run + 1 : 1;
    most = std::max<int64_t>(most, static_cast<int64_t>(run));
  }
  int64_t scale = 1000;
  while (2 * most >= scale) scale *= 10;
  return scale;
}

std::vector<int64_t> Timestamps(const EventIndex& index, int64_t micros_per_tick) {
  std::vector<int64_t> ts(index.events.size());
  for (size_t i = 0, seq = 0; i < index.events.size(); ++i) {
    seq = i > 0 && index.events[i - 1].tick == index.events[i].tick ? seq + 1 : 0;
    ts[i] = index.events[i].tick * micros_per_tick + 2 * static_cast<int64_t>(seq);
  }
  return ts;
}

std::string PhaseOf(const std::string& kind) {
  if (kind == "deployed") return "DEPLOYING";
  if (kind == "running") return "RUNNING";
  if (kind == "end-data") return "END_OF_DATA";
  if (kind == "end-of-input") return "WAITING_FOR_FINAL_CHECKPOINT";
  if (kind == "closing") return "CLOSING";
  return "";
}

// Opens and closes the spans an event starts or ends on its track.
void UpdateSpans(const IndexedEvent& event, int64_t ts, SpanTrack& track) {
  const nlohmann::json& line = *event.line;
  const std::string checkpoint = fmt::format("checkpoint {}", IntField(line, "checkpoint"));
  const std::string& kind = event.kind;
  if (event.lane == 0) {
    if (kind == "checkpoint-triggered") track.Begin(ts, checkpoint);
    if (kind == "checkpoint-completed" || kind == "checkpoint-aborted") track.End(ts, checkpoint);
    return;
  }
  if (kind == "finished" || kind == "failed" || kind == "canceled") {
    track.EndAll(ts);
    return;
  }
  if (const std::string phase = PhaseOf(kind); !phase.empty()) {
    for (const char* old : {"DEPLOYING", "RUNNING", "END_OF_DATA", "WAITING_FOR_FINAL_CHECKPOINT", "CLOSING"}) {
      track.End(ts, old);
    }
    track.Begin(ts, phase);
    return;
  }
  const nlohmann::json* message = Field(line, "message");
  const bool barrier = kind == "receive" && message != nullptr && StringField(*message, "type") == "barrier";
  const bool trigger = kind == "rpc-delivered" && StringField(line, "rpc") == "trigger";
  if (barrier || trigger) {
    const std::string name =
        fmt::format("checkpoint {}", barrier ? IntField(*message, "checkpoint") : IntField(line, "checkpoint"));
    if (!track.IsOpen(name)) track.Begin(ts, name);
  }
  if (kind == "checkpoint-performed" || kind == "checkpoint-canceled") track.End(ts, checkpoint);
}

Json Metadata(const simulator::Trace& trace, const EventIndex& index) {
  Json events = Json::array();
  events.push_back(Json{{"ph", "M"},
                        {"pid", kPid},
                        {"name", "process_name"},
                        {"args",
                         {{"name", fmt::format("ckptsim {} ({}, seed {})", trace.config.scenario_name,
                                               model::Name(trace.config.protocol.variant), trace.seed)}}}});
  for (size_t lane = 0; lane < index.lanes.size(); ++lane) {
    const int tid = static_cast<int>(lane) + 1;
    events.push_back(Json{{"ph", "M"},
                          {"pid", kPid},
                          {"tid", tid},
                          {"name", "thread_name"},
                          {"args", {{"name", index.lanes[lane].name}}}});
    events.push_back(
        Json{{"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"name", "thread_sort_index"}, {"args", {{"sort_index", tid}}}});
  }
  return events;
}

}  // namespace

Json PerfettoJson(const simulator::Trace& trace, const EventIndex& index, const Highlights& highlights) {
  const int64_t micros_per_tick = MicrosPerTick(index);
  const std::vector<int64_t> ts = Timestamps(index, micros_per_tick);
  Json events = Metadata(trace, index);
  std::vector<SpanTrack> tracks;
  for (size_t lane = 0; lane < index.lanes.size(); ++lane) tracks.emplace_back(static_cast<int>(lane) + 1, &events);
  std::vector<const ViolationReport*> violations;
  for (const ViolationReport& v : highlights.violations) violations.push_back(&v);
  std::stable_sort(violations.begin(), violations.end(), [](auto* a, auto* b) { return a->step < b->step; });
  size_t next_violation = 0;
  const auto mark_violations = [&](int64_t before_step, int64_t at) {
    for (; next_violation < violations.size() && violations[next_violation]->step < before_step; ++next_violation) {
      const ViolationReport& v = *violations[next_violation];
      events.push_back(Json{{"ph", "i"},
                            {"s", "g"},
                            {"pid", kPid},
                            {"tid", 1},
                            {"ts", at},
                            {"name", fmt::format("{} {} VIOLATED", v.code, v.name)},
                            {"cat", "violation"},
                            {"args", {{"step", v.step}, {"summary", v.summary}}}});
    }
  };
  for (size_t i = 0; i < index.events.size(); ++i) {
    const IndexedEvent& event = index.events[i];
    mark_violations(event.step, ts[i]);
    if (event.kind == "job-graph-changed") {
      // The new version's deployment, across every track.
      events.push_back(Json{{"ph", "i"},
                            {"s", "g"},
                            {"pid", kPid},
                            {"tid", 1},
                            {"ts", ts[i]},
                            {"name", index.versions.MarkerText()},
                            {"cat", "new-version"},
                            {"args", {{"step", event.step}, {"changes", index.versions.summary}}}});
    }
    UpdateSpans(event, ts[i], tracks[static_cast<size_t>(event.lane)]);
    Json args{{"step", event.step}, {"tick", event.tick}};
    if (highlights.Covers(event)) args["named_by_violation_report"] = true;
    events.push_back(Json{{"ph", "X"},
                          {"pid", kPid},
                          {"tid", event.lane + 1},
                          {"ts", ts[i]},
                          {"dur", 1},
                          {"name", event.text},
                          {"cat", event.kind},
                          {"args", std::move(args)}});
    if (event.link == kNoEvent) continue;
    const Link& link = index.links[event.link];
    if (link.from == kNoEvent || link.to == kNoEvent) continue;
    Json flow{{"ph", link.from == i ? "s" : "f"},
              {"pid", kPid},
              {"tid", event.lane + 1},
              {"ts", ts[i]},
              {"id", event.link + 1},
              {"name", link.label},
              {"cat", "message"}};
    if (link.to == i) flow["bp"] = "e";
    events.push_back(std::move(flow));
  }
  const int64_t end = (index.ticks + 1) * micros_per_tick;
  mark_violations(INT64_MAX, end);
  for (SpanTrack& track : tracks) track.EndAll(end);
  return Json{
      {"traceEvents", std::move(events)},
      {"displayTimeUnit", "ms"},
      {"otherData",
       {{"generator", "ckptsim"}, {"run", RunTitle(trace, index)}, {"microseconds_per_tick", micros_per_tick}}}};
}

}  // namespace ckptsim::visualizer
