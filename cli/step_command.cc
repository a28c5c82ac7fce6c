// `ckptsim step SCENARIO`: step through a run by hand. Each turn prints the
// subtasks' phases and the actions possible now, numbered; a command picks
// one. The same commands work from a pipe or a here-document, so a session
// is a script too: on a terminal a bad command is reported and asked again,
// from a script it is an error (exit 2, naming the input line).
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/session_view.h"
#include "model/system.h"
#include "scenarios/input_limits.h"
#include "schedules/describe.h"
#include "schedules/executor.h"
#include "schedules/schedule.h"
#include "schedules/step.h"
#include "schedules/writer.h"

namespace ckptsim::cli {
namespace {

constexpr std::string_view kHelp =
    "commands:\n"
    "  N               take action N of the list\n"
    "  start           deploy and open every subtask, deliver the running reports\n"
    "  r N             let the seeded scheduler take N steps (never a fault)\n"
    "  until COND      ... until the condition holds (at most 10000 steps)\n"
    "  c COND          check a condition now, e.g. 'c S1[0] is FINISHED'\n"
    "  STEP            any schedule step: 'rpc trigger 1 -> S[0]', 'fail A[0]', 'lose notify-complete 1 -> A[0]'\n"
    "  u               undo the last step\n"
    "  w FILE          write the steps taken as a schedule (it replays to the same trace hash)\n"
    "  q               quit (prints the trace hash)";

// What the user did, grouped as the written schedule shows it.
struct Entry {
  std::string text;  // the step as written: "step A[0]", "run: 20", "until: job is FINISHED"
  std::string comment;
  int64_t steps = 1;       // decisions it took
  bool scheduled = false;  // `run` or `until`: the first N-1 of its steps are `run: N-1`
  std::string until;       // the condition of an `until`
};

class StepSession {
 public:
  StepSession(const StepArgs& args, simulator::RunConfig config)
      : args_(args), config_(std::move(config)), session_(std::make_unique<schedules::Session>(config_, args.seed)) {}

  // The state, the numbered actions, and the faults that could be typed.
  void PrintTurn() {
    fmt::print("\nstep {} (tick {})\n", session_->steps(), session_->tick());
    for (const std::string& line : StateLines(*session_)) fmt::print("{}\n", line);
    possible_.clear();
    std::vector<std::string> faults;
    for (const model::Action& action : session_->Possible()) {
      if (model::IsFault(action.kind)) {
        faults.push_back(schedules::DescribeStep(session_->system(), action));
      } else {
        possible_.push_back(action);
      }
    }
    for (size_t i = 0; i < possible_.size(); ++i) {
      fmt::print("  {:>3}  {}\n", i + 1, PossibleLine(session_->system(), possible_[i]));
    }
    if (possible_.empty()) fmt::print("  nothing can happen any more\n");
    if (!faults.empty()) fmt::print("  faults (type one): {}\n", fmt::join(faults, ", "));
  }

  // Whether the last command changed the run (and the turn should be shown again).
  bool changed() const { return changed_; }

  // Handles one command; false with *error if it is not understood or not possible.
  bool Handle(const std::string& line, bool* quit, std::string* error) {
    changed_ = false;
    const std::string command = Trim(line);
    if (command.empty()) return true;
    if (command == "q" || command == "quit") {
      *quit = true;
      return true;
    }
    if (command == "h" || command == "?" || command == "help") {
      fmt::print("{}\n", kHelp);
      return true;
    }
    if (command == "u") return Undo(error);
    if (command == "start") {
      std::vector<std::string> notes;
      const int64_t taken = static_cast<int64_t>(schedules::StartAll(*session_, &notes).size());
      PrintNotes(notes);
      if (taken > 0) entries_.push_back(Entry{.text = "start", .steps = taken});
      changed_ = true;
      return true;
    }
    if (command.starts_with("w ")) return Write(Trim(command.substr(2)), error);
    if (command.starts_with("c ")) return Check(Trim(command.substr(2)), error);
    if (command.starts_with("r ")) return Run(Trim(command.substr(2)), error);
    if (command.starts_with("until ") || command.starts_with("until:")) return Until(Trim(command.substr(6)), error);
    if (std::all_of(command.begin(), command.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      const size_t pick = std::stoul(command.substr(0, 9));
      if (pick < 1 || pick > possible_.size()) {
        *error = possible_.empty() ? "nothing can happen any more"
                                   : fmt::format("pick an action from 1 to {}", possible_.size());
        return false;
      }
      Take(possible_[pick - 1]);
      return true;
    }
    auto step = schedules::ParseActionStep(session_->graph(), command, error);
    if (!step) {
      *error = fmt::format("'{}': {} ('h' lists the commands)", command, *error);
      return false;
    }
    auto action = schedules::ResolveActionStep(session_->system(), *step, error);
    if (!action) {
      *error = fmt::format("'{}' is not enabled: {}", command, *error);
      return false;
    }
    Take(*action);
    return true;
  }

  void Quit() {
    const simulator::RunResult result = session_->Replay();
    fmt::print("{} steps, trace hash {}\n", session_->steps(), simulator::HashToHex(result.trace_hash));
  }

 private:
  static std::string Trim(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(" \t\r") - first + 1));
  }

  void PrintNotes(const std::vector<std::string>& notes) {
    for (const std::string& note : notes) fmt::print("  -> {}\n", note);
  }

  void Take(const model::Action& action) {
    Entry entry{.text = schedules::DescribeStep(session_->system(), action),
                .comment = schedules::Hint(session_->system(), action)};
    fmt::print("{}\n", entry.text);
    const auto events = session_->Apply(action);
    PrintNotes(schedules::Notes(session_->system(), session_->history(), events));
    entries_.push_back(std::move(entry));
    changed_ = true;
  }

  // Scheduler steps until `condition` holds (if any) or `limit` steps.
  int64_t Schedule(int64_t limit, const schedules::Condition* condition) {
    int64_t taken = 0;
    std::vector<std::string> notes;
    while (taken < limit) {
      if (condition != nullptr && schedules::EvaluateNow(*condition, *session_).holds) break;
      auto next = session_->Next(nullptr);
      if (!next) break;
      const auto events = session_->Apply(*next);
      const auto step_notes = schedules::Notes(session_->system(), session_->history(), events);
      notes.insert(notes.end(), step_notes.begin(), step_notes.end());
      ++taken;
    }
    PrintNotes(notes);
    changed_ = true;
    return taken;
  }

  bool Run(const std::string& count, std::string* error) {
    int64_t steps = 0;
    const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), steps);
    if (ec != std::errc() || end != count.data() + count.size() || steps < 1) {
      *error = fmt::format("r N: N is a number of steps, at least 1; got '{}'", count);
      return false;
    }
    const int64_t taken = Schedule(steps, nullptr);
    fmt::print("ran {} step(s){}\n", taken, taken < steps ? " (nothing else to do)" : "");
    if (taken > 0) entries_.push_back(Entry{.text = fmt::format("run: {}", taken), .steps = taken, .scheduled = true});
    return true;
  }

  bool Until(const std::string& text, std::string* error) {
    auto condition = schedules::ParseCondition(session_->graph(), text, error);
    if (!condition) {
      *error = fmt::format("until '{}': {}", scenarios::ShownValue(text), *error);
      return false;
    }
    const int64_t taken = Schedule(schedules::kUntilStepsDefault, &*condition);
    const schedules::Verdict verdict = schedules::EvaluateNow(*condition, *session_);
    if (taken > 0) {
      entries_.push_back(
          verdict.holds
              ? Entry{.text = schedules::MappingStep("until", text), .steps = taken, .scheduled = true, .until = text}
              : Entry{.text = fmt::format("run: {}", taken),
                      .comment = fmt::format("until {} (not reached)", text),
                      .steps = taken,
                      .scheduled = true});
    }
    fmt::print("{} after {} step(s): {}\n", verdict.holds ? "holds" : "NOT reached", taken, verdict.found);
    return true;
  }

  bool Check(const std::string& text, std::string* error) {
    auto condition = schedules::ParseCondition(session_->graph(), text, error);
    if (!condition) {
      *error = fmt::format("c '{}': {}", scenarios::ShownValue(text), *error);
      return false;
    }
    const schedules::Verdict verdict = schedules::EvaluateNow(*condition, *session_);
    fmt::print("{}: {}\n", verdict.holds ? "holds" : "does NOT hold", verdict.found);
    return true;
  }

  bool Undo(std::string* error) {
    if (entries_.empty()) {
      *error = "nothing to undo";
      return false;
    }
    // Rebuild: the same decisions, one fewer, give the same session.
    std::vector<model::Action> decisions = session_->decisions();
    decisions.pop_back();
    Entry last = std::move(entries_.back());
    entries_.pop_back();
    const int64_t kept = last.steps - 1;
    const bool scheduled = last.scheduled;
    if (kept > 0 && scheduled) {
      // The scheduler makes the same choices again: its first N-1 steps are `run: N-1`.
      last.steps = kept;
      last.text = fmt::format("run: {}", kept);
      if (!last.until.empty()) last.comment = fmt::format("until {}, but the last step", last.until);
      last.until.clear();
      entries_.push_back(std::move(last));
    }
    const size_t explicit_from = decisions.size() - static_cast<size_t>(scheduled ? 0 : kept);
    session_ = std::make_unique<schedules::Session>(config_, args_.seed);
    for (size_t i = 0; i < decisions.size(); ++i) {
      if (i >= explicit_from) {
        // What is left of a `start` is written out action by action.
        entries_.push_back(Entry{.text = schedules::DescribeStep(session_->system(), decisions[i]),
                                 .comment = schedules::Hint(session_->system(), decisions[i])});
      }
      session_->Apply(decisions[i]);
    }
    fmt::print("undone: back at step {}\n", session_->steps());
    changed_ = true;
    return true;
  }

  bool Write(const std::string& path, std::string* error) {
    if (path.empty()) {
      *error = "w FILE: name the file";
      return false;
    }
    schedules::ScheduleHeader header;
    header.comments.push_back(fmt::format("Written by 'ckptsim step {}{} --seed {}' after {} steps.", args_.scenario,
                                          args_.variant.empty() ? "" : " --variant " + args_.variant, args_.seed,
                                          session_->steps()));
    header.scenario = schedules::ScenarioReference(args_.scenario, path);
    header.variant = args_.variant;
    header.seed = args_.seed;
    std::vector<schedules::WrittenStep> steps;
    for (const Entry& entry : entries_) steps.push_back({entry.text, entry.comment});
    if (!schedules::WriteFileAtomically(path, schedules::FormatSchedule(header, steps), error)) return false;
    fmt::print("wrote {} ({} steps); run it with: ckptsim run --schedule {}\n", path, session_->steps(), path);
    return true;
  }

  const StepArgs& args_;
  simulator::RunConfig config_;
  std::unique_ptr<schedules::Session> session_;
  std::vector<model::Action> possible_;
  std::vector<Entry> entries_;
  bool changed_ = false;
};

}  // namespace

int StepCommand(const StepArgs& args) {
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(args.scenario, args.variant, &config, &error)) return UsageError(error);
  const bool interactive = isatty(STDIN_FILENO) != 0;
  StepSession stepper(args, std::move(config));
  fmt::print("ckptsim step {} --seed {}{}: 'h' lists the commands\n", args.scenario, args.seed,
             args.variant.empty() ? "" : " --variant " + args.variant);
  std::string line;
  int line_number = 0;
  bool quit = false;
  stepper.PrintTurn();
  while (!quit) {
    fmt::print("> ");
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) {
      if (!interactive) fmt::print("\n");
      break;
    }
    ++line_number;
    if (!interactive) fmt::print("{}\n", line);  // a transcript shows what was typed
    if (!stepper.Handle(line, &quit, &error)) {
      if (!interactive) {
        std::fflush(stdout);
        return UsageError(fmt::format("stdin:{}: {}", line_number, error));
      }
      fmt::print("error: {}\n", error);
      continue;
    }
    if (!quit && stepper.changed()) stepper.PrintTurn();
  }
  stepper.Quit();
  return kExitOk;
}

}  // namespace ckptsim::cli
