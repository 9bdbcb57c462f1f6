// Issue 12 through the real server: no client may hold up the others, and a
// client that stops reading is held back by its own socket, not by the server.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

// The qbuf= field of one client's CLIENT LIST line.
long qbuf_of(RawClient& admin, long id) {
  std::string list = admin.call({"CLIENT", "LIST", "ID", std::to_string(id)}).str;
  auto at = list.find(" qbuf=");
  if (at == std::string::npos) return -1;
  return std::stol(list.substr(at + 6));
}

std::string pings(std::size_t n) {
  std::string one = "*1\r\n$4\r\nPING\r\n";
  std::string all;
  all.reserve(one.size() * n);
  for (std::size_t i = 0; i < n; ++i) all += one;
  return all;
}

// Writes all of `bytes` with blocking sends (from a thread of its own).
bool send_all(int fd, const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

TEST(Fairness, ParkedClientsBacklogStaysInItsSocketAndRunsInSlices) {
  ServerProcess server;
  auto admin = RawClient::tcp(server.tcp_port());
  auto greedy = RawClient::unix_socket(server.unix_path());
  const long id = greedy.call({"CLIENT", "ID"}).integer;
  greedy.send({"QUEUE.GET", "q"});
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));

  constexpr std::size_t kPings = 1'000'000;  // 14 MB behind the parked request
  const std::string backlog = pings(kPings);
  std::atomic<bool> sent{false};
  std::thread writer([&] { sent = send_all(greedy.fd(), backlog); });

  // The server reads ahead a little, then leaves the rest to push back on the
  // sender through the kernel's buffers: the writer cannot finish.
  ASSERT_TRUE(wait_until([&] { return qbuf_of(admin, id) >= 128 * 1024; }));
  EXPECT_LE(qbuf_of(admin, id), 512 * 1024);
  EXPECT_FALSE(sent.load());

  const long before = info_field(admin, "total_commands_processed");
  auto pusher = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(pusher.call({"QUEUE.PUT", "q", "x"}).str, "OK");
  // Served while the backlog runs, not after it.
  const long during = info_field(admin, "total_commands_processed");
  EXPECT_LT(during - before, static_cast<long>(kPings / 2));

  // And the greedy client loses nothing: its item, then every PONG.
  Reply first = greedy.read(30s);
  EXPECT_EQ(first.str, "x");
  for (std::size_t i = 0; i < kPings; ++i) {
    Reply r = greedy.read(60s);
    if (r.str != "PONG") {
      ADD_FAILURE() << "reply " << i << ": " << r.str;
      break;
    }
  }
  writer.join();
  EXPECT_TRUE(sent.load());
}

TEST(Fairness, ParkedClientThatLeavesBehindABacklogAbandonsItsWait) {
  ServerProcess server;
  auto admin = RawClient::tcp(server.tcp_port());
  {
    auto greedy = RawClient::unix_socket(server.unix_path());
    const long id = greedy.call({"CLIENT", "ID"}).integer;
    greedy.send({"QUEUE.GET", "q"});
    ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));
    // Non-blocking: fill what the kernel takes, then stop.
    const std::string backlog = pings(100'000);
    std::size_t at = 0;
    while (at < backlog.size()) {
      ssize_t n = ::send(greedy.fd(), backlog.data() + at, backlog.size() - at,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0) break;
      at += static_cast<std::size_t>(n);
    }
    ASSERT_TRUE(wait_until([&] { return qbuf_of(admin, id) >= 128 * 1024; }));
  }  // closed with unread bytes on both sides
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 0; }));
  // Its wait is gone: the item goes to a live client.
  ASSERT_EQ(admin.call({"QUEUE.PUT", "q", "kept"}).str, "OK");
  auto live = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(live.call({"QUEUE.GET", "q", "TIMEOUT", "5"}).str, "kept");
}

// A wrapper that starts the server under a lower open-file limit.
std::string limited_server(const std::string& ulimit_args) {
  std::string path = temp_path("limited.sh");
  std::ofstream(path) << "#!/bin/sh\nulimit " << ulimit_args << " || exit 99\nexec '"
                      << PROCSHARE_SERVER_BIN << "' \"$@\"\n";
  ::chmod(path.c_str(), 0700);
  return path;
}

long soft_fd_limit(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream in(line.substr(14));
      long soft = 0;
      in >> soft;
      return soft;
    }
  }
  return -1;
}

TEST(Limits, SoftFileLimitIsRaisedToWhatMaxclientsNeeds) {
  ServerProcess::Options o;
  o.binary = limited_server("-Sn 64");
  o.args = {"--maxclients", "500"};
  ServerProcess server(o);
  EXPECT_GE(soft_fd_limit(server.pid()), 500 + 32);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(info_field(c, "maxclients"), 500);
}

TEST(Limits, MaxclientsIsLoweredToTheHardFileLimitAndSaysSo) {
  ServerProcess::Options o;
  o.binary = limited_server("-n 100");  // soft and hard
  o.args = {"--maxclients", "500"};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(info_field(c, "maxclients"), 100 - 32);
  EXPECT_NE(server.log().find("open file limit 100 is too low"), std::string::npos) << server.log();
  // Every connection past it gets an answer, never a hang.
  std::vector<RawClient> many;
  for (int i = 0; i < 100 - 32 - 1; ++i) many.push_back(RawClient::unix_socket(server.unix_path()));
  auto over = RawClient::unix_socket(server.unix_path());
  Reply r = over.read(10s);
  EXPECT_EQ(r.type, Reply::Type::error);
  EXPECT_EQ(r.str.rfind("LIMIT", 0), 0u) << r.str;
}

TEST(Memory, FlushallGivesMemoryBack) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine";
#endif
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  const std::size_t baseline = rss_bytes(server.pid());
  // ~60 MB of small values in one dict, written in batches.
  for (int batch = 0; batch < 200; ++batch) {
    std::vector<std::string> args{"DICT.UPDATE", "big"};
    for (int i = 0; i < 1000; ++i) {
      args.push_back("k" + std::to_string(batch * 1000 + i));
      args.push_back(std::string(200, 'v'));
    }
    ASSERT_EQ(c.call(args).type, Reply::Type::integer);
  }
  const std::size_t peak = rss_bytes(server.pid());
  ASSERT_GT(peak, baseline + 30 * 1024 * 1024);
  ASSERT_EQ(c.call({"FLUSHALL"}).str, "OK");
  EXPECT_TRUE(wait_until([&] {
    return rss_bytes(server.pid()) < baseline + (peak - baseline) / 4;
  })) << "baseline "
      << baseline << " peak " << peak << " now " << rss_bytes(server.pid());
}

TEST(Secrets, AMalformedAuthNeverPutsTheKeyInTheLog) {
  ServerProcess::Options o;
  o.authkey = "the-real-key-0123456789";
  o.args = {"--loglevel", "verbose"};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  c.send_raw("AUTH \"sekrit-guess-42\r\n");  // unbalanced quote: a protocol error
  EXPECT_TRUE(c.closed_by_peer());
  auto d = RawClient::unix_socket(server.unix_path());
  // A well-framed key whose bulk is not followed by CRLF: a protocol error.
  d.send_raw(
      "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n"
      "$15\r\nkey-in-bulk-xyzXX");
  EXPECT_TRUE(d.closed_by_peer());
  ASSERT_TRUE(wait_until([&] {
    return server.log().find("protocol") != std::string::npos ||
           server.log().find("not shown") != std::string::npos;
  }));
  EXPECT_EQ(server.log().find("sekrit-guess"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("key-in-bulk"), std::string::npos) << server.log();
}

TEST(Identity, RunIdIsInHelloAndInfoAndNewAtEveryStart) {
  std::string first;
  for (int i = 0; i < 2; ++i) {
    ServerProcess server;
    auto c = RawClient::unix_socket(server.unix_path());
    Reply hello = c.call({"HELLO", "3"});
    ASSERT_EQ(hello.type, Reply::Type::map);
    std::string id;
    for (std::size_t k = 0; k + 1 < hello.elements.size(); k += 2) {
      if (hello.elements[k].str == "run_id") id = hello.elements[k + 1].str;
    }
    ASSERT_EQ(id.size(), 40u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    std::string info = c.call({"INFO", "server"}).str;
    EXPECT_NE(info.find("run_id:" + id), std::string::npos);
    if (i == 0)
      first = id;
    else
      EXPECT_NE(id, first);
  }
}

TEST(Clients, KillOfAnUnknownIdCountsZeroAndListFiltersById) {
  ServerProcess server;
  auto a = RawClient::unix_socket(server.unix_path());
  auto b = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(a.call({"CLIENT", "KILL", "ID", "999999"}).integer, 0);
  const long idb = b.call({"CLIENT", "ID"}).integer;
  std::string list = a.call({"CLIENT", "LIST", "ID", std::to_string(idb)}).str;
  EXPECT_EQ(list.find("id=" + std::to_string(idb) + " "), 0u) << list;
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 1);
  EXPECT_EQ(a.call({"CLIENT", "KILL", "ID", std::to_string(idb)}).integer, 1);
  EXPECT_TRUE(b.closed_by_peer());
}

TEST(Secrets, SilentClientsAreClosedAfterTheAuthTimeoutAndCannotFillMaxclients) {
  ServerProcess::Options o;
  o.authkey = "the-real-key-0123456789";
  o.args = {"--auth-timeout", "1", "--maxclients", "20"};
  ServerProcess server(o);
  // Silent sockets hold at most half of maxclients: past that the oldest
  // goes, so a client with the key always gets in.
  std::vector<RawClient> silent;
  for (int i = 0; i < 12; ++i) silent.push_back(RawClient::unix_socket(server.unix_path()));
  auto good = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(good.call({"AUTH", "the-real-key-0123456789"}).str, "OK");
  EXPECT_EQ(good.call({"PING"}).str, "PONG");
  EXPECT_TRUE(silent[0].closed_by_peer(10s));
  EXPECT_EQ(info_field(good, "preauth_refusals"), 3);  // the 11th, 12th and the good one's turn
  // Each remaining silent one is closed once its time is up; the good one stays.
  for (auto& s : silent) EXPECT_TRUE(s.closed_by_peer(30s));
  EXPECT_EQ(info_field(good, "auth_timeouts"), 9);
  EXPECT_EQ(good.call({"PING"}).str, "PONG");
}

TEST(FailedCommands, BlpopOverMaxObjectsLeavesNoListBehind) {
  ServerProcess::Options o;
  o.args = {"--max-objects", "2"};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(c.call({"CREATE", "dict", "d"}).str, "OK");
  Reply r = c.call({"BLPOP", "a", "b", "c", "0.1"});
  EXPECT_EQ(r.type, Reply::Type::error) << r.str;
  EXPECT_EQ(c.call({"EXISTS", "a", "b", "c"}).integer, 0);
  EXPECT_EQ(c.call({"DBSIZE"}).integer, 1);
}

// Issue 11: one waiter in three queues, served once, withdrawn from all.
TEST(Waits, BlpopOnThreeListsIsServedByTheSecondAndLeavesTheOthers) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  for (const char* l : {"a", "b", "c"}) ASSERT_EQ(admin.call({"CREATE", "list", l}).str, "OK");
  auto waiter = RawClient::unix_socket(server.unix_path());
  waiter.send({"BLPOP", "a", "b", "c", "0"});
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));
  ASSERT_EQ(admin.call({"RPUSH", "b", "x"}).integer, 1);
  Reply r = waiter.read();
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].str, "b");
  EXPECT_EQ(r.elements[1].str, "x");
  auto waiters_of = [&](const char* name) {
    Reply d = admin.call({"DESCRIBE", name});
    for (std::size_t k = 0; k + 1 < d.elements.size(); k += 2) {
      if (d.elements[k].str == "waiters") return d.elements[k + 1].integer;
    }
    return -1L;
  };
  // (b may be gone: an emptied Redis list is deleted, as in Redis)
  for (const char* l : {"a", "b", "c"}) EXPECT_LE(waiters_of(l), 0) << l;
  // A second wait, then the client leaves: it is withdrawn from all three.
  waiter.send({"BLPOP", "a", "b", "c", "0"});
  ASSERT_TRUE(wait_until([&] { return waiters_of("c") == 1; }));
  waiter.close();
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 0; }));
  // (b may be gone: an emptied Redis list is deleted, as in Redis)
  for (const char* l : {"a", "b", "c"}) EXPECT_LE(waiters_of(l), 0) << l;
  ASSERT_EQ(admin.call({"RPUSH", "a", "kept"}).integer, 1);
  EXPECT_EQ(admin.call({"LLEN", "a"}).integer, 1);
}

}  // namespace
}  // namespace procshare::test
