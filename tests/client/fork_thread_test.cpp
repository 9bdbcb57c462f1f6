// The two promises of client.hpp: proxies work after fork() (each process
// on its own connection, the parent's untouched) and from many threads at
// once. Children report through their exit status.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using namespace std::chrono_literals;
using ForkAndThreads = ClientTest;

TEST_F(ForkAndThreads, EightChildrenTimesAThousandIncrements) {
  auto counter = client_.value<long>(name());
  auto d = client_.dict<std::string, long>(name("dict"));
  counter.set(0);
  std::vector<pid_t> children;
  for (int i = 0; i < 8; ++i) {
    children.push_back(in_child([&] {
      for (int j = 0; j < 1000; ++j) {
        counter.incr();
        if (j % 100 == 0) d["hits"] += 1;
      }
      return 0;
    }));
  }
  // The parent's proxy keeps working while the children run...
  for (int j = 0; j < 100; ++j) ASSERT_GE(counter.get(), 0);
  for (pid_t p : children) EXPECT_EQ(wait_child(p), 0);
  // ...and after.
  EXPECT_EQ(counter.get(), 8000);
  EXPECT_EQ(d.at("hits"), 80);
  counter.incr();
  EXPECT_EQ(counter.get(), 8001);
}

TEST_F(ForkAndThreads, AChildNeverUsesItsParentsConnection) {
  auto d = client_.dict<std::string, std::string>(name());
  const std::string parent_id = std::to_string(client_.call({"CLIENT", "ID"}).integer);
  pid_t child = in_child([&] {
    std::string mine = std::to_string(client_.call({"CLIENT", "ID"}).integer);
    d["child"] = mine;
    return mine != parent_id ? 0 : 3;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_NE(d.at("child"), parent_id);
  // The parent's connection is the same one as before the fork.
  EXPECT_EQ(std::to_string(client_.call({"CLIENT", "ID"}).integer), parent_id);
}

TEST_F(ForkAndThreads, AChildKilledHoldingALockFreesIt) {
  auto lock = client_.lock(name());
  auto ready = client_.event(name("ready"));
  pid_t child = in_child([&] {
    lock.acquire();
    ready.set();
    ::pause();  // hold it until killed
    return 0;
  });
  ASSERT_TRUE(ready.wait_for(10s));
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.try_lock());
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_child(child), 128 + SIGKILL);
  // The server notices the connection close and hands the lock on.
  EXPECT_TRUE(lock.try_lock_for(10s));
  lock.unlock();
  EXPECT_GE(std::stoll(lock.describe().fields["abandoned"]), 1);
}

TEST_F(ForkAndThreads, ThreeProcessesWithALockCountToFifteen) {
  auto d = client_.dict<std::string, long>(name());
  auto lock = client_.lock(name("lock"));
  d["count"] = 0;
  std::vector<pid_t> children;
  for (int i = 0; i < 3; ++i) {
    children.push_back(in_child([&] {
      for (int j = 0; j < 5; ++j) {
        std::lock_guard g(lock);
        long v = d["count"];  // a read-modify-write made safe by the lock
        d["count"] = v + 1;
      }
      return 0;
    }));
  }
  for (pid_t p : children) EXPECT_EQ(wait_child(p), 0);
  EXPECT_EQ(d.at("count"), 15);
}

TEST_F(ForkAndThreads, AnonymousObjectsSurviveTheParentsProxyInAChild) {
  auto q = std::make_unique<Queue<int>>(client_.queue<int>());
  std::string n = q->name();
  auto go = client_.event(name("go"));
  auto done = client_.event(name("done"));
  pid_t child = in_child([&, copy = *q] {
    copy.put(1);  // first use in the child: takes the child's own reference
    go.set();
    done.wait();  // the parent dropped its proxy meanwhile
    copy.put(2);
    return copy.size() == 2 ? 0 : 4;
  });
  ASSERT_TRUE(go.wait_for(10s));
  q.reset();  // the parent's reference goes; the child's keeps the queue
  EXPECT_TRUE(client_.exists(n));
  done.set();
  EXPECT_EQ(wait_child(child), 0);
  // The child exited: its reference went with its connection.
  EXPECT_TRUE(wait_until([&] { return !client_.exists(n); }));
}

TEST_F(ForkAndThreads, EightThreadsShareOneProxy) {
  auto counter = client_.value<long>(name());
  auto d = client_.dict<int, int>(name("dict"));
  auto l = client_.list<int>(name("list"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < 500; ++j) {
        counter.incr();
        d[t * 1000 + j] = j;
        if (j % 50 == 0) l.append(t);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.get(), 4000);
  EXPECT_EQ(d.size(), 4000u);
  EXPECT_EQ(l.size(), 80u);
  EXPECT_EQ(d.at(7499), 499);
}

TEST_F(ForkAndThreads, ThreadsBlockIndependently) {
  // One thread waits on a queue while others keep using the same Client:
  // each thread has its own connection, so nobody waits behind the get().
  auto q = client_.queue<int>(name());
  std::thread consumer([&] { EXPECT_EQ(q.get(), 7); });
  ASSERT_TRUE(blocked(1));
  std::thread producer([&] {
    EXPECT_EQ(client_.ping(), "PONG");
    q.put(7);
  });
  producer.join();
  consumer.join();
}

TEST_F(ForkAndThreads, AThreadThatEndsReleasesItsLockAndConnection) {
  Client c = connect();
  auto lock = c.lock(name());
  std::size_t before = c.open_connections();
  std::thread([&] {
    lock.acquire();
    EXPECT_EQ(c.open_connections(), before + 1);
  }).join();
  EXPECT_EQ(c.open_connections(), before);
  // The thread's connection closed, so the server released its lock.
  EXPECT_TRUE(lock.try_lock_for(10s));
}

TEST_F(ForkAndThreads, ThreadsAcrossForkedChildren) {
  auto counter = client_.value<long>(name());
  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    children.push_back(in_child([&] {
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
          for (int j = 0; j < 100; ++j) counter.incr();
        });
      }
      for (auto& t : threads) t.join();
      return 0;
    }));
  }
  for (pid_t p : children) EXPECT_EQ(wait_child(p), 0);
  EXPECT_EQ(counter.get(), 800);
}

TEST_F(ForkAndThreads, ForkWhileAnotherThreadIsInACall) {
  // A thread sits in a blocking call while the main thread forks: the child
  // must neither deadlock on the client's bookkeeping nor read that
  // thread's replies.
  auto q = client_.queue<int>(name());
  std::thread waiter([&] { EXPECT_EQ(q.get(), 1); });
  ASSERT_TRUE(blocked(1));
  pid_t child = in_child([&] {
    q.put(1);  // wakes the parent's thread, through the child's own connection
    return client_.ping() == "PONG" ? 0 : 5;
  });
  EXPECT_EQ(wait_child(child), 0);
  waiter.join();
}

}  // namespace
}  // namespace procshare::test
