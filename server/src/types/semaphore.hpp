#pragma once
// semaphore and boundedsemaphore (Python's threading.Semaphore /
// BoundedSemaphore) whose permits are owned by client ids.
//
// Each acquired permit is booked to the client that took it, so that a client
// that vanishes gives its permits back (client_gone) and the next waiters run.
// As in Python any client may release; a release is booked against the
// releasing client's own permits first and never takes its count below zero,
// so a release by another client leaves the acquirer's booking alone. A
// bounded semaphore never goes above its initial value: a release past it is a
// VALUEERROR, and permits returned by a departed client are capped there too
// (another client may already have released them for it).
#include <cstdint>
#include <unordered_map>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class SemaphoreObject : public Object {
 public:
  SemaphoreObject(std::int64_t initial, bool bounded);

  std::int64_t value() const { return value_; }
  std::int64_t initial() const { return initial_; }
  bool bounded() const { return bounded_; }
  WaitQueue& waiters() { return waiters_; }

  // Takes one permit for `c` if one is free and nobody waits ahead (`queued`:
  // the caller is the first waiter in line).
  bool acquire_now(ClientId c, bool queued = false);
  // Adds `n` (>= 1) permits and wakes waiters. Throws VALUEERROR for n < 1,
  // overflow, or a bounded semaphore released past its initial value.
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
  std::unordered_map<ClientId, std::int64_t> permits_;  // held per client, > 0 only
};

}  // namespace procshare::server
