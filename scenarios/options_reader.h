// Reading the run settings of a scenario file: `variant`, `checkpointing`,
// `timing`, `faults`, `recovery`, `stop_with_savepoint`, `protocol`, `limits`
// and `expect`.
//
// Every section is optional, and so is every key in it except the `at_tick`
// of `stop_with_savepoint`; what a file leaves out keeps the defaults of
// model::ProtocolOptions and the simulator's option structs, so a scenario
// states only what it is about. Each value is checked for its type and range
// here; the meaning of the settings belongs to the simulator.
#ifndef CKPTSIM_SCENARIOS_OPTIONS_READER_H_
#define CKPTSIM_SCENARIOS_OPTIONS_READER_H_

#include <span>
#include <string_view>

#include "scenarios/yaml_reader.h"
#include "simulator/run_config.h"

namespace ckptsim::scenarios {

// Fills config->protocol, timing, faults, stop, limits and expect from the
// top-level mapping of a scenario file (`recovery` fills protocol and timing).
void ReadRunOptions(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config);

// Where a scenario file sets one field of model::ProtocolOptions.
struct ProtocolOptionKey {
  std::string_view field;          // the member of model::ProtocolOptions
  std::string_view key;            // `section.key` (or a top-level key) in a scenario file
  std::string_view default_value;  // as written in a file
  std::string_view meaning;        // one short phrase
};

// One entry per field of model::ProtocolOptions, in the order of its field
// list (a static check keeps them in step). `run --help` prints it.
std::span<const ProtocolOptionKey> ProtocolOptionKeys();

// `[min, max]` with min <= max, or a single number n for [n, n], each within
// `bounds`; nullopt after reporting why not. Tick ranges and swarm ranges.
std::optional<simulator::TickRange> ReadRangeValue(MapReader& section, const Located& value, IntBounds bounds);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_OPTIONS_READER_H_
