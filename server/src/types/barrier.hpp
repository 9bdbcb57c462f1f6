#pragma once
// barrier (Python's threading.Barrier) for `parties` clients.
//
// Each arrival gets the index of its arrival in the current cycle (0 for the
// first, parties-1 for the last, as Python's wait() returns). The last arrival
// trips the barrier: every parked arrival is released with its index and a new
// cycle begins. The barrier breaks -- its waiters get -BROKEN and later waits
// fail at once until reset() -- when a waiter times out, when a waiting client
// disconnects (as a thread leaving a Python barrier would) or on abort().
// reset() fails the current waiters with -BROKEN and makes it usable again.
//
// Each arrival's outcome is kept in its own Arrival record, so a waiter's
// try_complete only reads its record: which cycle it belonged to never
// depends on the barrier's state at the time the waiter is woken.
#include <cstdint>
#include <memory>
#include <vector>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class BarrierObject : public Object {
 public:
  struct Arrival {
    enum class State { waiting, passed, broken };
    std::int64_t index = 0;
    State state = State::waiting;
  };

  explicit BarrierObject(std::int64_t parties) : waiters_(*this), parties_(parties) {}

  std::int64_t parties() const { return parties_; }
  std::int64_t waiting() const { return static_cast<std::int64_t>(arrivals_.size()); }
  bool broken() const { return broken_; }
  WaitQueue& waiters() { return waiters_; }

  // Registers an arrival (throws BROKEN on a broken barrier). When it is the
  // last one the barrier trips: the parked arrivals are released, and the
  // returned arrival is already `passed`; otherwise the caller parks.
  std::shared_ptr<Arrival> arrive();
  // Breaks the barrier: every waiting arrival gets -BROKEN.
  void abort();
  // Fails the current waiters with -BROKEN and starts afresh, unbroken.
  void reset();

  std::size_t size() const override { return 0; }
  std::string options_key() const override { return "parties=" + std::to_string(parties_); }
  void describe(Fields& out) const override;

 private:
  // Ends the current cycle's arrivals with `outcome` and wakes them.
  void finish_cycle(Arrival::State outcome);

  WaitQueue waiters_;
  std::int64_t parties_;
  bool broken_ = false;
  std::vector<std::shared_ptr<Arrival>> arrivals_;  // the current cycle's, in order
};

}  // namespace procshare::server
