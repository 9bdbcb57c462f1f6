#include "event.hpp"

namespace procshare::server {

void EventObject::set() {
  set_ = true;
  waiters_.notify_all();
}

}  // namespace procshare::server
