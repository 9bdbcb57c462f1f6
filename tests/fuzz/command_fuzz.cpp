// libFuzzer target for the whole command path, in-process: bytes ->
// RequestParser -> Engine::execute (every built-in registered) -> objects ->
// replies, for up to four in-memory sessions that share one engine, with
// blocking commands parked and woken, deadlines passing and clients vanishing.
//
// Input: one config byte, then segments separated by 0xFE. A segment's first
// byte picks the session (low 2 bits) and what happens to it (bits 2-3):
//   0, 3: the rest of the segment is bytes the client sends;
//   1:    the deadline of the session's wait passes (Session::expire, as the
//         connection does, only for a wait that has a deadline);
//   2:    the client disconnects (Engine::close_session), a fresh one takes its slot.
// Config byte: bit 0 = the server has an authkey ("k") and sessions start
// unauthenticated; bit 1 = sessions start in RESP3; bit 2 = tiny parser limits.
//
// Checked after every step, as a connection would see it:
//  * the output is a sequence of complete, well-formed replies;
//  * every request that did not park got exactly one reply, and every wait
//    that ended (woken, expired) exactly one;
//  * a parked session is never given more requests; engine and session
//    invariants hold as far as they are visible (a parked session has a waiter).
// Anything the engine throws out of execute() is a bug (handlers report
// errors as replies), and so is any sanitizer report.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"
#include "procshare/protocol/request_parser.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace {

using procshare::protocol::Limits;
using procshare::protocol::ParseStatus;
using procshare::protocol::Reply;
using procshare::protocol::ReplyParser;
using procshare::protocol::ReplyStatus;
using procshare::protocol::RequestParser;
using procshare::server::Config;
using procshare::server::Engine;
using procshare::server::Session;
using procshare::server::Transport;

constexpr std::size_t kSessions = 4;
constexpr char kSeparator = '\xfe';

// COMMAND_FUZZ_VERBOSE=1 prints every reply: to see what a seed does.
bool verbose() {
  static const bool on = std::getenv("COMMAND_FUZZ_VERBOSE") != nullptr;
  return on;
}

std::string printable(std::string_view bytes) {
  std::string r;
  for (char ch : bytes.substr(0, 400)) {
    auto u = static_cast<unsigned char>(ch);
    if (u >= 32 && u < 127) {
      r += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      r += buf;
    }
  }
  return r;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

struct Client {
  Session* session = nullptr;
  RequestParser parser;
  std::string input;
  std::size_t owed = 0;  // replies the session must still produce (one per parked wait)
  bool killed = false;
};

class Fuzz {
 public:
  explicit Fuzz(std::uint8_t config) : engine_(make_config(config)), config_(config) {
    procshare::server::register_builtins(engine_);
    for (auto& c : clients_) open(c);
  }

  ~Fuzz() {
    for (auto& c : clients_) close(c);
  }

  void segment(std::string_view seg) {
    if (seg.empty()) return;
    Client& c = clients_[static_cast<std::uint8_t>(seg[0]) & 3];
    switch ((static_cast<std::uint8_t>(seg[0]) >> 2) & 3) {
      case 1:
        expire(c);
        break;
      case 2:
        close(c);
        open(c);
        break;
      default:
        c.input.append(seg.substr(1));
        break;
    }
    settle();
  }

 private:
  static Config make_config(std::uint8_t config) {
    Config cfg;
    if (config & 1) cfg.authkey = "fuzz-key-0123456789";
    cfg.max_objects = 1000;  // keeps one input from growing without bound
    if (config & 4) {
      cfg.limits.max_bulk = 64;
      cfg.limits.max_array = 8;
      cfg.limits.max_inline = 64;
    } else {
      // Inputs are small; smaller limits only make the limit paths reachable.
      cfg.limits.max_bulk = 4096;
      cfg.limits.max_array = 256;
      cfg.limits.max_inline = 4096;
    }
    return cfg;
  }

  void open(Client& c) {
    c.session = &engine_.open_session(Transport::memory, "fuzz");
    if (config_ & 2) c.session->out.set_resp(3);
    c.session->on_kill = [&c] { c.killed = true; };
    c.session->on_resume = [] {};
    c.input.clear();
    c.parser.reset();
    c.owed = 0;
    c.killed = false;
  }

  void close(Client& c) {
    if (!c.session) return;
    Session* s = c.session;
    c.session = nullptr;
    engine_.close_session(*s);  // may wake others: settle() accounts for their replies
  }

  void expire(Client& c) {
    Session* s = c.session;
    if (!s->parked()) return;
    // The engine only ever expires a pending wait that has a deadline.
    procshare::server::Waiter* w = s->waiter();
    if (w->finished() || w->deadline == procshare::server::Clock::time_point::max()) return;
    engine_.waits().expire(*w);
  }

  // Runs what can run until nothing changes: buffered requests of sessions
  // that are not parked, kills and closes that follow replies.
  void settle() {
    for (bool progress = true; progress;) {
      progress = false;
      for (auto& c : clients_) {
        account(c);
        if (c.killed || c.session->close_after_reply) {
          close(c);
          open(c);
          progress = true;
          continue;
        }
        if (run_one(c)) progress = true;
      }
    }
    for (auto& c : clients_) account(c);
  }

  // Executes one buffered request of `c` if it can. True if it did.
  bool run_one(Client& c) {
    Session& s = *c.session;
    if (s.parked() || c.input.empty()) return false;
    c.parser.set_limits(engine_.requires_auth(s) ? pre_auth_ : engine_.config().limits);
    const auto r = c.parser.parse(c.input);
    if (r.status == ParseStatus::need_more) return false;
    if (r.status == ParseStatus::error) {
      check(!r.error.empty(), "protocol error without text");
      s.out.error("ERR", r.error);
      s.close_after_reply = true;
      ++c.owed;
      return true;
    }
    if (!c.parser.args().empty()) {
      ++c.owed;
      try {
        engine_.execute(s, c.parser.args());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "execute threw: %s\n", e.what());
        std::abort();
      }
    }
    c.input.erase(0, r.consumed);
    c.parser.reset();
    return true;
  }

  // Parses and drops the session's replies; checks that they are whole and
  // that their number is what the requests and waits call for.
  void account(Client& c) {
    Session& s = *c.session;
    engine_.deliver(s);  // as a connection does on its turn once woken
    std::string& out = s.output;
    std::size_t at = 0, replies = 0;
    ReplyParser parser(512);
    while (at < out.size()) {
      Reply r;
      std::size_t used = 0;
      std::string err;
      ReplyStatus st = parser.parse(std::string_view(out).substr(at), &r, &used, &err);
      if (st != ReplyStatus::complete) {
        std::fprintf(stderr, "bad reply bytes (%s): %.200s\n", err.c_str(), out.c_str() + at);
        std::abort();
      }
      at += used;
      ++replies;
    }
    if (verbose() && !out.empty()) {
      std::fprintf(stderr, "session %llu <- %s\n", static_cast<unsigned long long>(s.id()),
                   printable(out).c_str());
    }
    out.clear();
    const std::size_t expected_now = c.owed - (s.parked() ? 1 : 0);
    if (replies != expected_now) {
      std::fprintf(stderr, "session %llu: %zu replies, expected %zu (parked %d)\n",
                   static_cast<unsigned long long>(s.id()), replies, expected_now,
                   static_cast<int>(s.parked()));
      std::abort();
    }
    c.owed -= replies;
    check(c.owed == (s.parked() ? 1u : 0u), "owed replies out of step");
    check(!s.parked() || s.waiter() != nullptr, "parked without a waiter");
  }

  // As the connection does: the stricter of Limits::pre_auth() and the configured limits.
  static Limits stricter(Limits a, const Limits& b) {
    a.max_bulk = std::min(a.max_bulk, b.max_bulk);
    a.max_array = std::min(a.max_array, b.max_array);
    a.max_inline = std::min(a.max_inline, b.max_inline);
    a.max_request = std::min(a.max_request, b.max_request);
    return a;
  }

  Engine engine_;
  std::uint8_t config_;
  const Limits pre_auth_ = stricter(Limits::pre_auth(), engine_.config().limits);
  std::array<Client, kSessions> clients_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  Fuzz fuzz(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty()) {
    std::size_t end = rest.find(kSeparator);
    fuzz.segment(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
