// The subcommands of `ckptsim` that live outside main.cc, and the helpers
// they share with it. Each returns the process's exit code (DESIGN.md):
// 0 all properties held, 1 a property was violated, 2 bad input or usage.
#ifndef CKPTSIM_CLI_COMMANDS_H_
#define CKPTSIM_CLI_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "simulator/run_config.h"

namespace ckptsim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;

// Prints "ckptsim: error: MESSAGE" on stderr; returns kExitUsage.
int UsageError(const std::string& message);

// Loads a scenario by name or path; a non-empty `variant` overrides the file's.
bool LoadWithVariant(const std::string& scenario, const std::string& variant, simulator::RunConfig* out,
                     std::string* error);

struct SweepArgs {
  std::vector<std::string> scenarios;
  int64_t seeds = 100;
  uint64_t first_seed = 1;
  int jobs = 0;  // 0: one per core
  std::string shard;
  std::string variant;
  bool swarm = false;
  std::string out;
  bool resume = false;
  bool stop_on_first = false;
  bool json = false;
};

int SweepCommand(const SweepArgs& args);

// Summarises the JSONL files of sweeps (e.g. one per shard) as one sweep.
int MergeCommand(const std::vector<std::string>& files, bool json);

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_COMMANDS_H_
