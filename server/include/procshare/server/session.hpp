#pragma once
// One client's state as the engine sees it: identity, protocol version,
// authentication, its pending replies, the wait it is parked in, and what it
// holds (locks, permits, references) so that all of it is released when it
// goes. Transport-agnostic: a socket connection and an in-memory test
// harness both drive a Session through the hooks below.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "procshare/protocol/reply_writer.hpp"
#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

// tls: TCP with TLS, from any address (the bytes are private in transit).
enum class Transport { unix_socket, tcp_loopback, tcp_remote, tls, memory };

// A blocking command's reply encoder: the outcome of its wait as RESP. The
// engine calls it, for the waiting session, when the wait has finished (or
// at once when the command did not have to wait): one encoder per command.
using WaitReply = void (*)(protocol::ReplyWriter& out, const WaitOutcome& outcome);

// OBJECTS / KEYS walking a large keyspace in steps (name_walk.hpp): where
// the next step starts and what matched so far. (At namespace scope: clang
// cannot default-construct a nested class with member initializers inside
// std::optional while the enclosing class is incomplete.)
struct NameWalk {
  std::uint64_t cursor = 0;
  std::vector<std::string> names;
};

class Session {
 public:
  Session(ClientId id, Transport transport, std::string peer);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  ClientId id() const { return id_; }
  Transport transport() const { return transport_; }
  // Where a plain AUTH key cannot be read in transit: Unix, loopback, TLS.
  bool is_local() const { return transport_ != Transport::tcp_remote; }
  const std::string& peer() const { return peer_; }

  std::string name;
  bool authenticated = false;
  std::string auth_nonce;  // the pending AUTH.CHALLENGE nonce, single use
  Clock::time_point created = Clock::now();
  Clock::time_point last_active = Clock::now();
  std::string last_command;
  std::uint64_t commands = 0;
  // Bytes of received, not yet executed input the connection holds
  // (CLIENT LIST's qbuf), kept up to date by the transport.
  std::size_t input_buffered = 0;
  // Being closed by the server (CLIENT KILL, evicted before authenticating).
  bool killed = false;
  // CLIENT HEARTBEAT: silent (nothing received) this long, the connection is
  // closed as dead, parked or not (0: never).
  std::chrono::milliseconds heartbeat{0};

  // Replies waiting to be written. `out` always writes into `output`.
  std::string output;
  protocol::ReplyWriter out{output};
  int resp() const { return out.resp(); }

  // ---- parking (blocking commands) ----
  // A parked session has a wait: pending until the scheduler completes it,
  // then finished until the engine writes its reply (Engine::deliver).
  bool parked() const { return waiter_ != nullptr; }
  bool wait_finished() const { return waiter_ && waiter_->finished(); }
  Waiter* waiter() { return waiter_.get(); }
  const Waiter* waiter() const { return waiter_.get(); }
  WaitReply wait_reply() const { return reply_; }
  // The engine parks and unparks (Engine::park, Engine::deliver).
  void set_wait(std::unique_ptr<Waiter> w, WaitReply reply);
  std::unique_ptr<Waiter> take_wait();
  // Called by the scheduler: the wait finished; tells the transport.
  void woken();
  // Leaves the wait without a reply (disconnect): withdraws the waiter and
  // runs its on_abandon.
  void abandon();

  // ---- what the client holds ----
  // Asks for obj->client_gone(id) when this session closes.
  void hold(Object& obj);
  void hold(const std::shared_ptr<Object>& obj) { hold(*obj); }
  // Reference counts this session holds on objects (REF.INC / anonymous CREATE).
  void add_ref(Object& obj, std::int64_t n);
  void add_ref(const std::shared_ptr<Object>& obj, std::int64_t n) { add_ref(*obj, n); }
  std::int64_t refs_on(const Object* obj) const;
  // LOCK.ACQUIRE got `obj` (a lock) for this client; LOCK.RELEASE by this
  // client, or its release by another, ends that (`acquired` false).
  void hold_lock(Object& obj, bool acquired);
  // Whether this client acquired an earlier incarnation of the lock now named
  // like `lock` (deleted, overwritten or flushed since) without releasing it,
  // and has not acquired `lock` itself since: a release by name from it is
  // meant for the old lock, not for this one.
  bool holds_earlier_incarnation(const Object& lock) const;
  struct Held {
    std::weak_ptr<Object> object;
    std::int64_t refs = 0;
    bool owns = false;
    // Locks only: the name it had when acquired, whether this client still
    // believes it holds it, and whether it ever acquired it.
    std::string lock_name;
    bool lock_held = false;
    bool lock_acquired = false;
  };
  std::unordered_map<const Object*, Held>& holdings() {
    last_held_ = nullptr;
    return held_;
  }

  // ---- hooks the transport sets ----
  std::function<void()> on_resume;  // a parked wait finished: deliver its reply
  std::function<void()> on_kill;    // CLIENT KILL, SHUTDOWN: close this connection
  bool close_after_reply = false;   // QUIT, failed AUTH.PROVE, protocol error
  // Hold this connection's replies (and its further requests) this long: the
  // delay after a failed AUTH that makes guessing keys slow, without a thread.
  std::chrono::milliseconds reply_delay{0};
  // Who the AuthThrottle counts failures against: "uid:N" for a Unix peer,
  // "ip:ADDR" for TCP and TLS; empty (not throttled) for in-process sessions.
  std::string auth_source;
  // Set by a command that must wait its turn (an authentication attempt from
  // a throttled source): it wrote and changed nothing, and the transport runs
  // the same request again at this time, holding the rest of the pipeline.
  std::optional<Clock::time_point> retry_at;
  // OBJECTS / KEYS walking a large keyspace in steps (name_walk.hpp).
  std::optional<NameWalk> name_walk;

 private:
  Held& held(Object& obj);
  ClientId id_;
  Transport transport_;
  std::string peer_;
  std::unique_ptr<Waiter> waiter_;
  WaitReply reply_ = nullptr;
  std::unordered_map<const Object*, Held> held_;
  std::pair<const Object* const, Held>* last_held_ = nullptr;  // held()'s last answer
};

}  // namespace procshare::server
