// A sweep's progress on stderr. On a terminal: one line rewritten in place
// (runs done of planned, runs per second, failing runs so far, time left).
// Otherwise (a log file, a CI job): a plain line at most every
// kPlainInterval, so logs stay short. Wall-clock time is read here for
// display only; nothing it shows reaches a decision or a JSONL line.
#ifndef CKPTSIM_CLI_PROGRESS_H_
#define CKPTSIM_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace ckptsim::cli {

class Progress {
 public:
  enum class Mode { kQuiet, kTerminal, kPlainLines };
  static constexpr std::chrono::seconds kPlainInterval{5};

  // `planned`: runs this sweep makes; `resumed`: runs already in the output file.
  Progress(Mode mode, int64_t planned, int64_t resumed);
  // After each finished run: `done` of `planned`, `failing` in all (with resumed ones).
  void Update(int64_t done, int64_t failing);
  // Clears the terminal line.
  void Finish();

 private:
  std::string Line(int64_t done, int64_t failing, double seconds) const;

  Mode mode_;
  int64_t planned_;
  int64_t resumed_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_shown_;
  bool shown_ = false;
};

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_PROGRESS_H_
