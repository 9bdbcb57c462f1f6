// procshare::Connection and Client::connect against the real server and
// against fake servers: the handshake, wrong keys, servers that cannot prove
// the key, timeouts, RESP3, pipelining on the raw connection.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "client_fixture.hpp"
#include "procshare/protocol/handshake.hpp"

namespace procshare::test {
namespace {

using namespace std::chrono_literals;

using ConnectionTest = ClientTest;

TEST_F(ConnectionTest, CallAndPipelineOnARawConnection) {
  Connection c = Connection::open(unix_address(), options());
  EXPECT_TRUE(c.is_open());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  std::string_view echo[] = {"ECHO", "x y"};
  EXPECT_EQ(c.call(echo).str, "x y");
  for (int i = 0; i < 100; ++i) c.send({"ECHO", std::to_string(i)});
  for (int i = 0; i < 100; ++i) ASSERT_EQ(c.read().str, std::to_string(i));
  // Error replies are values on a Connection.
  protocol::Reply r = c.call({"NOSUCHCOMMAND"});
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.error_code(), "ERR");
  c.send_raw("PING\r\n");
  EXPECT_EQ(c.read().str, "PONG");
  Connection moved = std::move(c);
  EXPECT_FALSE(c.is_open());  // NOLINT(bugprone-use-after-move): moved-from is closed
  EXPECT_EQ(moved.call({"PING"}).str, "PONG");
  moved.close();
  EXPECT_THROW(moved.call({"PING"}), ConnectionError);
}

TEST_F(ConnectionTest, TcpWithTheKey) {
  Connection c = Connection::open(tcp_address(), options());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  auto client = Client::connect(tcp_address().to_string(), options());
  EXPECT_EQ(client.ping(), "PONG");
}

TEST_F(ConnectionTest, WrongKeyIsAClearException) {
  ConnectOptions o = options();
  o.authkey = "not-the-key";
  try {
    Connection::open(unix_address(), o);
    FAIL() << "connected with a wrong key";
  } catch (const WrongPass& e) {
    EXPECT_NE(std::string(e.what()).find("wrong key"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Client::connect(tcp_address(), o), AuthError);
}

TEST_F(ConnectionTest, NoKeyGetsNoAuth) {
  ::unsetenv("PROCSHARE_AUTHKEY");
  Connection c = Connection::open(unix_address(), {});
  EXPECT_EQ(c.call({"DICT.LEN", "x"}).error_code(), "NOAUTH");
  EXPECT_THROW(Client::connect(unix_address(), {}), NoAuth);
}

TEST_F(ConnectionTest, KeyFromFileAndFromEnvironment) {
  std::string path = temp_path("key");
  {
    std::ofstream f(path);
    f << kTestKey << "\n";  // one trailing newline is not part of the key
  }
  ConnectOptions o;
  o.authkey_file = path;
  EXPECT_EQ(Connection::open(unix_address(), o).call({"PING"}).str, "PONG");
  ::unlink(path.c_str());
  EXPECT_THROW(Connection::open(unix_address(), o), AuthError);  // unreadable file

  ::setenv("PROCSHARE_AUTHKEY", kTestKey, 1);
  auto c = Client::connect(unix_address());
  EXPECT_EQ(c.options().authkey.value_or(""), kTestKey);
  ::unsetenv("PROCSHARE_AUTHKEY");
  EXPECT_EQ(c.ping(), "PONG");
}

// Set but empty is a mistake, not "no key" (issue 12).
TEST_F(ConnectionTest, AnEmptyEnvironmentKeyIsAnError) {
  ::setenv("PROCSHARE_AUTHKEY", "", 1);
  try {
    Connection::open(unix_address(), {});
    ::unsetenv("PROCSHARE_AUTHKEY");
    FAIL() << "connected with PROCSHARE_AUTHKEY set to nothing";
  } catch (const AuthError& e) {
    EXPECT_NE(std::string(e.what()).find("PROCSHARE_AUTHKEY is set but empty"), std::string::npos)
        << e.what();
  }
  ::unsetenv("PROCSHARE_AUTHKEY");
}

TEST_F(ConnectionTest, Resp3AndClientName) {
  ConnectOptions o = options();
  o.resp = 3;
  o.client_name = "tester";
  auto c = Client::connect(unix_address(), o);
  EXPECT_EQ(c.call({"CLIENT", "GETNAME"}).str, "tester");
  auto d = c.dict<std::string, double>(name());
  d["x"] = 1.5;
  EXPECT_DOUBLE_EQ(d.incr("x", 1.0), 2.5);  // a RESP3 double
  EXPECT_TRUE(d.contains("x"));             // a RESP3 boolean
  EXPECT_EQ(d.items().size(), 1u);          // a RESP3 map
  EXPECT_EQ(c.describe(d.name()).type, "dict");
}

TEST_F(ConnectionTest, UnreachableServerIsConnectionError) {
  EXPECT_THROW(Connection::open(Address::unix_socket(temp_path("none"))), ConnectionError);
  EXPECT_THROW(Client::connect("unix:" + temp_path("none")), ConnectionError);
}

TEST_F(ConnectionTest, IoTimeoutClosesTheConnection) {
  ConnectOptions o = options();
  o.io_timeout = 100ms;
  Connection c = Connection::open(unix_address(), o);
  c.call({"LOCK.ACQUIRE", name()});
  auto start = std::chrono::steady_clock::now();
  // A second acquire waits forever on the server; the client gives up.
  EXPECT_THROW(c.call({"LOCK.ACQUIRE", name()}), ConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(c.is_open());
}

TEST_F(ConnectionTest, ClientStretchesTheIoTimeoutForBlockingCommands) {
  ConnectOptions o = options();
  o.io_timeout = 50ms;
  auto c = Client::connect(unix_address(), o);
  auto q = c.queue<int>(name());
  // Waits 300 ms on the server, longer than the I/O timeout: not an error.
  EXPECT_EQ(q.try_get_for(300ms), std::nullopt);
}

// A listening Unix socket served by a thread running `serve(fd)` on the
// first connection.
class FakeServer {
 public:
  template <class F>
  explicit FakeServer(F serve) : path_(temp_path("fake")) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path_.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(listener_, 4) != 0) {
      throw std::runtime_error("fake server: bind/listen failed");
    }
    thread_ = std::thread([this, serve] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      serve(fd);
      ::close(fd);
    });
  }
  ~FakeServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    ::unlink(path_.c_str());
  }
  Address address() const { return Address::unix_socket(path_); }

  // Reads until `needle` has arrived (or EOF / 10 s).
  static std::string read_until(int fd, std::string_view needle) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    char buf[4096];
    while (got.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      timeval tv{0, 100000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }
  static void write_all(int fd, std::string_view s) {
    (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
  }

 private:
  std::string path_;
  int listener_ = -1;
  std::thread thread_;
};

std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

TEST(FakeServers, AServerThatCannotProveTheKeyIsRefused) {
  std::atomic<bool> got_prove{false};
  FakeServer fake([&](int fd) {
    FakeServer::read_until(fd, "AUTH.CHALLENGE");
    FakeServer::write_all(fd, bulk(protocol::auth::random_nonce_hex()));
    FakeServer::read_until(fd, "AUTH.PROVE");
    got_prove = true;
    // It cannot compute the server proof without the key: it guesses.
    FakeServer::write_all(fd, bulk(protocol::auth::random_nonce_hex()));
    FakeServer::read_until(fd, "never");
  });
  ConnectOptions o;
  o.authkey = "secret-0123456789";
  o.connect_timeout = 5s;
  try {
    Connection::open(fake.address(), o);
    FAIL() << "trusted a server that cannot prove the key";
  } catch (const AuthError& e) {
    EXPECT_NE(std::string(e.what()).find("could not prove"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(got_prove);
}

TEST(FakeServers, AServerThatSaysOkToEverythingIsRefused) {
  FakeServer fake([&](int fd) {
    FakeServer::read_until(fd, "AUTH.CHALLENGE");
    FakeServer::write_all(fd, "+OK\r\n");
    FakeServer::read_until(fd, "never");
  });
  ConnectOptions o;
  o.authkey = "secret-0123456789";
  EXPECT_THROW(Connection::open(fake.address(), o), AuthError);
}

TEST(FakeServers, AServerWithoutAKeyIsRefusedWhenWeHaveOne) {
  ServerProcess keyless(ServerProcess::Options{.tcp = false});
  ConnectOptions o;
  o.authkey = "secret-0123456789";
  EXPECT_THROW(Connection::open(Address::unix_socket(keyless.unix_path()), o), AuthError);
}

TEST(FakeServers, ASilentServerTimesOutTheHandshake) {
  FakeServer fake([&](int fd) { FakeServer::read_until(fd, "never"); });
  ConnectOptions o;
  o.authkey = "secret-0123456789";
  o.connect_timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(Connection::open(fake.address(), o), ConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(FakeServers, GarbageRepliesAreProtocolErrors) {
  FakeServer fake([&](int fd) {
    FakeServer::read_until(fd, "PING");
    FakeServer::write_all(fd, "?what\r\n");
    FakeServer::read_until(fd, "never");
  });
  ::unsetenv("PROCSHARE_AUTHKEY");
  Connection c = Connection::open(fake.address(), {});
  EXPECT_THROW(c.call({"PING"}), ProtocolError);
  EXPECT_FALSE(c.is_open());
}

TEST(FakeServers, ServerClosingMidReplyIsConnectionError) {
  FakeServer fake([&](int fd) {
    FakeServer::read_until(fd, "PING");
    FakeServer::write_all(fd, "$10\r\nabc");
  });
  ::unsetenv("PROCSHARE_AUTHKEY");
  Connection c = Connection::open(fake.address(), {});
  EXPECT_THROW(c.call({"PING"}), ConnectionError);
}

}  // namespace
}  // namespace procshare::test
