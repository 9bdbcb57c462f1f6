#pragma once
// semaphore and boundedsemaphore (Python's threading.Semaphore /
// BoundedSemaphore) whose permits are owned by client ids.
//
// Owned (the default): each acquired permit is booked to the client that took
// it, and the invariant "initial - value = permits booked, each to a live
// client" always holds: a client gives back only permits it holds (a release
// of more is NOTOWNER), and a client that vanishes gives its permits back
// (client_gone) so the next waiters run.
// UNOWNED: Python's threading semantics, for signalling: any client may
// release, nothing is booked, and nothing comes back when a client vanishes.
// Leases (owned only): SEM.ACQUIRE ... LEASE s puts every permit the client
// holds on a lease that ends s from now (SEM.EXTEND renews it); when it runs
// out they all come back as if the client had vanished. A client whose
// permits came back so is told NOTOWNER once when it releases, and the next
// acquirer of such a permit learns that its previous holder died.
// A bounded semaphore never goes above its initial value: a release past it is
// a VALUEERROR (checked before ownership, as Python raises ValueError).
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

class SemaphoreObject : public Object {
 public:
  SemaphoreObject(std::int64_t initial, bool bounded, bool unowned = false);

  std::int64_t value() const { return value_; }
  std::int64_t initial() const { return initial_; }
  bool bounded() const { return bounded_; }
  bool unowned() const { return unowned_; }
  WaitQueue& waiters() { return waiters_; }

  // Takes one permit for `c` if one is free and nobody waits ahead (`queued`:
  // the caller is the first waiter in line).
  // `previous_died` (may be null): whether this permit came back from a
  // holder that vanished (each such permit is reported once).
  bool acquire_now(ClientId c, bool queued = false, bool* previous_died = nullptr);
  // Puts every permit `c` holds on a lease of `length` from now. NOTOWNER
  // when it holds none; VALUEERROR for an UNOWNED semaphore.
  void set_lease(ClientId c, Clock::duration length);
  std::int64_t held_by(ClientId c) const;
  // Adds `n` (>= 1) permits and wakes waiters. Throws VALUEERROR for n < 1,
  // overflow, or a bounded semaphore released past its initial value;
  // NOTOWNER when owned and `c` holds fewer than n permits.
  void release(ClientId c, std::int64_t n);

  std::size_t size() const override { return 0; }
  std::string options_key() const override;
  void describe(Fields& out) const override;
  void client_gone(ClientId c) override;

 private:
  WaitQueue waiters_;
  std::int64_t value_;
  std::int64_t initial_;
  bool bounded_;
  bool unowned_;
  std::unordered_map<ClientId, std::int64_t> permits_;  // held per client, > 0 only

  void leases_over();
  void arm_next();
  std::unordered_map<ClientId, Clock::time_point> leases_;  // holders on a lease
  std::vector<ClientId> expired_owners_;  // lost their permits to a lease, not told yet
  std::int64_t reclaimed_ = 0;            // permits back from vanished holders, not reported
  std::int64_t abandoned_ = 0;            // holders that vanished holding permits
  std::int64_t expired_ = 0;              // ... of which by their lease running out
  Alarm alarm_{[this] { leases_over(); }};
};

}  // namespace procshare::server
