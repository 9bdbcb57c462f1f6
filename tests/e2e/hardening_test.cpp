// Issue 12 through the real server: no client may hold up the others, and a
// client that stops reading is held back by its own socket, not by the server.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace procshare::test
