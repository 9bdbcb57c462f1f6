#include "queue.hpp"

#include <algorithm>
#include <chrono>

#include "procshare/server/errors.hpp"

namespace procshare::server {

namespace {
// Stale heap entries are dropped once they outnumber the live ones by this
// many (so a burst of ACKs never leaves the heap much larger than needed).
constexpr std::size_t kStaleSlack = 1024;
// The holder of an item the log says is in flight: no client of this server.
constexpr ClientId kFormerServer = ~ClientId{0};

bool later(const std::pair<Clock::time_point, std::int64_t>& a,
           const std::pair<Clock::time_point, std::int64_t>& b) {
  return a > b;  // std::*_heap keep the largest on top: invert for a min-heap
}
}  // namespace

QueueObject::QueueObject(std::size_t maxsize, bool lifo, bool joinable,
                         std::uint32_t max_deliveries, std::string dead_letter_queue,
                         std::int64_t* delivery_ids)
    : getters_(*this),
      putters_(*this),
      joiners_(*this),
      maxsize_(maxsize),
      lifo_(lifo),
      joinable_(joinable),
      max_deliveries_(max_deliveries),
      dead_letter_queue_(std::move(dead_letter_queue)),
      delivery_ids_(delivery_ids) {}

bool QueueObject::put_now(std::string& item, bool queued) {
  if (full() || (!queued && !putters_.empty())) return false;
  items_.push_back(std::move(item));
  if (joinable_) ++unfinished_;
  getters_.notify();
  return true;
}

void QueueObject::pop_head(std::string& item, std::uint32_t& deliveries) {
  if (!returned_.empty()) {
    item = std::move(returned_.front().item);
    deliveries = returned_.front().deliveries;
    returned_.pop_front();
    return;
  }
  deliveries = 0;
  if (lifo_) {
    item = std::move(items_.back());
    items_.pop_back();
  } else {
    item = std::move(items_.front());
    items_.pop_front();
  }
}

bool QueueObject::take_now(std::string& item, bool queued) {
  if (empty() || (!queued && !getters_.empty())) return false;
  std::uint32_t deliveries = 0;
  pop_head(item, deliveries);
  ++delivered_;
  if (deliveries > 0) ++redelivered_;
  putters_.notify();
  return true;
}

void QueueObject::put_back(std::string item) {
  --delivered_;
  returned_.push_front({std::move(item), 0});
  getters_.notify();
}

void QueueObject::task_done() {
  if (unfinished_ <= 0) fail(ErrorCode::valueerror, "task_done() called too many times");
  if (--unfinished_ == 0) joiners_.notify_all();
}

void QueueObject::finish_task() {
  if (joinable_ && unfinished_ > 0 && --unfinished_ == 0) joiners_.notify_all();
}

void QueueObject::put_dead_letter(std::string item) {
  items_.push_back(std::move(item));
  if (joinable_) ++unfinished_;
  getters_.notify();
}

// ---- leased delivery ----

// Moves the head item in flight under `id`, held by `holder` until `expires`.
void QueueObject::deliver_head(std::int64_t id, ClientId holder, Clock::time_point expires) {
  InFlight& f = in_flight_.insert(id);
  pop_head(f.item, f.deliveries);
  if (f.deliveries > 0) ++redelivered_;
  ++f.deliveries;
  ++delivered_;
  f.holder = holder;
  f.expires = expires;
  ++held_;
}

std::int64_t QueueObject::take_leased(ClientId c, Clock::time_point expires, bool queued) {
  if (empty() || (!queued && !getters_.empty())) return 0;
  const std::int64_t id = delivery_ids_ ? ++*delivery_ids_ : ++own_ids_;
  deliver_head(id, c, expires);
  schedule(expires, id);
  note(Journal::take, id);
  putters_.notify();
  return id;
}

const QueueObject::InFlight* QueueObject::in_flight(std::int64_t id) const {
  auto it = in_flight_.find(id);
  return it ? &it->second : nullptr;
}

bool QueueObject::ack(std::int64_t id) {
  auto it = in_flight_.find(id);
  if (!it || it->second.holder == 0) return false;
  in_flight_.erase(it);
  --held_;
  finish_task();
  note(Journal::ack, id);
  return true;
}

bool QueueObject::nack(std::int64_t id, Clock::duration delay) {
  auto it = in_flight_.find(id);
  if (!it || it->second.holder == 0) return false;
  const bool dead = max_deliveries_ > 0 && it->second.deliveries >= max_deliveries_;
  if (delay <= Clock::duration::zero() || dead) {
    std::vector<std::int64_t> one{id};
    settle_failed(one);
    return true;
  }
  it->second.holder = 0;
  it->second.expires = Clock::now() + delay;
  --held_;
  schedule(it->second.expires, id);
  return true;
}

bool QueueObject::extend(std::int64_t id, Clock::time_point expires) {
  auto it = in_flight_.find(id);
  if (!it || it->second.holder == 0) return false;
  it->second.expires = expires;
  schedule(expires, id);
  return true;
}

void QueueObject::undeliver(std::int64_t id) {
  auto it = in_flight_.find(id);
  if (!it) return;
  InFlight& f = it->second;
  --delivered_;
  if (--f.deliveries > 0) --redelivered_;
  if (f.holder) --held_;
  returned_.push_front({std::move(f.item), f.deliveries});
  in_flight_.erase(it);
  note(Journal::undo, id);
  getters_.notify();
}

void QueueObject::settle_failed(std::vector<std::int64_t>& ids) {
  // Back to the head in delivery order: the last one first, each in front.
  for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
    auto it = in_flight_.find(*id);
    if (!it) continue;
    InFlight& f = it->second;
    if (f.holder) --held_;
    std::string item = std::move(f.item);
    const std::uint32_t deliveries = f.deliveries;
    in_flight_.erase(it);
    if (max_deliveries_ > 0 && deliveries >= max_deliveries_ && dead_letter && dead_letter(item)) {
      ++dead_lettered_;
      finish_task();  // it will never be acknowledged here
      note(Journal::dead, *id);
      continue;
    }
    returned_.push_front({std::move(item), deliveries});
    note(Journal::back, *id);
  }
  getters_.notify();
}

void QueueObject::client_gone(ClientId c) {
  std::vector<std::int64_t> ids;
  for (const auto& [id, f] : in_flight_) {
    if (f.holder == c) ids.push_back(id);
  }
  if (!ids.empty()) settle_failed(ids);
}

void QueueObject::schedule(Clock::time_point when, std::int64_t id) {
  if (deadlines_.size() > 2 * in_flight_.size() + kStaleSlack) {
    deadlines_.clear();
    for (const auto& [i, f] : in_flight_) deadlines_.emplace_back(f.expires, i);
    std::make_heap(deadlines_.begin(), deadlines_.end(), later);
  }
  deadlines_.emplace_back(when, id);
  std::push_heap(deadlines_.begin(), deadlines_.end(), later);
  if (!alarm_.armed() || when < alarm_.when()) alarm_.arm(scheduler(), when);
}

void QueueObject::expire_due() {
  const Clock::time_point now = Clock::now();
  std::vector<std::int64_t> failed;
  std::vector<std::int64_t> delayed;
  while (!deadlines_.empty() && deadlines_.front().first <= now) {
    auto [when, id] = deadlines_.front();
    std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
    deadlines_.pop_back();
    auto it = in_flight_.find(id);
    if (!it || it->second.expires != when) continue;  // settled or extended
    (it->second.holder ? failed : delayed).push_back(id);
  }
  // A NACKed item whose delay is over comes back as it is (it was counted
  // against max_deliveries when NACKed).
  std::sort(delayed.begin(), delayed.end());
  for (auto id = delayed.rbegin(); id != delayed.rend(); ++id) {
    auto it = in_flight_.find(*id);
    returned_.push_front({std::move(it->second.item), it->second.deliveries});
    in_flight_.erase(it);
    note(Journal::back, *id);
  }
  if (!delayed.empty()) getters_.notify();
  std::sort(failed.begin(), failed.end());
  if (!failed.empty()) settle_failed(failed);
  arm_next();
}

void QueueObject::arm_next() {
  // Skip entries that no longer matter, so the alarm wakes the server for a
  // live lease only (not once per item that was acknowledged long ago).
  while (!deadlines_.empty()) {
    auto [when, id] = deadlines_.front();
    auto it = in_flight_.find(id);
    if (it && it->second.expires == when) break;
    std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
    deadlines_.pop_back();
  }
  if (deadlines_.empty()) {
    alarm_.disarm();
  } else {
    alarm_.arm(scheduler(), deadlines_.front().first);
  }
}

// ---- replaying the log ----

void QueueObject::replay_take(std::int64_t id) {
  if (empty() || in_flight_.contains(id)) return;  // not what the log saw: nothing to take
  deliver_head(id, kFormerServer, Clock::time_point::max());
  if (delivery_ids_) *delivery_ids_ = std::max(*delivery_ids_, id);
}

void QueueObject::back_to_head(std::int64_t id) {
  auto it = in_flight_.find(id);
  if (!it) return;
  if (it->second.holder) --held_;
  returned_.push_front({std::move(it->second.item), it->second.deliveries});
  in_flight_.erase(it);
  getters_.notify();
}

void QueueObject::replay_settle(Journal how, std::int64_t id) {
  switch (how) {
    case Journal::take:
      return replay_take(id);
    case Journal::ack:
      ack(id);
      return;
    case Journal::back:
      return back_to_head(id);
    case Journal::undo:
      return undeliver(id);
    case Journal::dead: {
      auto it = in_flight_.find(id);
      if (!it) return;
      std::string item = it->second.item;
      if (!dead_letter || !dead_letter(item)) return back_to_head(id);
      if (it->second.holder) --held_;
      in_flight_.erase(it);
      ++dead_lettered_;
      finish_task();
      return;
    }
  }
}

void QueueObject::restore(std::int64_t id, std::uint32_t deliveries, std::string item) {
  if (id == 0) {
    returned_.push_back({std::move(item), deliveries});
    return;
  }
  if (!in_flight_.emplace(
          id, InFlight{std::move(item), deliveries, kFormerServer, Clock::time_point::max()})) {
    return;
  }
  ++held_;
  if (delivery_ids_) *delivery_ids_ = std::max(*delivery_ids_, id);
}

void QueueObject::after_restart() {
  // Their holders (and any NACK delay) were the former server's: everything
  // in flight is back at the head in delivery order, or a dead letter.
  std::vector<std::int64_t> ids;
  ids.reserve(in_flight_.size());
  for (const auto& [id, f] : in_flight_) ids.push_back(id);
  if (!ids.empty()) settle_failed(ids);
}

std::optional<Clock::time_point> QueueObject::next_expiry() const {
  std::optional<Clock::time_point> t;
  for (const auto& [id, f] : in_flight_) {
    if (f.holder && (!t || f.expires < *t)) t = f.expires;
  }
  return t;
}

void QueueObject::for_each_item(
    const std::function<void(std::string_view, std::uint32_t, const InFlight*)>& f) const {
  for (const auto& [id, d] : in_flight_) f(d.item, d.deliveries, &d);
  for (const auto& r : returned_) f(r.item, r.deliveries, nullptr);
  if (lifo_) {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) f(*it, 0, nullptr);
  } else {
    for (const auto& i : items_) f(i, 0, nullptr);
  }
}

std::string QueueObject::options_key() const {
  std::string key = "maxsize=" + std::to_string(maxsize_);
  if (!joinable_) key += lifo_ ? " lifo=1" : " lifo=0";
  if (max_deliveries_ > 0) {
    key +=
        " maxdeliveries=" + std::to_string(max_deliveries_) + " deadletter=" + dead_letter_queue_;
  }
  return key;
}

void QueueObject::describe(Fields& out) const {
  out.add("maxsize", maxsize_);
  if (joinable_) {
    out.add("unfinished", FieldValue(unfinished_));
  } else {
    out.add("lifo", FieldValue(lifo_));
  }
  out.add("inflight", held_);
  out.add("delayed", delayed_count());
  auto next = next_expiry();
  // Milliseconds until the first lease in flight runs out (null: none).
  out.add("expires",
          next ? FieldValue(static_cast<std::int64_t>(std::max<std::int64_t>(
                     0, std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now())
                            .count())))
               : FieldValue(Null{}));
  out.add("delivered", FieldValue(static_cast<std::int64_t>(delivered_)));
  out.add("redelivered", FieldValue(static_cast<std::int64_t>(redelivered_)));
  out.add("deadlettered", FieldValue(static_cast<std::int64_t>(dead_lettered_)));
  if (max_deliveries_ > 0) {
    out.add("maxdeliveries", FieldValue(static_cast<std::int64_t>(max_deliveries_)));
    out.add("deadletter", dead_letter_queue_);
  }
}

}  // namespace procshare::server
