#pragma once
// Helpers shared by the waiting types' command glue: parsing CREATE options.
#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "procshare/server/command.hpp"

namespace procshare::server::sync {

// An integer option value such as MAXSIZE 10: ERR when it is not an integer,
// VALUEERROR below `min` (Python raises ValueError for a negative semaphore
// value or parties < 1).
inline std::int64_t option_int(std::string_view keyword, std::string_view value, std::int64_t min) {
  std::int64_t n = parse_int(value, ErrorCode::err);
  if (n < min) fail(ErrorCode::valueerror, fmt::format("{} must be >= {}", keyword, min));
  return n;
}

[[noreturn]] inline void bad_option(std::string_view type, std::string_view word) {
  std::string shown;
  for (char c : word.substr(0, 64)) shown += (c >= 32 && c < 127) ? c : '?';
  fail(ErrorCode::err, fmt::format("syntax error: unknown option '{}' for {}", shown, type));
}

// A type without options (lock, rlock, event).
inline void no_options(std::string_view type, std::span<const std::string_view> options) {
  if (!options.empty()) bad_option(type, options[0]);
}

}  // namespace procshare::server::sync
