#include "procshare/server/object.hpp"

#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

Object::~Object() = default;

std::size_t Object::waiters() const {
  std::size_t n = 0;
  for (const WaitQueue* q : wait_queues_) n += q->size();
  return n;
}

void Object::finish_waiters(WaitStatus status) {
  for (WaitQueue* q : wait_queues_) q->finish_all(status);
}

}  // namespace procshare::server
