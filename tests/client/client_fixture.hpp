#pragma once
// Shared setup of the client library tests: one real procshare-server per
// test suite (with an authkey, on a private Unix socket and a free loopback
// port), a connected procshare::Client, and object names unique to each test
// so that tests of a suite never see each other's objects.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "procshare/procshare.hpp"
#include "support/server_process.hpp"
#include "support/tls_certs.hpp"

namespace procshare::test {

inline constexpr const char* kTestKey = "client-tests-key";

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerProcess::Options o;
    o.authkey = kTestKey;
    server_ = std::make_unique<ServerProcess>(o);
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override { client_ = Client::connect(unix_address(), options()); }

  static Address unix_address() { return Address::unix_socket(server_->unix_path()); }
  // tls://127.0.0.1:port when the server runs with TLS (the tls.* tests).
  static Address tcp_address() {
    Address a = Address::tcp("127.0.0.1", server_->tcp_port());
    a.tls = server_->tls();
    return a;
  }
  static ConnectOptions options() {
    ConnectOptions o;
    o.authkey = kTestKey;
    if (server_ && server_->tls()) o.tls.ca_file = test_certs().ca_cert;
    return o;
  }
  // A fresh client with its own connections.
  static Client connect() { return Client::connect(unix_address(), options()); }

  // "<Suite>.<Test>.<suffix>": unique per test.
  static std::string name(const std::string& suffix = "obj") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string(info->test_suite_name()) + "." + info->name() + "." + suffix;
  }

  // True once at least `n` clients are blocked on the server (INFO).
  static bool blocked(int n) {
    auto c = RawClient::unix_socket(server_->unix_path());
    c.call({"AUTH", kTestKey});
    return wait_until([&] { return info_field(c, "blocked_clients") >= n; });
  }

  static inline std::unique_ptr<ServerProcess> server_;
  Client client_;
};

// Runs `body` in a forked child and returns its exit status (0 = passed).
// gtest assertions do not cross fork(): the child reports through its status.
template <class F>
int in_child(F body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      fprintf(stderr, "child: %s\n", e.what());
      code = 2;
    }
    ::_exit(code);
  }
  return pid;
}

// Waits for a child; its exit code, or 128+signal.
inline int wait_child(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace procshare::test
