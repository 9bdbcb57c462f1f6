// The stock Redis tools over TLS (issue 17): redis-cli --tls, redis-benchmark
// --tls and redis-py with ssl=True against the TLS port, with certificates
// made at test time by the openssl command line (support/tls_certs.hpp). A
// tool that is not installed skips its test, naming the Debian package.
#include <gtest/gtest.h>

#include "support/server_process.hpp"
#include "support/tls_certs.hpp"
#include "tool_runner.hpp"

namespace procshare::test {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);

#define FIND_TOOL_OR_SKIP(var, program, package)                                                   \
  const std::optional<std::string> var##_found = find_program(program);                            \
  if (!var##_found) GTEST_SKIP() << (program) << " is not installed (Debian " << (package) << ")"; \
  if (!openssl_available()) GTEST_SKIP() << "the openssl command line is not installed";           \
  const std::string var = *var##_found

ServerProcess tls_server(std::vector<std::string> extra = {},
                         std::optional<std::string> authkey = {}) {
  ServerProcess::Options o;
  o.tls = true;
  o.args = std::move(extra);
  o.authkey = std::move(authkey);
  return ServerProcess(o);
}

std::vector<std::string> redis_cli_tls(const std::string& bin, const ServerProcess& s) {
  const TestCerts& c = test_certs();
  return {bin,     "--tls",      "--cacert", c.ca_cert,   "--cert", c.client_cert,
          "--key", c.client_key, "-h",       "127.0.0.1", "-p",     std::to_string(s.tcp_port())};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(RedisTls, RedisCliOneShotAndScript) {
  FIND_TOOL_OR_SKIP(bin, "redis-cli", "redis-tools");
  ServerProcess server = tls_server();
  const auto base = redis_cli_tls(bin, server);
  ToolResult r = run_tool(with(base, {"SET", "greeting", "hello over tls"}), {}, kDeadline);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << server.log();
  EXPECT_EQ(trimmed(r.output), "OK");
  r = run_tool(with(base, {"GET", "greeting"}), {}, kDeadline);
  EXPECT_EQ(trimmed(r.output), "hello over tls") << r.describe();
  r = run_tool(base, "HSET h a 1\nDICT.GET h a\nLIST.APPEND l x\nLIST.LEN l\n", kDeadline);
  EXPECT_EQ(r.output, "1\n1\n1\n1\n") << r.describe();
  EXPECT_EQ(server.terminate(), 0) << server.log();
}

TEST(RedisTls, RedisCliWithoutTlsIsToldAndOthersAreUnharmed) {
  FIND_TOOL_OR_SKIP(bin, "redis-cli", "redis-tools");
  ServerProcess server = tls_server();
  const TestCerts& c = test_certs();
  RawClient good = RawClient::tls(server.tcp_port(), {c.ca_cert, c.client_cert, c.client_key, ""});
  ASSERT_EQ(good.call({"VALUE.SET", "v", "1"}).str, "OK");
  ToolResult r = run_tool({bin, "-h", "127.0.0.1", "-p", std::to_string(server.tcp_port()), "PING"},
                          {}, kDeadline);
  EXPECT_NE(r.output.find("this port speaks TLS"), std::string::npos) << r.describe();
  EXPECT_EQ(good.call({"VALUE.GET", "v"}).str, "1");
  EXPECT_EQ(server.terminate(), 0) << server.log();
}

TEST(RedisTls, RedisBenchmark) {
  FIND_TOOL_OR_SKIP(bin, "redis-benchmark", "redis-tools");
  ServerProcess server = tls_server();
  const TestCerts& c = test_certs();
  ToolResult r = run_tool({bin, "--tls", "--cacert", c.ca_cert, "--cert", c.client_cert, "--key",
                           c.client_key, "-h", "127.0.0.1", "-p", std::to_string(server.tcp_port()),
                           "-n", "2000", "-c", "10", "-t", "ping,set,get", "-q"},
                          {}, kDeadline);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.output.find("GET:"), std::string::npos) << r.describe();
  EXPECT_EQ(r.output.find("rror"), std::string::npos) << r.describe();
  EXPECT_EQ(server.terminate(), 0) << server.log();
}

TEST(RedisTls, RedisPySsl) {
  FIND_TOOL_OR_SKIP(python, "/usr/bin/python3", "python3");
  ToolResult probe = run_tool({python, "-c", "import redis"}, {}, kDeadline, {"PYTHONPATH"});
  if (probe.exit_code != 0) GTEST_SKIP() << "redis-py is not installed (Debian python3-redis)";
  ServerProcess server = tls_server();
  const TestCerts& c = test_certs();
  const std::string script = R"(
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), ssl=True, ssl_ca_certs=sys.argv[2],
                ssl_certfile=sys.argv[3], ssl_keyfile=sys.argv[4], socket_timeout=10)
assert r.ping()
assert r.set("k", "v over tls")
assert r.get("k") == b"v over tls", r.get("k")
assert r.hset("h", "f", "1") == 1
assert r.execute_command("DICT.GET", "h", "f") == b"1"
p = r.pipeline(transaction=False)
for i in range(100):
    p.incr("n")
assert p.execute()[-1] == 100
print("redis-py ok")
)";
  ToolResult r = run_tool({python, "-c", script, std::to_string(server.tcp_port()), c.ca_cert,
                           c.client_cert, c.client_key},
                          {}, kDeadline, {"PYTHONPATH"});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << server.log();
  EXPECT_NE(r.output.find("redis-py ok"), std::string::npos) << r.describe();
  EXPECT_EQ(server.terminate(), 0) << server.log();
}

}  // namespace
}  // namespace procshare::test
