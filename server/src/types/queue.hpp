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
//
// Leased delivery (QUEUE.GET ... LEASE): the item is not gone when handed
// out but "in flight", kept here under a delivery id until it is settled:
//  * ack: gone for good (on a joinable queue: its task is done);
//  * nack, the lease running out, or its holder leaving: back to the head
//    of the queue, ahead of items never delivered, in delivery order (a
//    NACK with a delay comes back when the delay is over); an item
//    delivered max_deliveries times goes to the dead-letter queue instead
//    (on a joinable queue that settles its task too).
// The head of the queue is therefore: items that came back (`returned_`,
// each with its delivery count), then the items never delivered (`items_`).
// Deadlines are the engine's: one Alarm armed at the earliest lease end.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "id_table.hpp"
#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

class QueueObject : public Object {
 public:
  // maxsize 0: unbounded. `lifo` takes the newest item first.
  // `max_deliveries` 0: no dead-lettering. `delivery_ids` (may be null: a
  // counter of this queue's own) is the server-wide last delivery id, so an
  // id never repeats, not even in a later queue of the same name.
  QueueObject(std::size_t maxsize, bool lifo, bool joinable, std::uint32_t max_deliveries = 0,
              std::string dead_letter_queue = {}, std::int64_t* delivery_ids = nullptr);

  std::size_t maxsize() const { return maxsize_; }
  bool lifo() const { return lifo_; }
  bool joinable() const { return joinable_; }
  bool empty() const { return items_.empty() && returned_.empty(); }
  bool full() const { return maxsize_ > 0 && size() >= maxsize_; }
  std::int64_t unfinished() const { return unfinished_; }
  std::uint32_t max_deliveries() const { return max_deliveries_; }
  const std::string& dead_letter_queue() const { return dead_letter_queue_; }

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
  // Appends a dead letter from another queue: never waits, may exceed maxsize.
  void put_dead_letter(std::string item);

  // ---- leased delivery ----
  struct InFlight {
    std::string item;
    std::uint32_t deliveries = 0;  // leased deliveries so far, this one included
    ClientId holder = 0;           // 0: NACKed, waiting out its delay
    Clock::time_point expires;     // the lease's end (or the delay's)
  };
  // Takes the next item on lease for `c` until `expires`, as take_now does;
  // returns its delivery id, or 0 when the caller must wait. The item stays
  // here: in_flight(id).
  std::int64_t take_leased(ClientId c, Clock::time_point expires, bool queued = false);
  const InFlight* in_flight(std::int64_t id) const;
  // Settles a delivery; false for an unknown or already-settled id (a NACKed
  // item waiting out its delay is settled).
  bool ack(std::int64_t id);
  // Back to the head now (delay zero) or when `delay` is over.
  bool nack(std::int64_t id, Clock::duration delay);
  bool extend(std::int64_t id, Clock::time_point expires);
  // A leased item whose reply never reached its client: back to the head as
  // if never delivered.
  void undeliver(std::int64_t id);
  // Where dead letters go (set by the command glue: the queue knows no
  // registry); it takes the item on success. False: it could not be stored,
  // and the item comes back here.
  std::function<bool(std::string& item)> dead_letter;

  // ---- the log's view (persistence) ----
  // Every change to what is in flight, reported as it happens so that the
  // append-only log can replay it: a restart must find each item where it
  // was (in flight items go back to the head, in delivery order). A NACK
  // with a delay reports nothing until the delay is over (`back`).
  enum class Journal { take, ack, back, dead, undo };
  std::function<void(const QueueObject&, Journal, std::int64_t id)> journal;
  // Replaying the log: the same changes, with the ids the log names. An
  // item taken so is held by nobody that can come back: it stays in flight
  // (no lease runs) until the log settles it or after_restart() returns it.
  void replay_take(std::int64_t id);
  void replay_settle(Journal how, std::int64_t id);
  // Restoring a snapshot: an item in flight (id > 0) or one that came back
  // (id 0), with its delivery count, in head order.
  void restore(std::int64_t id, std::uint32_t deliveries, std::string item);
  // The log is loaded: what was in flight goes back to the head.
  void after_restart() override;
  // Items that came back, next out first (with their delivery counts).
  template <class F>
  void for_each_returned(F&& f) const {
    for (const auto& r : returned_) f(r.item, r.deliveries);
  }
  template <class F>
  void for_each_in_flight(F&& f) const {
    for (const auto& [id, d] : in_flight_) f(id, d);
  }

  std::size_t in_flight_count() const { return held_; }
  std::size_t delayed_count() const { return in_flight_.size() - held_; }
  // The earliest end of a lease in flight, if any.
  std::optional<Clock::time_point> next_expiry() const;

  // Every item, in the order it would come out if every lease ended now:
  // in flight (by delivery id), came back, never delivered. `f(item,
  // deliveries, in_flight)` where in_flight is null for a queued item. For
  // snapshots (persistence) and `top`.
  void for_each_item(
      const std::function<void(std::string_view, std::uint32_t, const InFlight*)>& f) const;

  std::size_t size() const override { return items_.size() + returned_.size(); }
  std::string options_key() const override;
  void describe(Fields& out) const override;
  void client_gone(ClientId c) override;

 private:
  struct Returned {
    std::string item;
    std::uint32_t deliveries = 0;
  };
  void pop_head(std::string& item, std::uint32_t& deliveries);
  void deliver_head(std::int64_t id, ClientId holder, Clock::time_point expires);
  // Failed deliveries (ids ascending): dead letters, or back to the head in
  // that order.
  void settle_failed(std::vector<std::int64_t>& ids);
  void finish_task();
  void note(Journal j, std::int64_t id) {
    if (journal) [[unlikely]]
      journal(*this, j, id);
  }
  void back_to_head(std::int64_t id);
  void schedule(Clock::time_point when, std::int64_t id);
  void expire_due();
  void arm_next();

  WaitQueue getters_;
  WaitQueue putters_;
  WaitQueue joiners_;
  std::deque<Returned> returned_;  // the head: items that came back
  std::deque<std::string> items_;
  std::size_t maxsize_;
  bool lifo_;
  bool joinable_;
  std::int64_t unfinished_ = 0;

  std::uint32_t max_deliveries_;
  std::string dead_letter_queue_;
  std::int64_t* delivery_ids_;
  std::int64_t own_ids_ = 0;
  IdTable<InFlight> in_flight_;  // by delivery id: delivery order
  std::size_t held_ = 0;         // in_flight_ entries with a holder
  // Lease ends as a min-heap; entries of settled or extended deliveries are
  // skipped when they come up (cheaper than removing them at every ACK) and
  // dropped wholesale when they outnumber the live ones.
  std::vector<std::pair<Clock::time_point, std::int64_t>> deadlines_;
  Alarm alarm_{[this] { expire_due(); }};

  std::uint64_t delivered_ = 0;
  std::uint64_t redelivered_ = 0;
  std::uint64_t dead_lettered_ = 0;
};

}  // namespace procshare::server
