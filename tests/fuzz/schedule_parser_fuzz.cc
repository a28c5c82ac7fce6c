// libFuzzer target: any bytes as a schedule file, compiled against a small
// job (a source into a sink, and two sources into a join), so that step,
// pattern and condition parsing are reached too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "scenarios/loader.h"
#include "schedules/schedule.h"

namespace {

constexpr std::string_view kJob = R"(name: fuzz
vertices:
  - {name: S1, parallelism: 2, records: 3, operators: [{name: s1, kind: bounded_source}]}
  - {name: S2, parallelism: 1, records: 2, operators: [{name: s2, kind: bounded_source}]}
  - {name: J, parallelism: 2, operators: [{name: j, kind: keyed_aggregate}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: S1, to: J, partitioning: hash}
  - {from: S2, to: J, partitioning: rebalance}
)";

const ckptsim::model::JobGraph& Graph() {
  static const ckptsim::simulator::RunConfig config =
      std::get<ckptsim::simulator::RunConfig>(ckptsim::scenarios::LoadScenarioText(kJob, "fuzz-job.yaml"));
  return *config.graph;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto read = ckptsim::schedules::ReadScheduleText(text, "fuzz.yaml", "");
  if (auto* error = std::get_if<ckptsim::schedules::ScheduleError>(&read)) {
    // The reader's last resort: an exception it did not expect.
    if (error->message.starts_with("cannot read the schedule:")) {
      std::fprintf(stderr, "uncaught exception in the schedule reader: %s\n", error->ToString().c_str());
      std::abort();
    }
  }
  if (auto* file = std::get_if<ckptsim::schedules::ScheduleFile>(&read)) {
    auto compiled = ckptsim::schedules::CompileSchedule(*file, Graph());
    if (auto* error = std::get_if<ckptsim::schedules::ScheduleError>(&compiled)) (void)error->ToString();
  }
  return 0;
}
