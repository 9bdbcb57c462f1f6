// PROTOCOL.md §6 event: EVENT.SET, EVENT.CLEAR, EVENT.ISSET, EVENT.WAIT (:1
// once the flag is set, :0 when it timed out first).
// A parked EVENT.WAIT: timeout -> :0; disconnect -> it leaves the queue;
// DEL -> -NOTFOUND.
#include "../types/event.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

EventObject& event_of(const std::shared_ptr<Object>& obj) {
  return static_cast<EventObject&>(*obj);
}

void cmd_set(Ctx& c) {
  event_of(c.object).set();
  c.out.ok();
}

void cmd_clear(Ctx& c) {
  event_of(c.object).clear();
  c.out.ok();
}

void cmd_isset(Ctx& c) {
  c.out.boolean(event_of(c.object).is_set());
}

void cmd_wait(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2, /*allow_nowait=*/false);
  sync::wait_for_integer(c, event_of(c.object).waiters(), opts,
                         [obj = c.object](bool) -> std::int64_t { return event_of(obj).is_set(); });
}

}  // namespace

void register_event_type(Engine& e) {
  e.register_type({"event",
                   [](Engine&, std::span<const std::string_view> o) -> std::unique_ptr<Object> {
                     sync::no_options("event", o);
                     return std::make_unique<EventObject>();
                   },
                   "A flag clients can wait for (Python's Event)"});

  const std::vector<std::string> types{"event"};
  using namespace flag;
  e.register_command({"EVENT.SET", 2, write | fast, cmd_set, "Set the flag and wake every waiter",
                      "event", types, "event"});
  e.register_command(
      {"EVENT.CLEAR", 2, write | fast, cmd_clear, "Clear the flag", "event", types, "event"});
  e.register_command(
      {"EVENT.ISSET", 2, readonly | fast, cmd_isset, "Whether the flag is set", "event", types});
  e.register_command({"EVENT.WAIT", -2, write | blocking, cmd_wait,
                      "Wait for the flag; replies 1, or 0 on timeout", "event [TIMEOUT seconds]",
                      types, "event"});
}

}  // namespace procshare::server
