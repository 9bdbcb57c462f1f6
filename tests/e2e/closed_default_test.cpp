// Issue 12, closed by default: a server started without flags serves its
// Unix socket only; keys are at least 16 bytes (--gen-authkey makes one);
// failed authentication is throttled per source without stalling anyone
// else. Real binary, real sockets; waits poll observable state.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kKey = "closed-by-default-test-key";

struct Exit {
  int status = -1;
  std::string output;
};

// Runs the real binary to completion; `env_key` set: PROCSHARE_AUTHKEY.
Exit run_server_to_exit(const std::vector<std::string>& args,
                        const std::optional<std::string>& env_key = std::nullopt) {
  std::string cmd = "timeout 20 env -u PROCSHARE_AUTHKEY ";
  if (env_key) cmd += "PROCSHARE_AUTHKEY='" + *env_key + "' ";
  cmd += PROCSHARE_SERVER_BIN;
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  Exit e;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return e;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) e.output.append(buf, n);
  int st = ::pclose(p);
  e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return e;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Socket inodes of the process's open descriptors.
std::set<std::string> socket_inodes(pid_t pid) {
  std::set<std::string> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd/";
  for (int fd = 0; fd < 4096; ++fd) {
    char target[256];
    ssize_t n = ::readlink((dir + std::to_string(fd)).c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    std::string t(target, static_cast<std::size_t>(n));
    if (t.starts_with("socket:[")) out.insert(t.substr(8, t.size() - 9));
  }
  return out;
}

// Inodes of TCP sockets in LISTEN state (IPv4 and IPv6) in `pid`'s namespace.
std::set<std::string> listening_tcp_inodes(pid_t pid) {
  std::set<std::string> out;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + table));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::vector<std::string> f;
      for (std::string w; fields >> w;) f.push_back(w);
      if (f.size() > 9 && f[3] == "0A") out.insert(f[9]);  // st, inode
    }
  }
  return out;
}

TEST(ClosedByDefault, ADefaultServerListensOnItsUnixSocketOnly) {
  ServerProcess::Options o;
  o.tcp = false;  // ServerProcess then adds no listener flag: the defaults
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  std::string info = c.call({"INFO", "server"}).str;
  EXPECT_NE(info.find("tcp_port:0\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("tcp_listeners:\r\n"), std::string::npos) << info;
  // Whatever else runs on this machine: none of the server's sockets listens on TCP.
  const auto mine = socket_inodes(server.pid());
  EXPECT_FALSE(mine.empty());
  for (const auto& inode : listening_tcp_inodes(server.pid())) {
    EXPECT_EQ(mine.count(inode), 0u) << "the server listens on TCP (socket inode " << inode << ")";
  }
  struct stat st {};
  ASSERT_EQ(::stat(server.unix_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ClosedByDefault, LoopbackTcpWithoutAKeyWarnsOnce) {
  ServerProcess server;  // --tcp 127.0.0.1:0, no key
  if (server.tls()) GTEST_SKIP() << "plain TCP only";
  auto c = RawClient::tcp(server.tcp_port());
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  const std::string log = server.log();
  const std::string warning = "TCP without an authkey: every local user can connect";
  auto at = log.find(warning);
  EXPECT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << log;
}

TEST(Keys, ShorterThan16BytesOrEmptyAreRefused) {
  const std::string sock = temp_path("sock");
  Exit e = run_server_to_exit({"--unix", sock}, std::string(""));
  EXPECT_EQ(e.status, 2) << e.output;
  EXPECT_NE(e.output.find("PROCSHARE_AUTHKEY: the key is empty"), std::string::npos) << e.output;
  e = run_server_to_exit({"--unix", sock}, std::string("fifteen bytes!!"));
  EXPECT_EQ(e.status, 2) << e.output;
  EXPECT_NE(e.output.find("the key is 15 bytes; at least 16 are needed"), std::string::npos)
      << e.output;
  const std::string file = temp_path("key");
  { std::ofstream(file) << "short key\n"; }
  ::chmod(file.c_str(), 0600);
  e = run_server_to_exit({"--unix", sock, "--authkey-file", file});
  EXPECT_EQ(e.status, 2) << e.output;
  EXPECT_NE(e.output.find("--authkey-file " + file + ": the key is 9 bytes"), std::string::npos)
      << e.output;
  ::unlink(file.c_str());
  // Exactly 16 bytes is enough.
  ServerProcess::Options o;
  o.tcp = false;
  o.authkey = "sixteen bytes!!!";
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"AUTH", "sixteen bytes!!!"}).str, "OK");
}

TEST(Keys, GenAuthkeyWritesAPrivateFreshKeyAndNeverOverwrites) {
  const std::string file = temp_path("genkey");
  Exit e = run_server_to_exit({"--gen-authkey", file});
  ASSERT_EQ(e.status, 0) << e.output;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string first = read_file(file);
  EXPECT_EQ(first.size(), 65u) << first;  // 64 hex characters and a newline
  e = run_server_to_exit({"--gen-authkey", file});
  EXPECT_NE(e.status, 0);
  EXPECT_NE(e.output.find("not overwriting"), std::string::npos) << e.output;
  EXPECT_EQ(read_file(file), first);
  const std::string other = temp_path("genkey");
  ASSERT_EQ(run_server_to_exit({"--gen-authkey", other}).status, 0);
  EXPECT_NE(read_file(other), first);
  // The server takes it.
  ServerProcess::Options o;
  o.tcp = false;
  o.args = {"--authkey-file", file};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(c.call({"AUTH", first.substr(0, 64)}).str, "OK");
  ::unlink(file.c_str());
  ::unlink(other.c_str());
}

// Failed AUTH is throttled per source (here 127.0.0.1 over TCP): the delay
// doubles up to 1 s, while another source (the Unix socket's uid) with the
// right key, and every other client's commands, are not slowed down.
TEST(AuthThrottle, FailuresSlowTheirSourceOnly) {
  ServerProcess::Options o;
  o.authkey = kKey;
  o.tls = false;
  ServerProcess server(o);
  auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
  };
  {
    auto guesser = RawClient::plain_tcp(server.tcp_port());
    for (int i = 0; i < 5; ++i) {  // 100 + 200 + 400 + 800 + 1000 ms of replies held
      Reply r = guesser.call({"AUTH", "wrong guess number " + std::to_string(i)}, 30s);
      ASSERT_EQ(r.error_code(), "WRONGPASS") << r.str;
    }
  }
  // A fresh connection from the same address gains nothing: its guess waits
  // its turn and its reply is held too.
  auto guesser = RawClient::plain_tcp(server.tcp_port());
  auto t0 = Clock::now();
  guesser.send({"AUTH", "yet another wrong guess"});
  // Meanwhile: another source with the right key, and a PING, answer at once.
  auto t1 = Clock::now();
  auto owner = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(owner.call({"AUTH", kKey}).str, "OK");
  EXPECT_EQ(owner.call({"PING"}).str, "PONG");
  const auto other_ms = ms_since(t1);
  Reply r = guesser.read(30s);
  const auto guess_ms = ms_since(t0);
  EXPECT_EQ(r.error_code(), "WRONGPASS") << r.str;
  EXPECT_GE(guess_ms, 900) << "the 6th failure's reply must wait ~1 s";
  EXPECT_LT(other_ms, guess_ms / 2) << "another source must not wait for the guesser";
  EXPECT_GE(info_field(owner, "auth_failures"), 6);
  EXPECT_GE(info_field(owner, "auth_throttled_sources"), 1);
}

TEST(AuthThrottle, SuccessResetsTheSource) {
  ServerProcess::Options o;
  o.authkey = kKey;
  o.tcp = false;
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.call({"AUTH", "wrong guess " + std::to_string(i)}, 30s).error_code(), "WRONGPASS");
  }
  EXPECT_EQ(c.call({"AUTH", kKey}, 30s).str, "OK");
  EXPECT_EQ(info_field(c, "auth_throttled_sources"), 0);
  // Pipelined guesses on one connection are evaluated one at a time, each
  // after its turn: the three replies come, in order, and then the PING.
  auto d = RawClient::unix_socket(server.unix_path());
  d.send_raw("AUTH x1234567890123456\r\nAUTH y1234567890123456\r\nAUTH " + kKey + "\r\nPING\r\n");
  EXPECT_EQ(d.read(30s).error_code(), "WRONGPASS");
  EXPECT_EQ(d.read(30s).error_code(), "WRONGPASS");
  EXPECT_EQ(d.read(30s).str, "OK");
  EXPECT_EQ(d.read(30s).str, "PONG");
}

}  // namespace
}  // namespace procshare::test
