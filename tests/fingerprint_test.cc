// The System fingerprint the exhaustive checker will deduplicate states by.
#include <gtest/gtest.h>

#include "harness.h"
#include "model/fingerprint.h"

namespace ckptsim::testing {
namespace {

TEST(Fingerprint, CopiesAgreeAndAnyActionChangesIt) {
  Script s("fig6");
  const model::System copy = s.system();
  EXPECT_EQ(model::Fingerprint(copy), model::Fingerprint(s.system()));
  s.Do("step A[0]");
  EXPECT_NE(model::Fingerprint(copy), model::Fingerprint(s.system()));
}

TEST(Fingerprint, SameStateAlongTwoPathsFingerprintsTheSame) {
  Script one("fig6");
  Script two("fig6");
  one.Do("step A[0]").Do("step C[0]").Do("step A[0]").Do("step C[0]");
  two.Do("step C[0]").Do("step C[0]").Do("step A[0]").Do("step A[0]");
  // Both sent the same report-running RPCs, under different uids.
  EXPECT_EQ(model::Fingerprint(one.system()), model::Fingerprint(two.system()));
}

TEST(Fingerprint, IgnoresCountersButNotStoreContents) {
  Script s("fig6");
  model::System counted = s.system();
  counted.coordinator.counters.triggered = 99;
  EXPECT_EQ(model::Fingerprint(counted), model::Fingerprint(s.system()));
  model::System with_txn = s.system();
  with_txn.store.transactions.push_back(model::Transaction{});
  EXPECT_NE(model::Fingerprint(with_txn), model::Fingerprint(s.system()));
}

// Pinned so an unintended change to the hashing shows up as a failure.
TEST(Fingerprint, GoldenValueOfFig6InitialState) {
  Script s("fig6");
  EXPECT_EQ(model::Fingerprint(s.system()), 0xbae57661d11a7462ULL);
}

}  // namespace
}  // namespace ckptsim::testing
