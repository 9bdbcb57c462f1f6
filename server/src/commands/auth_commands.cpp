// PROTOCOL.md §4: AUTH (plain password, local connections only), and the
// mutual HMAC challenge-response AUTH.CHALLENGE / AUTH.PROVE, whose key never
// crosses the wire. Failures are slowed down per source (AuthThrottle): the
// failed reply is delayed (Session::reply_delay) and the source's next
// attempt waits its turn (Session::retry_at), never by blocking the loop.
#include <fmt/format.h>

#include "procshare/protocol/handshake.hpp"
#include "procshare/server/auth.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

namespace auth = protocol::auth;
constexpr std::chrono::milliseconds kFailureDelay{100};

// A failed attempt: its reply waits, and so does the source's next attempt.
void count_failure(Ctx& c) {
  ++c.engine.stats().auth_failures;
  c.session.reply_delay =
      c.session.auth_source.empty()
          ? kFailureDelay  // an in-process session (tests): no source to throttle
          : c.engine.auth_throttle().failed(c.session.auth_source, Clock::now());
}

void count_success(Ctx& c) {
  c.session.authenticated = true;
  if (!c.session.auth_source.empty()) c.engine.auth_throttle().succeeded(c.session.auth_source);
}

// A failed AUTH.PROVE: -WRONGPASS after the delay, then the connection closes.
void refuse(Ctx& c, std::string_view message) {
  count_failure(c);
  c.session.close_after_reply = true;
  write_error(c.out, ErrorCode::wrongpass, message);
}

void cmd_auth(Ctx& c) {
  if (c.argc() > 3) fail(ErrorCode::err, "syntax error");
  std::string_view user = c.argc() == 3 ? c.arg(1) : std::string_view("default");
  if (!authenticate_plain(c, user, c.arg(c.argc() - 1))) return;
  c.out.ok();
}

void cmd_challenge(Ctx& c) {
  if (!c.engine.config().authkey) {
    fail(ErrorCode::err, "AUTH.CHALLENGE called but the server has no authkey");
  }
  c.session.auth_nonce = auth::random_nonce_hex();
  c.out.bulk(c.session.auth_nonce);
}

void cmd_prove(Ctx& c) {
  const auto& key = c.engine.config().authkey;
  if (!key) fail(ErrorCode::err, "AUTH.PROVE called but the server has no authkey");
  if (auth_must_wait(c)) return;
  // The server nonce is single use: taken now, whatever the outcome.
  std::string server_nonce = std::move(c.session.auth_nonce);
  c.session.auth_nonce.clear();
  std::string_view proof = c.arg(1), client_nonce = c.arg(2);
  if (server_nonce.empty()) {
    refuse(c, "no pending AUTH.CHALLENGE on this connection");
    return;
  }
  if (!auth::is_nonce_hex(client_nonce)) {
    refuse(c, "the client nonce must be 64 lowercase hex characters");
    return;
  }
  std::string expected = auth::client_proof(*key, server_nonce, client_nonce);
  if (!auth::equal_constant_time(expected, proof)) {
    refuse(c, "invalid proof: the authkey does not match");
    return;
  }
  count_success(c);
  c.out.bulk(auth::server_proof(*key, client_nonce, server_nonce));
}

}  // namespace

bool auth_must_wait(Ctx& c) {
  if (c.session.auth_source.empty()) return false;
  const auto now = Clock::now();
  const auto ready = c.engine.auth_throttle().ready_at(c.session.auth_source, now);
  if (ready <= now) return false;
  c.session.retry_at = ready;
  return true;
}

bool authenticate_plain(Ctx& c, std::string_view user, std::string_view password) {
  const auto& key = c.engine.config().authkey;
  if (!key) {
    fail(ErrorCode::err,
         "AUTH <password> called without any password configured for the default user. "
         "Are you sure your configuration is correct?");
  }
  if (!c.session.is_local()) {
    // Refused before the key is looked at: the network must learn nothing.
    ++c.engine.stats().auth_failures;
    fail(ErrorCode::err, "plaintext AUTH refused on a network address; use AUTH.CHALLENGE");
  }
  if (auth_must_wait(c)) return false;
  // Compare both, always, so timing says nothing about which one was wrong.
  bool user_ok = auth::equal_constant_time(user, "default");
  bool key_ok = auth::equal_constant_time(password, *key);
  if (!(user_ok && key_ok)) {
    // Thrown, not written: the caller (AUTH, HELLO) then writes nothing more,
    // even on a connection that was already authenticated (which stays so,
    // as in Redis). The connection is kept; only its reply is delayed.
    count_failure(c);
    fail(ErrorCode::wrongpass, "invalid username-password pair or user is disabled.");
  }
  count_success(c);
  return true;
}

void register_auth_commands(Engine& e) {
  using namespace flag;
  e.register_command({"AUTH", -2, noauth | fast, cmd_auth,
                      "Authenticate with the authkey (Unix socket and loopback only)",
                      "[username] password"});
  e.register_command({"AUTH.CHALLENGE", 1, noauth | fast, cmd_challenge,
                      "Start the HMAC challenge-response: returns the server nonce", ""});
  e.register_command({"AUTH.PROVE", 3, noauth | fast, cmd_prove,
                      "Answer the challenge; returns the server's own proof",
                      "proof client-nonce"});
}

}  // namespace procshare::server
