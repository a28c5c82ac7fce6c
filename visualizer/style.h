// Colours and text limits shared by the pictures, so one phase or one kind
// of message looks the same in every view and in the legends.
#ifndef CKPTSIM_VISUALIZER_STYLE_H_
#define CKPTSIM_VISUALIZER_STYLE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "model/state.h"
#include "visualizer/event_index.h"

namespace ckptsim::visualizer {

inline constexpr const char* kFontName = "Helvetica";
inline constexpr const char* kHighlightColor = "#d00000";
// The node that marks where a run's job was resumed into its new version.
inline constexpr const char* kNewVersionColor = "#e6ccff";
inline constexpr size_t kLabelLineMax = 44;  // characters of one label line before "..."
inline constexpr size_t kNameMax = 64;       // characters of a vertex, operator or subtask name before "..."

// Arrow colour and style per kind of link.
struct LinkStyle {
  const char* color;
  const char* style;
  const char* penwidth;
};
LinkStyle StyleOf(LinkKind kind);

// Fill colour of a subtask in a lifecycle phase (FINISHED on restore has its own).
const char* PhaseColor(model::SubtaskPhase phase, bool deployed_as_finished);
// Words for the legend: "running", "end of data", ...
std::string_view PhaseWords(model::SubtaskPhase phase, bool deployed_as_finished);

// `text` cut to kLabelLineMax characters (UTF-8 safe), with "..." when cut.
std::string Shorten(std::string_view text, size_t max = kLabelLineMax);

// One line naming what the arrow colours mean.
inline constexpr const char* kArrowLegend =
    "arrows: grey records, blue barriers, orange EndOfData, purple EndOfPartition, teal watermarks/committables, "
    "green dashed EndOfData acks, dotted RPCs (red: lost), brown store writes";

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_STYLE_H_
