// Reading the optional `swarm:` section of a scenario file: the ranges within
// which `ckptsim sweep --swarm` (and `ckptsim run --swarm`) draws each seed's
// parameters. simulator/swarm_options.h says what each range means;
// scenarios/README.md documents the keys.
//
// Besides types and bounds, the reader checks what only the whole file shows:
// vertex names, that records are given for bounded sources only, that the
// vertices joined by forward edges (which share one parallelism draw) have
// overlapping ranges, and that no range is without effect (a fault rate with
// no budget, a checkpoint setting with checkpointing off).
#ifndef CKPTSIM_SCENARIOS_SWARM_READER_H_
#define CKPTSIM_SCENARIOS_SWARM_READER_H_

#include "scenarios/yaml_reader.h"
#include "simulator/run_config.h"

namespace ckptsim::scenarios {

// Fills config->swarm from the top-level `swarm` key. A section left out or
// empty leaves config->swarm.declared false (the defaults apply).
// REQUIRES: config->graph_spec, protocol and faults are read.
void ReadSwarm(MapReader& top, Diagnostics* diagnostics, simulator::RunConfig* config);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_SWARM_READER_H_
