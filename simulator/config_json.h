// A RunConfig as JSON and back: a trace's header carries the full resolved
// configuration, so a trace replays without the scenario file it came from.
#ifndef CKPTSIM_SIMULATOR_CONFIG_JSON_H_
#define CKPTSIM_SIMULATOR_CONFIG_JSON_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "simulator/run_config.h"

namespace ckptsim::simulator {

nlohmann::ordered_json ConfigToJson(const RunConfig& config);
// Rebuilds and compiles; nullopt with *error on a malformed object.
std::optional<RunConfig> ConfigFromJson(const nlohmann::json& json, std::string* error);

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_CONFIG_JSON_H_
