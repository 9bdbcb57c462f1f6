#include "procshare/server/object.hpp"

#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

Object::~Object() = default;

std::size_t Object::waiters() const {
  std::size_t n = 0;
  for (const WaitQueue* q : wait_queues_) n += q->size();
  return n;
}

void Object::fail_waiters(std::string_view code, std::string_view message) {
  for (WaitQueue* q : wait_queues_) q->fail_all(code, message);
}

}  // namespace procshare::server
