// `ckptsim sweep` and `ckptsim merge`: both summarise run lines with one
// SweepSummary, so a merge of shards prints what one machine would.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/run_line.h"
#include "cli/sweep_summary.h"
#include "model/check.h"
#include "simulator/sweep.h"
#include "visualizer/graphviz.h"

namespace ckptsim::cli {
namespace {

using Json = nlohmann::ordered_json;

bool ParseShard(const std::string& text, int* index, int* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    size_t used = 0;
    *index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) return false;
    *count = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return *count >= 1 && *index >= 0 && *index < *count;
}

// The key of a run of configs[c] in this sweep.
RunKey KeyOf(const simulator::RunConfig& config, bool swarm, uint64_t seed) {
  return RunKey{config.scenario_name, std::string(model::Name(config.protocol.variant)), swarm, seed};
}

// Reads the lines an interrupted sweep left in `path` into `summary`; drops
// a truncated last line. Returns false with *error if a line is malformed,
// belongs to another sweep or contradicts another line.
bool ResumeFrom(const std::string& path, const std::vector<simulator::RunConfig>& configs, bool swarm,
                SweepSummary* summary, int64_t* lines_kept, std::string* error) {
  std::error_code exists_error;
  if (!std::filesystem::exists(path, exists_error)) return true;
  std::optional<RunLineFile> file = ReadRunLineFile(path, /*allow_truncated_tail=*/true, error);
  if (!file) return false;
  if (file->truncated_tail) {
    std::error_code resize_error;
    std::filesystem::resize_file(path, file->complete_bytes, resize_error);
    if (resize_error) {
      *error = fmt::format("{}: cannot drop the truncated last line: {}", path, resize_error.message());
      return false;
    }
    fmt::print(stderr, "ckptsim: note: {}:{}: dropped a truncated last line (the sweep writing it was interrupted); "
                       "its run is done again\n",
               path, file->truncated_line);
  }
  for (const auto& [number, line] : file->lines) {
    const std::string origin = fmt::format("{}:{}", path, number);
    bool belongs = false;
    for (const simulator::RunConfig& config : configs) {
      if (KeyOf(config, swarm, line.key.seed) == line.key) belongs = true;
    }
    if (!belongs) {
      *error = fmt::format("{}: a run of scenario '{}', variant {}{}, which this sweep does not make; resume with "
                           "the same scenarios, --variant and --swarm, or write to another --out file",
                           origin, line.key.scenario, line.key.variant, line.key.swarm ? ", with --swarm" : "");
      return false;
    }
    if (summary->Add(line, origin, error) == SweepSummary::Added::kConflict) return false;
  }
  *lines_kept = static_cast<int64_t>(file->lines.size());
  return true;
}

void PrintThroughput(const simulator::SweepTotals& totals) {
  const double seconds = totals.seconds > 0 ? totals.seconds : 1e-9;
  fmt::print("throughput: {:.0f} runs/s, {:.0f} steps/s ({} runs, {} steps in {:.2f} s)\n",
             static_cast<double>(totals.runs) / seconds, static_cast<double>(totals.steps) / seconds, totals.runs,
             totals.steps, totals.seconds);
}

Json WithThroughput(Json summary, std::optional<simulator::SweepTotals> totals) {
  if (!totals) {
    summary["seconds"] = nullptr;
    summary["runs_per_second"] = nullptr;
    summary["steps_per_second"] = nullptr;
    return summary;
  }
  const double seconds = totals->seconds > 0 ? totals->seconds : 1e-9;
  summary["seconds"] = totals->seconds;
  summary["runs_per_second"] = static_cast<double>(totals->runs) / seconds;
  summary["steps_per_second"] = static_cast<double>(totals->steps) / seconds;
  return summary;
}

// SIGINT and SIGTERM during a sweep: no new seed starts, the runs in
// progress finish and are written, and the summary of what was done is
// printed with the command that resumes the sweep.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void OnStopSignal(int signal) {
  stop_signal = signal;
  stop_requested.store(true);
}

// Catches SIGINT and SIGTERM for its lifetime. SA_RESETHAND: a second signal
// ends the process at once. A SIGINT the shell ignores (a background job) stays ignored.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, nullptr, &old_interrupt_);
    if (old_interrupt_.sa_handler != SIG_IGN) sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, &old_terminate_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_interrupt_, nullptr);
    sigaction(SIGTERM, &old_terminate_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_interrupt_ {};
  struct sigaction old_terminate_ {};
};

// `text` as one shell word.
std::string ShellWord(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@%+") ==
                           std::string::npos) {
    return text;
  }
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that continues an interrupted sweep from its --out file.
std::string ResumeCommand(const SweepArgs& args) {
  std::vector<std::string> words = {"ckptsim", "sweep"};
  for (const std::string& scenario : args.scenarios) words.push_back(ShellWord(scenario));
  words.insert(words.end(), {"--seeds", std::to_string(args.seeds)});
  if (args.first_seed != 1) words.insert(words.end(), {"--first-seed", std::to_string(args.first_seed)});
  if (!args.shard.empty()) words.insert(words.end(), {"--shard", ShellWord(args.shard)});
  if (!args.variant.empty()) words.insert(words.end(), {"--variant", ShellWord(args.variant)});
  if (args.swarm) words.push_back("--swarm");
  if (args.stop_on_first) words.push_back("--stop-on-first");
  if (args.all_violations) words.push_back("--all-violations");
  if (!args.report_dir.empty()) words.insert(words.end(), {"--report-dir", ShellWord(args.report_dir)});
  words.insert(words.end(), {"--out", ShellWord(args.out), "--resume"});
  return fmt::format("{}", fmt::join(words, " "));
}

}  // namespace

int SweepCommand(const SweepArgs& args) {
  if (args.seeds < 1) return UsageError("--seeds must be at least 1");
  if (args.first_seed > std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(args.seeds - 1)) {
    return UsageError(fmt::format("--first-seed {} with --seeds {}: the last seed would be past {}", args.first_seed,
                                  args.seeds, std::numeric_limits<uint64_t>::max()));
  }
  simulator::SweepOptions options{.seeds = args.seeds,
                                  .first_seed = args.first_seed,
                                  .stop_on_first = args.stop_on_first,
                                  .swarm = args.swarm,
                                  .all_violations = args.all_violations};
  options.jobs = WorkerThreads(args.jobs);
  if (!args.shard.empty() && !ParseShard(args.shard, &options.shard_index, &options.shard_count)) {
    return UsageError(fmt::format("--shard '{}' is not I/N with 0 <= I < N", args.shard));
  }
  if (args.resume && args.out.empty()) return UsageError("--resume needs --out FILE.jsonl, the file to resume");
  std::vector<simulator::RunConfig> configs;
  if (std::string error; !LoadScenarios(args.scenarios, args.variant, &configs, &error)) return UsageError(error);
  if (std::any_of(configs.begin(), configs.end(), [](const simulator::RunConfig& c) { return c.random_job; })) {
    const bool swarm = args.swarm;
    options.draw = [swarm](const simulator::RunConfig& base, uint64_t seed) {
      return ConfigForSeed(base, seed, swarm);
    };
  }
  // The reports are drawn by Graphviz after the sweep: find out now, not after the runs.
  if (!args.report_dir.empty()) {
    std::string image;
    std::string error;
    if (!visualizer::RunDot("digraph{}", visualizer::ImageFormat::kSvg, &image, &error)) {
      return UsageError("--report-dir " + args.report_dir + ": " + error);
    }
  }

  SweepSummary summary;
  int64_t resumed_lines = 0;
  if (args.resume) {
    std::string error;
    if (!ResumeFrom(args.out, configs, args.swarm, &summary, &resumed_lines, &error)) return UsageError(error);
  }
  const int64_t resumed_runs = summary.runs();
  const bool stop_now = args.stop_on_first && summary.failing_runs() > 0;
  if (args.resume) {
    options.skip = [&](size_t c, uint64_t seed) {
      return stop_now || summary.Contains(KeyOf(configs[c], args.swarm, seed));
    };
  }
  const int64_t planned = simulator::CountSweep(configs.size(), options);

  std::FILE* out = nullptr;
  if (!args.out.empty()) {
    out = std::fopen(args.out.c_str(), args.resume ? "a" : "w");
    if (out == nullptr) return UsageError(fmt::format("{}: cannot write: {}", args.out, std::strerror(errno)));
  }
  const Progress::Mode mode = isatty(fileno(stderr)) != 0 ? Progress::Mode::kTerminal
                              : args.json                 ? Progress::Mode::kQuiet
                                                          : Progress::Mode::kPlainLines;
  Progress progress(mode, planned, resumed_runs);
  // Each run's line is rendered and read back on the worker thread that made
  // it; on_result, which runs one at a time, only adds and writes it.
  struct Rendered {
    std::string text;
    std::optional<RunLine> line;
  };
  // Only runs finished but not yet reported are here (RunSweep bounds them).
  std::mutex rendered_mutex;
  std::map<size_t, std::unique_ptr<Rendered>> rendered;
  auto prepare = [&](const simulator::SweepItem& item) {
    auto result = std::make_unique<Rendered>();
    const Json json = RunToJson(item.config(configs), args.scenarios[item.scenario], item.result);
    std::string problem;
    result->line = RunLineFromJson(json, &problem);
    if (!result->line) model::SetCheckContext("a run line this ckptsim wrote does not read back: " + problem);
    CKPTSIM_CHECK(result->line.has_value());
    result->text = json.dump() + "\n";
    const std::lock_guard<std::mutex> lock(rendered_mutex);
    rendered[item.index] = std::move(result);
  };
  int64_t done = 0;
  std::string write_error;  // the first failed write of --out; the sweep stops there
  std::vector<FailedRun> failed;  // for --report-dir, in (scenario, seed) order
  // A signal or a failed write stops the sweep (stop_signal tells which).
  stop_requested.store(false);
  stop_signal = 0;
  options.cancel = &stop_requested;
  auto on_result = [&](const simulator::SweepItem& item) {
    std::unique_ptr<Rendered> run;
    {
      const std::lock_guard<std::mutex> lock(rendered_mutex);
      const auto it = rendered.find(item.index);
      CKPTSIM_CHECK(it != rendered.end());
      run = std::move(it->second);
      rendered.erase(it);
    }
    const RunLine& line = *run->line;
    if (!args.report_dir.empty() && !line.failure.empty()) failed.push_back({item.config(configs), item.seed, args.all_violations});
    ++done;
    const std::string origin = out != nullptr ? fmt::format("{}:{}", args.out, resumed_lines + done)
                                              : fmt::format("run {} of this sweep", done);
    std::string error;
    if (summary.Add(line, origin, &error) == SweepSummary::Added::kConflict) {
      model::SetCheckContext(error);
      CKPTSIM_CHECK(false);  // skipped runs are never run again
    }
    if (out != nullptr && write_error.empty()) {
      const std::string& text = run->text;
      if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
        write_error = fmt::format("{}: cannot write run line {}: {}", args.out, resumed_lines + done,
                                  std::strerror(errno));
        stop_requested.store(true);
      }
    }
    progress.Update(done, summary.failing_runs());
  };
  simulator::SweepTotals totals;
  {
    const StopSignals signals;
    totals = simulator::RunSweep(configs, options, on_result, prepare);
  }
  progress.Finish();
  if (out != nullptr && std::fclose(out) != 0 && write_error.empty()) {
    write_error = fmt::format("{}: cannot write the run lines: {}", args.out, std::strerror(errno));
  }
  if (!write_error.empty()) return UsageError(write_error);
  const int signal = stop_signal;

  if (args.json) {
    Json object = WithThroughput(summary.ToJson(), totals);
    if (signal != 0) object["interrupted"] = signal == SIGINT ? "SIGINT" : "SIGTERM";
    fmt::print("{}\n", object.dump());
  } else {
    std::string resumed;
    if (args.resume) resumed = fmt::format("; {} run(s) resumed from {}", resumed_runs, args.out);
    fmt::print("sweep: {} scenario(s), {} run(s) on {} thread(s), variant {}{}{}\n", configs.size(), planned,
               options.jobs, args.variant.empty() ? "as in each scenario" : args.variant,
               args.swarm ? ", swarm" : "", resumed);
    fmt::print("{}", summary.ToText());
    if (totals.runs < planned && signal == 0) {
      fmt::print("stopped at the first violation: {} of {} planned run(s) made\n", totals.runs, planned);
    }
    PrintThroughput(totals);
  }
  if (signal != 0) {
    const std::string name = signal == SIGINT ? "SIGINT" : "SIGTERM";
    std::string resume = out != nullptr ? "resume: " + ResumeCommand(args)
                                        : std::string("nothing to resume from: give --out FILE.jsonl to make a sweep "
                                                      "resumable");
    // In --json mode stdout holds only the summary object.
    fmt::print(args.json ? stderr : stdout, "interrupted by {}: {} of {} planned run(s) made\n{}\n", name,
               totals.runs, planned, resume);
    return 128 + signal;
  }
  if (std::string error; !failed.empty() && !WriteSweepReports(failed, args.report_dir, &error)) return UsageError(error);
  return summary.failing_runs() > 0 ? kExitViolation : kExitOk;
}

bool LoadScenarios(const std::vector<std::string>& scenarios, const std::string& variant,
                   std::vector<simulator::RunConfig>* configs, std::string* error) {
  for (const std::string& scenario : scenarios) {
    simulator::RunConfig config;
    if (!LoadWithVariant(scenario, variant, &config, error)) return false;
    for (size_t c = 0; c < configs->size(); ++c) {
      if ((*configs)[c].scenario_name != config.scenario_name) continue;
      *error = fmt::format("'{}' and '{}' are both the scenario named '{}'; a sweep tells runs apart by scenario "
                           "name, so give each scenario once",
                           scenarios[c], scenario, config.scenario_name);
      return false;
    }
    configs->push_back(std::move(config));
  }
  return true;
}

int MergeCommand(const std::vector<std::string>& files, bool json) {
  // The summaries of a sharded `check --swarm`, rather than sweep lines.
  if (!files.empty()) {
    std::ifstream in(files.front());
    std::string line;
    if (in && std::getline(in, line) &&
        IsCheckSummary(nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false))) {
      return MergeCheckSummaries(files, json);
    }
  }
  SweepSummary summary;
  int64_t lines = 0;
  int64_t repeats = 0;
  for (const std::string& path : files) {
    std::string error;
    std::optional<RunLineFile> file = ReadRunLineFile(path, /*allow_truncated_tail=*/false, &error);
    if (!file) return UsageError(error);
    for (const auto& [number, line] : file->lines) {
      ++lines;
      switch (summary.Add(line, fmt::format("{}:{}", path, number), &error)) {
        case SweepSummary::Added::kNew:
          break;
        case SweepSummary::Added::kRepeat:
          ++repeats;
          break;
        case SweepSummary::Added::kConflict:
          return UsageError(error);
      }
    }
  }
  if (json) {
    fmt::print("{}\n", WithThroughput(summary.ToJson(), std::nullopt).dump());
  } else {
    fmt::print("merge: {} file(s), {} line(s){}\n", files.size(), lines,
               repeats > 0 ? fmt::format(", {} of them repeating a run with the same trace hash (counted once)", repeats)
                           : "");
    fmt::print("{}", summary.ToText());
  }
  return summary.failing_runs() > 0 ? kExitViolation : kExitOk;
}

}  // namespace ckptsim::cli
