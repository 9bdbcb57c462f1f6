// The authkey commands in-process (PROTOCOL.md §4): what a connection from a
// network address may do, the challenge-response state per session, and the
// delay and close a failure asks of the transport. The same paths over real
// sockets are in tests/e2e/security_test.cpp.
#include "harness.hpp"
#include "procshare/protocol/handshake.hpp"

namespace procshare::test {
namespace {

namespace auth = protocol::auth;
using server::Transport;

const std::string kKey = "in-process key";

server::Config keyed() {
  server::Config cfg;
  cfg.authkey = kKey;
  return cfg;
}

TEST(Auth, PlainAuthRefusedFromANetworkAddress) {
  Harness h(keyed());
  auto& remote = h.client(2, Transport::tcp_remote);
  const std::string refused = "plaintext AUTH refused on a network address; use AUTH.CHALLENGE";
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"AUTH", kKey}, {"AUTH", "default", kKey}, {"HELLO", "3", "AUTH", "default", kKey}}) {
    Reply r = h.call(remote, cmd);
    EXPECT_TRUE(is_error(r, "ERR")) << cmd[0];
    EXPECT_EQ(r.error_message(), refused);
    EXPECT_FALSE(remote.session->authenticated);
    // Refused before the key is compared: a wrong key gets the same answer.
    EXPECT_EQ(remote.session->reply_delay.count(), 0);
  }
  EXPECT_EQ(h.call(remote, {"AUTH", "wrong"}).error_message(), refused);
  EXPECT_TRUE(is_error(h.call(remote, {"OBJECTS"}), "NOAUTH"));
  // The challenge-response is how a network client gets in.
  std::string ns = h.call(remote, {"AUTH.CHALLENGE"}).str;
  std::string nc = auth::random_nonce_hex();
  EXPECT_TRUE(is_bulk(h.call(remote, {"AUTH.PROVE", auth::client_proof(kKey, ns, nc), nc}),
                      auth::server_proof(kKey, nc, ns)));
  EXPECT_EQ(h.call(remote, {"OBJECTS"}).type, Reply::Type::array);
  EXPECT_EQ(h.engine().stats().auth_failures, 4u);
}

TEST(Auth, PlainAuthAcceptedLocally) {
  Harness h(keyed());
  for (Transport t : {Transport::unix_socket, Transport::tcp_loopback, Transport::memory}) {
    auto& c = h.client(2, t);
    EXPECT_TRUE(is_ok(h.call(c, {"AUTH", kKey})));
    EXPECT_TRUE(c.session->authenticated);
  }
}

TEST(Auth, WrongPlainAuthIsDelayedAndKeepsTheConnection) {
  Harness h(keyed());
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"AUTH", "wrong"}), "WRONGPASS"));
  EXPECT_GE(c.session->reply_delay.count(), 50);
  EXPECT_LE(c.session->reply_delay.count(), 1000);
  EXPECT_FALSE(c.session->close_after_reply);
  c.session->reply_delay = {};
  // Authenticated, a wrong AUTH or HELLO AUTH answers one error and changes nothing.
  EXPECT_TRUE(is_ok(h.call(c, {"AUTH", kKey})));
  EXPECT_TRUE(is_error(h.call(c, {"HELLO", "3", "AUTH", "default", "wrong"}), "WRONGPASS"));
  EXPECT_TRUE(c.session->output.empty()) << "a second reply: " << c.session->output;
  EXPECT_EQ(c.session->resp(), 2);
  EXPECT_TRUE(c.session->authenticated);
  EXPECT_TRUE(is_error(h.call(c, {"AUTH", "x", "y", "z"}), "ERR"));
}

TEST(Auth, FailedProveClosesAndConsumesTheNonce) {
  Harness h(keyed());
  auto& c = h.client();
  std::string ns = h.call(c, {"AUTH.CHALLENGE"}).str;
  ASSERT_TRUE(auth::is_nonce_hex(ns));
  EXPECT_EQ(c.session->auth_nonce, ns);
  std::string nc = auth::random_nonce_hex();
  EXPECT_TRUE(
      is_error(h.call(c, {"AUTH.PROVE", auth::client_proof("other", ns, nc), nc}), "WRONGPASS"));
  EXPECT_TRUE(c.session->close_after_reply);
  EXPECT_GE(c.session->reply_delay.count(), 50);
  EXPECT_TRUE(c.session->auth_nonce.empty());
  EXPECT_FALSE(c.session->authenticated);
}

TEST(Auth, ChallengeWithoutAKeyIsAnError) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"AUTH.CHALLENGE"}), "ERR"));
  EXPECT_TRUE(
      is_error(h.call(c, {"AUTH.PROVE", std::string(64, 'a'), std::string(64, 'b')}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"AUTH", "x"}), "ERR"));
  EXPECT_EQ(h.call(c, {"OBJECTS"}).type, Reply::Type::array);
}

}  // namespace
}  // namespace procshare::test
