#include "checker/fingerprint_set.h"

#include "model/fingerprint.h"

#include <algorithm>

namespace ckptsim::checker {

FingerprintSet::FingerprintSet(size_t expected) { Rehash(std::max<size_t>(16, expected)); }

size_t FingerprintSet::Home(uint64_t fingerprint) const {
  // Lemire's reduction: any capacity, not only powers of two, so the table
  // can stay close to its maximal load.
  return static_cast<size_t>((static_cast<model::Uint128>(fingerprint) * capacity_) >> 64);
}

bool FingerprintSet::Insert(uint64_t fingerprint) {
  const uint64_t stored = Stored(fingerprint);
  for (size_t i = Home(stored);; i = i + 1 == capacity_ ? 0 : i + 1) {
    uint64_t current = slots_[i].load(std::memory_order_relaxed);
    if (current == stored) return false;
    if (current == 0) {
      if (slots_[i].compare_exchange_strong(current, stored, std::memory_order_relaxed)) {
        size_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
      if (current == stored) return false;  // another thread inserted it
    }
  }
}

bool FingerprintSet::Contains(uint64_t fingerprint) const {
  const uint64_t stored = Stored(fingerprint);
  for (size_t i = Home(stored);; i = i + 1 == capacity_ ? 0 : i + 1) {
    const uint64_t current = slots_[i].load(std::memory_order_relaxed);
    if (current == stored) return true;
    if (current == 0) return false;
  }
}

void FingerprintSet::Reserve(size_t more) {
  const size_t needed = size() + more;
  if (static_cast<double>(needed) <= kMaxLoad * static_cast<double>(capacity_)) return;
  // Grow by at least half, so a search rehashes O(log n) times.
  size_t capacity = std::max(capacity_ + capacity_ / 2, static_cast<size_t>(static_cast<double>(needed) / kMaxLoad) + 1);
  Rehash(capacity);
}

void FingerprintSet::Rehash(size_t capacity) {
  std::unique_ptr<std::atomic<uint64_t>[]> old = std::move(slots_);
  const size_t old_capacity = capacity_;
  slots_ = std::make_unique<std::atomic<uint64_t>[]>(capacity);
  for (size_t i = 0; i < capacity; ++i) slots_[i].store(0, std::memory_order_relaxed);
  capacity_ = capacity;
  size_.store(0, std::memory_order_relaxed);
  for (size_t i = 0; i < old_capacity; ++i) {
    const uint64_t value = old[i].load(std::memory_order_relaxed);
    if (value != 0) Insert(value);
  }
}

}  // namespace ckptsim::checker
