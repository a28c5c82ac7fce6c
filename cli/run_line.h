// Run lines: the JSONL a sweep writes, one RunToJson object per finished run,
// read back for `sweep --resume` and `ckptsim merge`. A RunLine keeps what a
// sweep summary needs of one line (cli/sweep_summary.h), so that a summary
// is a function of the lines alone and N shards merge to what one machine
// running every seed reports.
//
// A run is identified by (scenario, variant, swarm, seed): the same seed
// with and without --swarm are two different runs.
#ifndef CKPTSIM_CLI_RUN_LINE_H_
#define CKPTSIM_CLI_RUN_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ckptsim::cli {

struct RunKey {
  std::string scenario;
  std::string variant;
  bool swarm = false;
  uint64_t seed = 0;

  auto operator<=>(const RunKey&) const = default;
};

struct RunLine {
  RunKey key;
  std::string trace_hash;
  int64_t steps = 0;
  std::vector<std::string> violated;  // property codes, in the line's order
  // Why the run failed: "P2 <summary>" of its earliest violation, or the
  // unmet expectation; empty if it passed.
  std::string failure;
  bool expectation_failed = false;
  std::string replay;  // the command that reproduces the run
  // Faults injected (RunToJson's "faults"), by key, in the line's order.
  std::vector<std::pair<std::string, int64_t>> faults;
  bool job_failed = false;
  std::vector<std::pair<std::string, int64_t>> sometimes;  // fact key -> count
};

// The RunLine of one JSON object; nullopt and *error ("missing 'steps'") if
// it is not a run line.
std::optional<RunLine> RunLineFromJson(const nlohmann::ordered_json& json, std::string* error);

// A JSONL file of run lines, each with its 1-based line number.
struct RunLineFile {
  std::vector<std::pair<int, RunLine>> lines;
  // The last line had no newline: a sweep was interrupted while writing it.
  bool truncated_tail = false;
  int truncated_line = 0;
  uint64_t complete_bytes = 0;  // the size of the file without that line
};

// Reads `path`. A truncated last line is an error unless
// `allow_truncated_tail`, when it is left out and reported in the result.
// Errors are one line: "FILE:LINE: problem" or "FILE: problem".
std::optional<RunLineFile> ReadRunLineFile(const std::string& path, bool allow_truncated_tail, std::string* error);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_RUN_LINE_H_
