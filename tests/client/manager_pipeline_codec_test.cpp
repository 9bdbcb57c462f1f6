// Manager (its own server, cleaned up after scope exit and after an
// exception), Pipeline, and codecs including the customization point.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using namespace std::chrono_literals;

ManagerOptions manager_options() {
  ManagerOptions o;
  o.server = PROCSHARE_SERVER_BIN;
  return o;
}

bool process_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

TEST(ManagerTest, StartsAPrivateServerAndLeavesNothingBehind) {
  pid_t pid = -1;
  std::string socket, dir;
  {
    Manager m(manager_options());
    pid = m.server_pid();
    socket = m.socket_path();
    dir = std::filesystem::path(socket).parent_path();
    EXPECT_TRUE(m.running());
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);  // nobody else can reach the socket
    EXPECT_EQ(m.authkey().size(), 64u);
    auto d = m.dict<std::string, long>("totals");
    d["a"] = 1;
    EXPECT_EQ(d.at("a"), 1);
    // Without the key the server refuses (it has one: not protected mode).
    ::unsetenv("PROCSHARE_AUTHKEY");
    EXPECT_THROW(Client::connect(m.unix_address()), NoAuth);
    ConnectOptions wrong;
    wrong.authkey = "guess";
    EXPECT_THROW(Client::connect(m.unix_address(), wrong), WrongPass);
  }
  EXPECT_TRUE(process_gone(pid));
  EXPECT_FALSE(std::filesystem::exists(socket));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// The owner SIGKILLed: no destructor runs, yet the server (SIGTERM through
// its parent-death signal) exits and removes the private directory with its
// server.log (--private-dir).
TEST(ManagerTest, AKilledOwnerLeavesNoPrivateDirectory) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(report[0]);
    try {
      Manager m(manager_options());
      std::string line = std::to_string(m.server_pid()) + " " + m.socket_path() + "\n";
      (void)!::write(report[1], line.data(), line.size());
      ::pause();  // until SIGKILL
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(report[1]);
  std::string line;
  char ch;
  while (::read(report[0], &ch, 1) == 1 && ch != '\n') line += ch;
  ::close(report[0]);
  auto space = line.find(' ');
  ASSERT_NE(space, std::string::npos) << "the owner could not start a Manager: '" << line << "'";
  const std::filesystem::path dir = std::filesystem::path(line.substr(space + 1)).parent_path();
  ASSERT_TRUE(std::filesystem::exists(dir / "server.log"));
  ::kill(owner, SIGKILL);
  int status = 0;
  ::waitpid(owner, &status, 0);
  EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(dir); }, 20s)) << dir;
}

TEST(ManagerTest, CleansUpWhenTheScopeThrows) {
  pid_t pid = -1;
  std::string socket;
  try {
    Manager m(manager_options());
    pid = m.server_pid();
    socket = m.socket_path();
    auto q = m.queue<int>("jobs");
    q.put(1);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(process_gone(pid));
  EXPECT_FALSE(std::filesystem::exists(socket));
}

TEST(ManagerTest, ShutdownWithABlockedClientAndStaleProxies) {
  Manager m(manager_options());
  auto q = m.queue<int>("q");
  pid_t pid = m.server_pid();
  // A child blocked in a get() must not keep the server alive.
  pid_t child = in_child([&] {
    try {
      q.get();
    } catch (const ConnectionError&) {
      return 0;
    } catch (const Error&) {
      return 0;
    }
    return 1;
  });
  Client raw = Client::connect(m.unix_address(), ConnectOptions{.authkey = m.authkey()});
  ASSERT_TRUE(wait_until([&] {
    auto info = raw.call({"INFO", "clients"}).str;
    return info.find("blocked_clients:1") != std::string::npos;
  }));
  m.shutdown();
  EXPECT_TRUE(process_gone(pid));
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_THROW(q.size(), ConnectionError);
  m.shutdown();  // idempotent
}

TEST(ManagerTest, ForkedChildrenUseItAndOnlyTheOwnerStopsIt) {
  Manager m(manager_options());
  auto d = m.dict<int, int>("squares");
  std::vector<pid_t> children;
  for (int i = 0; i < 5; ++i) {
    children.push_back(in_child([&, i] {
      d[i] = i * i;
      return 0;  // the child's copy of m must not stop the server
    }));
  }
  for (pid_t p : children) EXPECT_EQ(wait_child(p), 0);
  EXPECT_EQ(d.copy(), (std::map<int, int>{{0, 0}, {1, 1}, {2, 4}, {3, 9}, {4, 16}}));
  // A child that destroys its copy of the Manager does not stop the server.
  pid_t child = in_child([&] {
    m.shutdown();
    return 0;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_TRUE(m.running());
  EXPECT_EQ(d.size(), 5u);
}

TEST(ManagerTest, TcpForOtherMachines) {
  ManagerOptions o = manager_options();
  o.tcp = "127.0.0.1:0";
  Manager m(o);
  ASSERT_TRUE(m.tcp_address());
  EXPECT_GT(m.tcp_address()->port, 0);
  // "Another machine": a separate client that knows only the address and key.
  Client remote = Client::connect(*m.tcp_address(), ConnectOptions{.authkey = m.authkey()});
  remote.value<long>("v", 41).incr();
  EXPECT_EQ(m.value<long>("v").get(), 42);
}

TEST(ManagerTest, AServerThatFailsToStartIsAClearError) {
  ManagerOptions o = manager_options();
  o.server_args = {"--no-such-flag"};
  try {
    Manager m(o);
    FAIL() << "started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-flag"), std::string::npos) << e.what();
  }
  ManagerOptions missing;
  missing.server = "/nonexistent/procshare-server";
  EXPECT_THROW(Manager{missing}, Error);
}

TEST(ManagerTest, FindsTheServerThroughTheEnvironment) {
  ::setenv("PROCSHARE_SERVER", PROCSHARE_SERVER_BIN, 1);
  EXPECT_EQ(Manager::find_server(), PROCSHARE_SERVER_BIN);
  {
    Manager m;  // no options: found through PROCSHARE_SERVER
    EXPECT_EQ(m.ping(), "PONG");
  }
  ::unsetenv("PROCSHARE_SERVER");
  EXPECT_FALSE(Manager::find_server().empty());  // the build tree's binary
}

using PipelineTest = ClientTest;

TEST_F(PipelineTest, ManyCommandsOneWrite) {
  auto d = client_.dict<int, int>(name());
  Pipeline p = client_.pipeline();
  for (int i = 0; i < 1000; ++i) p.add("DICT.SET", d.name(), i, i * i);
  p.add("DICT.GET", d.name(), "nope");
  p.add("DICT.LEN", d.name());
  EXPECT_EQ(p.size(), 1002u);
  auto replies = p.execute();
  ASSERT_EQ(replies.size(), 1002u);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(replies[999].integer, 1);
  EXPECT_EQ(replies[1000].error_code(), "KEYERROR");  // errors are values, in place
  EXPECT_EQ(replies[1001].integer, 1000);
  EXPECT_THROW(check(replies), KeyError);
  EXPECT_EQ(d.at(30), 900);
  EXPECT_TRUE(client_.pipeline().execute().empty());
}

struct Point {
  int x = 0, y = 0;
  bool operator==(const Point&) const = default;
};
// The ADL customization point.
std::string procshare_encode(const Point& p) {
  return std::to_string(p.x) + "," + std::to_string(p.y);
}
Point procshare_decode(std::string_view s, tag<Point>) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos) throw ValueError("not a point");
  return {codec<int>::decode(s.substr(0, comma)), codec<int>::decode(s.substr(comma + 1))};
}

struct Celsius {
  double degrees = 0;
};

}  // namespace
}  // namespace procshare::test

// The struct customization point.
template <>
struct procshare::codec<procshare::test::Celsius> {
  static std::string encode(const procshare::test::Celsius& c) {
    return codec<double>::encode(c.degrees) + "C";
  }
  static procshare::test::Celsius decode(std::string_view s) {
    if (s.empty() || s.back() != 'C') throw ValueError("not Celsius");
    return {codec<double>::decode(s.substr(0, s.size() - 1))};
  }
};

namespace procshare::test {
namespace {

using CodecTest = ClientTest;

static_assert(codable<int> && codable<long long> && codable<unsigned> && codable<double>);
static_assert(codable<std::string> && codable<bool> && codable<std::vector<std::byte>>);
static_assert(codable<Point> && codable<Celsius>);
static_assert(!codable<char> && codable<std::vector<int>>);  // values_test.cpp

TEST_F(CodecTest, BuiltIns) {
  EXPECT_EQ(encode(-12), "-12");
  EXPECT_EQ(encode(0.1), "0.1");
  EXPECT_EQ(codec<double>::decode(encode(1.0 / 3)), 1.0 / 3);  // round trip
  EXPECT_EQ(encode(true), std::string("\0jtrue", 6));          // docs/values.md
  EXPECT_THROW(codec<int>::decode("12x"), ValueError);
  EXPECT_THROW(codec<int>::decode(""), ValueError);
  EXPECT_THROW(codec<std::uint8_t>::decode("300"), ValueError);
  EXPECT_EQ(detail::seconds_arg(1500ms), "1.5");
  EXPECT_EQ(detail::seconds_arg(-1s), "0");

  auto bytes = client_.dict<std::string, std::vector<std::byte>>(name());
  std::vector<std::byte> blob{std::byte{0}, std::byte{0xff}, std::byte{'\r'}, std::byte{'\n'}};
  bytes["blob"] = blob;
  EXPECT_EQ(bytes.at("blob"), blob);
  auto flags = client_.dict<std::string, bool>(name("b"));
  flags["on"] = true;
  EXPECT_TRUE(flags.at("on"));
  auto small = client_.value<std::int8_t>(name("i8"), 120);
  EXPECT_THROW(small.incr(10), ValueError);  // 130 does not fit: refused on decode
}

TEST_F(CodecTest, UserTypes) {
  auto points = client_.dict<std::string, Point>(name());
  points["origin"] = Point{0, 0};
  points["p"] = Point{3, -4};
  EXPECT_EQ(points.at("p"), (Point{3, -4}));
  auto q = client_.queue<Celsius>(name("q"));
  q.put({21.5});
  EXPECT_DOUBLE_EQ(q.get().degrees, 21.5);
  auto raw = client_.dict<std::string, std::string>(points.name());
  EXPECT_EQ(raw.at("p"), "3,-4");
  raw["bad"] = "nonsense";
  EXPECT_THROW(points.at("bad"), ValueError);
}

}  // namespace
}  // namespace procshare::test
