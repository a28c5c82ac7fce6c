// The simulator's own pseudo-random number generator: xoshiro256** seeded
// through splitmix64, with integer-only helpers. No std distributions (their
// output differs between standard libraries). One independent stream per
// subsystem, derived from the run seed, so adding draws in one subsystem
// never shifts another's. The first outputs are pinned by a golden test.
#ifndef CKPTSIM_SIMULATOR_PRNG_H_
#define CKPTSIM_SIMULATOR_PRNG_H_

#include <cstdint>

namespace ckptsim::simulator {

// Stream 2 was the tie-break stream; ties are now broken by insertion order.
enum class Stream : uint64_t { kLatency = 1, kFaults = 3, kSwarm = 4, kRpcDelay = 5, kRandomJob = 6 };

class Prng {
 public:
  explicit Prng(uint64_t seed);
  Prng(uint64_t seed, Stream stream);
  uint64_t Next();
  // Uniform in [0, bound); REQUIRES: bound > 0. Unbiased (rejection).
  uint64_t Below(uint64_t bound);
  // Uniform in [min, max] inclusive; REQUIRES: min <= max.
  int64_t Range(int64_t min, int64_t max);
  // True with probability parts_per_million / 1,000,000.
  bool ChancePpm(int64_t parts_per_million);

 private:
  uint64_t state_[4];
};

}  // namespace ckptsim::simulator

#endif  // CKPTSIM_SIMULATOR_PRNG_H_
