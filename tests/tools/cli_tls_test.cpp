// procshare-cli over TLS (issue 17): --tls --cacert --cert --key [--sni], as
// redis-cli spells them, and one clear line when the server is not trusted.
#include <gtest/gtest.h>

#include "cli_process.hpp"
#include "support/server_process.hpp"
#include "support/tls_certs.hpp"

namespace procshare::test {
namespace {

TEST(CliTls, CommandsOverTlsAndRefusals) {
  if (!openssl_available()) GTEST_SKIP() << "the openssl command line is not installed";
  const TestCerts& c = test_certs();
  ServerProcess::Options o;
  o.tls = true;
  ServerProcess server(o);
  const std::string port = std::to_string(server.tcp_port());
  const std::vector<std::string> tls{"--tls",       "--cacert", c.ca_cert,    "--cert",
                                     c.client_cert, "--key",    c.client_key, "-h",
                                     "127.0.0.1",   "-p",       port};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  CliResult r = run_cli(with(tls, {"DICT.SET", "d", "k", "over tls"}));
  EXPECT_EQ(r.status, 0) << r.err;
  r = run_cli(with(tls, {"DICT.GET", "d", "k"}));
  EXPECT_EQ(r.out, "over tls\n") << r.err;
  // The address form works too.
  r = run_cli({"-a", "tls://127.0.0.1:" + port, "--cacert", c.ca_cert, "--cert", c.client_cert,
               "--key", c.client_key, "PING"});
  EXPECT_EQ(r.out, "PONG\n") << r.err;
  // A server whose CA we do not trust: one line on stderr, exit status non-zero.
  r = run_cli({"--tls", "--cacert", c.other_ca_cert, "--cert", c.client_cert, "--key", c.client_key,
               "-h", "127.0.0.1", "-p", port, "PING"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
  // --sni names the host to check: the server's certificate is for localhost.
  r = run_cli(with(tls, {"--sni", "localhost", "PING"}));
  EXPECT_EQ(r.out, "PONG\n") << r.err;
  r = run_cli(with(tls, {"--sni", "elsewhere.example", "PING"}));
  EXPECT_NE(r.err.find("hostname mismatch"), std::string::npos) << r.err;
  // --tls with a Unix socket is a usage error.
  r = run_cli({"--tls", "-s", server.unix_path(), "PING"});
  EXPECT_NE(r.err.find("--tls needs a TCP server"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace procshare::test
