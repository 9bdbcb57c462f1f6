// PROTOCOL.md §6 event: EVENT.SET, EVENT.CLEAR, EVENT.ISSET, EVENT.WAIT (:1
// once the flag is set, :0 when it timed out first).
// A parked EVENT.WAIT: timeout -> :0; disconnect -> it leaves the queue;
// DEL -> -NOTFOUND.
#include "../types/event.hpp"

#include "dump_util.hpp"
#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

EventObject& event_of(const std::shared_ptr<Object>& obj) {
  return static_cast<EventObject&>(*obj);
}

void cmd_set(Ctx& c) {
  event_of(c.object()).set();
  c.out.ok();
}

void cmd_clear(Ctx& c) {
  event_of(c.object()).clear();
  c.out.ok();
}

void cmd_isset(Ctx& c) {
  c.out.boolean(event_of(c.object()).is_set());
}

void cmd_wait(Ctx& c) {
  ArgReader r(c.args, 2);
  WaitOptions opts = r.wait_options(/*allow_nowait=*/false);
  r.finish();
  const auto& obj = c.object();
  c.wait(event_of(obj).waiters(), opts, sync::reply_integer, [obj](WaitOutcome& o, Wake) {
    o.integer = 1;
    return event_of(obj).is_set();
  });
}

}  // namespace

namespace {
void dump_event(const Object& obj, const TypeSpec::Emit& emit) {
  dump::create(emit, obj);
  if (static_cast<const EventObject&>(obj).is_set()) {
    std::vector<std::string> argv{"EVENT.SET", obj.name()};
    emit(argv);
  }
}
}  // namespace

void register_event_type(Engine& e) {
  e.register_type({.name = "event",
                   .make = [](Engine&, auto o) -> std::unique_ptr<Object> {
                     sync::no_options("event", o);
                     return std::make_unique<EventObject>();
                   },
                   .summary = "A flag clients can wait for (Python's Event)",
                   .dump = dump_event});

  const std::vector<std::string> types{"event"};
  using namespace flag;
  e.register_command({.name = "EVENT.SET",
                      .arity = 2,
                      .flags = write | fast,
                      .handler = cmd_set,
                      .summary = "Set the flag and wake every waiter",
                      .args = "event",
                      .types = types,
                      .create_type = "event"});
  e.register_command({.name = "EVENT.CLEAR",
                      .arity = 2,
                      .flags = write | fast,
                      .handler = cmd_clear,
                      .summary = "Clear the flag",
                      .args = "event",
                      .types = types,
                      .create_type = "event"});
  e.register_command({.name = "EVENT.ISSET",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_isset,
                      .summary = "Whether the flag is set",
                      .args = "event",
                      .types = types});
  e.register_command({.name = "EVENT.WAIT",
                      .arity = -2,
                      .flags = write | transient | blocking,
                      .handler = cmd_wait,
                      .summary = "Wait for the flag; replies 1, or 0 on timeout",
                      .args = "event [TIMEOUT seconds]",
                      .types = types,
                      .create_type = "event"});
}

}  // namespace procshare::server
