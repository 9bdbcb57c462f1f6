#pragma once
// TLS test support: certificates made at test time with the openssl command
// line (a CA, server and client certificates, and the bad ones the TLS tests
// need), and the switch that runs the end-to-end suites over TLS.
#include <string>
#include <vector>

namespace procshare::test {

// PROCSHARE_TEST_TLS=1 (set by ctest for the tls.* copies of the e2e
// suites): ServerProcess's TCP listener speaks TLS, and RawClient::tcp with it.
bool tls_mode();

// True when the openssl command line is installed.
bool openssl_available();

struct TestCerts {
  std::string dir;
  std::string ca_cert, ca_key;                      // the CA both sides trust
  std::string server_cert, server_key;              // CN localhost, SAN DNS:localhost, IP:127.0.0.1
  std::string client_cert, client_key;              // signed by the CA
  std::string other_ca_cert;                        // a CA nobody trusts
  std::string other_client_cert, other_client_key;  // signed by the other CA
  std::string other_server_cert, other_server_key;  // signed by the other CA, SAN IP:127.0.0.1
  std::string expired_client_cert, expired_client_key;  // signed by the CA, valid in 2020 only
  std::string wrong_host_cert, wrong_host_key;  // signed by the CA, SAN DNS:elsewhere.example
};

// Made once per test process in a fresh temp directory (keys mode 0600),
// removed at exit. Throws std::runtime_error when openssl fails.
const TestCerts& test_certs();

// The server flags of a TLS listener on a free loopback port with the test
// certificates (client certificates required).
std::vector<std::string> tls_server_args(const TestCerts& certs);

}  // namespace procshare::test
