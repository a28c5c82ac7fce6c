// P5 channel discipline, checked at the producer as messages are sent: per
// channel EndOfData at most once and after every record, nothing after
// EndOfPartition, EndOfPartition only after EndOfData where the variant has
// EndOfData; and no record leaves a subtask whose chain tail ran finish().
//
// Sink V2 committables obey the record rules, with one exception Flink has:
// after EndOfData(NO_DRAIN) a writer's input has not ended, so the
// stop-with-savepoint's prepareSnapshotPreBarrier still flushes and emits the
// savepoint's committables; the committer takes them (no endInput on
// NO_DRAIN) into its savepoint state. And a committer that feeds a global
// committer forwards committables on notify-complete, after its finish():
// that is Flink's design (the final checkpoint's committables go out on its
// notification); what must hold is that they precede its EndOfData(DRAIN),
// which is why Flink defers that EndOfData (FLINK-38614).
#include <fmt/format.h>

#include "properties/checks.h"

namespace ckptsim::properties {
namespace {

bool ForwardsAfterFinish(const model::JobGraph& graph, int32_t subtask) {
  return graph.vertices()[graph.subtasks()[subtask].vertex].forwards_committables;
}

}  // namespace

void CheckChannelDiscipline(const StepContext& c, std::optional<Violation>& out) {
  const model::System& system = c.after;
  const model::JobGraph& graph = *system.graph;
  const bool has_end_of_data = model::IsFlip147Flow(system.options.variant);
  for (const model::Event& event : c.events) {
    if (event.kind == model::EventKind::kOperatorCall &&
        event.aux == static_cast<uint8_t>(model::OperatorCall::kFinish) &&
        event.op + 1 == static_cast<int>(system.subtasks[event.subtask].operators.size())) {
      c.history.subtasks[event.subtask].tail_finished = true;
      continue;
    }
    if (event.kind == model::EventKind::kChannelReset) {
      c.history.channels[event.channel] = ChannelTrack{};  // a new attempt starts the channel afresh
      continue;
    }
    if (event.kind == model::EventKind::kRestarted) {
      c.history.subtasks[event.subtask].tail_finished = false;
      continue;
    }
    if (event.kind != model::EventKind::kSend) continue;
    ChannelTrack& track = c.history.channels[event.channel];
    const model::MessageKind kind = event.message.kind;
    std::string problem;
    if (track.end_of_partition) {
      problem = fmt::format("{} sent after EndOfPartition", model::Name(kind));
    } else if (kind == model::MessageKind::kRecord && track.end_of_data) {
      problem = "record sent after EndOfData";
    } else if ((kind == model::MessageKind::kCommittable || kind == model::MessageKind::kCommittableSummary) &&
               track.drained) {
      problem = "committable sent after EndOfData(DRAIN)";
    } else if (kind == model::MessageKind::kMaxWatermark && track.end_of_data) {
      problem = "MAX_WATERMARK sent after EndOfData";
    } else if (kind == model::MessageKind::kEndOfData && track.end_of_data) {
      problem = "EndOfData sent twice";
    } else if (kind == model::MessageKind::kEndOfPartition && has_end_of_data && !track.end_of_data) {
      problem = "EndOfPartition sent without EndOfData";
    } else if ((kind == model::MessageKind::kRecord ||
                ((kind == model::MessageKind::kCommittable || kind == model::MessageKind::kCommittableSummary) &&
                 !ForwardsAfterFinish(graph, event.subtask))) &&
               c.history.subtasks[event.subtask].tail_finished) {
      problem = fmt::format("{} emitted after finish() of the chain's last operator", model::Name(kind));
    }
    if (kind == model::MessageKind::kEndOfData) {
      track.end_of_data = true;
      track.drained = event.message.mode == model::StopMode::kDrain;
    }
    if (kind == model::MessageKind::kEndOfPartition) track.end_of_partition = true;
    if (problem.empty()) continue;
    const model::ChannelInfo& channel = graph.channels()[event.channel];
    out = Violation{.property = PropertyId::kChannelDiscipline,
                    .step = c.step,
                    .summary = fmt::format("channel {}->{}: {}", graph.SubtaskName(channel.producer),
                                           graph.SubtaskName(channel.consumer), problem)};
    return;
  }
}

}  // namespace ckptsim::properties
