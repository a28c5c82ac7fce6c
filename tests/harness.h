// A small fluent driver for hand-written protocol tests: build a job from
// inline YAML, then apply actions by name ("step A[0]", "deliver A[0]->B[0]"),
// deliver RPCs by kind and subtask, or let a deterministic policy run until a
// condition holds. Every applied action must be enabled, or the test fails.
#ifndef CKPTSIM_TESTS_HARNESS_H_
#define CKPTSIM_TESTS_HARNESS_H_

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "model/system.h"
#include "scenarios/loader.h"
#include "simulator/run_config.h"

namespace ckptsim::testing {

inline simulator::RunConfig LoadOrDie(const std::string& name_or_yaml) {
  auto loaded = name_or_yaml.find('\n') == std::string::npos
                    ? scenarios::LoadScenario(name_or_yaml)
                    : scenarios::LoadScenarioText(name_or_yaml, "inline.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    std::abort();
  }
  return std::get<simulator::RunConfig>(std::move(loaded));
}

class Script {
 public:
  explicit Script(const std::string& name_or_yaml)
      : config_(LoadOrDie(name_or_yaml)), system_(model::InitialSystem(config_.graph, config_.protocol)) {}

  const model::System& system() const { return system_; }
  const model::JobGraph& graph() const { return *config_.graph; }
  const std::vector<model::Event>& events() const { return all_events_; }
  int Subtask(const std::string& name) const {
    auto action = model::ParseAction(graph(), "step " + name);
    EXPECT_TRUE(action.has_value()) << "no subtask " << name;
    return action ? static_cast<int>(action->target) : 0;
  }
  const model::Subtask& Sub(const std::string& name) const { return system_.subtasks[Subtask(name)]; }
  model::SubtaskPhase Phase(const std::string& name) const { return Sub(name).phase; }

  // Applies one action given in decision-log syntax; fails the test if not enabled.
  Script& Do(const std::string& text) {
    auto action = model::ParseAction(graph(), text);
    EXPECT_TRUE(action.has_value()) << "cannot parse action '" << text << "'";
    if (!action) return *this;
    EXPECT_TRUE(model::IsEnabled(system_, *action)) << "'" << text << "' is not enabled";
    if (!model::IsEnabled(system_, *action)) return *this;
    Apply(*action);
    return *this;
  }

  // Delivers the oldest RPC of `kind` addressed to / sent by `subtask`.
  // RPCs of one path arrive in order unless delayed: whatever of its path is
  // ahead of it is delivered first (DelayWhere holds RPCs back instead).
  Script& Rpc(model::RpcKind kind, const std::string& subtask) {
    const int s = Subtask(subtask);
    for (const model::Rpc& rpc : system_.rpcs) {
      if (rpc.kind == kind && rpc.subtask == s) {
        const model::Action action{model::ActionKind::kDeliverRpc, static_cast<int64_t>(rpc.uid)};
        const int path = model::RpcPath(rpc);
        while (!model::IsEnabled(system_, action)) {
          size_t head = 0;
          while (head < system_.rpcs.size() &&
                 (model::RpcPath(system_.rpcs[head]) != path || system_.rpcs[head].delayed)) {
            ++head;
          }
          Apply(model::Action{model::ActionKind::kDeliverRpc, static_cast<int64_t>(system_.rpcs[head].uid)});
        }
        Apply(action);
        return *this;
      }
    }
    ADD_FAILURE() << "no " << model::Name(kind) << " RPC for " << subtask << " in flight";
    return *this;
  }
  // Delays (the kDelayRpc fault) the oldest RPC of `kind` for `subtask`:
  // later RPCs of its path may then overtake it.
  Script& Delay(model::RpcKind kind, const std::string& subtask) {
    const int s = Subtask(subtask);
    for (const model::Rpc& rpc : system_.rpcs) {
      if (rpc.kind == kind && rpc.subtask == s && !rpc.delayed) {
        Apply(model::Action{model::ActionKind::kDelayRpc, static_cast<int64_t>(rpc.uid)});
        return *this;
      }
    }
    ADD_FAILURE() << "no " << model::Name(kind) << " RPC for " << subtask << " to delay";
    return *this;
  }
  bool HasRpc(model::RpcKind kind, const std::string& subtask) const {
    const int s = Subtask(subtask);
    for (const model::Rpc& rpc : system_.rpcs) {
      if (rpc.kind == kind && rpc.subtask == s) return true;
    }
    return false;
  }

  // Repeatedly applies the first enabled action accepted by `allow` until
  // `done` holds; fails if it does not within `max_steps`.
  using Allow = std::function<bool(const model::System&, const model::Action&)>;
  Script& RunUntil(const std::function<bool(const model::System&)>& done, const Allow& allow = nullptr,
                   int max_steps = 100000) {
    std::vector<model::Action> enabled;
    for (int i = 0; i < max_steps; ++i) {
      if (done(system_)) return *this;
      model::EnabledActions(system_, enabled);
      bool applied = false;
      for (const model::Action& action : enabled) {
        if (allow && !allow(system_, action)) continue;
        Apply(action);
        applied = true;
        break;
      }
      if (!applied) break;
    }
    EXPECT_TRUE(done(system_)) << "condition not reached";
    return *this;
  }

  // Brings every subtask to RUNNING and delivers the running reports.
  Script& StartAll() {
    return RunUntil([](const model::System& s) {
      for (auto v : s.coordinator.view) {
        if (v != model::ExecutionState::kRunning) return false;
      }
      return true;
    }, [](const model::System& s, const model::Action& a) {
      if (a.kind == model::ActionKind::kDeliverRpc) {
        // The running reports, and what an earlier attempt sent before them
        // (stale: the coordinator ignores it), which arrives first.
        for (const model::Rpc& rpc : s.rpcs) {
          if (static_cast<int64_t>(rpc.uid) != a.target) continue;
          return rpc.kind == model::RpcKind::kReportRunning ||
                 (!model::IsToSubtask(rpc.kind) && rpc.attempt != s.subtasks[rpc.subtask].attempt);
        }
        return false;
      }
      return a.kind == model::ActionKind::kStep && (s.subtasks[a.target].phase == model::SubtaskPhase::kDeploying ||
                                                    s.subtasks[a.target].phase == model::SubtaskPhase::kInitializing);
    });
  }

  size_t CountEvents(model::EventKind kind) const {
    size_t n = 0;
    for (const auto& e : all_events_) n += e.kind == kind;
    return n;
  }

  // From now on every RPC in flight that `held` accepts is delayed (the
  // kDelayRpc fault) as soon as it is sent, so that later RPCs of its path
  // may overtake it while a test holds it back.
  Script& DelayWhere(std::function<bool(const model::Rpc&)> held) {
    delay_ = std::move(held);
    DelayHeld();
    return *this;
  }

  void Apply(const model::Action& action) {
    std::vector<model::Event> events;
    model::Apply(system_, action, events);
    all_events_.insert(all_events_.end(), events.begin(), events.end());
    DelayHeld();
  }

 private:
  void DelayHeld() {
    if (!delay_) return;
    for (size_t i = 0; i < system_.rpcs.size(); ++i) {
      if (system_.rpcs[i].delayed || !delay_(system_.rpcs[i])) continue;
      std::vector<model::Event> events;
      model::Apply(system_, model::Action{model::ActionKind::kDelayRpc, static_cast<int64_t>(system_.rpcs[i].uid)},
                   events);
      all_events_.insert(all_events_.end(), events.begin(), events.end());
    }
  }

  simulator::RunConfig config_;
  model::System system_;
  std::vector<model::Event> all_events_;
  std::function<bool(const model::Rpc&)> delay_;
};

}  // namespace ckptsim::testing

#endif  // CKPTSIM_TESTS_HARNESS_H_
