// One field list per state struct, from which equality, the fingerprint and
// the checker's compact encoding are all derived, so that a field added to a
// struct cannot be forgotten by any of them.
//
// A state struct lists its members once:
//
//   struct Channel {
//     Fifo<Message> queue;
//     bool blocked = false;
//     ...
//     CKPTSIM_FIELDS(Channel, queue, blocked, ...)
//   };
//
// and, optionally, the members that are bookkeeping rather than state
// (statistics, the numbering of RPC uids): CKPTSIM_GHOST_FIELDS(Rpc, uid).
// Ghost members are copied with the struct but never compared, hashed or
// encoded. `FieldCountMatches<T>()` is true when the two lists together name
// every member of T (counted with the aggregate-initialization trick), and
// tests assert it for every state struct: a member missing from both lists
// fails the build of the tests.
//
// A visitor is a callable taking (field value) for each listed member in
// order; ForEachField applies it to const or mutable structs alike.
#ifndef CKPTSIM_MODEL_FIELDS_H_
#define CKPTSIM_MODEL_FIELDS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#define CKPTSIM_FIELDS_EXPAND(x) x
#define CKPTSIM_FIELDS_GET_MACRO(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, \
                                 _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, NAME, ...)  \
  NAME
#define CKPTSIM_FIELDS_PTR(T, m) &T::m
#define CKPTSIM_FIELDS_M1(T, a) CKPTSIM_FIELDS_PTR(T, a)
#define CKPTSIM_FIELDS_M2(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M1(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M3(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M2(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M4(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M3(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M5(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M4(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M6(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M5(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M7(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M6(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M8(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M7(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M9(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M8(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M10(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M9(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M11(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M10(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M12(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M11(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M13(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M12(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M14(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M13(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M15(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M14(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M16(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M15(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M17(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M16(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M18(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M17(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M19(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M18(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M20(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M19(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M21(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M20(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M22(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M21(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M23(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M22(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M24(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M23(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M25(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M24(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M26(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M25(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M27(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M26(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M28(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M27(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M29(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M28(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M30(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M29(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M31(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M30(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_M32(T, a, ...) CKPTSIM_FIELDS_PTR(T, a), CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_M31(T, __VA_ARGS__))
#define CKPTSIM_FIELDS_POINTERS(T, ...)                                                                             \
  CKPTSIM_FIELDS_EXPAND(CKPTSIM_FIELDS_GET_MACRO(                                                                   \
      __VA_ARGS__, CKPTSIM_FIELDS_M32, CKPTSIM_FIELDS_M31, CKPTSIM_FIELDS_M30, CKPTSIM_FIELDS_M29,                  \
      CKPTSIM_FIELDS_M28, CKPTSIM_FIELDS_M27, CKPTSIM_FIELDS_M26, CKPTSIM_FIELDS_M25, CKPTSIM_FIELDS_M24,           \
      CKPTSIM_FIELDS_M23, CKPTSIM_FIELDS_M22, CKPTSIM_FIELDS_M21, CKPTSIM_FIELDS_M20, CKPTSIM_FIELDS_M19,           \
      CKPTSIM_FIELDS_M18, CKPTSIM_FIELDS_M17, CKPTSIM_FIELDS_M16, CKPTSIM_FIELDS_M15, CKPTSIM_FIELDS_M14,           \
      CKPTSIM_FIELDS_M13, CKPTSIM_FIELDS_M12, CKPTSIM_FIELDS_M11, CKPTSIM_FIELDS_M10, CKPTSIM_FIELDS_M9,            \
      CKPTSIM_FIELDS_M8, CKPTSIM_FIELDS_M7, CKPTSIM_FIELDS_M6, CKPTSIM_FIELDS_M5, CKPTSIM_FIELDS_M4,                \
      CKPTSIM_FIELDS_M3, CKPTSIM_FIELDS_M2, CKPTSIM_FIELDS_M1)(T, __VA_ARGS__))

// The state members of T, in order; equality, fingerprint and encoding visit
// them. CKPTSIM_FIELDS also defines operator== as deep equality over them;
// CKPTSIM_FIELD_LIST is for types that keep a defaulted <=> (and ==) of their own.
#define CKPTSIM_FIELD_LIST(T, ...) \
  static constexpr auto StateFields() { return std::make_tuple(CKPTSIM_FIELDS_POINTERS(T, __VA_ARGS__)); }
#define CKPTSIM_FIELDS(T, ...)     \
  CKPTSIM_FIELD_LIST(T, __VA_ARGS__) \
  bool operator==(const T& other) const { return ::ckptsim::model::DeepEqual(*this, other); }

// Members of T that are bookkeeping, not state: copied, never compared or hashed.
#define CKPTSIM_GHOST_FIELDS(T, ...) \
  static constexpr auto GhostFields() { return std::make_tuple(CKPTSIM_FIELDS_POINTERS(T, __VA_ARGS__)); }

namespace ckptsim::model {

template <typename T>
concept HasStateFields = requires { T::StateFields(); };

template <typename T>
concept HasGhostFields = requires { T::GhostFields(); };

// Applies `visit` to every state member of `self` (const or not), in list order.
template <typename T, typename Visitor>
  requires HasStateFields<std::remove_const_t<T>>
void ForEachField(T& self, Visitor&& visit) {
  std::apply([&](auto... member) { (visit(self.*member), ...); }, std::remove_const_t<T>::StateFields());
}

namespace fields_internal {

template <typename T>
struct IsVector : std::false_type {};
template <typename U, typename A>
struct IsVector<std::vector<U, A>> : std::true_type {};
template <typename T>
struct IsArray : std::false_type {};
template <typename U, size_t N>
struct IsArray<std::array<U, N>> : std::true_type {};
template <typename T>
struct IsSharedConst : std::false_type {};
template <typename U>
struct IsSharedConst<std::shared_ptr<const U>> : std::true_type {};
template <typename T>
struct IsOptional : std::false_type {};
template <typename U>
struct IsOptional<std::optional<U>> : std::true_type {};
template <typename T>
struct IsPair : std::false_type {};
template <typename U, typename V>
struct IsPair<std::pair<U, V>> : std::true_type {};

}  // namespace fields_internal

// The fingerprint of an immutable shared value, computed on first use and
// kept with it. A copy starts without it (a copy may still be changed).
class HashCache {
 public:
  HashCache() = default;
  HashCache(const HashCache&) {}
  HashCache& operator=(const HashCache&) { return *this; }
  template <typename Compute>
  uint64_t Get(Compute compute) const {
    uint64_t value = value_.load(std::memory_order_relaxed);
    if (value == 0) {
      value = compute() | 1;  // 0 means not computed
      value_.store(value, std::memory_order_relaxed);
    }
    return value;
  }

 private:
  mutable std::atomic<uint64_t> value_{0};
};

// Types whose shared instances are compared by identity, not by value (the
// immutable job graph a run shares); specialised where such a type is defined.
template <typename T>
struct IdentityCompared : std::false_type {};

// Equality by value all the way down: members named by StateFields, vector
// elements, and the values behind shared immutable pointers and optionals.
template <typename T>
bool DeepEqual(const T& a, const T& b) {
  using namespace fields_internal;
  if constexpr (HasStateFields<T>) {
    bool equal = true;
    std::apply([&](auto... member) { equal = (DeepEqual(a.*member, b.*member) && ...); }, T::StateFields());
    return equal;
  } else if constexpr (IsVector<T>::value) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!DeepEqual<typename T::value_type>(a[i], b[i])) return false;
    }
    return true;
  } else if constexpr (IsSharedConst<T>::value) {
    if (a == b) return true;
    if constexpr (IdentityCompared<std::remove_const_t<typename T::element_type>>::value) {
      return false;
    } else {
      if (!a || !b) return false;
      return DeepEqual(*a, *b);
    }
  } else if constexpr (IsOptional<T>::value) {
    if (a.has_value() != b.has_value()) return false;
    return !a || DeepEqual(*a, *b);
  } else if constexpr (IsPair<T>::value) {
    return DeepEqual(a.first, b.first) && DeepEqual(a.second, b.second);
  } else {
    return a == b;
  }
}

// How many members an aggregate has: the largest N for which T{any x N} is
// well-formed. An initializer converts to any member type, so no brace
// elision into nested aggregates happens and the count is exact.
namespace fields_internal {

struct AnyMember {
  template <typename U>
  operator U() const;  // never defined: only used in unevaluated contexts
};

template <typename T, size_t... I>
constexpr bool ConstructibleWith(std::index_sequence<I...>) {
  return requires { T{(void(I), AnyMember{})...}; };
}

template <typename T, size_t N = 0>
constexpr size_t CountMembers() {
  if constexpr (N > 64) {
    return 0;
  } else if constexpr (!ConstructibleWith<T>(std::make_index_sequence<N + 1>())) {
    return N;
  } else {
    return CountMembers<T, N + 1>();
  }
}

}  // namespace fields_internal

template <typename T>
constexpr size_t MemberCount() {
  return fields_internal::CountMembers<T>();
}

template <typename T>
constexpr size_t ListedFieldCount() {
  size_t listed = std::tuple_size_v<decltype(T::StateFields())>;
  if constexpr (HasGhostFields<T>) listed += std::tuple_size_v<decltype(T::GhostFields())>;
  return listed;
}

// True when StateFields and GhostFields together name every member of T.
template <typename T>
constexpr bool FieldCountMatches() {
  return MemberCount<T>() == ListedFieldCount<T>();
}

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_FIELDS_H_
