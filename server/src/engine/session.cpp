#include "procshare/server/session.hpp"

namespace procshare::server {

Session::Session(ClientId id, Transport transport, std::string peer)
    : id_(id), transport_(transport), peer_(std::move(peer)) {}

Session::~Session() {
  abandon();
}

void Session::set_wait(std::unique_ptr<Waiter> w, WaitReply reply) {
  waiter_ = std::move(w);
  reply_ = reply;
  waiter_->session = this;
  if (waiter_->since == Clock::time_point{}) waiter_->since = Clock::now();
}

std::unique_ptr<Waiter> Session::take_wait() {
  reply_ = nullptr;
  return std::move(waiter_);
}

void Session::woken() {
  if (on_resume) on_resume();
}

void Session::abandon() {
  if (!waiter_) return;
  auto gone = take_wait();
  if (WaitScheduler* s = gone->scheduler()) s->withdraw(*gone);
  if (gone->on_abandon) gone->on_abandon(*gone);
}

Session::Held& Session::held(Object& obj) {
  // A worker takes leased items from one queue over and over: remember the
  // last entry (map nodes do not move) rather than hash at every delivery.
  if (last_held_ && last_held_->first == &obj && !last_held_->second.object.expired()) {
    return last_held_->second;
  }
  auto& entry = *held_.try_emplace(&obj).first;
  Held& h = entry.second;
  // An entry whose object is gone may be for an earlier object at the same
  // address: start afresh. A live entry at this address is this object.
  if (h.object.expired()) h = Held{obj.weak_from_this(), 0, false, {}, false, false};
  last_held_ = &entry;
  return h;
}

void Session::hold_lock(Object& obj, bool acquired) {
  Held& h = held(obj);
  h.owns = true;
  if (acquired) {
    h.lock_name = obj.name();
    h.lock_acquired = true;
  }
  h.lock_held = acquired;
}

bool Session::holds_earlier_incarnation(const Object& lock) const {
  if (auto it = held_.find(&lock);
      it != held_.end() && it->second.lock_acquired && !it->second.object.expired()) {
    return false;  // it has acquired this incarnation itself since
  }
  for (const auto& [raw, h] : held_) {
    if (!h.lock_held || h.lock_name != lock.name()) continue;
    std::shared_ptr<Object> old = h.object.lock();
    if (!old || (old.get() != &lock && old->name() == lock.name())) return true;
  }
  return false;
}

void Session::hold(Object& obj) {
  held(obj).owns = true;
}

void Session::add_ref(Object& obj, std::int64_t n) {
  held(obj).refs += n;
}

std::int64_t Session::refs_on(const Object* obj) const {
  auto it = held_.find(obj);
  return it == held_.end() || it->second.object.expired() ? 0 : it->second.refs;
}

}  // namespace procshare::server
