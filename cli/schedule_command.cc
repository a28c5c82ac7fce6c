// `ckptsim run [SCENARIO] --schedule FILE` (a scripted run) and
// `ckptsim schedule-from-trace TRACE` (a trace's decision log as a schedule).
#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/session_view.h"
#include "scenarios/loader.h"
#include "schedules/executor.h"
#include "schedules/schedule.h"
#include "schedules/writer.h"
#include "simulator/trace.h"

namespace ckptsim::cli {
namespace {

using schedules::ScheduleOutcome;
using schedules::StepKind;

// Texts equal but for spaces: "deliver A[0] -> B[0]" is "deliver A[0]->B[0]".
bool SameText(std::string a, std::string b) {
  std::erase(a, ' ');
  std::erase(b, ' ');
  return a == b;
}

// "a; b; c", at most `limit` notes, then how many more.
std::string Summarize(const std::vector<std::string>& notes, size_t limit) {
  if (notes.size() <= limit) return fmt::format("{}", fmt::join(notes, "; "));
  return fmt::format("{}; ... and {} more", fmt::join(notes.begin(), notes.begin() + static_cast<long>(limit), "; "),
                     notes.size() - limit);
}

std::string StepRange(const schedules::StepReport& report) {
  if (report.steps_taken == 0) return "";
  if (report.steps_taken == 1) return fmt::format("#{}", report.first_step);
  return fmt::format("#{}-{}", report.first_step, report.first_step + report.steps_taken - 1);
}

void PrintStep(const schedules::StepReport& report) {
  const schedules::ScheduleStep& step = *report.step;
  std::string text = step.text;
  std::string outcome;
  switch (step.kind) {
    case StepKind::kAction:
      if (!report.action.empty() && !SameText(step.text, report.action)) text += " = " + report.action;
      outcome = Summarize(report.notes, 8);
      break;
    case StepKind::kStart: outcome = fmt::format("{} step(s): every subtask RUNNING", report.steps_taken); break;
    case StepKind::kRun:
      outcome = fmt::format("{} step(s){}{}", report.steps_taken,
                            report.steps_taken < step.steps ? " (nothing else to do)" : "",
                            report.notes.empty() ? "" : ": " + Summarize(report.notes, 8));
      break;
    case StepKind::kUntil:
      outcome = fmt::format("holds after {} step(s){}", report.steps_taken,
                            report.notes.empty() ? "" : ": " + Summarize(report.notes, 8));
      break;
    case StepKind::kExpect: outcome = "ok"; break;
  }
  if (step.kind == StepKind::kExpect) {
    fmt::print("{:>5}  {}: ok\n", step.line, text);
    return;
  }
  fmt::print("{:>5}  {:<40} {:<9} {}\n", step.line, text, StepRange(report), outcome);
}

std::string ReplayCommandOf(const ScheduleRunArgs& args, uint64_t seed, const std::string& variant) {
  std::string command = "ckptsim run";
  if (!args.scenario.empty()) command += " " + args.scenario;
  command += fmt::format(" --schedule {} --seed {}", args.schedule, seed);
  if (!args.variant.empty()) command += fmt::format(" --variant {}", variant);
  return command;
}

}  // namespace

int ScheduleRunCommand(const ScheduleRunArgs& args) {
  if (args.swarm)
    return UsageError("--swarm cannot be combined with --schedule: a schedule names subtasks of one graph");
  auto read = schedules::ReadScheduleFile(args.schedule);
  if (auto* error = std::get_if<schedules::ScheduleError>(&read)) return UsageError(error->ToString());
  const schedules::ScheduleFile& file = std::get<schedules::ScheduleFile>(read);
  const std::string scenario = args.scenario.empty() ? file.scenario : args.scenario;
  if (scenario.empty()) {
    return UsageError(
        fmt::format("{}: no scenario: give one on the command line (ckptsim run SCENARIO --schedule "
                    "{}) or write 'scenario: NAME' in the schedule",
                    args.schedule, args.schedule));
  }
  const std::string variant = args.variant.empty() ? file.variant : args.variant;
  simulator::RunConfig config;
  std::string error;
  if (!LoadWithVariant(scenario, variant, &config, &error)) {
    // A scenario or variant the schedule names is the schedule's error too: point at its line.
    const bool variant_failed = error.starts_with("unknown variant");
    const int line = variant_failed ? (args.variant.empty() ? file.variant_line : 0)
                                    : (args.scenario.empty() ? file.scenario_line : 0);
    if (line > 0) {
      error = schedules::ScheduleError{args.schedule, line,
                                       fmt::format("{} '{}': {}", variant_failed ? "variant" : "scenario",
                                                   variant_failed ? variant : scenario, error)}
                  .ToString();
    }
    return UsageError(error);
  }
  if (config.stop.resume && config.stop.resume_into) {
    return UsageError(fmt::format("{}: scenario '{}' resumes into a new version of its job, and a schedule names "
                                  "subtasks of one version only; run it without --schedule",
                                  args.schedule, config.scenario_name));
  }
  auto compiled = schedules::CompileSchedule(file, *config.graph);
  if (auto* e = std::get_if<schedules::ScheduleError>(&compiled)) return UsageError(e->ToString());
  const auto& steps = std::get<std::vector<schedules::ScheduleStep>>(compiled);
  const uint64_t seed = args.seed_given ? args.seed : file.seed.value_or(1);

  schedules::Session session(std::move(config), seed);
  if (!args.json) {
    fmt::print("seed {} scenario {} variant {} schedule {} ({} steps)\n", seed, session.config().scenario_name,
               model::Name(session.config().protocol.variant), args.schedule, steps.size());
    std::fflush(stdout);
  }
  const schedules::ScheduleResult outcome = schedules::Execute(steps, session, [&](const schedules::StepReport& r) {
    if (!args.json) PrintStep(r);
  });
  if (outcome.outcome == ScheduleOutcome::kNotEnabled) {
    // Bad input: nothing is written; the state and what could happen instead follow the one-line error.
    std::fflush(stdout);
    UsageError(fmt::format("{}:{}: step '{}'{} is not enabled after {} steps: {}", args.schedule, outcome.failed->line,
                           outcome.failed->text, outcome.failed->entry, session.steps(), outcome.problem));
    for (const std::string& line : StateLines(session)) fmt::print(stderr, "{}\n", line);
    fmt::print(stderr, "  enabled now:\n");
    for (const model::Action& action : session.Possible()) {
      fmt::print(stderr, "    {}\n", PossibleLine(session.system(), action));
    }
    return kExitUsage;
  }
  std::unique_ptr<simulator::TraceWriter> writer;
  if (!args.trace.empty()) {
    writer = simulator::TraceWriter::Open(args.trace, session.config(), seed, &error);
    if (!writer) return UsageError(error);
  }
  const simulator::RunResult result = session.Replay(writer.get());
  if (writer && !writer->Finish(result, &error)) return UsageError(error);
  const std::vector<properties::Violation> unexpected = UnexpectedViolations(result, outcome.expected_violations);
  const bool met = outcome.outcome == ScheduleOutcome::kPassed;
  const std::string replay = ReplayCommandOf(args, seed, variant);
  if (args.json) {
    auto object = RunToJson(session.config(), scenario, result);
    nlohmann::ordered_json schedule{{"file", args.schedule},
                                    {"steps", steps.size()},
                                    {"expectations_held", outcome.expectations_held},
                                    {"passed", met}};
    if (!met) {
      schedule["failed_line"] = outcome.failed->line;
      schedule["failed_step"] = outcome.failed->text;
      schedule["problem"] = outcome.problem;
      schedule["found"] = outcome.found;
    }
    object["schedule"] = schedule;
    fmt::print("{}\n", object.dump());
  } else {
    if (met) {
      fmt::print("schedule: all {} steps taken, {} expectation(s) held\n", steps.size(), outcome.expectations_held);
    } else {
      // "expect X" / "until X": the condition is what follows the verb.
      const std::string& text = outcome.failed->text;
      fmt::print("{}:{}{}: {}\n  expected: {}\n  found:    {}\n", args.schedule, outcome.failed->line,
                 outcome.failed->entry, outcome.problem, text.substr(text.find(' ') + 1), outcome.found);
    }
    PrintScriptedSummary(session, result, outcome.expected_violations, replay);
    if (!args.trace.empty()) fmt::print("trace: {}\n", args.trace);
  }
  return met && unexpected.empty() ? kExitOk : kExitViolation;
}

int ScheduleFromTraceCommand(const ScheduleFromTraceArgs& args) {
  auto loaded = simulator::ReadTrace(args.trace);
  if (auto* error = std::get_if<std::string>(&loaded)) return UsageError(*error);
  const simulator::Trace& trace = std::get<simulator::Trace>(loaded);
  const int64_t total = static_cast<int64_t>(trace.decisions.size());
  if (args.steps > total) {
    return UsageError(fmt::format("--steps {}: {} holds only {} decisions", args.steps, args.trace, total));
  }
  const int64_t taken = args.steps < 0 ? total : args.steps;
  const std::vector<model::Action> decisions(trace.decisions.begin(), trace.decisions.begin() + taken);
  schedules::Session session(trace.config, trace.seed);
  std::string error;
  auto written = schedules::StepsFromDecisions(session, decisions, &error);
  if (!written) return UsageError(fmt::format("{}: {}", args.trace, error));

  schedules::ScheduleHeader header;
  header.comments.push_back(fmt::format("The first {} of the {} decisions of {} (scenario {}, seed {}).", taken, total,
                                        args.trace, trace.config.scenario_name, trace.seed));
  if (taken == total) {
    header.comments.push_back(fmt::format("Run with --trace, it replays to the trace's hash {}.", trace.trace_hash));
  }
  const std::vector<std::string> builtins = scenarios::BuiltinScenarioNames();
  if (std::find(builtins.begin(), builtins.end(), trace.config.scenario_name) != builtins.end()) {
    header.scenario = trace.config.scenario_name;
    if (trace.config.swarm_drawn) {
      header.comments.push_back(
          "The trace's parameters were drawn by --swarm: the built-in scenario differs from "
          "them; run the schedule against a scenario file with the drawn values.");
    }
  } else {
    header.comments.push_back(
        fmt::format("The trace ran scenario '{}', which is not built in: give its file on the "
                    "command line (ckptsim run FILE --schedule THIS).",
                    trace.config.scenario_name));
  }
  header.variant = std::string(model::Name(trace.config.protocol.variant));
  header.seed = trace.seed;
  const std::string text = schedules::FormatSchedule(header, *written);
  if (args.out.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  if (!schedules::WriteFileAtomically(args.out, text, &error)) return UsageError(error);
  fmt::print("wrote {} ({} steps)\nrun: ckptsim run {}--schedule {}\n", args.out, written->size(),
             header.scenario.empty() ? "SCENARIO " : "", args.out);
  return kExitOk;
}

}  // namespace ckptsim::cli
