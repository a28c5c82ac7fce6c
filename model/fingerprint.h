// A stable 64-bit fingerprint of a System, computed by the project itself
// (no std::hash), for the exhaustive checker's visited set. It is derived
// from the field lists of the state structs (fields.h): every listed member
// is hashed, ghost members (statistics, the numbering of RPC uids) never are,
// so two states that compare equal fingerprint equal, and the same state
// reached along two paths fingerprints the same.
#ifndef CKPTSIM_MODEL_FINGERPRINT_H_
#define CKPTSIM_MODEL_FINGERPRINT_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "model/routing.h"
#include "model/state.h"

namespace ckptsim::model {

uint64_t Fingerprint(const System& system);

// Folds values with field lists (fields.h) into a fingerprint: for state
// that lives beside a System (the properties' history, a search's budgets).
//
// Values are written as bytes (an integer in its own width, a bool as one
// byte) into a small buffer that is folded 16 bytes at a time with a 128-bit
// multiply: cheap per state, and uniform enough for the birthday bound the
// checker reports. Immutable shared values (snapshots, completed
// checkpoints) are hashed once and their hash is kept with them (HashCache).
// 128-bit products, a GCC and Clang extension on 64-bit targets.
__extension__ using Uint128 = unsigned __int128;

class FingerprintHasher {
 public:
  uint64_t value() const {
    FingerprintHasher copy = *this;
    return copy.Finish();
  }
  // The fingerprint, once every value is in (cheaper than value()).
  uint64_t Finish() {
    const uint64_t length = length_ + used_;
    std::memset(buffer_ + used_, 0, kBuffer - used_);
    Fold();
    return Mum(state_ ^ length, 0x8ebc6af09c88c6e3ULL);
  }

  template <typename T>
  [[gnu::always_inline]] void Value(const T& value) {
    using namespace fields_internal;
    if constexpr (HasStateFields<T>) {
      // this-> names the capture's use: clang 14 does not see a dependent call to
      // a member as one and warns the capture unused (-Wunused-lambda-capture).
      ForEachField(value, [this](const auto& field) { this->Value(field); });
    } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
      Size(value.size());
      uint64_t word = 0;
      for (size_t i = 0; i < value.size(); ++i) {
        word |= static_cast<uint64_t>(value[i]) << (i % 64);
        if (i % 64 == 63) {
          Word(word);
          word = 0;
        }
      }
      if (value.size() % 64 != 0) Word(word);
    } else if constexpr (IsVector<T>::value || IsArray<T>::value) {
      Size(value.size());
      if constexpr (std::is_integral_v<typename T::value_type>) {
        Bytes(value.data(), value.size() * sizeof(typename T::value_type));
      } else {
        for (const auto& element : value) Value(element);
      }
    } else if constexpr (IsSharedConst<T>::value) {
      using Element = std::remove_const_t<typename T::element_type>;
      Byte(value != nullptr);
      if constexpr (std::is_same_v<Element, JobGraph>) {
        // Shared by the whole run; which version of the job (a resume may
        // switch to the changed one) is told apart by graph_change.
      } else if constexpr (requires { value->cached_hash; }) {
        if (value) Word(value->cached_hash.Get([&] {
          FingerprintHasher inner;
          inner.Value(*value);
          return inner.Finish();
        }));
      } else {
        if (value) Value(*value);
      }
    } else if constexpr (IsOptional<T>::value) {
      Byte(value.has_value());
      if (value) Value(*value);
    } else if constexpr (IsPair<T>::value) {
      Value(value.first);
      Value(value.second);
    } else if constexpr (std::is_same_v<T, Fifo<Message>>) {
      Size(value.size());
      for (size_t i = 0; i < value.size(); ++i) Value(value[i]);
    } else if constexpr (std::is_same_v<T, std::string>) {
      Size(value.size());
      Bytes(value.data(), value.size());
    } else if constexpr (std::is_same_v<T, GraphChange>) {
      ValueOfChange(value);
    } else if constexpr (std::is_enum_v<T>) {
      Value(static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_same_v<T, bool>) {
      Byte(value);
    } else {
      static_assert(std::is_integral_v<T>, "a state field of a type the fingerprint does not know");
      Put<sizeof(T)>(&value);
    }
  }

 private:
  static uint64_t Mum(uint64_t a, uint64_t b) {
    const Uint128 product = static_cast<Uint128>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  }
  static uint64_t Load(const uint8_t* p) {
    uint64_t word = 0;
    std::memcpy(&word, p, 8);
    return word;
  }
  // Folds the full buffer, 16 bytes per multiply.
  void Fold() {
    for (size_t i = 0; i < kBuffer; i += 16) {
      state_ = Mum(Load(buffer_ + i) ^ 0xa0761d6478bd642fULL, Load(buffer_ + i + 8) ^ state_ ^ 0xe7037ed1a0b428dbULL);
    }
    length_ += kBuffer;
    used_ = 0;
  }
  // A value of a fixed width: a copy the compiler turns into one store.
  template <size_t N>
  [[gnu::always_inline]] void Put(const void* data) {
    if (used_ + N > kBuffer) {
      Bytes(data, N);
      return;
    }
    std::memcpy(buffer_ + used_, data, N);
    used_ += N;
  }
  void Bytes(const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    while (size > 0) {
      const size_t take = std::min(size, kBuffer - used_);
      std::memcpy(buffer_ + used_, bytes, take);
      used_ += take;
      bytes += take;
      size -= take;
      if (used_ == kBuffer) Fold();
    }
  }
  [[gnu::always_inline]] void Byte(bool b) {
    const uint8_t byte = b ? 1 : 0;
    Put<1>(&byte);
  }
  void Word(uint64_t word) { Put<8>(&word); }
  void Size(size_t size) {
    const auto n = static_cast<uint32_t>(size);
    Put<4>(&n);
  }
  void ValueOfChange(const GraphChange& change);  // fingerprint.cc, where GraphChange is complete

  static constexpr size_t kBuffer = 64;
  uint64_t state_ = 0x66696e6765727072ULL;
  uint64_t length_ = 0;
  size_t used_ = 0;
  uint8_t buffer_[kBuffer];
};

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_FINGERPRINT_H_
