#include "simulator/prng.h"

namespace ckptsim::simulator {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Prng::Prng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : state_) word = SplitMix64(x);
}

Prng::Prng(uint64_t seed, Stream stream) : Prng(seed ^ (static_cast<uint64_t>(stream) * 0xd1342543de82ef95ULL)) {}

uint64_t Prng::Next() {
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

uint64_t Prng::Below(uint64_t bound) {
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % bound);
  uint64_t value = Next();
  while (value >= limit) value = Next();
  return value % bound;
}

int64_t Prng::Range(int64_t min, int64_t max) {
  return min + static_cast<int64_t>(Below(static_cast<uint64_t>(max - min) + 1));
}

bool Prng::ChancePpm(int64_t parts_per_million) {
  if (parts_per_million <= 0) return false;
  return static_cast<int64_t>(Below(1'000'000)) < parts_per_million;
}

}  // namespace ckptsim::simulator
