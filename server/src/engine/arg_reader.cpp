#include "procshare/server/arg_reader.hpp"

#include <fmt/format.h>

#include <cmath>

#include "procshare/server/text.hpp"

namespace procshare::server {

std::string_view ArgReader::next() {
  if (failed()) return {};
  if (pos_ >= args_.size()) {
    error(ErrorCode::err, "syntax error");
    return {};
  }
  return args_[pos_++];
}

std::span<const std::string_view> ArgReader::rest() {
  if (failed() || pos_ >= args_.size()) return {};
  auto r = args_.subspan(pos_);
  pos_ = args_.size();
  return r;
}

std::int64_t ArgReader::next_int(ErrorCode code) {
  std::string_view w = next();
  if (failed()) return 0;
  auto v = text::to_int(w);
  if (!v) {
    error(code, text::int_error(w));
    return 0;
  }
  return *v;
}

std::int64_t ArgReader::next_int_at_least(std::string_view keyword, std::int64_t min) {
  std::int64_t v = next_int(ErrorCode::err);
  if (!failed() && v < min)
    error(ErrorCode::valueerror, fmt::format("{} must be >= {}", keyword, min));
  return v;
}

double ArgReader::next_double(ErrorCode code) {
  std::string_view w = next();
  if (failed()) return 0;
  auto v = text::to_double(w);
  if (!v) {
    error(code, "value is not a valid float");
    return 0;
  }
  return *v;
}

bool ArgReader::accept(std::string_view upper_keyword) {
  if (failed() || pos_ >= args_.size() || !text::iequals(args_[pos_], upper_keyword)) return false;
  ++pos_;
  return true;
}

bool ArgReader::peek(std::string_view upper_keyword) const {
  return !failed() && pos_ < args_.size() && text::iequals(args_[pos_], upper_keyword);
}

std::chrono::nanoseconds ArgReader::next_seconds(std::string_view keyword, bool allow_zero) {
  double secs = next_double(ErrorCode::err);
  if (failed()) return {};
  if (!std::isfinite(secs) || secs < 0 || (!allow_zero && secs == 0)) {
    error(ErrorCode::err, fmt::format("{} must be a {} number of seconds", keyword,
                                      allow_zero ? "non-negative" : "positive"));
    return {};
  }
  secs = std::min(secs, 365.0 * 24 * 3600);  // a year is forever; more would overflow the clock
  auto d = std::chrono::nanoseconds(static_cast<std::int64_t>(secs * 1e9));
  return allow_zero || d.count() > 0 ? d : std::chrono::nanoseconds(1);
}

WaitOptions ArgReader::parse_wait_options(bool allow_nowait) {
  WaitOptions o;
  if (accept("TIMEOUT")) {
    double secs = next_double(ErrorCode::err);
    if (failed()) return o;
    if (secs < 0 || !std::isfinite(secs)) {
      error(ErrorCode::err, "timeout is negative or not finite");
      return o;
    }
    // A year is "forever" for any real program; more would overflow the clock.
    secs = std::min(secs, 365.0 * 24 * 3600);
    o.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(secs * 1e9));
  } else if (allow_nowait && accept("NOWAIT")) {
    o.timeout = std::chrono::nanoseconds(0);
  }
  if (more() && (text::iequals(args_[pos_], "TIMEOUT") || text::iequals(args_[pos_], "NOWAIT"))) {
    error(ErrorCode::err, "syntax error: TIMEOUT and NOWAIT exclude each other");
  }
  return o;
}

void ArgReader::unknown_option(std::string_view type) {
  std::string_view w = next();
  if (failed()) return;
  error(ErrorCode::err,
        fmt::format("syntax error: unknown option '{}' for {}", text::printable(w, 64), type));
}

void ArgReader::error(ErrorCode code, std::string message) {
  if (failed()) return;
  code_ = code;
  message_ = std::move(message);
}

void ArgReader::fail_now() {
  if (!failed()) error(ErrorCode::err, "syntax error");
  throw CommandError(*code_, message_);
}

}  // namespace procshare::server
