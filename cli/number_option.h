// Numeric command-line options, checked as text before CLI11 converts them.
// CLI11 2.1 reads "-1" into an unsigned option as 2^64-1, clamps a value past
// the type's range to its largest value, and reads "010" as octal, so
// `--seed -1` ran seed 2^64-1 and `--seeds 99999999999999999999` ran
// 2^63-1 seeds. Every numeric option of `ckptsim` goes through AddNumber,
// which accepts only a decimal integer within [min, max] and otherwise
// refuses the command line with one message naming the option.
#ifndef CKPTSIM_CLI_NUMBER_OPTION_H_
#define CKPTSIM_CLI_NUMBER_OPTION_H_

#include <charconv>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace ckptsim::cli {

// A validator for a decimal integer of type T within [min, max].
template <typename T>
CLI::Validator NumberInRange(T min, T max) {
  const std::string range = fmt::format("{} to {}", min, max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        T value{};
        const char* end = text.data() + text.size();
        // from_chars takes no sign for an unsigned type, no '+', no spaces and no base prefix.
        const auto [stop, status] = std::from_chars(text.data(), end, value);
        const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
        const bool negative = std::is_unsigned_v<T> && text.size() > 1 && text[0] == '-' &&
                              text.find_first_not_of("0123456789", 1) == std::string::npos;
        if (!negative && (text.empty() || stop != end || status == std::errc::invalid_argument)) {
          return fmt::format("'{}' is not a whole number (expected {})", shown, range);
        }
        if (negative || status == std::errc::result_out_of_range || value < min || value > max) {
          return fmt::format("{} is out of range (expected {})", shown, range);
        }
        text = std::to_string(value);  // CLI11 would read a leading 0 as octal
        return "";
      },
      fmt::format("{}..{}", min, max));
}

// Adds `name` to `app` for *value, accepting only min..max.
template <typename T>
CLI::Option* AddNumber(CLI::App* app, const std::string& name, T* value, const std::string& description,
                       T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) {
  return app->add_option(name, *value, description)->transform(NumberInRange<T>(min, max));  // may rewrite the text
}

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_NUMBER_OPTION_H_
