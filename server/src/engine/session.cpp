#include "procshare/server/session.hpp"

namespace procshare::server {

Session::Session(ClientId id, Transport transport, std::string peer)
    : id_(id), transport_(transport), peer_(std::move(peer)) {}

Session::~Session() {
  abandon();
}

Waiter& Session::park(WaitQueue& queue, Waiter w) {
  waiter_ = std::make_unique<Waiter>(std::move(w));
  waiter_->session = this;
  if (waiter_->since == Clock::time_point{}) waiter_->since = Clock::now();
  queue.push(*waiter_);
  return *waiter_;
}

void Session::resume() {
  if (!waiter_) return;
  // The waiter's callbacks may own captured state; destroy after unlinking.
  auto done = std::move(waiter_);
  if (done->queue) done->queue->remove(*done);
  if (on_resume) on_resume();
}

bool Session::expire() {
  if (!waiter_) return true;
  Waiter& w = *waiter_;
  bool over = !w.on_timeout || w.on_timeout(out);
  if (!over) return false;
  if (waiter_) {  // on_timeout may itself have resumed the session
    auto done = std::move(waiter_);
    if (done->queue) done->queue->remove(*done);
  }
  return true;
}

void Session::abandon() {
  if (!waiter_) return;
  auto gone = std::move(waiter_);
  if (gone->queue) gone->queue->remove(*gone);
  if (gone->on_abandon) gone->on_abandon();
}

Session::Held& Session::held(const std::shared_ptr<Object>& obj) {
  Held& h = held_[obj.get()];
  if (h.object.expired() || h.object.lock() != obj) h = Held{obj, 0, false};
  return h;
}

void Session::hold(const std::shared_ptr<Object>& obj) {
  held(obj).owns = true;
}

void Session::add_ref(const std::shared_ptr<Object>& obj, std::int64_t n) {
  held(obj).refs += n;
}

std::int64_t Session::refs_on(const Object* obj) const {
  auto it = held_.find(obj);
  return it == held_.end() || it->second.object.expired() ? 0 : it->second.refs;
}

}  // namespace procshare::server
