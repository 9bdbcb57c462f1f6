#include "procshare/server/command.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace procshare::server {

void Ctx::error(ErrorCode code, std::string_view message) {
  out.error(error_code_name(code), message);
}

void Ctx::park(WaitQueue& queue, Waiter w) {
  if (w.what.empty()) {
    w.what = command.name;
    if (object) {
      w.what += ' ';
      w.what += object->name();
    }
  }
  session.park(queue, std::move(w));
}

std::int64_t parse_int(std::string_view s, ErrorCode code) {
  std::int64_t v = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  if (!s.empty() && *b == '+') ++b;  // Python's int() accepts a plus sign
  if (b != e && (*b == '+' || (*b == '-' && b != s.data()))) b = e;  // "+-5", "++5": invalid
  auto [p, ec] = std::from_chars(b, e, v);
  if (s.empty() || ec != std::errc() || p != e) {
    if (ec == std::errc::result_out_of_range) fail(code, "value is out of range");
    fail(code, "value is not an integer or out of range");
  }
  return v;
}

double parse_double(std::string_view s, ErrorCode code) {
  double v = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  if (!s.empty() && *b == '+') ++b;
  if (b != e && (*b == '+' || (*b == '-' && b != s.data()))) b = e;  // "+-5", "++5": invalid
  auto [p, ec] = std::from_chars(b, e, v);
  if (s.empty() || ec != std::errc() || p != e || std::isnan(v)) {
    fail(code, "value is not a valid float");
  }
  return v;
}

bool keyword_is(std::string_view arg, std::string_view upper_keyword) {
  if (arg.size() != upper_keyword.size()) return false;
  for (std::size_t i = 0; i < arg.size(); ++i) {
    char c = arg[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}

std::string lower_case(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

Clock::time_point WaitOptions::deadline() const {
  if (!timeout) return Clock::time_point::max();
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout);
}

WaitOptions parse_wait_options(std::span<const std::string_view> args, std::size_t from,
                               bool allow_nowait) {
  WaitOptions o;
  bool seen = false;
  for (std::size_t i = from; i < args.size(); ++i) {
    if (seen) fail(ErrorCode::err, "syntax error: TIMEOUT and NOWAIT exclude each other");
    if (keyword_is(args[i], "TIMEOUT") && i + 1 < args.size()) {
      double secs = parse_double(args[++i], ErrorCode::err);
      // A year is "forever" for any real program; larger values would overflow
      // the clock.
      if (secs < 0 || !std::isfinite(secs))
        fail(ErrorCode::err, "timeout is negative or not finite");
      if (secs > 365.0 * 24 * 3600) secs = 365.0 * 24 * 3600;
      o.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(secs * 1e9));
    } else if (allow_nowait && keyword_is(args[i], "NOWAIT")) {
      o.timeout = std::chrono::nanoseconds(0);
    } else {
      fail(ErrorCode::err, "syntax error");
    }
    seen = true;
  }
  return o;
}

}  // namespace procshare::server
