#pragma once
// The engine: objects, types, the command table and the sessions, with no
// sockets. Engine::execute is the whole path args -> command table -> object
// -> reply; the Asio connections, the in-memory test harness and the fuzz
// target all drive it. Everything here runs on the event loop's one thread:
// no object is ever touched by two threads, so no object needs a mutex.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "procshare/server/auth_throttle.hpp"
#include "procshare/server/command.hpp"
#include "procshare/server/config.hpp"
#include "procshare/server/object_registry.hpp"
#include "procshare/server/session.hpp"
#include "procshare/server/type_spec.hpp"

namespace procshare::server {

struct Stats {
  std::uint64_t connections_received = 0;
  std::uint64_t commands_processed = 0;
  std::uint64_t rejected_connections = 0;  // maxclients
  std::uint64_t protocol_errors = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t output_buffer_disconnects = 0;
  std::uint64_t idle_disconnects = 0;
  std::uint64_t heartbeat_disconnects = 0;  // CLIENT HEARTBEAT: silent too long
  std::uint64_t preauth_limit_refusals = 0;
  std::uint64_t abandoned_locks = 0;  // locks freed because their owner vanished
  std::uint64_t timeouts = 0;
  std::uint64_t tls_handshake_failures = 0;  // refused or abandoned TLS handshakes
  std::uint64_t auth_timeouts = 0;           // closed for not authenticating in time
  std::uint64_t preauth_refusals = 0;        // refused: the unauthenticated share was full
  std::uint64_t pending_input_refusals = 0;  // closed: --max-pending-input was full
  // Not a counter: bytes of requests received and not yet run, all clients
  // together (the connections keep it up to date; --max-pending-input).
  std::size_t pending_input = 0;
};

class Persistence;

class Engine {
 public:
  explicit Engine(Config config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- the registration API (built-in types use it too) ----
  void register_type(TypeSpec spec);
  void register_command(CommandSpec spec);
  const TypeSpec* find_type(std::string_view name) const;
  const CommandSpec* find_command(std::string_view name) const;  // case-insensitive
  const std::map<std::string, std::unique_ptr<TypeSpec>>& types() const { return types_; }
  const std::map<std::string, std::unique_ptr<CommandSpec>>& commands() const {
    return ordered_commands_;
  }

  // ---- objects ----
  ObjectRegistry& objects() { return objects_; }
  // Builds an object of `type` from option words; throws CommandError.
  std::shared_ptr<Object> make_object(std::string_view type,
                                      std::span<const std::string_view> options);
  // Inserts a made object under `name` (anonymous: reference counted).
  void add_object(std::string_view name, const std::shared_ptr<Object>& obj, bool anonymous);
  // Before an object is created implicitly (a write command on a missing
  // name): an anonymous object's name ("anon:...", CREATE type *) is never
  // made again once it is gone, so a client holding it never talks to a
  // fresh default object by mistake. Throws NOTFOUND for such a name.
  static void check_implicit_name(std::string_view name);
  // Deletes a named object; waiters get -NOTFOUND. False when absent.
  bool delete_object(std::string_view name);
  // FLUSHALL: deletes every object, and gives the memory back to the system.
  // The keyspace is empty at once; with on_garbage set, a large flush is
  // destroyed kFreeStep objects at a time (free_some), so that freeing 1M
  // objects (1.5 s) stalls no other client.
  void delete_all();
  static constexpr std::size_t kFreeStep = 2000;
  // Set by the transport: arrange for free_some() to run soon, and again
  // while it returns true (more to free).
  std::function<void()> on_garbage;
  bool free_some();
  // Returns free heap pages to the system (after large deletes).
  static void give_back_memory();
  // Deleting an object of at least this many elements gives memory back.
  static constexpr std::size_t kGiveBackAfter = 4096;
  // Adds `delta` to the object's reference count and returns the new count; an
  // anonymous object whose count reaches zero is deleted.
  std::int64_t change_refs(Object& obj, std::int64_t delta);
  // Books `delta` of the count as detached (owned by no connection); the
  // caller changes the count itself with change_refs.
  void change_detached_refs(Object& obj, std::int64_t delta) { obj.detached_refs_ += delta; }

  // ---- sessions ----
  Session& open_session(Transport transport, std::string peer);
  // Releases everything the session held, leaves its wait, forgets it.
  void close_session(Session& s);
  const std::unordered_map<ClientId, std::unique_ptr<Session>>& sessions() const {
    return sessions_;
  }
  Session* find_session(ClientId id);

  // Runs one request (args[0] is the command name). Writes its reply into
  // s.out, or parks the session; then serves the waits the command made
  // ready.
  void execute(Session& s, std::span<const std::string_view> args);

  // The object a command names in args[1]: found, or created implicitly as
  // the command's row says, and of one of its types (else NOTFOUND,
  // WRONGTYPE). Ctx::object() calls it once the arguments are checked.
  const std::shared_ptr<Object>& resolve(Ctx& c);

  // ---- waiting (wait_queue.hpp, wait_scheduler.hpp) ----
  WaitScheduler& waits() { return waits_; }
  // Parks `s` with `w` in `queues`; `reply` will encode the outcome.
  void park(Session& s, std::unique_ptr<Waiter> w, std::span<WaitQueue* const> queues,
            WaitReply reply);
  // Writes the reply of the session's finished wait and unparks it: what a
  // transport calls when Session::on_resume fired. False if none finished.
  bool deliver(Session& s);
  // When the transport must next call expire_due (nullopt: no deadline).
  std::optional<Clock::time_point> next_deadline() const { return waits_.next_deadline(); }
  // Ends the waits whose deadline passed; returns how many ended.
  std::size_t expire_due(Clock::time_point now);
  // Ends every wait with shut_down (SHUTDOWN, SIGTERM).
  void shut_down_waits();

  // ---- memory (memory.hpp says how it is counted) ----
  // Past --maxmemory: commands flagged `grows` are refused.
  bool over_maxmemory() const;
  // Before a command allocates `bytes` at once (CREATE array ... LEN n):
  // -OOM if that would take the server past --maxmemory.
  void reserve_memory(std::size_t bytes) const;
  static constexpr std::string_view kOomMessage =
      "command not allowed when used memory > 'maxmemory'.";

  bool requires_auth(const Session& s) const { return config_.authkey && !s.authenticated; }
  // Connections that have not authenticated yet (0 on a server without a key).
  std::size_t unauthenticated() const;

  Config& config() { return config_; }
  const Config& config() const { return config_; }
  Stats& stats() { return stats_; }
  // Failed authentication, per source (auth_throttle.hpp).
  AuthThrottle& auth_throttle() { return auth_throttle_; }
  // The last fencing token any lock handed out: one server-wide counter that
  // only grows, so a token never repeats across locks or their incarnations.
  std::int64_t& fencing_tokens() { return fencing_tokens_; }
  // The last delivery id any queue handed out (leased QUEUE.GET): one
  // counter for the server, so an id never repeats, not even in a later
  // queue of the same name, and a late ACK can never settle another item.
  std::int64_t& delivery_ids() { return delivery_ids_; }
  Clock::time_point started() const { return started_; }
  // 40 random hex characters, new at every start: a client that sees it
  // change knows it talks to a different server (and its state may be gone).
  const std::string& run_id() const { return run_id_; }

  // ---- persistence (persistence.hpp) ----
  // Opens --dir's log and runs it (throws std::runtime_error on damage);
  // from then on every successful write is logged.
  void start_persistence();
  Persistence* persistence() { return persist_.get(); }
  bool logging() const { return logging_; }
  // Runs one logged command at start-up (no client, no reply).
  void replay(std::span<const std::string_view> args);
  // Logs `argv` instead of the running command's own arguments (a command
  // whose effect is not a function of its arguments: SPOP logs SREM).
  void log_instead(std::vector<std::string> argv) { log_instead_ = std::move(argv); }
  ClientId last_client_id() const { return next_client_id_ - 1; }
  // After a restart: tokens, client ids and delivery ids continue above these.
  void continue_after(std::int64_t tokens, ClientId clients, std::int64_t deliveries);

  // Set by the server: stop serving (SHUTDOWN).
  std::function<void()> on_shutdown;
  // Extra INFO text from the transport layer (listeners, ports).
  std::function<void(Fields&)> server_info;
  // CONFIG SET of settings the transport applies at run time (tls-*): all
  // pairs at once or none; throws std::exception with the reason.
  std::function<void(const std::vector<std::pair<std::string, std::string>>&)> config_set;

 private:
  void run(Session& s, const CommandSpec& cmd, std::span<const std::string_view> args);
  void log_command(Session& s, const Ctx& ctx, std::size_t mark);
  Config config_;
  std::unique_ptr<Persistence> persist_;
  bool logging_ = false;
  bool made_anonymous_ = false;  // the running command made an anonymous object
  std::optional<std::vector<std::string>> log_instead_;
  Session* replay_session_ = nullptr;
  Stats stats_;
  AuthThrottle auth_throttle_;
  std::int64_t fencing_tokens_ = 0;
  std::int64_t delivery_ids_ = 0;
  Clock::time_point started_ = Clock::now();
  std::string run_id_;
  // Names of the objects the running command created, undone if it fails.
  std::vector<std::string> made_by_command_;
  void roll_back_creations();
  WaitScheduler waits_;  // before objects_: their queues unregister from it
  ObjectRegistry objects_;
  std::deque<ObjectRegistry::Removed> graveyard_;  // flushed, not yet destroyed
  std::map<std::string, std::unique_ptr<TypeSpec>> types_;
  std::map<std::string, std::unique_ptr<CommandSpec>> ordered_commands_;
  std::unordered_map<std::string, const CommandSpec*, StringHash, std::equal_to<>> commands_;
  // find_command's cache of recent names as sent (commands are never
  // unregistered, so an entry never goes stale).
  struct LookupCacheEntry {
    std::string name;
    const CommandSpec* spec = nullptr;
  };
  mutable std::array<LookupCacheEntry, 16> lookup_cache_;
  std::unordered_map<ClientId, std::unique_ptr<Session>> sessions_;
  ClientId next_client_id_ = 1;
};

// Registers every built-in type and command (types, §5, §7, auth, Redis).
void register_builtins(Engine& engine);

// Writes Fields as a RESP map (DESCRIBE) — the one place fields become RESP.
void write_fields(protocol::ReplyWriter& out, const Fields& fields);

}  // namespace procshare::server
