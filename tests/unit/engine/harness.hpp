#pragma once
// In-process test harness: an Engine with every built-in registered, and
// in-memory clients that send commands and read replies without sockets.
//
//   Harness h;
//   auto& a = h.client();            // RESP2 client (h.client(3) for RESP3)
//   Reply r = h.call(a, {"DICT.SET", "d", "k", "v"});  // must answer at once
//   auto b = h.send(b, {"QUEUE.GET", "q"});  // nullopt: b is parked
//   h.call(a, {"QUEUE.PUT", "q", "x"});
//   Reply got = h.next_reply(b).value();   // b's reply once it was woken
//   h.expire(b);   // b's deadline passes now
//   h.disconnect(b);
#include <gtest/gtest.h>

#include <deque>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::test {

using protocol::Reply;
using server::Engine;
using server::Session;

class Harness {
 public:
  struct Client {
    Session* session = nullptr;
    bool connected = true;
  };

  explicit Harness(server::Config config = {}) : engine_(std::move(config)) {
    server::register_builtins(engine_);
  }

  Engine& engine() { return engine_; }

  Client& client(int resp = 2, server::Transport t = server::Transport::memory) {
    auto c = std::make_unique<Client>();
    c->session = &engine_.open_session(t, "memory");
    c->session->out.set_resp(resp);
    clients_.push_back(std::move(c));
    return *clients_.back();
  }

  // Sends one command. Returns its reply, or nullopt when the client parked.
  std::optional<Reply> send(Client& c, std::vector<std::string> words) {
    std::vector<std::string_view> args(words.begin(), words.end());
    engine_.execute(*c.session, args);
    if (c.session->parked()) return std::nullopt;
    return next_reply(c);
  }

  // Sends a command that must be answered at once.
  Reply call(Client& c, std::vector<std::string> words) {
    std::string what = words.empty() ? "" : words[0];
    auto r = send(c, std::move(words));
    EXPECT_TRUE(r.has_value()) << what << " parked the client";
    return r.value_or(Reply{});
  }

  bool parked(Client& c) const { return c.session->parked(); }

  // Parses the next complete reply from the client's output, if any. A
  // finished wait's reply is written first, as a connection does when its
  // session is woken.
  std::optional<Reply> next_reply(Client& c) {
    engine_.deliver(*c.session);
    std::string& out = c.session->output;
    if (out.empty()) return std::nullopt;
    protocol::ReplyParser parser;
    Reply r;
    std::size_t used = 0;
    std::string err;
    auto st = parser.parse(out, &r, &used, &err);
    EXPECT_EQ(st, protocol::ReplyStatus::complete) << "bad reply bytes: " << out << " " << err;
    if (st != protocol::ReplyStatus::complete) return std::nullopt;
    out.erase(0, used);
    return r;
  }

  // The parked client's deadline passes now. Returns its reply if the wait ended.
  std::optional<Reply> expire(Client& c) {
    server::Waiter* w = c.session->waiter();
    if (!w || !engine_.waits().expire(*w)) return std::nullopt;
    return next_reply(c);
  }

  void disconnect(Client& c) {
    if (!c.connected) return;
    c.connected = false;
    engine_.close_session(*c.session);
    c.session = nullptr;
  }

 private:
  Engine engine_;
  std::deque<std::unique_ptr<Client>> clients_;
};

// Assertion helpers.
inline ::testing::AssertionResult is_error(const Reply& r, std::string_view code) {
  if (r.type == Reply::Type::error && r.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected -" << code << ", got type " << static_cast<int>(r.type) << " '" << r.str
         << "' " << r.integer;
}
inline ::testing::AssertionResult is_int(const Reply& r, std::int64_t v) {
  if ((r.type == Reply::Type::integer || r.type == Reply::Type::boolean) && r.integer == v) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected :" << v << ", got type " << static_cast<int>(r.type) << " '" << r.str << "' "
         << r.integer;
}
inline ::testing::AssertionResult is_bulk(const Reply& r, std::string_view v) {
  if (r.type == Reply::Type::bulk && r.str == v) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected bulk '" << v << "', got type "
                                       << static_cast<int>(r.type) << " '" << r.str << "'";
}
inline ::testing::AssertionResult is_ok(const Reply& r) {
  if (r.type == Reply::Type::simple && r.str == "OK") return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected +OK, got type " << static_cast<int>(r.type) << " '" << r.str << "'";
}

}  // namespace procshare::test
