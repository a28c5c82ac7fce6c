// The visited set of an exhaustive search: 64-bit fingerprints in an
// open-addressing table, 8 bytes a slot, shared by the search threads
// (insertion is a compare-and-swap on the slot; no locks). Fingerprint 0 is
// the empty slot, so a state whose fingerprint is 0 is stored as 1 (one more
// collision, counted in the collision estimate like any other).
//
// The table grows between BFS levels, never during one: a level reserves
// room for every state it may add before its threads start.
//
// Thread-safety: Insert and Contains may run concurrently; Reserve may not.
#ifndef CKPTSIM_CHECKER_FINGERPRINT_SET_H_
#define CKPTSIM_CHECKER_FINGERPRINT_SET_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ckptsim::checker {

class FingerprintSet {
 public:
  explicit FingerprintSet(size_t expected = 1 << 16);

  // True if `fingerprint` was not in the set (it is now).
  bool Insert(uint64_t fingerprint);
  bool Contains(uint64_t fingerprint) const;
  // Makes room for `more` insertions beyond the current size at a load of
  // at most kMaxLoad. REQUIRES: no concurrent Insert or Contains.
  void Reserve(size_t more);

  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }
  size_t bytes() const { return capacity_ * sizeof(uint64_t); }

  static constexpr double kMaxLoad = 0.8;

 private:
  static uint64_t Stored(uint64_t fingerprint) { return fingerprint == 0 ? 1 : fingerprint; }
  size_t Home(uint64_t fingerprint) const;
  void Rehash(size_t capacity);

  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
  size_t capacity_ = 0;
  std::atomic<size_t> size_{0};
};

}  // namespace ckptsim::checker

#endif  // CKPTSIM_CHECKER_FINGERPRINT_SET_H_
