#pragma once
// queue and joinablequeue (Python's queue.Queue / LifoQueue and
// multiprocessing.JoinableQueue) with clients, not threads, waiting.
//
// Items are handed over, never lost: put() notifies the parked getters (the
// first live one takes the item into its wait's outcome; one that leaves
// before its reply is written puts it back), and take() notifies the
// parked putters. Hence parked getters imply an empty queue and parked
// putters a full one; a new arrival that finds anyone waiting ahead of it
// waits behind them (FIFO).
// A joinable queue counts unfinished tasks: put adds one, task_done() removes
// one, and reaching zero releases every joiner.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class QueueObject : public Object {
 public:
  // maxsize 0: unbounded. `lifo` takes the newest item first.
  QueueObject(std::size_t maxsize, bool lifo, bool joinable);

  std::size_t maxsize() const { return maxsize_; }
  bool lifo() const { return lifo_; }
  bool joinable() const { return joinable_; }
  bool empty() const { return items_.empty(); }
  bool full() const { return maxsize_ > 0 && items_.size() >= maxsize_; }
  std::int64_t unfinished() const { return unfinished_; }

  WaitQueue& getters() { return getters_; }
  WaitQueue& putters() { return putters_; }
  WaitQueue& joiners() { return joiners_; }

  // Stores `item` if there is room and no putter waits ahead (`queued`: the
  // caller is the first parked putter); false when the caller must wait.
  bool put_now(std::string& item, bool queued = false);
  // Removes the next item into `item` if there is one and no getter waits
  // ahead; false when the caller must wait.
  bool take_now(std::string& item, bool queued = false);
  // Puts back an item that was taken but never reached its client (it
  // left before the reply was written): it is next out again, ahead of
  // newer items. The queue may exceed maxsize by it.
  void put_back(std::string item);
  // The items, next out first (the back, for a LIFO queue).
  const std::deque<std::string>& items() const { return items_; }
  // Restoring a snapshot: appends `item` whatever the maxsize, and sets the
  // count of unfinished tasks.
  void load(std::string item) { items_.push_back(std::move(item)); }
  void set_unfinished(std::int64_t n) { unfinished_ = n; }
  // One task finished; VALUEERROR when there is none left (joinable only).
  void task_done();

  std::size_t size() const override { return items_.size(); }
  std::string options_key() const override;
  void describe(Fields& out) const override;

 private:
  WaitQueue getters_;
  WaitQueue putters_;
  WaitQueue joiners_;
  std::deque<std::string> items_;
  std::size_t maxsize_;
  bool lifo_;
  bool joinable_;
  std::int64_t unfinished_ = 0;
};

}  // namespace procshare::server
