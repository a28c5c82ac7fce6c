// Loading scenario files: a YAML description of one job (its graph, its
// checkpointing configuration, timing, faults, an optional stop-with-savepoint
// and what a run must achieve) resolved into one simulator::RunConfig with the
// job graph compiled. scenarios/README.md documents the format.
//
// Loading either yields a complete RunConfig or a ScenarioError that names the
// file and line of the first problem ("fig6.yaml:12: vertex 'B': parallelism:
// expected an integer, got 'abc'"). The format is strict: unknown keys, wrong
// types and out-of-range values are errors, never silently ignored. No
// exception escapes these functions.
//
// Built-in scenarios are carried inside the binary (builtin.h): a name such
// as "fig6" loads scenarios/library/fig6.yaml as it was at build time, with
// errors naming "<built-in>/fig6.yaml"; "findings/NAME" loads a scenario of
// scenarios/findings/ the same way. For development, $CKPTSIM_SCENARIO_DIR
// replaces the library with the `<name>.yaml` files of that folder.
//
// Thread-safety: every function may be called from several threads at once,
// as long as nobody changes the environment or the scenario files meanwhile.
#ifndef CKPTSIM_SCENARIOS_LOADER_H_
#define CKPTSIM_SCENARIOS_LOADER_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenarios/scenario_error.h"
#include "simulator/run_config.h"

namespace ckptsim::scenarios {

// Parses `yaml`; `display_name` is the file name errors carry.
std::variant<simulator::RunConfig, ScenarioError> LoadScenarioText(std::string_view yaml,
                                                                   const std::string& display_name);

// Reads and parses the file at `path`; errors carry `path` as given.
std::variant<simulator::RunConfig, ScenarioError> LoadScenarioFile(const std::string& path);

// `name_or_path` is a built-in name if one is embedded under it (see above);
// otherwise a path if it contains '/' or ends in .yaml, .yml or .json, and
// else an unknown name: an error that lists the built-in names.
std::variant<simulator::RunConfig, ScenarioError> LoadScenario(const std::string& name_or_path);

// Where built-in names are looked up: $CKPTSIM_SCENARIO_DIR if set and not
// empty, else "<built-in>" (the embedded library; "<built-in>/fig6.yaml"
// loads as a path too).
std::string BuiltinScenarioDir();
// The small configurations made for exhaustive search (`ckptsim check`):
// scenarios/check of the source tree, or $CKPTSIM_CHECK_SCENARIO_DIR. Loaded by

// The built-in scenario names (file names without .yaml) of the library, or
// of $CKPTSIM_SCENARIO_DIR when set, sorted. The findings are not listed:
// they fail a property by design.
std::vector<std::string> BuiltinScenarioNames();

// The built-in check scenarios (scenarios/check/: small configurations made
// for `ckptsim check`), by name, sorted; each loads by its plain name.
std::vector<std::string> CheckScenarioNames();

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_LOADER_H_
