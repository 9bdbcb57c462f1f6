// The stock Redis tools against the real procshare-server (issue 7):
// redis-cli (one-shot, piped scripts, RESP3, --scan), redis-benchmark (with
// and without pipelining), redis-py (redis_py_test.py, run with Debian's
// /usr/bin/python3) and a hiredis C program (hiredis_test.c), over the Unix
// socket and TCP, with and without an authkey.
// A missing tool FAILS its test with the Debian package to install: nothing
// is skipped silently. Every tool runs under a hard deadline.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "support/server_process.hpp"
#include "support/tls_certs.hpp"
#include "tool_runner.hpp"

namespace procshare::test {
namespace {

constexpr auto kToolDeadline = std::chrono::seconds(60);
constexpr auto kBenchmarkDeadline = std::chrono::seconds(240);
const std::string kAuthkey = "redis tools test key";

// The path of a required tool, or a test failure naming its package.
#define REQUIRE_TOOL(var, program, package)                                         \
  const std::optional<std::string> var##_found = find_program(program);             \
  ASSERT_TRUE(var##_found.has_value())                                              \
      << (program) << " is not installed: install the Debian package " << (package) \
      << " (apt-get install " << (package) << ")";                                  \
  const std::string var = *var##_found

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char ch : text) {
    if (ch == '\n' || ch == '\r') {
      if (!line.empty()) out.push_back(line);
      line.clear();
    } else {
      line += ch;
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

// SIGTERM: the server must exit 0 (under the sanitizers, with no report).
void expect_clean_exit(ServerProcess& server) {
  EXPECT_EQ(server.terminate(), 0) << server.log();
  EXPECT_EQ(server.log().find("Sanitizer"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find("runtime error"), std::string::npos) << server.log();
}

// redis-cli's address arguments for the Unix socket or TCP.
std::vector<std::string> unix_args(const ServerProcess& s) {
  return {"-s", s.unix_path()};
}
// With TLS (the tls.* copies of these tests) the TCP port is the TLS one.
std::vector<std::string> tcp_args(const ServerProcess& s) {
  if (s.tls()) {
    return {"-h",       "127.0.0.1",         "-p", std::to_string(s.tcp_port()), "--tls",
            "--cacert", test_certs().ca_cert};
  }
  return {"-h", "127.0.0.1", "-p", std::to_string(s.tcp_port())};
}

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

ToolResult cli(const std::string& bin, const std::vector<std::string>& address,
               const std::vector<std::string>& words, const std::string& input = {}) {
  return run_tool(cat(cat({bin}, address), words), input, kToolDeadline);
}

// One-shot commands: the reply is redis-cli's whole output (raw mode, as
// stdout is not a terminal).
std::string one_shot(const std::string& bin, const std::vector<std::string>& address,
                     const std::vector<std::string>& words) {
  ToolResult r = cli(bin, address, words);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(r.timed_out);
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(RedisCli, OneShotOverUnixAndTcp) {
  REQUIRE_TOOL(bin, "redis-cli", "redis-tools");
  ServerProcess server;
  for (const auto& addr : {unix_args(server), tcp_args(server)}) {
    EXPECT_EQ(one_shot(bin, addr, {"PING"}), "PONG");
    EXPECT_EQ(one_shot(bin, addr, {"SET", "greeting", "hello world"}), "OK");
    EXPECT_EQ(one_shot(bin, addr, {"GET", "greeting"}), "hello world");
    EXPECT_EQ(one_shot(bin, addr, {"INCR", "counter"}).empty(), false);
    EXPECT_EQ(one_shot(bin, addr, {"HSET", "h", "a", "1"}).size() > 0, true);
    EXPECT_EQ(one_shot(bin, addr, {"DICT.GET", "h", "a"}), "1");
    EXPECT_EQ(one_shot(bin, addr, {"RPUSH", "l", "x", "y"}).empty(), false);
    EXPECT_EQ(one_shot(bin, addr, {"SELECT", "0"}), "OK");
    EXPECT_EQ(one_shot(bin, addr, {"GET", "h"}),
              "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_NE(one_shot(bin, addr, {"INFO", "server"}).find("redis_version:"), std::string::npos);
    EXPECT_EQ(one_shot(bin, addr, {"DEL", "h", "l"}), "2");
  }
  EXPECT_EQ(one_shot(bin, unix_args(server), {"GET", "counter"}), "2");
  // -n selects a database: 0 works, others are refused as Redis refuses them.
  EXPECT_EQ(one_shot(bin, cat(unix_args(server), {"-n", "0"}), {"PING"}), "PONG");
  expect_clean_exit(server);
}

TEST(RedisCli, PipedScriptOverUnixAndTcp) {
  REQUIRE_TOOL(bin, "redis-cli", "redis-tools");
  ServerProcess server;
  const std::string script =
      "SET a 1\n"
      "INCRBY a 41\n"
      "GET a\n"
      "HSET user name \"Ada Lovelace\" born 1815\n"
      "HGET user name\n"
      "RPUSH jobs j1 j2 j3\n"
      "LPOP jobs\n"
      "LRANGE jobs 0 -1\n"
      "SADD tags x y x\n"
      "SCARD tags\n"
      "BLPOP empty 0.05\n"
      "LIST.LEN jobs\n"
      "FLUSHALL\n"
      "DBSIZE\n";
  const std::vector<std::string> expected{
      "OK", "42", "42", "2", "Ada Lovelace", "3", "j1", "j2", "j3", "2", "2", "", "2", "OK", "0"};
  for (const auto& addr : {unix_args(server), tcp_args(server)}) {
    ToolResult r = cli(bin, addr, {}, script);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    // Split on '\n' only, keeping the empty line of BLPOP's timeout (nil).
    std::vector<std::string> got;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) got.push_back(line);
    EXPECT_EQ(got, expected) << r.output;
  }
  expect_clean_exit(server);
}

TEST(RedisCli, WithAuthkey) {
  REQUIRE_TOOL(bin, "redis-cli", "redis-tools");
  ServerProcess::Options o;
  o.authkey = kAuthkey;
  ServerProcess server(o);
  const std::vector<std::string> auth{"-a", kAuthkey, "--no-auth-warning"};
  for (const auto& addr : {unix_args(server), tcp_args(server)}) {
    EXPECT_EQ(one_shot(bin, cat(addr, auth), {"SET", "k", "v"}), "OK");
    EXPECT_EQ(one_shot(bin, cat(addr, auth), {"GET", "k"}), "v");
    EXPECT_EQ(one_shot(bin, addr, {"GET", "k"}), "NOAUTH Authentication required.");
    // A piped script authenticates once for all its commands.
    ToolResult r = cli(bin, cat(addr, auth), {}, "INCR n\nINCR n\nGET n\n");
    EXPECT_EQ(lines_of(r.output), (std::vector<std::string>{"1", "2", "2"})) << r.describe();
    EXPECT_EQ(one_shot(bin, cat(addr, auth), {"DEL", "n"}), "1");
    ToolResult wrong =
        cli(bin, cat(addr, {"-a", "not the key", "--no-auth-warning"}), {"GET", "k"});
    EXPECT_NE(wrong.output.find("WRONGPASS"), std::string::npos) << wrong.describe();
    EXPECT_EQ(wrong.output.find("\nv"), std::string::npos) << wrong.describe();
  }
  expect_clean_exit(server);
}

TEST(RedisCli, Resp3AndScan) {
  REQUIRE_TOOL(bin, "redis-cli", "redis-tools");
  ServerProcess server;
  const auto addr = unix_args(server);
  EXPECT_EQ(one_shot(bin, addr, {"HSET", "h", "a", "1", "b", "2"}), "2");
  ToolResult r = cli(bin, cat(addr, {"-3"}), {"HGETALL", "h"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(lines_of(r.output), (std::vector<std::string>{"a 1", "b 2"})) << r.output;
  r = cli(bin, cat(addr, {"-3"}), {"BLPOP", "nothing", "0.05"});
  EXPECT_EQ(r.output, "\n") << r.describe();
  // --scan drives SCAN's cursor to the end: every key exactly once.
  std::string script;
  for (int i = 0; i < 300; ++i) script += "SET key:" + std::to_string(i) + " v\n";
  ASSERT_EQ(cli(bin, addr, {}, script).exit_code, 0);
  r = cli(bin, addr, {"--scan", "--pattern", "key:*"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto names = lines_of(r.output);
  EXPECT_EQ(names.size(), 300u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 300u);
  expect_clean_exit(server);
}

// redis-benchmark must complete every test with no error.
void run_benchmark(ServerProcess& server, const std::vector<std::string>& extra) {
  REQUIRE_TOOL(bin, "redis-benchmark", "redis-tools");
  std::vector<std::string> argv{
      bin,     "-q", "-n",
      "20000", "-t", "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange,mset"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ToolResult r = run_tool(argv, {}, kBenchmarkDeadline);
  ASSERT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::string lower = r.output;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(r.output.find("ERR"), std::string::npos) << r.output;
  EXPECT_EQ(lower.find("error"), std::string::npos) << r.output;
  auto lines = lines_of(r.output);
  for (std::string test :
       {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD",
        "HSET", "SPOP", "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
        "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
        "LRANGE_600 (first 600 elements)", "MSET (10 keys)"}) {
    bool found = false;
    for (const auto& l : lines) {
      found = found ||
              (l.rfind(test + ": ", 0) == 0 && l.find("requests per second") != std::string::npos);
    }
    EXPECT_TRUE(found) << "no result line for " << test << " in:\n" << r.output;
  }
  EXPECT_TRUE(server.running()) << server.log();
  expect_clean_exit(server);
}

TEST(RedisBenchmark, Tcp) {
  ServerProcess server;
  run_benchmark(server, tcp_args(server));
}

TEST(RedisBenchmark, UnixSocket) {
  ServerProcess server;
  run_benchmark(server, unix_args(server));
}

TEST(RedisBenchmark, TcpPipelined) {
  ServerProcess server;
  run_benchmark(server, cat(tcp_args(server), {"-P", "16"}));
}

TEST(RedisBenchmark, UnixPipelinedWithAuthkey) {
  ServerProcess::Options o;
  o.authkey = kAuthkey;
  ServerProcess server(o);
  run_benchmark(server, cat(unix_args(server), {"-P", "16", "-a", kAuthkey}));
}

// redis-py: Debian's python3-redis is installed for /usr/bin/python3, which
// is not necessarily the python3 first on PATH.
void run_python(ServerProcess& server, const std::optional<std::string>& authkey) {
  const std::string python = "/usr/bin/python3";
  ASSERT_TRUE(find_program(python).has_value())
      << python << " is missing: install the Debian packages python3 and python3-redis";
  ToolResult probe =
      run_tool({python, "-c", "import redis"}, {}, kToolDeadline, {"PYTHONPATH", "PYTHONHOME"});
  ASSERT_EQ(probe.exit_code, 0) << "redis-py is not importable by " << python
                                << ": install the Debian package python3-redis\n"
                                << probe.describe();
  std::vector<std::string> argv{python,   PROCSHARE_SOURCE_DIR "/tests/redis/redis_py_test.py",
                                "--unix", server.unix_path(),
                                "--port", std::to_string(server.tcp_port())};
  if (authkey) argv.insert(argv.end(), {"--authkey", *authkey});
  if (server.tls()) argv.insert(argv.end(), {"--tls-ca", test_certs().ca_cert});
  ToolResult r = run_tool(argv, {}, std::chrono::seconds(120), {"PYTHONPATH", "PYTHONHOME"});
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.output.find("redis-py: all checks passed"), std::string::npos) << r.describe();
  std::cout << r.output;  // which redis-py, and what it could not check (RESP3)
  expect_clean_exit(server);
}

TEST(RedisPy, Basics) {
  ServerProcess server;
  run_python(server, std::nullopt);
}

TEST(RedisPy, WithAuthkey) {
  ServerProcess::Options o;
  o.authkey = kAuthkey;
  ServerProcess server(o);
  run_python(server, kAuthkey);
}

void run_hiredis(ServerProcess& server, const std::optional<std::string>& authkey) {
  const std::string client = PROCSHARE_HIREDIS_CLIENT;
  ASSERT_FALSE(client.empty())
      << "the hiredis client was not built: hiredis was not found at configure time; install "
         "the Debian packages libhiredis-dev and pkg-config, then re-run cmake";
  std::vector<std::string> argv{client, server.unix_path(), std::to_string(server.tcp_port())};
  if (authkey) argv.push_back(*authkey);
  ToolResult r = run_tool(argv, {}, kToolDeadline);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.output.find("hiredis: all checks passed"), std::string::npos) << r.describe();
  expect_clean_exit(server);
}

TEST(Hiredis, Basics) {
  ServerProcess server;
  run_hiredis(server, std::nullopt);
}

TEST(Hiredis, WithAuthkey) {
  ServerProcess::Options o;
  o.authkey = kAuthkey;
  ServerProcess server(o);
  run_hiredis(server, kAuthkey);
}

}  // namespace
}  // namespace procshare::test
