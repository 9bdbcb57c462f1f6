#pragma once
// Commands are data: one CommandSpec per command, registered in the engine's
// table by the family that implements it (and by users, for their own types).
// Engine::execute checks, in this order: lookup -> arity -> authentication ->
// object (exists, or created implicitly; of an accepted type). Handlers never
// re-check any of these.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply_writer.hpp"
#include "procshare/server/errors.hpp"
#include "procshare/server/object.hpp"
#include "procshare/server/session.hpp"

namespace procshare::server {

class Engine;
using protocol::ReplyWriter;

namespace flag {
inline constexpr std::uint32_t write = 1u << 0;     // changes state; may create implicitly
inline constexpr std::uint32_t readonly = 1u << 1;  // only reads
inline constexpr std::uint32_t blocking = 1u << 2;  // may park the client
inline constexpr std::uint32_t noauth = 1u << 3;    // allowed before authentication
inline constexpr std::uint32_t admin = 1u << 4;     // server administration
inline constexpr std::uint32_t fast = 1u << 5;      // O(1)
inline constexpr std::uint32_t redis = 1u << 6;     // a Redis-compatible command
// May grow memory (Redis's denyoom): refused with -OOM while the server uses
// more than --maxmemory. Reads, deletes, pops and waits do not carry it.
inline constexpr std::uint32_t grows = 1u << 7;
}  // namespace flag

// TIMEOUT s | NOWAIT options of waiting commands: nullopt = wait forever;
// zero = do not wait.
struct WaitOptions {
  std::optional<std::chrono::nanoseconds> timeout;
  bool nowait() const { return timeout && timeout->count() <= 0; }
  Clock::time_point deadline() const;
};

struct Ctx;
using Handler = std::function<void(Ctx&)>;

struct CommandSpec {
  std::string name;  // as sent, upper case: "DICT.SET"
  int arity = 0;     // counting the name: N exactly, -N at least N
  std::uint32_t flags = 0;
  Handler handler;
  std::string summary;  // one line, for COMMAND DOCS and HELP
  std::string args;     // argument synopsis: "dict key value"

  // Object commands: args[1] names the object, which must be one of `types`.
  std::vector<std::string> types;
  // With flag::write, a missing object is created as `create_type` with
  // `create_options` (empty create_type: never created implicitly).
  std::string create_type;
  std::vector<std::string> create_options;
};

// What a handler sees. A handler reads and checks all its arguments first
// (ArgReader, arg_reader.hpp) and only then asks for its object, so that a
// command that fails changes nothing: object() finds the object named in
// args[1], or creates it implicitly, and checks its type.
struct Ctx {
  Ctx(Engine& e, Session& s, protocol::ReplyWriter& o, std::span<const std::string_view> a,
      const CommandSpec& cmd)
      : engine(e), session(s), out(o), args(a), command(cmd) {}

  Engine& engine;
  Session& session;
  protocol::ReplyWriter& out;
  std::span<const std::string_view> args;
  const CommandSpec& command;

  std::size_t argc() const { return args.size(); }
  std::string_view arg(std::size_t i) const { return args[i]; }
  const std::shared_ptr<Object>& object();
  template <class T>
  T& obj() {
    return static_cast<T&>(*object());
  }

  // An expected failure, written as its error reply (the same writer as a
  // thrown CommandError's).
  void error(ErrorCode code, std::string_view message);

  // Parks the session with `w` in `queues`; `reply` encodes the outcome when
  // the wait ends. The waiter's `what` defaults to the command and object.
  void park(std::unique_ptr<Waiter> w, std::span<WaitQueue* const> queues, WaitReply reply);
  void park(std::unique_ptr<Waiter> w, WaitQueue& queue, WaitReply reply) {
    WaitQueue* one[] = {&queue};
    park(std::move(w), one, reply);
  }

  // The one shape of a blocking command. `attempt(outcome, wake)` tries to
  // finish — take an item, the lock — into `outcome`, and returns true when
  // it did. It may hold plain pointers to the command's object: a parked
  // waiter keeps that object alive. It runs now (wake.parked false); if it cannot finish, the reply
  // is the timed-out outcome for NOWAIT / TIMEOUT 0, else the session parks
  // in `queue` and `attempt` runs again on each wake-up. Either way `reply`
  // writes the outcome: one encoder for the immediate and the parked path.
  template <class Attempt>
  void wait(WaitQueue& queue, const WaitOptions& opts, WaitReply reply, Attempt attempt) {
    WaitOutcome now;
    if (attempt(now, Wake{})) {
      now.status = WaitStatus::done;
      reply(out, now);
      return;
    }
    if (opts.nowait()) {
      now.status = WaitStatus::timed_out;
      reply(out, now);
      return;
    }
    auto w = std::make_unique<Waiter>();
    w->try_complete = [attempt](Waiter& self, Wake wake) mutable {
      return attempt(self.outcome, wake);
    };
    w->deadline = opts.deadline();
    park(std::move(w), queue, reply);
  }

 private:
  friend class Engine;
  std::shared_ptr<Object> object_;
};

// The one writer of error replies: -CODE message.
void write_error(protocol::ReplyWriter& out, ErrorCode code, std::string_view message);

// Argument parsing helpers; each throws CommandError with the right code.
std::int64_t parse_int(std::string_view s, ErrorCode code = ErrorCode::valueerror);
double parse_double(std::string_view s, ErrorCode code = ErrorCode::valueerror);
// Upper-cases an option keyword for comparison.
bool keyword_is(std::string_view arg, std::string_view upper_keyword);
// ASCII lower case: command names as Redis prints them, type names.
std::string lower_case(std::string_view s);

// Parses `[TIMEOUT s | NOWAIT]` starting at args[from]; other words are an
// ERR syntax error. `allow_nowait` false accepts only TIMEOUT.
WaitOptions parse_wait_options(std::span<const std::string_view> args, std::size_t from,
                               bool allow_nowait = true);

}  // namespace procshare::server
