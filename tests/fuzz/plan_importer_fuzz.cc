// libFuzzer target: any bytes as a Flink JSON execution plan; what imports
// is loaded as a scenario too, as `ckptsim run PLAN.json` would. Besides
// crashes, an exception caught only by a last-resort handler is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "scenarios/loader.h"
#include "scenarios/plan_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto imported = ckptsim::scenarios::ImportPlanText(text, "fuzz.json", {});
  // The last resorts of the JSON reader and the loader: exceptions nobody expected.
  const auto check = [](const ckptsim::scenarios::ScenarioError& error) {
    if (error.message.starts_with("cannot read the JSON: ") ||
        error.message.starts_with("cannot load the scenario:")) {
      std::fprintf(stderr, "uncaught exception: %s\n", error.ToString().c_str());
      std::abort();
    }
  };
  if (auto* error = std::get_if<ckptsim::scenarios::ScenarioError>(&imported)) check(*error);
  if (auto* plan = std::get_if<ckptsim::scenarios::ImportedPlan>(&imported)) {
    auto loaded = ckptsim::scenarios::LoadScenarioText(plan->yaml, "fuzz.json");
    if (auto* error = std::get_if<ckptsim::scenarios::ScenarioError>(&loaded)) check(*error);
  }
  return 0;
}
