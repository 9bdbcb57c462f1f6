// The C++ client over TLS (issue 17): tls://host:port with CA verification
// and host-name checking on by default, client certificates, SNI, and the
// errors a program sees when the server cannot be trusted.
#include <gtest/gtest.h>

#include "procshare/procshare.hpp"
#include "support/server_process.hpp"
#include "support/tls_certs.hpp"

namespace procshare::test {
namespace {

#define REQUIRE_OPENSSL() \
  if (!openssl_available()) GTEST_SKIP() << "the openssl command line is not installed"

ServerProcess tls_server(std::vector<std::string> extra = {},
                         std::optional<std::string> authkey = {}) {
  ServerProcess::Options o;
  o.tls = true;
  o.args = std::move(extra);
  o.authkey = std::move(authkey);
  return ServerProcess(o);
}

ConnectOptions tls_options() {
  const TestCerts& c = test_certs();
  ConnectOptions o;
  o.tls.ca_file = c.ca_cert;
  o.tls.cert_file = c.client_cert;
  o.tls.key_file = c.client_key;
  return o;
}

std::string address(const ServerProcess& s, const std::string& host = "127.0.0.1") {
  return "tls://" + host + ":" + std::to_string(s.tcp_port());
}

// The ConnectionError text of a refused connection ("" if it connected).
std::string refusal(const std::string& addr, const ConnectOptions& o) {
  try {
    Connection c = Connection::open(Address::parse(addr), o);
    protocol::Reply r = c.call({"PING"});
    return r.str == "PONG" ? "" : r.str;
  } catch (const ConnectionError& e) {
    return e.what();
  }
}

TEST(TlsClient, AddressSyntax) {
  Address a = Address::parse("tls://db.example:7380");
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.kind, Address::Kind::tcp);
  EXPECT_EQ(a.host, "db.example");
  EXPECT_EQ(a.port, 7380);
  EXPECT_EQ(a.to_string(), "tls://db.example:7380");
  EXPECT_EQ(Address::parse(a.to_string()), a);
  EXPECT_FALSE(Address::parse("tcp://db.example:7380").tls);
}

TEST(TlsClient, ProxiesWorkOverTlsWithAClientCertificate) {
  REQUIRE_OPENSSL();
  ServerProcess server = tls_server();
  Client client = Client::connect(address(server), tls_options());
  auto d = client.dict<std::string, long>("counts");
  EXPECT_EQ(d.incr("a", 2), 2);
  EXPECT_EQ(d.incr("a", 3), 5);
  Connection c = Connection::open(Address::parse(address(server)), tls_options());
  EXPECT_TRUE(c.is_tls());
  EXPECT_EQ(c.call({"DICT.GET", "counts", "a"}).str, "5");
  // A large value crosses several TLS records both ways.
  std::string big(300000, 'x');
  EXPECT_EQ(c.call({"VALUE.SET", "big", big}).str, "OK");
  EXPECT_EQ(c.call({"VALUE.GET", "big"}).str, big);
}

TEST(TlsClient, AuthkeyHandshakeRunsInsideTls) {
  REQUIRE_OPENSSL();
  ServerProcess server = tls_server({"--tls-auth-clients", "optional"}, "inner key 0123456789");
  ConnectOptions o = tls_options();
  o.tls.cert_file.clear();
  o.tls.key_file.clear();
  o.authkey = std::string("inner key 0123456789");
  Connection c = Connection::open(Address::parse(address(server)), o);
  EXPECT_EQ(c.call({"VALUE.SET", "v", "1"}).str, "OK");
}

TEST(TlsClient, UntrustedServerAndWrongHostAreRefused) {
  REQUIRE_OPENSSL();
  const TestCerts& c = test_certs();
  ServerProcess server = tls_server();
  ConnectOptions o = tls_options();
  o.tls.ca_file = c.other_ca_cert;
  std::string err = refusal(address(server), o);
  EXPECT_NE(err.find("TLS handshake with tls://127.0.0.1"), std::string::npos) << err;
  EXPECT_NE(err.find("certificate verify failed"), std::string::npos) << err;

  ServerProcess elsewhere =
      tls_server({"--tls-cert-file", c.wrong_host_cert, "--tls-key-file", c.wrong_host_key});
  err = refusal(address(elsewhere), tls_options());
  EXPECT_NE(err.find("address mismatch"), std::string::npos) << err;  // an IP, not a name
  // SNI names the host the certificate carries: then it matches.
  ConnectOptions sni = tls_options();
  sni.tls.sni = "elsewhere.example";
  EXPECT_EQ(refusal(address(elsewhere), sni), "");
  ConnectOptions lax = tls_options();
  lax.tls.verify_hostname = false;
  EXPECT_EQ(refusal(address(elsewhere), lax), "");
}

TEST(TlsClient, ServerRequiringACertificateRefusesAClientWithout) {
  REQUIRE_OPENSSL();
  ServerProcess server = tls_server();
  ConnectOptions o = tls_options();
  o.tls.cert_file.clear();
  o.tls.key_file.clear();
  std::string err = refusal(address(server), o);
  EXPECT_NE(err.find("certificate required"), std::string::npos) << err;
}

}  // namespace
}  // namespace procshare::test
