// Determinism across compilers and build types (issue 12, "Hardening in CI"):
// every built-in scenario, seeds 1 to 10, plain and with the swarm draw of
// `run --swarm`, gives the trace hash pinned in data/golden/trace_hashes.txt,
// whichever compiler (g++, clang++) and build type (Release, Debug, a
// sanitizer build) made the binary. `./run.sh test` under CI=true runs this
// once from the g++ Release build and once from the clang++ sanitizer build.
//
// The table was generated from the g++ Release build. After an intended
// change of the model, the scheduler or the swarm draw, regenerate it and say
// why in the commit:
//   CKPTSIM_REGENERATE_HASHES=1 ./tests/ckptsim_tests --gtest_filter='PinnedTraceHashes.*'
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "harness.h"
#include "scenarios/loader.h"
#include "shell.h"
#include "simulator/runner.h"
#include "simulator/swarm.h"

namespace ckptsim::testing {
namespace {

constexpr uint64_t kSeedCount = 10;

// (scenario, seed, "plain" or "swarm") -> trace hash in hex.
using HashKey = std::tuple<std::string, uint64_t, std::string>;
using HashTable = std::map<HashKey, std::string>;

std::string TablePath() { return std::string(CKPTSIM_TEST_DATA_DIR) + "/golden/trace_hashes.txt"; }

HashTable ComputeTable() {
  HashTable table;
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const simulator::RunConfig base = LoadOrDie(name);
    for (uint64_t seed = 1; seed <= kSeedCount; ++seed) {
      table[{name, seed, "plain"}] = simulator::HashToHex(simulator::Run(base, seed).trace_hash);
      const simulator::RunConfig drawn = simulator::DrawSwarm(base, seed);
      table[{name, seed, "swarm"}] = simulator::HashToHex(simulator::Run(drawn, seed).trace_hash);
    }
  }
  return table;
}

// One line per run, "name seed mode hash"; '#' starts a comment line.
// A malformed line fails the test with its line number.
HashTable ReadTable(const std::string& path) {
  HashTable table;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path << " is missing; create it with CKPTSIM_REGENERATE_HASHES=1";
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    uint64_t seed = 0;
    std::string mode;
    std::string hash;
    std::string extra;
    if (!(fields >> name >> seed >> mode >> hash) || (fields >> extra) || (mode != "plain" && mode != "swarm")) {
      ADD_FAILURE() << path << ":" << number << ": malformed line '" << line << "'";
      continue;
    }
    EXPECT_TRUE(table.emplace(HashKey{name, seed, mode}, hash).second) << path << ":" << number << ": duplicate";
  }
  return table;
}

void WriteTable(const std::string& path, const HashTable& table) {
  std::ofstream out(path, std::ios::binary);
  out << "# Trace hashes of every built-in scenario, seeds 1-" << kSeedCount
      << ", plain and swarm (tests/determinism_test.cc).\n"
      << "# Generated from the g++ Release build; regenerate with\n"
      << "#   CKPTSIM_REGENERATE_HASHES=1 ./tests/ckptsim_tests --gtest_filter='PinnedTraceHashes.*'\n"
      << "# name seed mode hash\n";
  for (const auto& [key, hash] : table) {
    out << std::get<0>(key) << " " << std::get<1>(key) << " " << std::get<2>(key) << " " << hash << "\n";
  }
}

TEST(PinnedTraceHashes, EveryBuiltinPlainAndSwarmMatchesTheTable) {
  const HashTable actual = ComputeTable();
  if (std::getenv("CKPTSIM_REGENERATE_HASHES") != nullptr) {
    WriteTable(TablePath(), actual);
    std::cout << "wrote " << actual.size() << " hashes to " << TablePath() << "\n";
    return;
  }
  const HashTable pinned = ReadTable(TablePath());
  int mismatches = 0;
  for (const auto& [key, hash] : actual) {
    const auto& [name, seed, mode] = key;
    auto found = pinned.find(key);
    if (found == pinned.end()) {
      ADD_FAILURE() << name << " seed " << seed << " " << mode << ": no pinned hash (a new built-in? regenerate)";
    } else if (found->second != hash) {
      ++mismatches;
      ADD_FAILURE() << name << " seed " << seed << " " << mode << ": hash " << hash << ", pinned " << found->second;
    }
  }
  for (const auto& [key, hash] : pinned) {
    EXPECT_TRUE(actual.contains(key)) << std::get<0>(key) << " seed " << std::get<1>(key) << " " << std::get<2>(key)
                                      << ": pinned but no longer a built-in run (regenerate)";
  }
  EXPECT_EQ(mismatches, 0) << "built with " << CKPTSIM_COMPILER << ", " << CKPTSIM_BUILD_TYPE
                           << ". If the change of behaviour is intended, regenerate the table "
                              "(see the top of tests/determinism_test.cc) and say why in the commit.";
}

// The table's swarm lines are what a user gets from the binary: `run --swarm
// --json` prints the same hash as DrawSwarm followed by Run.
TEST(PinnedTraceHashes, TheBinarysSwarmRunPrintsThePinnedHash) {
  const HashTable pinned = ReadTable(TablePath());
  for (const std::string mode : {"plain", "swarm"}) {
    const ShellOutcome run = RunCkptsim(std::string("run fig6 --seed 2 --json") + (mode == "swarm" ? " --swarm" : ""));
    ASSERT_EQ(run.exit_code, 0) << run.out;
    auto found = pinned.find({"fig6", 2, mode});
    ASSERT_NE(found, pinned.end());
    EXPECT_NE(run.out.find("\"trace_hash\":\"" + found->second + "\""), std::string::npos) << mode << ": " << run.out;
  }
}

}  // namespace
}  // namespace ckptsim::testing
