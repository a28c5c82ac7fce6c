// libFuzzer target: any bytes as a scenario file. The loader must return a
// RunConfig or a ScenarioError, never crash, hang or run out of memory; an
// exception caught by the loader's last resort (a message without a line)
// counts as a finding too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "scenarios/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = ckptsim::scenarios::LoadScenarioText(text, "fuzz.yaml");
  if (auto* error = std::get_if<ckptsim::scenarios::ScenarioError>(&loaded)) {
    if (error->message.starts_with("cannot load the scenario:")) {
      std::fprintf(stderr, "uncaught exception in the loader: %s\n", error->ToString().c_str());
      std::abort();
    }
  }
  return 0;
}
