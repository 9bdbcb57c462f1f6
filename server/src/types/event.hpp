#pragma once
// event (Python's threading.Event): a flag that clients wait to see set.
// set() releases every parked waiter at once; clear() only affects later waits.
#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class EventObject : public Object {
 public:
  EventObject() : waiters_(*this) {}

  bool is_set() const { return set_; }
  WaitQueue& waiters() { return waiters_; }
  void set();
  void clear() { set_ = false; }

  std::size_t size() const override { return 0; }
  void describe(Fields& out) const override { out.add("set", FieldValue(set_)); }

 private:
  WaitQueue waiters_;
  bool set_ = false;
};

}  // namespace procshare::server
