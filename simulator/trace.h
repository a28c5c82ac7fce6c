// Trace files: JSON Lines. Line 1 is the header (format name and version,
// ckptsim version, the full resolved scenario, seed, variant); then one line
// per decision ("kind": "action") followed by one line per event it caused
// (step, tick, actor, kind, details); the last line is the footer (property
// verdicts, the decision log, the trace hash). A trace of another format
// version is refused, never misread.
//
// The writer writes to FILE.tmp and renames it over FILE only when the run
// is complete, so an interrupted run leaves no half-written trace behind.
#ifndef CKPTSIM_SIMULATOR_TRACE_H_
#define CKPTSIM_SIMULATOR_TRACE_H_

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulator/run_config.h"
#include "simulator/runner.h"

namespace ckptsim::simulator {

inline constexpr const char* kTraceFormat = "ckptsim-trace";
inline constexpr int kTraceVersion = 3;  // 3: RPCs in order per path, delay and expire-early as fault decisions
inline constexpr const char* kCkptsimVersion = "0.1.0";

// An event as a JSON object: {"actor": ..., "kind": ..., details...}.
nlohmann::ordered_json EventToJson(const model::JobGraph& graph, const model::Event& event);

// The graph that names the decisions after `action`: a resume switches to the
// job's new version (`resume_graph`, if the scenario has one).
const model::JobGraph* GraphAfter(const model::Action& action, const model::JobGraph& graph,
                                  const model::JobGraph* resume_graph);
// The verdicts object of a run: property code -> {"verdict", "step", "summary", "details"}.
nlohmann::ordered_json VerdictsToJson(const RunResult& result);

class TraceWriter final : public RunObserver {
 public:
  static std::unique_ptr<TraceWriter> Open(const std::string& path, const RunConfig& config, uint64_t seed,
                                           std::string* error);
  ~TraceWriter() override;
  void OnStep(const model::System& system, int64_t step, int64_t tick, const model::Action& action,
              std::span<const model::Event> events) override;
  // Writes the footer and moves the file into place.
  bool Finish(const RunResult& result, std::string* error);

 private:
  TraceWriter(std::string path, std::FILE* file, std::shared_ptr<const model::JobGraph> graph);
  void WriteLine(const nlohmann::ordered_json& json);

  std::string path_;
  std::FILE* file_;
  std::shared_ptr<const model::JobGraph> graph_;
  std::shared_ptr<const model::JobGraph> resume_graph_;  // the new version a resume deploys, if any
};

struct Trace {
  RunConfig config;
  uint64_t seed = 0;
  std::vector<model::Action> decisions;
  std::string trace_hash;
  nlohmann::json footer;
  std::vector<nlohmann::json> events;  // every line between header and footer
};

// Reads a whole trace; the error names the file and line.
std::variant<Trace, std::string> ReadTrace(const std::string& path);

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_TRACE_H_
