#include <gtest/gtest.h>

#include "simulator/prng.h"

namespace ckptsim::simulator {
namespace {

// The generator's first outputs are part of the determinism contract: every
// pinned trace hash depends on them.
TEST(Prng, GoldenFirstOutputs) {
  Prng prng(1);
  EXPECT_EQ(prng.Next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(prng.Next(), 0x853b559647364ceaULL);
  Prng stream(1, Stream::kLatency);
  EXPECT_EQ(stream.Next(), 0x1d08e40a8b50f326ULL);
}

TEST(Prng, StreamsAreIndependent) {
  Prng a(42, Stream::kLatency);
  Prng b(42, Stream::kFaults);
  EXPECT_NE(a.Next(), b.Next());
}

TEST(Prng, RangeStaysInBoundsAndHitsBothEnds) {
  Prng prng(7);
  bool low = false;
  bool high = false;
  for (int i = 0; i < 10000; ++i) {
    const int64_t v = prng.Range(3, 9);
    ASSERT_GE(v, 3);
    ASSERT_LE(v, 9);
    low = low || v == 3;
    high = high || v == 9;
  }
  EXPECT_TRUE(low && high);
}

TEST(Prng, ChancePpmExtremes) {
  Prng prng(9);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(prng.ChancePpm(0));
    EXPECT_TRUE(prng.ChancePpm(1'000'000));
  }
}

}  // namespace
}  // namespace ckptsim::simulator
