// Limits on untrusted input that every reader of files shares, and the one
// way messages echo a value from such a file.
//
// A value echoed in an error may hold newlines, ANSI escapes or binary, and
// may be megabytes long: ShownValue makes it one short printable line.
#ifndef CKPTSIM_SCENARIOS_INPUT_LIMITS_H_
#define CKPTSIM_SCENARIOS_INPUT_LIMITS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckptsim::scenarios {

// Scenario, schedule and plan files larger than this are refused unread.
// yaml-cpp reads about a MiB per second here, and a hand-written scenario is
// a few KiB; a schedule pasted from a long trace is the largest real input.
inline constexpr int64_t kInputBytesMax = int64_t{1} << 20;  // 1 MiB
// Echoed values are cut to this many bytes (before escaping).
inline constexpr size_t kShownValueBytesMax = 80;
// A whole error message is cut to this many bytes.
inline constexpr size_t kMessageBytesMax = 600;
// "Did you mean" is not tried for words longer than this.
inline constexpr size_t kSuggestedWordBytesMax = 64;

// The size of a job a file may describe. Time and memory per step grow with
// subtasks and channels, so these keep a run of one seed within seconds and
// megabytes; they are checked at the line of the vertex or edge.
inline constexpr int kParallelismMax = 1024;            // subtasks of one vertex
inline constexpr int kSubtasksMax = 4096;               // subtasks of the job
inline constexpr int64_t kEdgeChannelsMax = 1 << 16;    // channels of one edge
inline constexpr int64_t kRecordsPerSubtaskMax = 1'000'000;  // records of one source subtask
// Every tick value (timeouts, latencies, intervals, delays, limits) is at
// most 2^40, so that sums of a few of them never overflow an int64_t.
inline constexpr int64_t kTicksMax = int64_t{1} << 40;
// `limits.max_steps` and other step counts.
inline constexpr int64_t kStepsMax = int64_t{1} << 40;

// Control characters and bytes >= 0x7f as \n, \t, \r, \xNN; cut to
// kShownValueBytesMax with "..." appended when longer.
std::string ShownValue(std::string_view value);
// Control characters and bytes >= 0x7f escaped, nothing cut: for a whole
// message, so that nothing a file holds reaches a terminal raw.
std::string EscapeControl(std::string_view text);

// "the file is N bytes; files above 4 MiB are refused" when `bytes` is too
// many, else nullopt.
std::optional<std::string> InputTooLarge(int64_t bytes);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_INPUT_LIMITS_H_
