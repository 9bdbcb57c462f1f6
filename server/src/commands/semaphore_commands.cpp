// PROTOCOL.md §6 semaphore, boundedsemaphore: SEM.ACQUIRE (:1, or :0 when it
// timed out), SEM.RELEASE [n], SEM.VALUE. Permits are booked per client (see
// types/semaphore.hpp) so a vanished client's permits come back.
// A parked SEM.ACQUIRE: timeout -> :0; disconnect -> it just leaves the
// queue; DEL -> -NOTFOUND.
#include "../types/semaphore.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

SemaphoreObject& sem_of(const std::shared_ptr<Object>& obj) {
  return static_cast<SemaphoreObject&>(*obj);
}

void cmd_acquire(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2);
  sync::wait_for_integer(c, sem_of(c.object).waiters(), opts,
                         [obj = c.object, s = &c.session](bool queued) -> std::int64_t {
                           if (!sem_of(obj).acquire_now(s->id(), queued)) return 0;
                           s->hold(obj);  // the permit comes back if this client vanishes
                           return 1;
                         });
}

void cmd_release(Ctx& c) {
  if (c.argc() > 3) fail(ErrorCode::err, "syntax error");
  std::int64_t n = c.argc() == 3 ? parse_int(c.arg(2)) : 1;
  sem_of(c.object).release(c.session.id(), n);
  c.out.ok();
}

void cmd_value(Ctx& c) {
  c.out.integer(sem_of(c.object).value());
}

std::unique_ptr<Object> make_semaphore(std::span<const std::string_view> options, bool bounded) {
  std::string_view type = bounded ? "boundedsemaphore" : "semaphore";
  std::int64_t value = 1;  // Python's default
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (keyword_is(options[i], "VALUE") && i + 1 < options.size()) {
      value = sync::option_int("VALUE", options[++i], 0);
    } else {
      sync::bad_option(type, options[i]);
    }
  }
  return std::make_unique<SemaphoreObject>(value, bounded);
}

}  // namespace

void register_semaphore_types(Engine& e) {
  e.register_type(
      {"semaphore",
       [](Engine&, std::span<const std::string_view> o) { return make_semaphore(o, false); },
       "A counting semaphore (Python's Semaphore); VALUE n, default 1"});
  e.register_type(
      {"boundedsemaphore",
       [](Engine&, std::span<const std::string_view> o) { return make_semaphore(o, true); },
       "A semaphore that cannot be released past its initial value"});

  const std::vector<std::string> types{"semaphore", "boundedsemaphore"};
  using namespace flag;
  e.register_command({"SEM.ACQUIRE", -2, write | blocking, cmd_acquire,
                      "Take a permit; replies 1, or 0 on timeout",
                      "semaphore [TIMEOUT seconds | NOWAIT]", types, "semaphore"});
  e.register_command({"SEM.RELEASE", -2, write | fast, cmd_release, "Give back n permits (1)",
                      "semaphore [n]", types, "semaphore"});
  e.register_command(
      {"SEM.VALUE", 2, readonly | fast, cmd_value, "The free permits", "semaphore", types});
}

}  // namespace procshare::server
