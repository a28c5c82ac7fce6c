// Non-throwing reads of a trace line's fields. A trace is our own output, but
// a hand-edited or truncated one must render what it can instead of throwing
// across the visualizer's boundary: a missing or mistyped field reads as the
// fallback.
#ifndef CKPTSIM_VISUALIZER_JSON_FIELDS_H_
#define CKPTSIM_VISUALIZER_JSON_FIELDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ckptsim::visualizer {

inline const nlohmann::json* Field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

inline std::string StringField(const nlohmann::json& object, std::string_view key, std::string fallback = "") {
  const nlohmann::json* value = Field(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : fallback;
}

inline int64_t IntField(const nlohmann::json& object, std::string_view key, int64_t fallback = 0) {
  const nlohmann::json* value = Field(object, key);
  return value != nullptr && value->is_number_integer() ? value->get<int64_t>() : fallback;
}

inline bool BoolField(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = Field(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_JSON_FIELDS_H_
