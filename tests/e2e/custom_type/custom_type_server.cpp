// custom_type_server: procshare-server plus one user-defined type, `counter`,
// registered through the same public API as the built-in types
// (Engine::register_type + Engine::register_command) -- procshare's answer to
// Python's BaseManager.register. Built for tests/e2e/custom_type_test.cpp.
//
//   CREATE counter name [START n]
//   COUNTER.INCR c [n]           adds n (1), replies the new value; creates c
//   COUNTER.GET c                the value; NOTFOUND when c does not exist
//   COUNTER.WAIT c n [TIMEOUT s] waits until the value reaches n: :1, or :0
//                                when it timed out (a parked client, as the
//                                built-in waiting types do)
#include <fmt/format.h>
#include <signal.h>
#include <asio.hpp>

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/config.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/server.hpp"

using namespace procshare::server;

namespace {

class CounterObject : public Object {
 public:
  explicit CounterObject(std::int64_t start) : start_(start), value_(start) {}
  std::size_t size() const override { return 1; }
  std::string options_key() const override { return fmt::format("start={}", start_); }
  void describe(Fields& out) const override {
    out.add("start", FieldValue(start_));
    out.add("value", FieldValue(value_));
  }
  std::int64_t value() const { return value_; }
  std::int64_t add(std::int64_t n) {
    if (__builtin_add_overflow(value_, n, &value_)) {
      fail(ErrorCode::valueerror, "increment would overflow");
    }
    waiters_.notify_all();
    return value_;
  }
  WaitQueue& waiters() { return waiters_; }

 private:
  WaitQueue waiters_{*this};
  std::int64_t start_;
  std::int64_t value_;
};

CounterObject& counter(const std::shared_ptr<Object>& obj) {
  return static_cast<CounterObject&>(*obj);
}

void counter_incr(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t n = r.more() ? r.next_int() : 1;
  r.finish();
  c.out.integer(counter(c.object()).add(n));
}

void counter_get(Ctx& c) {
  c.out.integer(counter(c.object()).value());
}

// A blocking command of a user type, through the same Ctx::wait as the
// built-ins: `attempt` runs now and on every wake-up; reply_reached encodes
// the outcome either way.
void reply_reached(ReplyWriter& out, const WaitOutcome& o) {
  out.integer(o.status == WaitStatus::done ? 1 : 0);
}

void counter_wait(Ctx& c) {
  ArgReader r(c.args, 2);
  const std::int64_t target = r.next_int();
  WaitOptions opts = r.wait_options(/*allow_nowait=*/false);
  r.finish();
  const auto& obj = c.object();
  c.wait(counter(obj).waiters(), opts, reply_reached,
         [obj, target](WaitOutcome&, Wake) { return counter(obj).value() >= target; });
}

void register_counter_type(Engine& e) {
  e.register_type({.name = "counter",
                   .make =
                       [](Engine&, std::span<const std::string_view> options) {
                         std::int64_t start = 0;
                         ArgReader r(options, 0);
                         while (r.more()) {
                           if (r.accept("START")) {
                             start = r.next_int(ErrorCode::err);
                           } else {
                             r.error(ErrorCode::err, "syntax error: counter takes START n");
                           }
                         }
                         r.finish();
                         return std::make_unique<CounterObject>(start);
                       },
                   .summary = "A shared 64-bit counter (a user-defined type)"});
  const std::vector<std::string> types{"counter"};
  e.register_command({.name = "COUNTER.INCR",
                      .arity = -2,
                      .flags = flag::write | flag::fast,
                      .handler = counter_incr,
                      .summary = "Add n (1) and reply the new value",
                      .args = "counter [n]",
                      .types = types,
                      .create_type = "counter"});
  e.register_command({.name = "COUNTER.GET",
                      .arity = 2,
                      .flags = flag::readonly | flag::fast,
                      .handler = counter_get,
                      .summary = "The value",
                      .args = "counter",
                      .types = types});
  e.register_command({.name = "COUNTER.WAIT",
                      .arity = -3,
                      .flags = flag::write | flag::blocking,
                      .handler = counter_wait,
                      .summary = "Wait until the value reaches n; replies 1, or 0 on timeout",
                      .args = "counter n [TIMEOUT seconds]",
                      .types = types,
                      .create_type = "counter"});
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  try {
    config = parse_config(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "custom_type_server: {}\n", e.what());
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io(1);
  Engine engine(config);
  register_builtins(engine);
  register_counter_type(engine);
  Server server(io, engine);
  try {
    server.start();
  } catch (const std::exception& e) {
    fmt::print(stderr, "custom_type_server: {}\n", e.what());
    return 1;
  }
  auto stop = [&] {
    if (!server.stopping()) server.stop();
  };
  engine.on_shutdown = [&] { asio::post(io, stop); };
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](asio::error_code ec, int) {
    if (!ec) stop();
  });
  server.on_stopped = [&] { signals.cancel(); };
  io.run();
  return 0;
}
