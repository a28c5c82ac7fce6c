#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace ckptsim::cli {
namespace {

constexpr std::chrono::milliseconds kTerminalInterval{100};

std::string Duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, total / 60 % 60);
  return fmt::format("{}m{:02}s", total / 60, total % 60);
}

}  // namespace

Progress::Progress(Mode mode, int64_t planned, int64_t resumed)
    : mode_(mode), planned_(planned), resumed_(resumed), started_(std::chrono::steady_clock::now()),
      last_shown_(started_) {}

std::string Progress::Line(int64_t done, int64_t failing, double seconds) const {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const std::string left = rate > 0 ? Duration(static_cast<double>(planned_ - done) / rate) : "?";
  return fmt::format("{}/{} runs{} ({}%), {:.0f} runs/s, {} failing, ETA {}", done, planned_,
                     resumed_ > 0 ? fmt::format(" (+{} resumed)", resumed_) : "",
                     planned_ > 0 ? 100 * done / planned_ : 100, rate, failing, left);
}

void Progress::Update(int64_t done, int64_t failing) {
  if (mode_ == Mode::kQuiet) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = done == planned_;
  if (mode_ == Mode::kTerminal) {
    if (!last && now - last_shown_ < kTerminalInterval) return;
  } else if (now - last_shown_ < kPlainInterval) {
    return;
  }
  last_shown_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  if (mode_ == Mode::kTerminal) {
    fmt::print(stderr, "\r\x1b[K{}", Line(done, failing, seconds));
    shown_ = true;
  } else {
    fmt::print(stderr, "progress: {}\n", Line(done, failing, seconds));
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (mode_ == Mode::kTerminal && shown_) fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

}  // namespace ckptsim::cli
