#pragma once
// Failed authentication is throttled per source (issue 12): a Unix peer's
// uid or a TCP peer's IP address, whatever the number of connections it
// opens. After each failure the source's next attempt waits a delay that
// doubles, from kFirstDelay (the fixed delay of old) up to kMaxDelay, and attempts from one source
// are evaluated one at a time, so online guessing runs at one guess per
// delay at most. A success forgets the source; so does kForgetAfter without
// a failure. Time is given, never read: the engine's transport waits on a
// timer (Session::retry_at), nothing here blocks.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class AuthThrottle {
 public:
  static constexpr std::chrono::milliseconds kFirstDelay{100};
  static constexpr std::chrono::milliseconds kMaxDelay{1000};
  static constexpr std::chrono::seconds kForgetAfter{60};

  // When the next attempt from `source` may be evaluated (<= now: at once).
  Clock::time_point ready_at(std::string_view source, Clock::time_point now) const;
  // A failed attempt from `source` at `now`: returns the delay before the
  // source's next attempt (and before this failure's reply).
  std::chrono::milliseconds failed(std::string_view source, Clock::time_point now);
  // A successful one: the source starts afresh.
  void succeeded(std::string_view source);
  // Sources remembered (INFO: auth_throttled_sources).
  std::size_t size() const { return sources_.size(); }

 private:
  struct Source {
    unsigned failures = 0;
    Clock::time_point next;  // no attempt is evaluated before this
    Clock::time_point last;  // the last failure
  };
  void forget_stale(Clock::time_point now);
  std::unordered_map<std::string, Source> sources_;
  Clock::time_point swept_;
};

}  // namespace procshare::server
