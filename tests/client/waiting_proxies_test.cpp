// Every method of the waiting proxies (Queue, JoinableQueue, Lock, RLock,
// Semaphore, BoundedSemaphore, Condition, Event, Barrier) against the real
// server: their timeouts, error cases and standard-library fit. Waits are
// observed through the server's blocked_clients count, never by sleeping.
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using namespace std::chrono_literals;
using WaitingProxies = ClientTest;

TEST_F(WaitingProxies, QueueBasics) {
  auto q = client_.queue<std::string>(name());
  EXPECT_TRUE(q.empty());
  q.put("a");
  EXPECT_TRUE(q.try_put("b"));
  q.put("c", 1s);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_FALSE(q.full());
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(1s), "b");
  EXPECT_EQ(q.try_get(), "c");
  EXPECT_EQ(q.try_get(), std::nullopt);
  EXPECT_THROW(q.get(10ms), Empty);
  EXPECT_EQ(q.try_get_for(10ms), std::nullopt);
}

TEST_F(WaitingProxies, BoundedAndLifoQueues) {
  auto q = client_.queue<int>(name(), {.maxsize = 2});
  q.put(1);
  q.put(2);
  EXPECT_TRUE(q.full());
  EXPECT_FALSE(q.try_put(3));
  EXPECT_THROW(q.put(3, 10ms), Full);
  EXPECT_FALSE(q.try_put_for(3, 10ms));
  auto lifo = client_.queue<int>(name("lifo"), {.lifo = true});
  lifo.put(1);
  lifo.put(2);
  EXPECT_EQ(lifo.get(), 2);
  EXPECT_EQ(q.describe().fields["maxsize"], "2");
}

TEST_F(WaitingProxies, BlockedGetIsWokenByAPut) {
  auto q = client_.queue<int>(name());
  auto got = std::async(std::launch::async, [&] { return q.get(); });
  ASSERT_TRUE(blocked(1));
  connect().queue<int>(name()).put(42);
  EXPECT_EQ(got.get(), 42);
}

TEST_F(WaitingProxies, JoinableQueue) {
  auto q = client_.joinable_queue<int>(name());
  EXPECT_TRUE(q.join_for(0ms));
  q.put(1);
  q.put(2);
  EXPECT_FALSE(q.join_for(10ms));
  auto joined = std::async(std::launch::async, [&] { q.join(); });
  ASSERT_TRUE(blocked(1));
  q.get();
  q.task_done();
  q.get();
  q.task_done();
  joined.get();
  EXPECT_THROW(q.task_done(), ValueError);
}

TEST_F(WaitingProxies, LockIsLockableAndTimedLockable) {
  auto lock = client_.lock(name());
  {
    std::lock_guard guard(lock);
    EXPECT_TRUE(lock.locked());
    Client other = connect();
    auto theirs = other.lock(name());
    EXPECT_FALSE(theirs.try_lock());
    EXPECT_FALSE(theirs.try_lock_for(20ms));
    EXPECT_FALSE(theirs.try_lock_until(std::chrono::steady_clock::now() + 20ms));
  }
  EXPECT_FALSE(lock.locked());
  std::unique_lock ul(lock, std::defer_lock);
  EXPECT_TRUE(ul.try_lock_for(1s));
  ul.unlock();
  EXPECT_THROW(lock.release(), NotOwner);  // releasing an unlocked lock
}

TEST_F(WaitingProxies, FencingTokensGrow) {
  auto lock = client_.lock(name());
  std::int64_t first = lock.acquire();
  EXPECT_GT(first, 0);
  lock.release();
  std::int64_t second = lock.acquire_for(1s);
  EXPECT_GT(second, first);
  EXPECT_EQ(connect().lock(name()).acquire_for(10ms), 0);  // timed out
  lock.release();
}

TEST_F(WaitingProxies, ALockMayBeReleasedByAnotherThreadButAnRLockMayNot) {
  auto lock = client_.lock(name());
  lock.lock();
  std::thread([&] { lock.unlock(); }).join();  // Python's Lock allows it
  EXPECT_FALSE(lock.locked());

  auto rlock = client_.rlock(name("r"));
  rlock.lock();
  rlock.lock();  // re-entrant
  std::thread([&] { EXPECT_THROW(rlock.unlock(), NotOwner); }).join();
  rlock.unlock();
  EXPECT_TRUE(rlock.locked());
  rlock.unlock();
  EXPECT_FALSE(rlock.locked());
}

TEST_F(WaitingProxies, ScopedLockOverTwoLocks) {
  auto a = client_.lock(name("a"));
  auto b = client_.rlock(name("b"));
  {
    std::scoped_lock both(a, b);
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
  }
  EXPECT_FALSE(a.locked());
  EXPECT_FALSE(b.locked());
}

TEST_F(WaitingProxies, Semaphores) {
  auto s = client_.semaphore(name(), 2);
  EXPECT_EQ(s.value(), 2);
  s.acquire();
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire_for(10ms));
  EXPECT_FALSE(s.try_acquire_until(std::chrono::system_clock::now() + 10ms));
  s.release(2);
  EXPECT_EQ(s.value(), 2);
  {
    std::lock_guard g(s);
    EXPECT_EQ(s.value(), 1);
  }
  // Permits are owned (the server's default): a client releases only what it
  // holds, so the value never goes above the permits not taken.
  EXPECT_THROW(s.release(), NotOwner);
  EXPECT_EQ(s.value(), 2);

  auto b = client_.bounded_semaphore(name("b"), 1);
  b.acquire();
  b.release();
  EXPECT_THROW(b.release(), ValueError);
  EXPECT_THROW(client_.semaphore(name("b"), 1), Exists);  // taken by another type
}

TEST_F(WaitingProxies, ConditionWithPredicate) {
  auto cond = client_.condition(name());
  auto flag = client_.value<int>(name("flag"));
  auto waiter = std::async(std::launch::async, [&] {
    std::unique_lock lk(cond);
    cond.wait([&] { return flag.get() == 1; });
    return flag.get();
  });
  ASSERT_TRUE(blocked(1));  // the waiter is parked in COND.WAIT
  {
    std::lock_guard g(cond);
    flag = 1;
    cond.notify_all();
  }
  EXPECT_EQ(waiter.get(), 1);
}

TEST_F(WaitingProxies, ConditionTimeoutsAndOwnership) {
  auto cond = client_.condition(name());
  EXPECT_THROW(cond.wait_for(10ms), NotOwner);
  EXPECT_THROW(cond.notify(), NotOwner);
  std::unique_lock lk(cond);
  EXPECT_FALSE(cond.wait_for(10ms));
  EXPECT_FALSE(cond.wait_for(10ms, [] { return false; }));
  EXPECT_TRUE(cond.wait_for(10ms, [] { return true; }));
  EXPECT_FALSE(cond.wait_until(std::chrono::steady_clock::now() + 10ms));
  cond.notify(3);  // nobody waits: fine
  cond.notify_one();
  EXPECT_FALSE(connect().condition(name()).try_lock_for(10ms));
  lk.unlock();
  EXPECT_THROW(cond.release(), NotOwner);
}

TEST_F(WaitingProxies, ConditionOverANamedLock) {
  auto lock = client_.lock(name("lock"));
  auto cond = client_.condition(name(), lock.name());
  {
    std::lock_guard g(cond);
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
}

TEST_F(WaitingProxies, Event) {
  auto e = client_.event(name());
  EXPECT_FALSE(e.is_set());
  EXPECT_FALSE(e.wait_for(10ms));
  auto waiter = std::async(std::launch::async, [&] { e.wait(); });
  ASSERT_TRUE(blocked(1));
  e.set();
  waiter.get();
  EXPECT_TRUE(e.wait_for(0ms));
  e.clear();
  EXPECT_FALSE(e.is_set());
}

TEST_F(WaitingProxies, Barrier) {
  auto b = client_.barrier(name(), 3);
  EXPECT_EQ(b.parties(), 3);
  EXPECT_EQ(b.n_waiting(), 0);
  std::vector<std::future<std::int64_t>> parties;
  for (int i = 0; i < 2; ++i) {
    parties.push_back(std::async(std::launch::async, [&] { return b.wait(); }));
  }
  ASSERT_TRUE(wait_until([&] { return b.n_waiting() == 2; }));
  std::int64_t mine = b.wait();
  std::set<std::int64_t> indexes{mine};
  for (auto& p : parties) indexes.insert(p.get());
  EXPECT_EQ(indexes, (std::set<std::int64_t>{0, 1, 2}));
  EXPECT_THROW(client_.barrier(name(), 4), Exists);
}

TEST_F(WaitingProxies, BarrierBreaksOnTimeoutAndAbort) {
  auto b = client_.barrier(name(), 2);
  EXPECT_THROW(b.wait_for(10ms), BrokenBarrier);
  EXPECT_TRUE(b.broken());
  EXPECT_THROW(b.wait(), BrokenBarrier);
  b.reset();
  EXPECT_FALSE(b.broken());
  auto waiter = std::async(std::launch::async, [&] { return b.wait(); });
  ASSERT_TRUE(wait_until([&] { return b.n_waiting() == 1; }));
  b.abort();
  EXPECT_THROW(waiter.get(), BrokenBarrier);
}

TEST_F(WaitingProxies, AnonymousWaitingObjects) {
  auto l = client_.lock();
  auto r = client_.rlock();
  auto s = client_.semaphore(3);
  auto bs = client_.bounded_semaphore(1);
  auto c = client_.condition();
  auto e = client_.event();
  auto b = client_.barrier(1);
  auto q = client_.queue<int>();
  auto jq = client_.joinable_queue<int>(5);
  EXPECT_TRUE(l.try_lock());
  EXPECT_TRUE(r.try_lock());
  EXPECT_EQ(s.value(), 3);
  EXPECT_TRUE(bs.try_acquire());
  EXPECT_TRUE(c.try_lock());
  e.set();
  EXPECT_EQ(b.wait(), 0);
  q.put(1);
  jq.put(1);
  EXPECT_EQ(jq.describe().fields["maxsize"], "5");
  for (const Object* o :
       std::initializer_list<const Object*>{&l, &r, &s, &bs, &c, &e, &b, &q, &jq}) {
    EXPECT_TRUE(o->anonymous());
  }
}

}  // namespace
}  // namespace procshare::test
