#include "event.hpp"

namespace procshare::server {

void EventObject::set() {
  set_ = true;
  waiters_.wake_all();
}

}  // namespace procshare::server
