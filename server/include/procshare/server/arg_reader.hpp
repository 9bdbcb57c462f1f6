#pragma once
// ArgReader: the one way handlers read their arguments (Dragonfly's
// CmdArgParser is the model). Reads go left to right; the first one that
// fails latches its error and every later read returns a harmless default,
// so a handler reads everything in straight-line code and then calls
// finish(), which throws the latched error — or "syntax error" for words
// left over. Only after finish() does a handler look up or create objects,
// which is what makes a failed command change nothing.
//
//   ArgReader r(c.args, 2);
//   std::string_view key = r.next();
//   auto fallback = r.accept("DEFAULT") ? std::optional(r.next()) : std::nullopt;
//   r.finish();
//   auto& d = c.obj<DictObject>();
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "procshare/server/command.hpp"
#include "procshare/server/errors.hpp"

namespace procshare::server {

class ArgReader {
 public:
  ArgReader(std::span<const std::string_view> args, std::size_t from) : args_(args), pos_(from) {}

  bool more() const { return !failed() && pos_ < args_.size(); }
  std::size_t left() const { return failed() || pos_ >= args_.size() ? 0 : args_.size() - pos_; }
  bool failed() const { return code_.has_value(); }

  // The next word; "syntax error" when there is none.
  std::string_view next();
  // Every word left (the values of DICT.UPDATE, SET.ADD, ARRAY INIT).
  std::span<const std::string_view> rest();
  // The next word as a signed 64-bit integer; `code` when it is not one.
  std::int64_t next_int(ErrorCode code = ErrorCode::valueerror);
  // An integer option value (MAXSIZE 10): ERR when not an integer,
  // VALUEERROR when below `min`.
  std::int64_t next_int_at_least(std::string_view keyword, std::int64_t min);
  double next_double(ErrorCode code = ErrorCode::valueerror);
  // Consumes the next word if it is `upper_keyword`, case-insensitively.
  bool accept(std::string_view upper_keyword);
  // Whether the next word is `upper_keyword` (consumes nothing).
  bool peek(std::string_view upper_keyword) const;
  // A duration in seconds, the value of `keyword` (LEASE 30, DELAY 0.5):
  // finite, at most a year, above zero (or zero too, if `allow_zero`); ERR
  // otherwise.
  std::chrono::nanoseconds next_seconds(std::string_view keyword, bool allow_zero = false);
  // `[TIMEOUT seconds | NOWAIT]` (NOWAIT only if allowed), which must come
  // next if at all: stops at the first other word.
  WaitOptions wait_options(bool allow_nowait = true) {
    if (!more()) return {};  // the common case, inline: wait forever
    return parse_wait_options(allow_nowait);
  }
  // The next word was not an option of `type`: latches "unknown option".
  void unknown_option(std::string_view type);

  // Latches an error of the handler's own (the first one wins).
  void error(ErrorCode code, std::string message);
  // Throws the latched error, or "syntax error" if words are left.
  void finish() {
    if (failed() || pos_ < args_.size()) fail_now();
  }

 private:
  WaitOptions parse_wait_options(bool allow_nowait);
  [[noreturn]] void fail_now();

  std::span<const std::string_view> args_;
  std::size_t pos_;
  std::optional<ErrorCode> code_;
  std::string message_;
};

}  // namespace procshare::server
