#pragma once
// Helpers shared by the waiting types' command glue: parsing CREATE options,
// and the one shape of every wait that answers an integer.
#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "procshare/server/command.hpp"
#include "procshare/server/wait_queue.hpp"

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

// LOCK.ACQUIRE, SEM.ACQUIRE, COND.ACQUIRE, EVENT.WAIT, QUEUE.JOIN: try
// `attempt(false)` now and reply its value when non-zero; else reply :0 at
// once for NOWAIT / TIMEOUT 0, or park on `queue` until a wake-up makes
// `attempt(true)` succeed (its value is the reply) or the deadline passes
// (:0). The flag tells `attempt` it runs for a parked waiter, whom locks and
// semaphores serve before newcomers.
template <class Attempt>
void wait_for_integer(Ctx& c, WaitQueue& queue, const WaitOptions& opts, Attempt attempt) {
  if (std::int64_t v = attempt(false)) {
    c.out.integer(v);
    return;
  }
  if (opts.nowait()) {
    c.out.integer(0);
    return;
  }
  Waiter w;
  w.try_complete = [attempt](ReplyWriter& out) mutable {
    std::int64_t v = attempt(true);
    if (!v) return false;
    out.integer(v);
    return true;
  };
  w.on_timeout = [](ReplyWriter& out) {
    out.integer(0);
    return true;
  };
  w.deadline = opts.deadline();
  c.park(queue, std::move(w));
}

}  // namespace procshare::server::sync
