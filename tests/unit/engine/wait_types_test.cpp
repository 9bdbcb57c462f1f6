// The waiting types on their own: no engine, no sessions, no RESP. Each
// test attaches objects to a WaitScheduler, parks plain Waiters in their
// queues and checks the outcomes they complete with — the values the
// engine later encodes into replies.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../../../server/src/types/barrier.hpp"
#include "../../../server/src/types/lock.hpp"
#include "../../../server/src/types/queue.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {
namespace {

using namespace std::chrono_literals;

// A waiter parked in `q` that runs `attempt` on each wake-up.
template <class Attempt>
std::unique_ptr<Waiter> park(WaitScheduler& s, WaitQueue& q, Attempt attempt,
                             Clock::time_point deadline = Clock::time_point::max()) {
  auto w = std::make_unique<Waiter>();
  w->try_complete = [attempt](Waiter& self, Wake wake) mutable {
    return attempt(self.outcome, wake);
  };
  w->deadline = deadline;
  WaitQueue* queues[] = {&q};
  s.park(*w, queues);
  return w;
}

TEST(WaitTypes, QueueGettersGetItemsInArrivalOrder) {
  WaitScheduler s;
  QueueObject q(0, false, false);
  q.attach(s);
  std::vector<std::unique_ptr<Waiter>> getters;
  for (int i = 0; i < 3; ++i) {
    getters.push_back(park(s, q.getters(),
                           [&q](WaitOutcome& o, Wake w) { return q.take_now(o.item, w.parked); }));
  }
  for (std::string item : {"a", "b"}) EXPECT_TRUE(q.put_now(item));
  s.run();
  EXPECT_EQ(getters[0]->outcome.status, WaitStatus::done);
  EXPECT_EQ(getters[0]->outcome.item, "a");
  EXPECT_EQ(getters[1]->outcome.item, "b");
  EXPECT_FALSE(getters[2]->finished());  // nothing left for the third
  EXPECT_EQ(q.getters().size(), 1u);
  // A newcomer does not overtake the parked third getter.
  std::string c = "c";
  EXPECT_TRUE(q.put_now(c));
  std::string got;
  EXPECT_FALSE(q.take_now(got));
  s.run();
  EXPECT_EQ(getters[2]->outcome.item, "c");
}

TEST(WaitTypes, ItemTakenByALeavingGetterGoesBackFirst) {
  WaitScheduler s;
  QueueObject q(0, false, false);
  q.attach(s);
  auto w =
      park(s, q.getters(), [&q](WaitOutcome& o, Wake wk) { return q.take_now(o.item, wk.parked); });
  for (std::string item : {"first", "second"}) EXPECT_TRUE(q.put_now(item));
  s.run();
  ASSERT_EQ(w->outcome.item, "first");
  q.put_back(std::move(w->outcome.item));  // what the getter's on_abandon does
  std::string got;
  EXPECT_TRUE(q.take_now(got));
  EXPECT_EQ(got, "first");
}

TEST(WaitTypes, LockWaitersGetTheNextTokenInOrder) {
  WaitScheduler s;
  std::uint64_t abandoned = 0;
  LockObject lock(false, &abandoned);
  lock.attach(s);
  LockCore& core = lock.core();
  EXPECT_EQ(core.acquire_now(1), 1);
  std::vector<std::unique_ptr<Waiter>> waiters;
  for (ClientId id : {2, 3}) {
    waiters.push_back(park(s, core.waiters(), [&core, id](WaitOutcome& o, Wake w) {
      o.integer = core.acquire_now(id, 1, w.parked);
      return o.integer != 0;
    }));
  }
  EXPECT_EQ(core.acquire_now(4), 0);  // a newcomer waits behind them
  core.release(1);
  s.run();
  EXPECT_EQ(waiters[0]->outcome.integer, 2);
  EXPECT_FALSE(waiters[1]->finished());
  core.client_gone(2);  // the owner vanished: the next waiter gets it
  s.run();
  EXPECT_EQ(waiters[1]->outcome.integer, 3);
  EXPECT_EQ(core.abandoned(), 1);
}

TEST(WaitTypes, BarrierPartiesGetTheirIndexes) {
  WaitScheduler s;
  BarrierObject b(3);
  b.attach(s);
  std::vector<std::unique_ptr<Waiter>> parties;
  std::vector<std::shared_ptr<BarrierObject::Arrival>> arrivals;
  for (int i = 0; i < 2; ++i) {
    auto a = b.arrive();
    arrivals.push_back(a);
    parties.push_back(park(s, b.waiters(), [a](WaitOutcome& o, Wake) {
      if (a->state == BarrierObject::Arrival::State::waiting) return false;
      o.integer = a->index;
      return true;
    }));
  }
  auto last = b.arrive();
  EXPECT_EQ(last->state, BarrierObject::Arrival::State::passed);
  EXPECT_EQ(last->index, 2);
  s.run();
  EXPECT_EQ(parties[0]->outcome.integer, 0);
  EXPECT_EQ(parties[1]->outcome.integer, 1);
}

TEST(WaitTypes, DeadlinesExpireInOrderOfDeadline) {
  WaitScheduler s;
  QueueObject q(0, false, false);
  q.attach(s);
  const auto t0 = Clock::now();
  auto never = [](WaitOutcome&, Wake) { return false; };
  auto late = park(s, q.getters(), never, t0 + 30s);
  auto early = park(s, q.getters(), never, t0 + 10s);
  auto forever = park(s, q.getters(), never);
  ASSERT_TRUE(s.next_deadline().has_value());
  EXPECT_EQ(*s.next_deadline(), t0 + 10s);
  EXPECT_EQ(s.expire_due(t0 + 5s), 0u);
  EXPECT_EQ(s.expire_due(t0 + 10s), 1u);
  EXPECT_EQ(early->outcome.status, WaitStatus::timed_out);
  EXPECT_FALSE(late->finished());
  EXPECT_EQ(*s.next_deadline(), t0 + 30s);
  EXPECT_EQ(s.expire_due(t0 + 60s), 1u);
  EXPECT_EQ(late->outcome.status, WaitStatus::timed_out);
  EXPECT_FALSE(s.next_deadline().has_value());  // a wait without a deadline is not indexed
  EXPECT_FALSE(forever->finished());
  EXPECT_EQ(q.getters().size(), 1u);
  s.withdraw(*forever);  // as a session does when it closes
  EXPECT_TRUE(q.getters().empty());
}

TEST(WaitTypes, OneWaiterInSeveralQueuesIsServedOnceAndLeavesAll) {
  WaitScheduler s;
  QueueObject a(0, false, false), b(0, false, false), c(0, false, false);
  for (QueueObject* q : {&a, &b, &c}) q->attach(s);
  QueueObject* qs[] = {&a, &b, &c};
  Waiter w;
  w.try_complete = [&qs](Waiter& self, Wake wake) {
    return qs[wake.source]->take_now(self.outcome.item, true);
  };
  WaitQueue* queues[] = {&a.getters(), &b.getters(), &c.getters()};
  s.park(w, queues);
  std::string x = "x";
  EXPECT_TRUE(b.put_now(x));
  s.run();
  EXPECT_EQ(w.outcome.item, "x");
  EXPECT_TRUE(a.getters().empty());
  EXPECT_TRUE(b.getters().empty());
  EXPECT_TRUE(c.getters().empty());
  std::string y = "y";
  EXPECT_TRUE(a.put_now(y));  // nobody waits any more: the item stays
  s.run();
  EXPECT_EQ(a.size(), 1u);
}

TEST(WaitTypes, DeletingTheObjectEndsItsWaitsWithNotFound) {
  WaitScheduler s;
  QueueObject q(0, false, false);
  q.attach(s);
  auto w = park(
      s, q.getters(), [](WaitOutcome&, Wake) { return false; }, Clock::now() + 1h);
  q.finish_waiters(WaitStatus::not_found);
  EXPECT_EQ(w->outcome.status, WaitStatus::not_found);
  EXPECT_TRUE(q.getters().empty());
  EXPECT_FALSE(s.next_deadline().has_value());
}

}  // namespace
}  // namespace procshare::server
