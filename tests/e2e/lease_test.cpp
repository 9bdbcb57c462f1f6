// Issue 13 through the real server: leased queue delivery (ACK, NACK,
// EXTEND, expiry, dead letters, joinable queues), lock / semaphore /
// condition leases, the news that an owner died (WITHSTATE), and CLIENT
// HEARTBEAT. Each behaviour runs in RESP2 and RESP3. Waits are on observable
// state (DESCRIBE fields, a timed wait that must time out), never a sleep.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

using Clock = std::chrono::steady_clock;

// A DESCRIBE field as text ("" for null), in RESP2 (array) or RESP3 (map).
std::string field(RawClient& c, const std::string& obj, const std::string& key) {
  Reply r = c.call({"DESCRIBE", obj});
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str != key) continue;
    const Reply& v = r.elements[i + 1];
    if (v.type == Reply::Type::integer || v.type == Reply::Type::boolean) {
      return std::to_string(v.integer);
    }
    return v.str;
  }
  return "<absent>";
}

class Lease : public ::testing::TestWithParam<int> {
 protected:
  RawClient client() {
    auto c = RawClient::unix_socket(server_.unix_path());
    if (GetParam() == 3) {
      EXPECT_EQ(c.call({"HELLO", "3"}).type, Reply::Type::map);
    }
    return c;
  }
  // QUEUE.GET ... LEASE: [item, id] in both protocols.
  static std::pair<std::string, std::string> leased(const Reply& r) {
    EXPECT_EQ(r.type, Reply::Type::array) << r.str;
    if (r.elements.size() != 2) return {};
    EXPECT_EQ(r.elements[0].type, Reply::Type::bulk);
    EXPECT_EQ(r.elements[1].type, Reply::Type::integer);
    return {r.elements[0].str, std::to_string(r.elements[1].integer)};
  }
  ServerProcess server_;
};

INSTANTIATE_TEST_SUITE_P(Resp, Lease, ::testing::Values(2, 3),
                         [](const auto& info) { return "RESP" + std::to_string(info.param); });

TEST_P(Lease, AckSettlesOnceAndPlainGetIsUnchanged) {
  auto c = client();
  for (auto v : {"a", "b"}) ASSERT_EQ(c.call({"QUEUE.PUT", "q", v}).str, "OK");
  auto [item, id] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30"}));
  EXPECT_EQ(item, "a");
  EXPECT_EQ(field(c, "q", "inflight"), "1");
  EXPECT_EQ(c.call({"QUEUE.SIZE", "q"}).integer, 1);
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id}).integer, 1);
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id}).integer, 0);  // settled already
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", "999999"}).integer, 0);
  EXPECT_EQ(field(c, "q", "inflight"), "0");
  Reply plain = c.call({"QUEUE.GET", "q"});
  EXPECT_EQ(plain.type, Reply::Type::bulk);
  EXPECT_EQ(plain.str, "b");
  EXPECT_EQ(c.call({"QUEUE.GET", "q", "NOWAIT", "LEASE", "5"}).str.substr(0, 6), "EMPTY ");
  EXPECT_EQ(c.call({"QUEUE.GET", "q", "LEASE", "0"}).str.substr(0, 4), "ERR ");
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", "x"}).str.substr(0, 10), "VALUEERROR");
}

TEST_P(Lease, ExpiryPutsTheItemBackAtTheHeadAndALateAckIsZero) {
  auto c = client();
  for (auto v : {"a", "b", "c"}) c.call({"QUEUE.PUT", "q", v});
  auto [item, id] = leased(c.call({"QUEUE.GET", "q", "LEASE", "0.2"}));
  ASSERT_EQ(item, "a");
  ASSERT_TRUE(wait_until([&] { return field(c, "q", "inflight") == "0"; }));
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id}).integer, 0);  // too late: it went back
  EXPECT_EQ(field(c, "q", "redelivered"), "0");
  auto [again, id2] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30"}));
  EXPECT_EQ(again, "a");  // redelivered first, ahead of b and c
  EXPECT_NE(id2, id);
  EXPECT_EQ(field(c, "q", "redelivered"), "1");
  EXPECT_EQ(field(c, "q", "delivered"), "2");
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id2}).integer, 1);
}

TEST_P(Lease, ExpiryServesTheNextWaiterAtOnce) {
  auto a = client();
  auto b = client();
  a.call({"QUEUE.PUT", "q", "job"});
  leased(a.call({"QUEUE.GET", "q", "LEASE", "0.3"}));
  b.send({"QUEUE.GET", "q", "LEASE", "30", "TIMEOUT", "10"});
  auto [item, id] = leased(b.read(10s));
  EXPECT_EQ(item, "job");
}

TEST_P(Lease, ClosingTheHolderRequeuesItsItemsInOrderAheadOfNewerOnes) {
  auto c = client();
  for (auto v : {"a", "b", "c", "d"}) c.call({"QUEUE.PUT", "q", v});
  {
    auto holder = client();
    EXPECT_EQ(leased(holder.call({"QUEUE.GET", "q", "LEASE", "60"})).first, "a");
    EXPECT_EQ(leased(holder.call({"QUEUE.GET", "q", "LEASE", "60"})).first, "b");
    EXPECT_EQ(field(c, "q", "inflight"), "2");
  }  // closed
  ASSERT_TRUE(wait_until([&] { return field(c, "q", "inflight") == "0"; }));
  for (auto want : {"a", "b", "c", "d"}) EXPECT_EQ(c.call({"QUEUE.GET", "q"}).str, want);
}

TEST_P(Lease, NackGoesBackNowOrAfterItsDelay) {
  auto c = client();
  for (auto v : {"a", "b"}) c.call({"QUEUE.PUT", "q", v});
  auto [item, id] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30"}));
  EXPECT_EQ(c.call({"QUEUE.NACK", "q", id}).integer, 1);
  EXPECT_EQ(c.call({"QUEUE.NACK", "q", id}).integer, 0);
  auto [again, id2] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30"}));
  EXPECT_EQ(again, "a");
  EXPECT_EQ(c.call({"QUEUE.NACK", "q", id2, "DELAY", "0.3"}).integer, 1);
  EXPECT_EQ(field(c, "q", "delayed"), "1");
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id2}).integer, 0);  // settled by the NACK
  EXPECT_EQ(c.call({"QUEUE.SIZE", "q"}).integer, 1);      // only b, for now
  EXPECT_EQ(leased(c.call({"QUEUE.GET", "q", "LEASE", "30"})).first, "b");
  // Comes back after the delay, to a getter that waits for it.
  auto [late, id3] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30", "TIMEOUT", "10"}));
  EXPECT_EQ(late, "a");
  EXPECT_EQ(field(c, "q", "delayed"), "0");
}

TEST_P(Lease, ExtendKeepsTheItemInFlight) {
  auto c = client();
  auto other = client();
  c.call({"QUEUE.PUT", "q", "a"});
  auto [item, id] = leased(c.call({"QUEUE.GET", "q", "LEASE", "0.4"}));
  EXPECT_EQ(c.call({"QUEUE.EXTEND", "q", id, "30"}).integer, 1);
  // Past the first lease: nothing comes back.
  EXPECT_EQ(other.call({"QUEUE.GET", "q", "TIMEOUT", "1"}).str.substr(0, 5), "EMPTY");
  EXPECT_EQ(field(c, "q", "inflight"), "1");
  EXPECT_EQ(c.call({"QUEUE.ACK", "q", id}).integer, 1);
  EXPECT_EQ(c.call({"QUEUE.EXTEND", "q", id, "30"}).integer, 0);
}

TEST_P(Lease, DeadLetterAfterMaxDeliveries) {
  auto c = client();
  ASSERT_EQ(c.call({"CREATE", "queue", "q", "MAXDELIVERIES", "2", "DEADLETTER", "dead"}).str, "OK");
  c.call({"QUEUE.PUT", "q", "poison"});
  c.call({"QUEUE.PUT", "q", "fine"});
  auto [p1, id1] = leased(c.call({"QUEUE.GET", "q", "LEASE", "30"}));
  EXPECT_EQ(c.call({"QUEUE.NACK", "q", id1}).integer, 1);
  auto [p2, id2] = leased(c.call({"QUEUE.GET", "q", "LEASE", "0.2"}));
  EXPECT_EQ(p2, "poison");
  // The second delivery expires: delivered twice, it goes to "dead".
  ASSERT_TRUE(wait_until([&] { return field(c, "q", "deadlettered") == "1"; }));
  EXPECT_EQ(c.call({"QUEUE.GET", "dead", "NOWAIT"}).str, "poison");
  EXPECT_EQ(c.call({"QUEUE.GET", "q", "NOWAIT"}).str, "fine");
  EXPECT_EQ(field(c, "q", "maxdeliveries"), "2");
  EXPECT_EQ(c.call({"CREATE", "queue", "x", "MAXDELIVERIES", "2"}).str.substr(0, 3), "ERR");
  EXPECT_EQ(c.call({"CREATE", "queue", "x", "MAXDELIVERIES", "0", "DEADLETTER", "d"}).type,
            Reply::Type::error);
  EXPECT_EQ(c.call({"EXISTS", "x"}).integer, 0);
}

TEST_P(Lease, JoinableQueueCountsAcknowledgedWork) {
  auto c = client();
  c.call({"CREATE", "joinablequeue", "j"});
  c.call({"QUEUE.PUT", "j", "1"});
  c.call({"QUEUE.PUT", "j", "2"});
  auto [i1, id1] = leased(c.call({"QUEUE.GET", "j", "LEASE", "30"}));
  EXPECT_EQ(c.call({"QUEUE.ACK", "j", id1}).integer, 1);
  EXPECT_EQ(field(c, "j", "unfinished"), "1");
  {
    auto worker = client();
    leased(worker.call({"QUEUE.GET", "j", "LEASE", "30"}));
  }  // the worker dies holding its job: redelivered, still unfinished
  ASSERT_TRUE(wait_until([&] { return field(c, "j", "inflight") == "0"; }));
  EXPECT_EQ(field(c, "j", "unfinished"), "1");
  EXPECT_EQ(c.call({"QUEUE.JOIN", "j", "TIMEOUT", "0.2"}).integer, 0);
  auto joiner = client();
  joiner.send({"QUEUE.JOIN", "j"});
  auto [i2, id2] = leased(c.call({"QUEUE.GET", "j", "LEASE", "30"}));
  EXPECT_EQ(i2, "2");
  EXPECT_EQ(c.call({"QUEUE.ACK", "j", id2}).integer, 1);
  EXPECT_EQ(joiner.read(10s).integer, 1);
}

TEST_P(Lease, LockLeaseRunsOutAndTheNextOwnerLearnsIt) {
  auto a = client();
  auto b = client();
  Reply first = a.call({"LOCK.ACQUIRE", "l", "LEASE", "0.3"});
  ASSERT_EQ(first.type, Reply::Type::integer);
  std::string expires = field(a, "l", "expires");
  EXPECT_FALSE(expires.empty());
  EXPECT_LE(std::stoll(expires), 300);
  Reply r = b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "10", "WITHSTATE"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_GT(r.elements[0].integer, first.integer);
  EXPECT_EQ(r.elements[1].integer, 1);  // the previous owner died holding it
  EXPECT_EQ(a.call({"LOCK.RELEASE", "l"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(a.call({"LOCK.EXTEND", "l", "5"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(field(a, "l", "owner"), field(b, "l", "owner"));
  EXPECT_EQ(field(a, "l", "expired"), "1");
  EXPECT_EQ(b.call({"LOCK.RELEASE", "l"}).str, "OK");
  Reply next = a.call({"LOCK.ACQUIRE", "l", "WITHSTATE"});
  EXPECT_EQ(next.elements.at(1).integer, 0);  // told once only
}

TEST_P(Lease, LockExtendKeepsTheLock) {
  auto a = client();
  auto b = client();
  a.call({"LOCK.ACQUIRE", "l", "LEASE", "0.4"});
  EXPECT_EQ(a.call({"LOCK.EXTEND", "l", "30"}).integer, 1);
  EXPECT_EQ(b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "1"}).integer, 0);
  EXPECT_EQ(b.call({"LOCK.EXTEND", "l", "30"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(a.call({"LOCK.RELEASE", "l"}).str, "OK");
  EXPECT_EQ(field(a, "l", "expires"), "");
}

TEST_P(Lease, AnOwnerThatDisconnectsIsReportedToTheNext) {
  auto b = client();
  {
    auto a = client();
    a.call({"LOCK.ACQUIRE", "l"});
  }
  Reply r = b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "10", "WITHSTATE"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[1].integer, 1);
  EXPECT_EQ(field(b, "l", "abandoned"), "1");
}

TEST_P(Lease, RlockConditionAndSemaphoreLeases) {
  auto a = client();
  auto b = client();
  a.call({"CREATE", "rlock", "r"});
  a.call({"LOCK.ACQUIRE", "r", "LEASE", "0.2"});
  Reply r = b.call({"LOCK.ACQUIRE", "r", "TIMEOUT", "10", "WITHSTATE"});
  EXPECT_EQ(r.elements.at(1).integer, 1);
  EXPECT_EQ(a.call({"LOCK.RELEASE", "r"}).str.substr(0, 8), "NOTOWNER");

  EXPECT_EQ(a.call({"COND.ACQUIRE", "c", "LEASE", "0.2"}).integer, 1);
  Reply cr = b.call({"COND.ACQUIRE", "c", "TIMEOUT", "10", "WITHSTATE"});
  EXPECT_EQ(cr.elements.at(0).integer, 1);
  EXPECT_EQ(cr.elements.at(1).integer, 1);
  EXPECT_EQ(a.call({"COND.RELEASE", "c"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(b.call({"COND.EXTEND", "c", "30"}).integer, 1);
  EXPECT_EQ(b.call({"COND.RELEASE", "c"}).str, "OK");

  a.call({"CREATE", "semaphore", "s", "VALUE", "1"});
  EXPECT_EQ(a.call({"SEM.ACQUIRE", "s", "LEASE", "0.2"}).integer, 1);
  Reply sr = b.call({"SEM.ACQUIRE", "s", "TIMEOUT", "10", "WITHSTATE"});
  EXPECT_EQ(sr.elements.at(0).integer, 1);
  EXPECT_EQ(sr.elements.at(1).integer, 1);
  EXPECT_EQ(a.call({"SEM.RELEASE", "s"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(b.call({"SEM.EXTEND", "s", "30"}).integer, 1);
  EXPECT_EQ(a.call({"SEM.EXTEND", "s", "30"}).str.substr(0, 8), "NOTOWNER");
  EXPECT_EQ(b.call({"SEM.RELEASE", "s"}).str, "OK");
  a.call({"CREATE", "semaphore", "u", "UNOWNED"});
  EXPECT_EQ(a.call({"SEM.ACQUIRE", "u", "LEASE", "1"}).str.substr(0, 10), "VALUEERROR");
}

// A child process that holds `lock` (with `setup` sent first) and then waits
// for the parent: it writes 'A' when it holds the lock, then, told to go on,
// releases and writes the first byte of the reply ('+' or '-').
struct Holder {
  pid_t pid = -1;
  int to_child = -1, from_child = -1;

  Holder(const std::string& socket, std::vector<std::vector<std::string>> setup) {
    int down[2], up[2];
    if (::pipe(down) != 0 || ::pipe(up) != 0) throw std::runtime_error("pipe");
    pid = ::fork();
    if (pid == 0) {
      ::close(down[1]);
      ::close(up[0]);
      char byte = '?';
      try {
        auto c = RawClient::unix_socket(socket);
        for (auto& cmd : setup) c.call(cmd);
        byte = 'A';
        if (::write(up[1], &byte, 1) != 1) ::_exit(2);
        if (::read(down[0], &byte, 1) != 1) ::_exit(3);
        Reply r = c.call({"LOCK.RELEASE", "l"});
        byte = r.type == Reply::Type::error ? '-' : '+';
      } catch (...) {
        byte = 'x';
      }
      if (::write(up[1], &byte, 1) != 1) ::_exit(4);
      ::_exit(0);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child = down[1];
    from_child = up[0];
  }
  char next() {
    char b = 0;
    return ::read(from_child, &b, 1) == 1 ? b : 0;
  }
  ~Holder() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    ::close(to_child);
    ::close(from_child);
  }
};

TEST(LeaseStopped, AStoppedHolderLosesItsLeasedLockToTheNextWaiter) {
  ServerProcess server;
  auto b = RawClient::unix_socket(server.unix_path());
  Holder holder(server.unix_path(), {{"LOCK.ACQUIRE", "l", "LEASE", "1"}});
  ASSERT_EQ(holder.next(), 'A');
  const std::int64_t first = std::stoll(field(b, "l", "token"));
  ASSERT_EQ(::kill(holder.pid, SIGSTOP), 0);
  const auto t0 = Clock::now();
  Reply r = b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "10", "WITHSTATE"});
  const auto waited = Clock::now() - t0;
  ASSERT_EQ(r.elements.size(), 2u) << r.str;
  EXPECT_GT(r.elements[0].integer, first);
  EXPECT_EQ(r.elements[1].integer, 1);
  EXPECT_LT(waited, 1500ms);
  ASSERT_EQ(::kill(holder.pid, SIGCONT), 0);
  char go = 'g';
  ASSERT_EQ(::write(holder.to_child, &go, 1), 1);
  EXPECT_EQ(holder.next(), '-');  // NOTOWNER: its lease ran out
  EXPECT_EQ(b.call({"LOCK.RELEASE", "l"}).str, "OK");
}

TEST(LeaseStopped, HeartbeatClosesAStoppedHolder) {
  ServerProcess server;
  auto b = RawClient::unix_socket(server.unix_path());
  Holder holder(server.unix_path(), {{"CLIENT", "HEARTBEAT", "1"}, {"LOCK.ACQUIRE", "l"}});
  ASSERT_EQ(holder.next(), 'A');
  ASSERT_EQ(::kill(holder.pid, SIGSTOP), 0);
  const auto t0 = Clock::now();
  Reply r = b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "10", "WITHSTATE"});
  const auto waited = Clock::now() - t0;
  ASSERT_EQ(r.elements.size(), 2u) << r.str;
  EXPECT_EQ(r.elements[1].integer, 1);
  EXPECT_LT(waited, 2000ms);
  EXPECT_GE(info_field(b, "heartbeat_disconnects"), 1);
  ::kill(holder.pid, SIGCONT);
}

TEST(LeaseStopped, HeartbeatKeepsAClientThatSpeaks) {
  ServerProcess server;
  auto a = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(a.call({"CLIENT", "HEARTBEAT", "0.5"}).str, "OK");
  EXPECT_EQ(a.call({"CLIENT", "HEARTBEAT", "-1"}).type, Reply::Type::error);
  a.call({"LOCK.ACQUIRE", "l"});
  auto b = RawClient::unix_socket(server.unix_path());
  // Pings at twice the heartbeat rate for 1.5 s: it keeps the lock.
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(b.call({"LOCK.ACQUIRE", "l", "TIMEOUT", "0.25"}).integer, 0);
    EXPECT_EQ(a.call({"PING"}).str, "PONG");
  }
  EXPECT_EQ(a.call({"LOCK.RELEASE", "l"}).str, "OK");
}

}  // namespace
}  // namespace procshare::test
