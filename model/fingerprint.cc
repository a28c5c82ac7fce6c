// The fingerprint is derived from the field lists of the state structs
// (fields.h): every listed member is hashed, ghost members never are, so the
// fingerprint, equality and the field lists cannot drift apart.
#include "model/fingerprint.h"

#include <type_traits>

#include "model/graph_change.h"
#include "model/routing.h"

namespace ckptsim::model {
namespace {

class Hasher {
 public:
  void Add(uint64_t word) { state_ = Mix(state_, word); }
  uint64_t value() const { return state_; }

  template <typename T>
  void Value(const T& value) {
    using namespace fields_internal;
    if constexpr (HasStateFields<T>) {
      ForEachField(value, [this](const auto& field) { Value(field); });
    } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
      Add(value.size());
      uint64_t word = 0;
      for (size_t i = 0; i < value.size(); ++i) {
        word |= static_cast<uint64_t>(value[i]) << (i % 64);
        if (i % 64 == 63) {
          Add(word);
          word = 0;
        }
      }
      if (value.size() % 64 != 0) Add(word);
    } else if constexpr (IsVector<T>::value) {
      Add(value.size());
      for (const auto& element : value) Value(element);
    } else if constexpr (IsSharedConst<T>::value) {
      using Element = std::remove_const_t<typename T::element_type>;
      if constexpr (std::is_same_v<Element, JobGraph>) {
        // Shared by the whole run; which version of the job (a resume may
        // switch to the changed one) is told apart by graph_change.
        Add(value != nullptr);
      } else {
        Add(value != nullptr);
        if (value) Value(*value);
      }
    } else if constexpr (IsOptional<T>::value) {
      Add(value.has_value());
      if (value) Value(*value);
    } else if constexpr (IsPair<T>::value) {
      Value(value.first);
      Value(value.second);
    } else if constexpr (std::is_same_v<T, Fifo<Message>>) {
      Add(value.size());
      for (size_t i = 0; i < value.size(); ++i) Value(value[i]);
    } else if constexpr (std::is_same_v<T, std::string>) {
      Add(value.size());
      for (char c : value) Add(static_cast<unsigned char>(c));
    } else if constexpr (std::is_same_v<T, GraphChange>) {
      Value(value.savepoint);
      Value(value.source_high_water);
    } else if constexpr (std::is_enum_v<T>) {
      Add(static_cast<uint64_t>(value));
    } else {
      static_assert(std::is_integral_v<T>, "a state field of a type the fingerprint does not know");
      Add(static_cast<uint64_t>(value));
    }
  }

 private:
  uint64_t state_ = 0x66696e6765727072ULL;
};

}  // namespace

uint64_t Fingerprint(const System& system) {
  Hasher h;
  h.Value(system);
  return h.value();
}

}  // namespace ckptsim::model
