#pragma once
// Helpers shared by the waiting types' command glue: CREATE options, and
// the encoder of every wait that answers an integer.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/command.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server::sync {

// A type without options (lock, rlock, event).
inline void no_options(std::string_view type, std::span<const std::string_view> options) {
  ArgReader r(options, 0);
  if (r.more()) r.unknown_option(type);
  r.finish();
}

// The options of a command that takes something it may hold on lease:
// `[TIMEOUT s | NOWAIT] [LEASE s] [WITHSTATE]`, in any order (QUEUE.GET,
// LOCK.ACQUIRE, SEM.ACQUIRE, COND.ACQUIRE).
struct AcquireOptions {
  WaitOptions wait;
  std::optional<std::chrono::nanoseconds> lease;
  bool with_state = false;
  // When a lease taken now ends (max: no lease).
  Clock::time_point lease_end() const {
    if (!lease) return Clock::time_point::max();
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(*lease);
  }
};

inline AcquireOptions acquire_options(ArgReader& r, bool allow_nowait = true,
                                      bool allow_state = true) {
  AcquireOptions o;
  bool waits = false;
  while (r.more()) {
    if (!waits && (r.peek("TIMEOUT") || (allow_nowait && r.peek("NOWAIT")))) {
      o.wait = r.wait_options(allow_nowait);
      waits = true;
    } else if (!o.lease && r.accept("LEASE")) {
      o.lease = r.next_seconds("LEASE");
    } else if (allow_state && !o.with_state && r.accept("WITHSTATE")) {
      o.with_state = true;
    } else {
      break;  // finish() reports it
    }
  }
  return o;
}

// WITHSTATE: [token (0: timed out), previous owner died (1/0)].
inline void reply_with_state(protocol::ReplyWriter& out, const WaitOutcome& o) {
  const bool done = o.status == WaitStatus::done;
  out.array(2);
  out.integer(done ? o.integer : 0);
  out.integer(done && o.owner_died ? 1 : 0);
}

// LOCK.ACQUIRE, SEM.ACQUIRE, COND.ACQUIRE, COND.WAIT, EVENT.WAIT,
// QUEUE.JOIN: the outcome's integer when done (a token, 1), :0 when it
// timed out.
inline void reply_integer(protocol::ReplyWriter& out, const WaitOutcome& o) {
  out.integer(o.status == WaitStatus::done ? o.integer : 0);
}

}  // namespace procshare::server::sync
