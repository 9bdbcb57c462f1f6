// End-to-end: the real procshare-server binary over real sockets (issue 2).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

TEST(ServerBasics, PingOverUnixAndTcp) {
  ServerProcess server;
  auto u = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(u.call({"PING"}).str, "PONG");
  auto t = RawClient::tcp(server.tcp_port());
  EXPECT_EQ(t.call({"PING"}).str, "PONG");
  EXPECT_EQ(t.call({"ECHO", std::string("bin\0ary", 7)}).str, std::string("bin\0ary", 7));
}

TEST(ServerBasics, SocketFileIsPrivate) {
  ServerProcess server;
  struct stat st {};
  ASSERT_EQ(::stat(server.unix_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ServerBasics, InlineCommandsWithQuotes) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  c.send_raw("PING\r\n\r\nECHO \"a b\\x41\\n\"\nECHO 'it\\'s'\r\n");
  EXPECT_EQ(c.read().str, "PONG");
  EXPECT_EQ(c.read().str, "a bA\n");
  EXPECT_EQ(c.read().str, "it's");
  c.send_raw("DICT.SET scores alice 3\r\nDICT.GET scores alice\r\n");
  EXPECT_EQ(c.read().type, Reply::Type::integer);
  EXPECT_EQ(c.read().str, "3");
}

TEST(ServerBasics, PipelinedRepliesComeInOrder) {
  ServerProcess server;
  auto c = RawClient::tcp(server.tcp_port());
  std::string batch;
  for (int i = 0; i < 1000; ++i) {
    std::string v = std::to_string(i);
    batch += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  c.send_raw(batch);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.read().str, std::to_string(i));
}

TEST(ServerBasics, RequestSplitAcrossWrites) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  std::string frame = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (char ch : frame) c.send_raw(std::string_view(&ch, 1));
  EXPECT_EQ(c.read().str, "hello");
}

TEST(ServerBasics, GarbageGetsProtocolErrorAndCloseOthersServed) {
  ServerProcess server;
  auto good = RawClient::unix_socket(server.unix_path());
  auto bad = RawClient::unix_socket(server.unix_path());
  bad.send_raw("*2\r\n$4\r\nECHO\r\n$x\r\n");
  Reply r = bad.read();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error_code(), "ERR");
  EXPECT_NE(r.str.find("Protocol error"), std::string::npos) << r.str;
  EXPECT_TRUE(bad.closed_by_peer());
  EXPECT_EQ(good.call({"PING"}).str, "PONG");
  EXPECT_EQ(info_field(good, "protocol_errors"), 1);
}

TEST(ServerBasics, HugeLengthsAreRefusedBeforeAllocating) {
  ServerProcess server;
  for (std::string frame :
       {"*99999999999\r\n", "*2\r\n$4\r\nECHO\r\n$9999999999\r\n", "*-5\r\n", "*1\r\n$-3\r\n"}) {
    auto c = RawClient::unix_socket(server.unix_path());
    c.send_raw(frame);
    Reply r = c.read();
    EXPECT_TRUE(r.is_error()) << frame;
    EXPECT_NE(r.str.find("Protocol error"), std::string::npos) << r.str;
    EXPECT_TRUE(c.closed_by_peer());
  }
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
}

TEST(ServerBasics, Resp3AfterHello) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  Reply hello = c.call({"HELLO", "3"});
  EXPECT_EQ(hello.type, Reply::Type::map);
  c.call({"DICT.SET", "d", "k", "v"});
  EXPECT_EQ(c.call({"DICT.HAS", "d", "k"}).type, Reply::Type::boolean);
  EXPECT_EQ(c.call({"DICT.GET", "d", "zz", "DEFAULT", "x"}).str, "x");
  c.call({"HELLO", "2"});
  EXPECT_EQ(c.call({"DICT.HAS", "d", "k"}).type, Reply::Type::integer);
}

TEST(ServerBasics, ClientCommandsAndQuit) {
  ServerProcess server;
  auto a = RawClient::unix_socket(server.unix_path());
  auto b = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(a.call({"CLIENT", "SETNAME", "alpha"}).str, "OK");
  EXPECT_EQ(a.call({"CLIENT", "GETNAME"}).str, "alpha");
  long b_id = b.call({"CLIENT", "ID"}).integer;
  Reply list = a.call({"CLIENT", "LIST"});
  EXPECT_NE(list.str.find("name=alpha"), std::string::npos) << list.str;
  EXPECT_EQ(a.call({"CLIENT", "KILL", "ID", std::to_string(b_id)}).integer, 1);
  EXPECT_TRUE(b.closed_by_peer());
  EXPECT_EQ(a.call({"QUIT"}).str, "OK");
  EXPECT_TRUE(a.closed_by_peer());
}

TEST(ServerBasics, SigtermRemovesSocketAndExitsZero) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_NE(::access(server.unix_path().c_str(), F_OK), 0);
}

TEST(ServerBasics, ShutdownCommandAnswersWaitersAndExitsZero) {
  ServerProcess server;
  auto waiter = RawClient::unix_socket(server.unix_path());
  auto admin = RawClient::unix_socket(server.unix_path());
  waiter.send({"QUEUE.GET", "jobs"});
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "blocked_clients") == 1; }));
  admin.send({"SHUTDOWN"});
  Reply r = waiter.read();
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(server.wait_exit(), 0);
  EXPECT_NE(::access(server.unix_path().c_str(), F_OK), 0);
}

TEST(ServerBasics, StaleSocketFileIsReplaced) {
  {
    ServerProcess::Options once;
    once.tcp = false;
    ServerProcess first(once);
    // Simulate a crash: SIGKILL leaves the socket file behind.
    kill(first.pid(), SIGKILL);
    first.wait_exit();
    ASSERT_EQ(::access(first.unix_path().c_str(), F_OK), 0);
    ServerProcess::Options again = once;
    again.unix_path = first.unix_path();
    ServerProcess second(again);
    auto c = RawClient::unix_socket(first.unix_path());
    EXPECT_EQ(c.call({"PING"}).str, "PONG");
  }
}

TEST(ServerBasics, BadFlagExitsNonZeroWithMessage) {
  std::string out = temp_path("flags");
  std::string cmd = std::string(PROCSHARE_SERVER_BIN) + " --no-such-flag 2>" + out;
  int st = std::system(cmd.c_str());
  EXPECT_NE(st, 0);
  std::string help = std::string(PROCSHARE_SERVER_BIN) + " --help >" + out;
  EXPECT_EQ(std::system(help.c_str()), 0);
  ::unlink(out.c_str());
}

}  // namespace
}  // namespace procshare::test
