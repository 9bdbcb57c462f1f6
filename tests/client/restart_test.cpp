// The client across a broken connection and a restarted server
// (docs/persistence.md): reads are sent again, a write whose reply was lost
// is ConnectionLost, and after a restart held locks are LockLost, anonymous
// proxies ObjectLost, and the program is told (server_restarts, callback).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "procshare/procshare.hpp"
#include "support/server_process.hpp"

namespace procshare::test {
namespace {

namespace fs = std::filesystem;

struct PersistentServer {
  std::string dir = temp_path("client-data");
  std::string sock = temp_path("client-sock");
  std::unique_ptr<ServerProcess> server;
  PersistentServer() {
    fs::create_directories(dir);
    start();
  }
  ~PersistentServer() {
    server.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void start() {
    ServerProcess::Options o;
    o.tcp = false;
    o.unix_path = sock;
    o.args = {"--dir", dir, "--appendonly", "yes", "--appendfsync", "always"};
    server = std::make_unique<ServerProcess>(o);
  }
  void crash_and_restart() {
    server->kill_hard();
    server.reset();
    start();
  }
};

TEST(ClientRestart, ReadsReconnectAndTheProgramIsToldOfTheRestart) {
  PersistentServer ps;
  Client c = Client::connect(Address::unix_socket(ps.sock));
  std::atomic<int> told{0};
  c.on_server_restart([&] { told.fetch_add(1); });
  auto d = c.dict<std::string, std::string>("kept");
  d.set("k", "v");
  const std::string first = c.run_id();
  EXPECT_EQ(first.size(), 40u);
  EXPECT_FALSE(c.server_restarted());

  ps.crash_and_restart();
  // A read on the broken connection is sent again on a new one.
  EXPECT_EQ(d.get("k"), "v");
  EXPECT_TRUE(c.server_restarted());
  EXPECT_EQ(c.server_restarts(), 1u);
  EXPECT_EQ(told.load(), 1);
  EXPECT_NE(c.run_id(), first);
}

TEST(ClientRestart, AWriteWhoseReplyWasLostIsConnectionLost) {
  PersistentServer ps;
  Client c = Client::connect(Address::unix_socket(ps.sock));
  auto d = c.dict<std::string, std::string>("kept");
  d.set("a", "1");
  ps.crash_and_restart();
  try {
    d.set("b", "2");
    FAIL() << "a write over a broken connection succeeded silently";
  } catch (const ConnectionLost& e) {
    EXPECT_NE(std::string(e.what()).find("may or may not"), std::string::npos) << e.what();
  }
  // The next call reconnects.
  d.set("b", "2");
  EXPECT_EQ(d.get("a"), "1");
  EXPECT_EQ(d.get("b"), "2");
}

TEST(ClientRestart, HeldLocksAreLostAndAnonymousObjectsTooAfterARestart) {
  PersistentServer ps;
  Client c = Client::connect(Address::unix_socket(ps.sock));
  Lock lock = c.lock("held");
  const std::int64_t token = lock.acquire();
  Semaphore sem = c.semaphore("permits", 2);
  sem.acquire();
  auto anon = c.dict<std::string, std::string>();
  anon.set("x", "y");

  ps.crash_and_restart();
  c.ping();  // the read that finds the new server
  ASSERT_TRUE(c.server_restarted());
  EXPECT_THROW(lock.release(), LockLost);
  EXPECT_THROW(sem.release(), LockLost);
  EXPECT_THROW(anon.set("x", "z"), ObjectLost);
  // The lock itself was kept, free; its tokens go on above the old one.
  EXPECT_GT(lock.acquire(), token);
  lock.release();
  EXPECT_EQ(sem.value(), 2);
}

}  // namespace
}  // namespace procshare::test
