#pragma once
// Leases and the news that an owner died (docs/cpp-client.md "Leases"), for
// locks, semaphores and conditions:
//
//   auto lock = client.lock("ledger");
//   procshare::Acquired got = lock.acquire({.lease = 30s});
//   if (got.previous_owner_died) repair_ledger();  // its last holder died holding it
//   ...
//   lock.extend(30s);   // still working: renew the lease
//   lock.release();     // NotOwner if the lease ran out meanwhile
//
// A hold on a lease is given up by the server when the lease runs out (the
// next waiter gets it, with a new fencing token), as when the holder's
// connection closes.
#include <chrono>
#include <cstdint>
#include <optional>

namespace procshare {

struct AcquireOptions {
  // Wait at most this long (nullopt: as long as it takes; zero: not at all).
  std::optional<std::chrono::nanoseconds> timeout;
  // Hold it at most this long unless extended (nullopt: until released).
  std::optional<std::chrono::nanoseconds> lease;
};

// What an acquisition got (ACQUIRE ... WITHSTATE).
struct Acquired {
  std::int64_t token = 0;            // the fencing token (locks), 1 (semaphores,
                                     // conditions); 0: timed out
  bool previous_owner_died = false;  // its previous holder vanished while holding it
  explicit operator bool() const { return token != 0; }
};

}  // namespace procshare
