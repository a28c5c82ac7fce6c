#include "scenarios/input_limits.h"

#include <fmt/format.h>

namespace ckptsim::scenarios {

std::string EscapeControl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte >= 0x7f) {
      // Bytes above ASCII too: a lone 0x9b is a terminal's CSI.
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string ShownValue(std::string_view value) {
  if (value.size() <= kShownValueBytesMax) return EscapeControl(value);
  return EscapeControl(value.substr(0, kShownValueBytesMax)) + "...";
}

std::optional<std::string> InputTooLarge(int64_t bytes) {
  if (bytes <= kInputBytesMax) return std::nullopt;
  return fmt::format("the file is {} bytes; files above {} MiB are refused", bytes, kInputBytesMax >> 20);
}

}  // namespace ckptsim::scenarios
