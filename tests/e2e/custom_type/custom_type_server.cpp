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
    waiters_.wake_all();
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
  if (c.argc() > 3) fail(ErrorCode::err, "syntax error");
  std::int64_t n = c.argc() == 3 ? parse_int(c.arg(2)) : 1;
  c.out.integer(counter(c.object).add(n));
}

void counter_get(Ctx& c) {
  c.out.integer(counter(c.object).value());
}

void counter_wait(Ctx& c) {
  const std::int64_t target = parse_int(c.arg(2));
  WaitOptions opts = parse_wait_options(c.args, 3, /*allow_nowait=*/false);
  if (counter(c.object).value() >= target || opts.nowait()) {
    c.out.integer(counter(c.object).value() >= target ? 1 : 0);
    return;
  }
  Waiter w;
  w.try_complete = [obj = c.object, target](ReplyWriter& out) {
    if (counter(obj).value() < target) return false;
    out.integer(1);
    return true;
  };
  w.on_timeout = [](ReplyWriter& out) {
    out.integer(0);
    return true;
  };
  w.deadline = opts.deadline();
  c.park(counter(c.object).waiters(), std::move(w));
}

void register_counter_type(Engine& e) {
  e.register_type({"counter",
                   [](Engine&, std::span<const std::string_view> options) {
                     std::int64_t start = 0;
                     for (std::size_t i = 0; i < options.size(); ++i) {
                       if (keyword_is(options[i], "START") && i + 1 < options.size()) {
                         start = parse_int(options[++i], ErrorCode::err);
                       } else {
                         fail(ErrorCode::err, "syntax error: counter takes START n");
                       }
                     }
                     return std::make_unique<CounterObject>(start);
                   },
                   "A shared 64-bit counter (a user-defined type)"});
  const std::vector<std::string> types{"counter"};
  e.register_command({"COUNTER.INCR", -2, flag::write | flag::fast, counter_incr,
                      "Add n (1) and reply the new value", "counter [n]", types, "counter"});
  e.register_command(
      {"COUNTER.GET", 2, flag::readonly | flag::fast, counter_get, "The value", "counter", types});
  e.register_command({"COUNTER.WAIT", -3, flag::write | flag::blocking, counter_wait,
                      "Wait until the value reaches n; replies 1, or 0 on timeout",
                      "counter n [TIMEOUT seconds]", types, "counter"});
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
