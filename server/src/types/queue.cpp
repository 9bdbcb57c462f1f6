#include "queue.hpp"

#include "procshare/server/errors.hpp"

namespace procshare::server {

QueueObject::QueueObject(std::size_t maxsize, bool lifo, bool joinable)
    : getters_(*this),
      putters_(*this),
      joiners_(*this),
      maxsize_(maxsize),
      lifo_(lifo),
      joinable_(joinable) {}

bool QueueObject::put_now(std::string& item, bool queued) {
  if (full() || (!queued && !putters_.empty())) return false;
  items_.push_back(std::move(item));
  if (joinable_) ++unfinished_;
  getters_.notify();
  return true;
}

bool QueueObject::take_now(std::string& item, bool queued) {
  if (items_.empty() || (!queued && !getters_.empty())) return false;
  if (lifo_) {
    item = std::move(items_.back());
    items_.pop_back();
  } else {
    item = std::move(items_.front());
    items_.pop_front();
  }
  putters_.notify();
  return true;
}

void QueueObject::put_back(std::string item) {
  if (lifo_) {
    items_.push_back(std::move(item));
  } else {
    items_.push_front(std::move(item));
  }
  getters_.notify();
}

void QueueObject::task_done() {
  if (unfinished_ <= 0) fail(ErrorCode::valueerror, "task_done() called too many times");
  if (--unfinished_ == 0) joiners_.notify_all();
}

std::string QueueObject::options_key() const {
  std::string key = "maxsize=" + std::to_string(maxsize_);
  if (!joinable_) key += lifo_ ? " lifo=1" : " lifo=0";
  return key;
}

void QueueObject::describe(Fields& out) const {
  out.add("maxsize", maxsize_);
  if (joinable_) {
    out.add("unfinished", FieldValue(unfinished_));
  } else {
    out.add("lifo", FieldValue(lifo_));
  }
}

}  // namespace procshare::server
