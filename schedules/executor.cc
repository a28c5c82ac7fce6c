#include "schedules/executor.h"

#include <fmt/format.h>

#include "model/system.h"
#include "schedules/describe.h"

namespace ckptsim::schedules {
namespace {

// Applies `action` and appends what it did, in words, to `notes`.
void ApplyNoting(Session& session, const model::Action& action, std::vector<std::string>* notes) {
  const auto events = session.Apply(action);
  const std::vector<std::string> step_notes = Notes(session.system(), session.history(), events);
  notes->insert(notes->end(), step_notes.begin(), step_notes.end());
}

void Take(Session& session, const model::Action& action, StepReport& report) {
  ApplyNoting(session, action, &report.notes);
  ++report.steps_taken;
}

}  // namespace

std::vector<model::Action> StartAll(Session& session, std::vector<std::string>* notes) {
  std::vector<model::Action> taken;
  const auto apply = [&](const model::Action& action) {
    ApplyNoting(session, action, notes);
    taken.push_back(action);
  };
  for (const model::SubtaskPhase phase : {model::SubtaskPhase::kDeploying, model::SubtaskPhase::kInitializing}) {
    for (int s = 0; s < session.graph().subtask_count(); ++s) {
      const model::Action step{model::ActionKind::kStep, s};
      if (session.system().subtasks[s].phase == phase && model::IsEnabled(session.system(), step)) apply(step);
    }
  }
  std::vector<uint64_t> reports;
  for (const model::Rpc& rpc : session.system().rpcs) {
    if (rpc.kind == model::RpcKind::kReportRunning) reports.push_back(rpc.uid);
  }
  // A report arrives after what its subtask sent before it (RPCs of one path
  // stay in order), e.g. what an earlier attempt reported before it failed.
  for (uint64_t uid : reports) {
    while (true) {
      const auto& rpcs = session.system().rpcs;
      size_t at = 0;
      while (at < rpcs.size() && rpcs[at].uid != uid) ++at;
      if (at == rpcs.size()) break;
      size_t head = at;
      for (size_t i = at; i-- > 0 && model::RpcPath(rpcs[i]) == model::RpcPath(rpcs[at]);) {
        if (!rpcs[i].delayed) head = i;
      }
      const uint64_t next = rpcs[head].uid;
      apply(model::Action{model::ActionKind::kDeliverRpc, static_cast<int64_t>(next)});
      if (next == uid) break;
    }
  }
  return taken;
}

ActionFilter FilterOf(const ScheduleStep& step) {
  if (step.filters.empty()) return nullptr;
  return [&step](const model::System& system, const model::Action& action) {
    bool matched = false;
    for (const ActionPattern& pattern : step.filters) matched = matched || pattern.Matches(system, action);
    return matched == step.filter_is_only;
  };
}

Verdict EvaluateNow(const Condition& condition, const Session& session) {
  const Observation observation{session.system(), session.history(),
                                [&session] { return session.Replay().violations; }};
  return Evaluate(condition, observation);
}

ScheduleResult Execute(const std::vector<ScheduleStep>& steps, Session& session, const StepCallback& on_step) {
  ScheduleResult result;
  for (const ScheduleStep& step : steps) {
    StepReport report{.step = &step, .first_step = session.steps()};
    const auto fail = [&](ScheduleOutcome outcome, std::string problem, std::string found) {
      result.outcome = outcome;
      result.failed = &step;
      result.problem = std::move(problem);
      result.found = std::move(found);
      return result;
    };
    switch (step.kind) {
      case StepKind::kAction: {
        std::string why;
        auto action = ResolveActionStep(session.system(), step.action, &why);
        if (!action) return fail(ScheduleOutcome::kNotEnabled, why, "");
        report.action = DescribeStep(session.system(), *action);
        // What a delivery delivered is the first thing to know about it.
        if (action->kind == model::ActionKind::kDeliver || action->kind == model::ActionKind::kDeliverAck) {
          report.notes.push_back(Hint(session.system(), *action));
        }
        Take(session, *action, report);
        break;
      }
      case StepKind::kStart: report.steps_taken = static_cast<int64_t>(StartAll(session, &report.notes).size()); break;
      case StepKind::kRun: {
        const ActionFilter filter = FilterOf(step);
        while (report.steps_taken < step.steps) {
          auto next = session.Next(filter);
          if (!next) break;
          Take(session, *next, report);
        }
        break;
      }
      case StepKind::kUntil: {
        const ActionFilter filter = FilterOf(step);
        Verdict verdict = EvaluateNow(*step.condition, session);
        while (!verdict.holds) {
          if (report.steps_taken >= step.steps) {
            return fail(ScheduleOutcome::kNotMet,
                        fmt::format("until not reached within {} steps (write 'within: N' to allow more)", step.steps),
                        verdict.found);
          }
          auto next = session.Next(filter);
          if (!next) {
            return fail(ScheduleOutcome::kNotMet,
                        fmt::format("until not reached: nothing {}is left to do after {} step(s)",
                                    step.filters.empty() ? "" : "the filter admits ", report.steps_taken),
                        verdict.found);
          }
          Take(session, *next, report);
          verdict = EvaluateNow(*step.condition, session);
        }
        report.found = verdict.found;
        break;
      }
      case StepKind::kExpect: {
        const Verdict verdict = EvaluateNow(*step.condition, session);
        if (!verdict.holds) return fail(ScheduleOutcome::kNotMet, "expectation not met", verdict.found);
        report.found = verdict.found;
        ++result.expectations_held;
        for (properties::PropertyId id : ExpectedViolations(*step.condition)) result.expected_violations.push_back(id);
        break;
      }
    }
    if (on_step) on_step(report);
  }
  return result;
}

}  // namespace ckptsim::schedules
