// Issue 3 through the real server: many clients at once, killed clients,
// fairness, and a loop that keeps serving while clients are parked.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST(Concurrency, FiftyClientsIncrementOneKeyExactly) {
  ServerProcess server;
  constexpr int kClients = 50, kEach = 1000, kBatch = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto c =
            t % 2 ? RawClient::unix_socket(server.unix_path()) : RawClient::tcp(server.tcp_port());
        for (int done = 0; done < kEach; done += kBatch) {
          for (int i = 0; i < kBatch; ++i) c.send({"DICT.INCRBY", "counts", "total", "1"});
          for (int i = 0; i < kBatch; ++i) {
            if (c.read(30s).type != Reply::Type::integer) ++failures;
          }
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"DICT.GET", "counts", "total"}).str, std::to_string(kClients * kEach));
}

TEST(Concurrency, ProducersAndConsumersOnABoundedQueueLoseNothing) {
  ServerProcess server;
  constexpr int kProducers = 10, kConsumers = 10, kEach = 1000;
  constexpr int kTotal = kProducers * kEach;
  {
    auto c = RawClient::unix_socket(server.unix_path());
    ASSERT_EQ(c.call({"CREATE", "queue", "jobs", "MAXSIZE", "4"}).str, "OK");
  }
  std::mutex mu;
  std::multiset<std::string> got;
  std::atomic<int> received{0}, errors{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      try {
        auto c = RawClient::unix_socket(server.unix_path());
        for (int i = 0; i < kEach; ++i) {
          Reply r = c.call({"QUEUE.PUT", "jobs", std::to_string(p) + ":" + std::to_string(i)}, 60s);
          if (r.str != "OK") ++errors;
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (int k = 0; k < kConsumers; ++k) {
    threads.emplace_back([&] {
      try {
        auto c = RawClient::unix_socket(server.unix_path());
        auto deadline = Clock::now() + 120s;
        while (received.load() < kTotal && Clock::now() < deadline) {
          Reply r = c.call({"QUEUE.GET", "jobs", "TIMEOUT", "0.2"}, 60s);
          if (r.type == Reply::Type::bulk) {
            std::lock_guard lock(mu);
            got.insert(r.str);
            ++received;
          } else if (!(r.is_error() && r.error_code() == "EMPTY")) {
            ++errors;
          }
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kTotal));
  std::set<std::string> distinct(got.begin(), got.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kTotal)) << "an item was duplicated";
  for (int p = 0; p < kProducers; ++p) {
    for (int i = 0; i < kEach; ++i) {
      ASSERT_TRUE(distinct.count(std::to_string(p) + ":" + std::to_string(i)))
          << "lost " << p << ":" << i;
    }
  }
}

TEST(Concurrency, BarrierOfEightReleasesAllWithDistinctIndexes) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(admin.call({"CREATE", "barrier", "b", "PARTIES", "8"}).str, "OK");
  std::vector<RawClient> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(RawClient::unix_socket(server.unix_path()));
  for (int i = 0; i < 7; ++i) clients[i].send({"BARRIER.WAIT", "b"});
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 7; }));
  clients[7].send({"BARRIER.WAIT", "b"});
  std::set<long> indexes;
  for (auto& c : clients) {
    Reply r = c.read();
    ASSERT_EQ(r.type, Reply::Type::integer);
    indexes.insert(static_cast<long>(r.integer));
  }
  EXPECT_EQ(indexes, (std::set<long>{0, 1, 2, 3, 4, 5, 6, 7}));
}

// Forks a child that connects, runs `commands` and reports each reply's
// integer on a pipe, then sleeps until killed.
struct Child {
  pid_t pid = -1;
  int fd = -1;
};

Child spawn_holder(const std::string& socket, std::vector<std::vector<std::string>> commands) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    try {
      auto c = RawClient::unix_socket(socket);
      for (auto& cmd : commands) {
        c.send(cmd);
        if (cmd[0] == "QUEUE.GET") continue;  // parks: no reply expected
        long v = static_cast<long>(c.read(30s).integer);
        if (write(p[1], &v, sizeof v) != sizeof v) _exit(3);
      }
      long done = -1;
      if (write(p[1], &done, sizeof done) != sizeof done) _exit(3);
      pause();
    } catch (...) {
    }
    _exit(2);
  }
  close(p[1]);
  return {pid, p[0]};
}

long read_long(int fd) {
  long v = 0;
  EXPECT_EQ(read(fd, &v, sizeof v), static_cast<ssize_t>(sizeof v));
  return v;
}

TEST(Faults, KilledLockOwnerFreesTheLockWithAHigherToken) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  Child child = spawn_holder(server.unix_path(), {{"LOCK.ACQUIRE", "guard"}});
  long child_token = read_long(child.fd);
  ASSERT_GT(child_token, 0);
  EXPECT_EQ(read_long(child.fd), -1);

  auto waiter = RawClient::unix_socket(server.unix_path());
  waiter.send({"LOCK.ACQUIRE", "guard"});
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));
  auto killed_at = Clock::now();
  kill(child.pid, SIGKILL);
  Reply r = waiter.read(10s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
  waitpid(child.pid, nullptr, 0);
  close(child.fd);
  ASSERT_EQ(r.type, Reply::Type::integer);
  EXPECT_GT(r.integer, child_token);
  // The issue asks for 200 ms; allow slack for a loaded CI machine, and
  // print the figure.
  EXPECT_LT(took.count(), 1000);
  std::printf("lock handed over %lld ms after the owner was killed\n",
              static_cast<long long>(took.count()));
  Reply d = admin.call({"DESCRIBE", "guard"});
  bool saw_abandoned = false;
  for (std::size_t i = 0; i + 1 < d.elements.size(); i += 2) {
    if (d.elements[i].str == "abandoned") {
      saw_abandoned = true;
      EXPECT_EQ(d.elements[i + 1].integer, 1);
    }
  }
  EXPECT_TRUE(saw_abandoned);
}

TEST(Faults, KilledBlockedConsumerLosesNoItem) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  admin.call({"CREATE", "queue", "work"});
  Child child = spawn_holder(server.unix_path(), {{"QUEUE.GET", "work"}});
  EXPECT_EQ(read_long(child.fd), -1);
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));
  kill(child.pid, SIGKILL);
  waitpid(child.pid, nullptr, 0);
  close(child.fd);
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 0; }));
  EXPECT_EQ(admin.call({"QUEUE.PUT", "work", "precious"}).str, "OK");
  auto live = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(live.call({"QUEUE.GET", "work", "TIMEOUT", "5"}).str, "precious");
}

TEST(Faults, ParkedClientNeverBlocksTheLoop) {
  ServerProcess server;
  auto parked = RawClient::unix_socket(server.unix_path());
  parked.send({"QUEUE.GET", "never", "TIMEOUT", "60"});
  auto other = RawClient::tcp(server.tcp_port());
  ASSERT_TRUE(wait_until([&] { return info_field(other, "blocked_clients") == 1; }));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(other.call({"DICT.INCRBY", "d", "n", "1"}, 5s).integer, i + 1);
  }
  EXPECT_EQ(info_field(other, "blocked_clients"), 1);
  EXPECT_TRUE(parked.no_reply_within(std::chrono::milliseconds(10)));
}

TEST(Fairness, LockWaitersAreServedInArrivalOrder) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  auto owner = RawClient::unix_socket(server.unix_path());
  ASSERT_GT(owner.call({"LOCK.ACQUIRE", "l"}).integer, 0);
  std::vector<RawClient> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(RawClient::unix_socket(server.unix_path()));
    waiters.back().send({"LOCK.ACQUIRE", "l"});
    ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == i + 1; }));
  }
  long last = owner.call({"LOCK.RELEASE", "l"}).type == Reply::Type::error ? -1 : 0;
  ASSERT_EQ(last, 0);
  long previous_token = 0;
  for (int i = 0; i < 3; ++i) {
    Reply r = waiters[i].read();
    ASSERT_EQ(r.type, Reply::Type::integer) << "waiter " << i;
    EXPECT_GT(r.integer, previous_token);
    previous_token = r.integer;
    for (int j = i + 1; j < 3; ++j)
      EXPECT_TRUE(waiters[j].no_reply_within(std::chrono::milliseconds(20)));
    waiters[i].call({"LOCK.RELEASE", "l"});
  }
}

TEST(Faults, ClosingTheOwnersTerminalWakesTheSecond) {
  // The README's two-terminal example: nc in each; closing the first frees the lock.
  ServerProcess server;
  auto first = RawClient::unix_socket(server.unix_path());
  first.send_raw("LOCK.ACQUIRE printer\r\n");
  EXPECT_EQ(first.read().integer, 1);
  auto second = RawClient::unix_socket(server.unix_path());
  second.send_raw("LOCK.ACQUIRE printer\r\n");
  EXPECT_TRUE(second.no_reply_within(std::chrono::milliseconds(50)));
  first.close();
  EXPECT_EQ(second.read().integer, 2);
}

}  // namespace
}  // namespace procshare::test
