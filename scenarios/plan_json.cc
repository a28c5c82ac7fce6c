#include "scenarios/plan_json.h"

#include <fmt/format.h>

#include <exception>
#include <string_view>

#include "scenarios/input_limits.h"

namespace ckptsim::scenarios {

using Json = nlohmann::json;

std::string DescribeJson(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Json::value_t::string: {
      std::string text = value.get<std::string>();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return fmt::format("string \"{}\"", text);
    }
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "number " + value.dump();
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return "no JSON value";
  }
  return "no JSON value";
}

std::optional<Json> JsonReader::Parse(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    Fail("", "the file holds no JSON; a plan is an object with a 'nodes' list");
    return std::nullopt;
  }
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based offset of the character that failed.
    const size_t end = std::min(e.byte > 0 ? e.byte - 1 : 0, text.size());
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    // nlohmann's message repeats the position; keep what follows it.
    std::string message = e.what();
    if (size_t at = message.find("column "); at != std::string::npos) {
      if (size_t colon = message.find(": ", at); colon != std::string::npos) message = message.substr(colon + 2);
    }
    // nlohmann quotes the token it was reading, which may be a long string of the file.
    constexpr std::string_view kLastRead = "last read: '";
    if (size_t quoted = message.find(kLastRead); quoted != std::string::npos) {
      const size_t start = quoted + kLastRead.size();
      const size_t end_quote = message.rfind('\'');
      const std::string token =
          message.substr(start, end_quote != std::string::npos && end_quote >= start ? end_quote - start : std::string::npos);
      message = message.substr(0, start) + ShownValue(token) + "'";
    }
    if (!error_) {
      error_ = ScenarioError{file_, line, fmt::format("invalid JSON at column {}: {}", end - line_start + 1, message)};
    }
    return std::nullopt;
  } catch (const Json::out_of_range& e) {
    // A number beyond a double (1e999): nlohmann gives no position, only
    // the token, so the line is that of the token's first occurrence.
    const std::string what = e.what();
    constexpr std::string_view kParsing = "parsing '";
    std::string token;
    if (size_t at = what.find(kParsing); at != std::string::npos) {
      token = what.substr(at + kParsing.size());
      if (!token.empty() && token.back() == '\'') token.pop_back();
    }
    const size_t pos = token.empty() ? std::string_view::npos : text.find(token);
    int line = 0;
    size_t line_start = 0;
    if (pos != std::string_view::npos) {
      line = 1;
      for (size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
      }
    }
    if (!error_) {
      error_ = ScenarioError{
          file_, line,
          line > 0 ? fmt::format("invalid JSON at column {}: the number {} is too large", pos - line_start + 1,
                                 ShownValue(token))
                   : fmt::format("invalid JSON: a number is too large ({})", ShownValue(what))};
    }
    return std::nullopt;
  } catch (const std::exception& e) {
    Fail("", fmt::format("cannot read the JSON: {}", e.what()));
    return std::nullopt;
  }
}

void JsonReader::Fail(const std::string& path, const std::string& message) {
  if (error_) return;
  error_ = ScenarioError{file_, 0, path.empty() ? message : path + ": " + message};
}

bool JsonReader::Object(const Json& value, const std::string& path) {
  if (!ok()) return false;
  if (value.is_object()) return true;
  Fail(path, fmt::format("expected an object, got {}", DescribeJson(value)));
  return false;
}

const Json::array_t* JsonReader::Array(const Json& value, const std::string& path) {
  if (!ok()) return nullptr;
  if (value.is_array()) return value.get_ptr<const Json::array_t*>();
  Fail(path, fmt::format("expected a list, got {}", DescribeJson(value)));
  return nullptr;
}

std::optional<std::string> JsonReader::String(const Json& value, const std::string& path) {
  if (!ok()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  Fail(path, fmt::format("expected a string, got {}", DescribeJson(value)));
  return std::nullopt;
}

std::optional<int64_t> JsonReader::Int(const Json& value, const std::string& path, int64_t min, int64_t max) {
  if (!ok()) return std::nullopt;
  if (!value.is_number_integer()) {
    Fail(path, fmt::format("expected an integer, got {}", DescribeJson(value)));
    return std::nullopt;
  }
  const bool too_big = value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max);
  const int64_t number = too_big ? max : value.get<int64_t>();
  if (too_big || number < min || number > max) {
    Fail(path, fmt::format("must be between {} and {}, got {}", min, max, value.dump()));
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> JsonReader::Id(const Json& value, const std::string& path) {
  if (!ok()) return std::nullopt;
  if (value.is_number_integer()) return value.dump();
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  Fail(path, fmt::format("expected a node id (an integer or a non-empty string), got {}", DescribeJson(value)));
  return std::nullopt;
}

const Json* JsonReader::Find(const Json& object, std::string_view key) {
  if (!ok() || !object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json* JsonReader::Require(const Json& object, const std::string& path, std::string_view key) {
  const Json* value = Find(object, key);
  if (value == nullptr && ok())
    Fail(path.empty() ? "the top level" : path, fmt::format("missing required key '{}'", key));
  return value;
}

}  // namespace ckptsim::scenarios
