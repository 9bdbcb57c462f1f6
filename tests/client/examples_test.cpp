// Runs the example programs (client/examples, listed in its README.md) and
// checks their output: each exits 0 only when its shared totals are right.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct Run {
  int status = -1;
  std::string output;
};

Run run(const std::string& example, const std::string& args = "") {
  std::string path = std::string(PROCSHARE_BUILD_DIR) + "/client/examples/" + example;
  if (!std::filesystem::exists(path)) return {-1, "missing " + path};
  // The examples find the server through PROCSHARE_SERVER, as a user's would.
  std::string cmd = "PROCSHARE_SERVER='" + std::string(PROCSHARE_SERVER_BIN) + "' timeout 60 '" +
                    path + "' " + args + " 2>&1";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void expect_ok(const std::string& example, const std::string& needle) {
  SCOPED_TRACE(example);
  Run r = run(example);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
}

TEST(Examples, DictOfSquares) {
  expect_ok("dict_squares", "{0: 0, 1: 1, 2: 4, 3: 9, 4: 16}");
}
TEST(Examples, CounterWithIncr) {
  expect_ok("counter_incr", "{'count': 15}");
}
TEST(Examples, CounterWithLock) {
  expect_ok("counter_lock", "{'count': 15}");
}
TEST(Examples, ProducerConsumer) {
  expect_ok("producer_consumer", "sum of jobs done: 55");
}
TEST(Examples, Namespace) {
  expect_ok("namespace_example", "Namespace(x=11, y='hello', z=2.5)");
}
TEST(Examples, ValueAndArray) {
  expect_ok("value_array", "3.1415927\n[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]");
}
TEST(Examples, BarrierOfWorkers) {
  expect_ok("barrier_workers", "phase 1 done by 4 workers, 0 started phase 2 early");
}
TEST(Examples, TcpClientWithTheKey) {
  expect_ok("tcp_client", "the server counted 2 remote visits");
}
TEST(Examples, ReadmeForkDict) {
  expect_ok("readme_fork_dict", "hits = 4000");
}
TEST(Examples, ReadmeQuickstart) {
  expect_ok("quickstart", "{'name': 'resize', 'steps': [2, 4]}");
}

}  // namespace
