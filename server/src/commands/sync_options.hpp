#pragma once
// Helpers shared by the waiting types' command glue: CREATE options, and
// the encoder of every wait that answers an integer.
#include <fmt/format.h>

#include <cstdint>
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

// LOCK.ACQUIRE, SEM.ACQUIRE, COND.ACQUIRE, COND.WAIT, EVENT.WAIT,
// QUEUE.JOIN: the outcome's integer when done (a token, 1), :0 when it
// timed out.
inline void reply_integer(protocol::ReplyWriter& out, const WaitOutcome& o) {
  out.integer(o.status == WaitStatus::done ? o.integer : 0);
}

}  // namespace procshare::server::sync
