#include "procshare/server/engine.hpp"

#include "procshare/protocol/handshake.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/memory.hpp"
#include "procshare/server/persistence.hpp"
#include "procshare/server/text.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace procshare::server {

namespace {

// Upper-cases a command name into `buf`; false if it cannot be a command name.
bool upper_name(std::string_view in, std::array<char, 64>& buf, std::string_view& out) {
  if (in.size() > buf.size()) return false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    buf[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  out = std::string_view(buf.data(), in.size());
  return true;
}

using text::printable;

}  // namespace

Engine::Engine(Config config)
    : config_(std::move(config)), run_id_(protocol::auth::random_nonce_hex().substr(0, 40)) {}

Engine::~Engine() {
  persist_.reset();  // the last writes reach the file
  // Sessions first: they hold weak references into the objects.
  for (auto& [id, s] : sessions_) s->abandon();
  sessions_.clear();
  graveyard_.clear();
  objects_.clear();
}

void Engine::register_type(TypeSpec spec) {
  if (spec.name.empty() || !spec.make) throw std::logic_error("type needs a name and make()");
  if (types_.contains(spec.name)) throw std::logic_error("type registered twice: " + spec.name);
  std::string name = spec.name;
  types_.emplace(std::move(name), std::make_unique<TypeSpec>(std::move(spec)));
}

void Engine::register_command(CommandSpec spec) {
  std::array<char, 64> buf{};  // zeroed: GCC 12 -O3 warns maybe-uninitialized otherwise
  std::string_view upper;
  if (spec.name.empty() || !spec.handler || !upper_name(spec.name, buf, upper)) {
    throw std::logic_error("bad command spec: " + spec.name);
  }
  spec.name = std::string(upper);
  if (ordered_commands_.contains(spec.name)) {
    throw std::logic_error("command registered twice: " + spec.name);
  }
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  const CommandSpec* raw = owned.get();
  commands_.emplace(raw->name, raw);
  ordered_commands_.emplace(raw->name, std::move(owned));
}

const TypeSpec* Engine::find_type(std::string_view name) const {
  auto it = types_.find(lower_case(name));
  return it == types_.end() ? nullptr : it->second.get();
}

const CommandSpec* Engine::find_command(std::string_view name) const {
  // Clients send the same few commands over and over, spelled the same way:
  // a small direct-mapped cache of names exactly as sent skips the
  // upper-casing and the hash (the table lookup was ~2% of the server's CPU
  // with 16-deep pipelines).
  if (name.empty()) return nullptr;
  // The slot mixes the length, the last byte and the third from last, which
  // tell apart the pairs clients alternate (QUEUE.PUT/GET, LOCK.ACQUIRE/RELEASE).
  std::size_t h = name.size() * 31 + static_cast<unsigned char>(name.back());
  if (name.size() >= 3) h = h * 31 + static_cast<unsigned char>(name[name.size() - 3]);
  LookupCacheEntry& slot = lookup_cache_[h % lookup_cache_.size()];
  if (slot.spec && slot.name == name) return slot.spec;
  std::array<char, 64> buf{};  // zeroed: GCC 12 -O3 warns maybe-uninitialized otherwise
  std::string_view upper;
  if (!upper_name(name, buf, upper)) return nullptr;
  auto it = commands_.find(upper);
  if (it == commands_.end()) return nullptr;
  slot.name.assign(name);
  slot.spec = it->second;
  return it->second;
}

std::shared_ptr<Object> Engine::make_object(std::string_view type,
                                            std::span<const std::string_view> options) {
  const TypeSpec* spec = find_type(type);
  if (!spec) fail(ErrorCode::err, fmt::format("unknown type '{}'", printable(type)));
  std::shared_ptr<Object> obj = spec->make(*this, options);
  obj->type_name_ = spec->name;
  obj->attach(waits_);
  return obj;
}

void Engine::add_object(std::string_view name, const std::shared_ptr<Object>& obj, bool anonymous) {
  if (config_.max_objects && objects_.size() >= config_.max_objects) {
    fail(ErrorCode::limit,
         fmt::format("too many objects (max-objects is {})", config_.max_objects));
  }
  obj->anonymous_ = anonymous;
  objects_.insert(name, obj);
  if (!anonymous) made_by_command_.emplace_back(name);
  made_anonymous_ = made_anonymous_ || anonymous;
}

std::size_t Engine::unauthenticated() const {
  if (!config_.authkey) return 0;
  std::size_t n = 0;
  for (const auto& [id, s] : sessions_) n += s->authenticated || s->killed ? 0 : 1;
  return n;
}

bool Engine::over_maxmemory() const {
  return config_.maxmemory && memory::used() > config_.maxmemory;
}

void Engine::reserve_memory(std::size_t bytes) const {
  if (!config_.maxmemory) return;
  const std::size_t used = memory::used();
  if (used > config_.maxmemory || bytes > config_.maxmemory - used) {
    fail(ErrorCode::oom, std::string(kOomMessage));
  }
}

void Engine::check_implicit_name(std::string_view name) {
  if (name.starts_with("anon:")) {
    fail(ErrorCode::notfound,
         fmt::format("no such object '{}' (anonymous objects are never made again)",
                     printable(name)));
  }
}

bool Engine::delete_object(std::string_view name) {
  const Object* o = objects_.find_raw(name);
  if (!o) return false;
  const bool big = o->size() >= kGiveBackAfter;
  objects_.erase(name);  // its waiters complete with not_found
  if (big) give_back_memory();
  return true;
}

void Engine::delete_all() {
  ObjectRegistry::Removed doomed = objects_.take_all();
  if (on_garbage && doomed.objects.size() > kFreeStep) {
    graveyard_.push_back(std::move(doomed));
    if (graveyard_.size() == 1) on_garbage();  // else a run is under way
    return;
  }
  doomed = {};
  give_back_memory();
}

bool Engine::free_some() {
  std::size_t freed = 0;
  while (!graveyard_.empty() && freed < kFreeStep) {
    ObjectRegistry::Removed& r = graveyard_.front();
    for (; !r.index.empty() && freed < kFreeStep; ++freed) r.index.erase(r.index.begin());
    for (; !r.objects.empty() && freed < kFreeStep; ++freed) r.objects.erase(r.objects.begin());
    if (r.empty()) graveyard_.pop_front();
  }
  if (!graveyard_.empty()) return true;
  give_back_memory();
  return false;
}

// glibc keeps freed memory in its arenas; after a big delete the resident
// size would stay at its peak. malloc_trim returns free pages to the kernel
// (costs a walk of the free lists: so only after deletes that freed much).
void Engine::give_back_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

std::int64_t Engine::change_refs(Object& obj, std::int64_t delta) {
  obj.refs_ += delta;
  std::int64_t now = obj.refs_;
  if (obj.anonymous_ && now <= 0) {
    auto it = objects_.all().find(obj.name());
    if (it != objects_.all().end() && it->second.get() == &obj) objects_.erase(obj.name());
  }
  return now;
}

Session& Engine::open_session(Transport transport, std::string peer) {
  ClientId id = next_client_id_++;
  auto s = std::make_unique<Session>(id, transport, std::move(peer));
  Session& ref = *s;
  sessions_.emplace(id, std::move(s));
  ++stats_.connections_received;
  return ref;
}

Session* Engine::find_session(ClientId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void Engine::close_session(Session& s) {
  // A finished wait whose reply never went out gives back what it took:
  // that change is logged too.
  if (logging_ && s.wait_finished() && s.waiter()->outcome.status == WaitStatus::done &&
      s.waiter()->logged_undo) {
    std::vector<std::string> argv = s.waiter()->logged_undo(*s.waiter());
    persist_->append(argv);
  }
  s.abandon();
  // Release what the client held. Copy first: client_gone may wake waiters
  // whose sessions then hold the object, but never this one.
  auto held = std::move(s.holdings());
  for (auto& [raw, h] : held) {
    std::shared_ptr<Object> obj = h.object.lock();
    if (!obj) continue;
    if (h.owns) obj->client_gone(s.id());
    // Only references this client added are dropped; a net negative count
    // (it dropped references others made) is not given back.
    if (h.refs > 0) change_refs(*obj, -h.refs);
  }
  sessions_.erase(s.id());
  waits_.run();  // what it held went to the next waiters
}

void Engine::park(Session& s, std::unique_ptr<Waiter> w, std::span<WaitQueue* const> queues,
                  WaitReply reply) {
  Waiter& ref = *w;
  s.set_wait(std::move(w), reply);
  waits_.park(ref, queues);
}

bool Engine::deliver(Session& s) {
  if (!s.wait_finished()) return false;
  WaitReply reply = s.wait_reply();
  std::unique_ptr<Waiter> w = s.take_wait();
  // The statuses every wait shares are written here; the command's encoder
  // writes the rest (its item, its integer, its own timed-out reply).
  switch (w->outcome.status) {
    case WaitStatus::not_found:
      write_error(s.out, ErrorCode::notfound, "object was deleted");
      break;
    case WaitStatus::shut_down:
      write_error(s.out, ErrorCode::err, "server is shutting down");
      break;
    default:
      reply(s.out, w->outcome);
  }
  return true;
}

std::size_t Engine::expire_due(Clock::time_point now) {
  std::size_t n = waits_.expire_due(now);
  stats_.timeouts += n;
  return n;
}

void Engine::shut_down_waits() {
  for (const auto& [name, obj] : objects_.all()) obj->finish_waiters(WaitStatus::shut_down);
  waits_.run();
}

void Engine::execute(Session& s, std::span<const std::string_view> args) {
  if (args.empty()) return;
  ++stats_.commands_processed;
  ++s.commands;
  const CommandSpec* cmd = find_command(args[0]);
  if (!cmd || (cmd->flags & flag::internal)) [[unlikely]] {
    std::string rest;
    for (std::size_t i = 1; i < args.size() && rest.size() < 128; ++i) {
      rest += fmt::format("'{}' ", printable(args[i], 64));
    }
    write_error(s.out, ErrorCode::err,
                fmt::format("unknown command '{}', with args beginning with: {}",
                            printable(args[0], 64), rest));
    return;
  }
  int n = static_cast<int>(args.size());
  if ((cmd->arity > 0 && n != cmd->arity) || (cmd->arity < 0 && n < -cmd->arity)) {
    write_error(s.out, ErrorCode::err,
                fmt::format("wrong number of arguments for '{}' command", lower_case(cmd->name)));
    return;
  }
  if (requires_auth(s) && !(cmd->flags & flag::noauth)) {
    write_error(s.out, ErrorCode::noauth, "Authentication required.");
    return;
  }
  if ((cmd->flags & flag::grows) && over_maxmemory()) {
    write_error(s.out, ErrorCode::oom, kOomMessage);
    return;
  }
  s.last_command = cmd->name;
  run(s, *cmd, args);
  if (s.retry_at) {  // it waits its turn and runs again (Session::retry_at): not run yet
    --stats_.commands_processed;
    --s.commands;
  }
  if (waits_.has_ready()) waits_.run();
}

void Engine::run(Session& s, const CommandSpec& cmd, std::span<const std::string_view> args) {
  // A handler that fails after writing part of a reply must not leave half a
  // reply on the wire: cut back to where this command started. Handlers
  // read and check every argument before they ask for the object
  // (Ctx::object), so a command that fails changes nothing.
  const std::size_t mark = s.output.size();
  made_by_command_.clear();  // creations outside a command are not undone
  made_anonymous_ = false;
  Ctx ctx{*this, s, s.out, args, cmd};
  try {
    cmd.handler(ctx);
  } catch (const CommandError& e) {
    s.output.resize(mark);
    write_error(s.out, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    s.output.resize(mark);
    write_error(s.out, ErrorCode::limit, "out of memory");
  }
  if (logging_) [[unlikely]]
    log_command(s, ctx, mark);
  // Objects the command created go again if it failed after all (LIST.POP
  // of a new, empty list: -INDEXERROR; CREATE condition c LOCK l ... that
  // finds c exists; BLPOP a b over --max-objects), so a failed command
  // leaves nothing behind.
  if (!made_by_command_.empty()) {
    if (!s.parked() && s.output.size() > mark && s.output[mark] == '-') roll_back_creations();
    made_by_command_.clear();
  }
}

void Engine::log_command(Session& s, const Ctx& ctx, std::size_t mark) {
  const CommandSpec& cmd = ctx.command;
  std::optional<std::vector<std::string>> instead = std::move(log_instead_);
  log_instead_.reset();
  if (!(cmd.flags & flag::write)) return;
  if (!s.parked() && s.output.size() > mark && s.output[mark] == '-') return;  // changed nothing
  const auto& args = ctx.args;
  // An empty `instead`: the command's effect is logged otherwise (a
  // leased QUEUE.GET: by its queue's journal).
  if (s.parked() || (cmd.flags & flag::transient) || (instead && instead->empty())) {
    // The command itself is not logged (its effect is not kept, or a parked
    // wait logs its effect when it completes), but the objects it made are.
    // A Redis key made to wait on is not: it goes when it is empty again.
    if (s.parked() && (cmd.flags & flag::redis)) return;
    for (const std::string& name : made_by_command_) {
      const Object* o = objects_.find_raw(name);
      if (!o || o->anonymous()) continue;
      std::vector<std::string> argv{"CREATE", std::string(o->type_name()), name};
      if (o->type_name() == cmd.create_type) {
        argv.insert(argv.end(), cmd.create_options.begin(), cmd.create_options.end());
      }
      persist_->append(argv);
    }
    return;
  }
  // Anonymous objects are not kept: their references belonged to
  // connections that a restart ends.
  if (made_anonymous_ || (args.size() > 1 && args[1].starts_with("anon:"))) return;
  if (instead) {
    persist_->append(*instead);
    return;
  }
  persist_->append(args);
}

void Engine::start_persistence() {
  persist_ = std::make_unique<Persistence>(*this);
  Session& replayer = open_session(Transport::memory, "log");
  replayer.authenticated = true;
  replay_session_ = &replayer;
  try {
    persist_->start();
  } catch (...) {
    replay_session_ = nullptr;
    close_session(replayer);
    persist_.reset();
    throw;
  }
  replay_session_ = nullptr;
  close_session(replayer);
  logging_ = true;
  waits_.on_done = [this](const Waiter& w) {
    std::vector<std::string> argv = w.logged_as(w);
    persist_->append(argv);
  };
  // What belonged to the former server's clients is theirs no more (queue
  // items in flight go back to the head); logged, as any change.
  // Copied first: a dead letter may create its queue.
  std::vector<std::shared_ptr<Object>> loaded;
  loaded.reserve(objects_.size());
  for (const auto& [name, obj] : objects_.all()) loaded.push_back(obj);
  for (const auto& o : loaded) o->after_restart();
  persist_->commit();
}

void Engine::replay(std::span<const std::string_view> args) {
  Session& s = *replay_session_;
  if (args.empty()) return;
  const CommandSpec* cmd = find_command(args[0]);
  if (!cmd) {
    log::warning("persistence: the log names an unknown command '{}': skipped",
                 printable(args[0], 64));
    return;
  }
  run(s, *cmd, args);
  if (waits_.has_ready()) waits_.run();
  if (s.parked()) s.abandon();  // never expected: a logged command did not wait
  if (!s.output.empty() && s.output[0] == '-') {
    // Commands on anonymous objects (not kept) may fail; they changed
    // nothing kept then either.
    log::verbose("persistence: a logged {} failed again: {}", cmd->name, printable(s.output, 120));
  }
  s.output.clear();
}

void Engine::continue_after(std::int64_t tokens, ClientId clients, std::int64_t deliveries) {
  fencing_tokens_ = std::max(fencing_tokens_, tokens);
  delivery_ids_ = std::max(delivery_ids_, deliveries);
  next_client_id_ = std::max(next_client_id_, clients + 1);
}

void Engine::roll_back_creations() {
  for (auto it = made_by_command_.rbegin(); it != made_by_command_.rend(); ++it) {
    const Object* o = objects_.find_raw(*it);
    if (o && o->waiters() == 0 && o->refs() == 0) objects_.erase(*it);
  }
}

const std::shared_ptr<Object>& Engine::resolve(Ctx& c) {
  const CommandSpec& cmd = c.command;
  if (cmd.types.empty()) throw std::logic_error(cmd.name + " names no object type");
  std::string_view name = c.args[1];
  std::shared_ptr<Object> obj = objects_.find(name);
  if (!obj) {
    if (!(cmd.flags & flag::write) || cmd.create_type.empty()) {
      fail(ErrorCode::notfound, fmt::format("no such object '{}'", printable(name)));
    }
    text::check_name(name);
    check_implicit_name(name);
    std::vector<std::string_view> opts(cmd.create_options.begin(), cmd.create_options.end());
    obj = make_object(cmd.create_type, opts);
    add_object(name, obj, false);
  }
  if (std::find(cmd.types.begin(), cmd.types.end(), obj->type_name()) == cmd.types.end()) {
    fail(ErrorCode::wrongtype,
         fmt::format("Operation against an object of the wrong type ('{}' is a {})",
                     printable(name), obj->type_name()));
  }
  c.object_ = std::move(obj);
  return c.object_;
}

void write_fields(protocol::ReplyWriter& out, const Fields& fields) {
  out.map(fields.items().size());
  for (const auto& [key, value] : fields.items()) {
    out.bulk(key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Null>) {
            out.null();
          } else if constexpr (std::is_same_v<T, bool>) {
            out.boolean(v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            out.integer(v);
          } else if constexpr (std::is_same_v<T, double>) {
            out.floating(v);
          } else {
            out.bulk(v);
          }
        },
        value);
  }
}

}  // namespace procshare::server
