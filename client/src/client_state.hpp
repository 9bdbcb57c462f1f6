#pragma once
// The shared state behind procshare::Client (private to the library): the
// address and resolved options, and this process's connections — one per
// thread plus the anchor connection that holds anonymous-object references.
//
// Locking: mu_ guards slots_ and anchor_ and is held only for bookkeeping,
// never across I/O. A thread's own slot is used without a lock (only its
// thread touches it); the anchor has its own mutex, held across its I/O.
// The fork handlers (fork_prepare/parent/child) take every state's mu_ so a
// child never inherits one mid-update.
//
// Heartbeats (ConnectOptions::heartbeat): one background thread per process
// PINGs the connections that are idle (a connection busy with a command
// PINGs by itself while it waits). A slot's io_mu is held by its thread for
// every use, so the pinger only ever takes (try_lock) a slot nobody uses.
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "procshare/connection.hpp"

namespace procshare::detail {

// One connection of this process.
struct Slot {
  Connection conn;
  pid_t pid = 0;
  std::mutex anchor_mu;  // used by the anchor slot only
  std::mutex io_mu;      // held while the connection is in use (heartbeats)
};

struct Pinger;

class ClientState : public std::enable_shared_from_this<ClientState> {
 public:
  ClientState(Address address, ConnectOptions options);
  ~ClientState();
  ClientState(const ClientState&) = delete;
  ClientState& operator=(const ClientState&) = delete;

  const Address& address() const { return address_; }
  const ConnectOptions& options() const { return options_; }

  // Sends over the calling thread's connection (opened on first use).
  // `wait` extends the I/O timeout for a blocking command (nullopt: none).
  protocol::Reply call(std::span<const std::string_view> args,
                       std::optional<std::optional<std::chrono::milliseconds>> wait = {});
  // Runs f(Connection&) on the calling thread's connection; a ConnectionError
  // drops that connection so that the next call reconnects.
  template <class F>
  auto with_connection(F&& f) {
    std::shared_ptr<Slot> slot = thread_slot();
    try {
      std::lock_guard use(slot->io_mu);
      return f(slot->conn);
    } catch (const ConnectionError&) {
      drop(slot);
      throw;
    }
  }
  // Sends over the anchor connection (anonymous objects' references).
  protocol::Reply call_anchor(std::span<const std::string_view> args);

  void close_all();
  std::size_t open_connections();

  // Removes (and closes) one slot; called at thread exit and after errors.
  void drop(const std::shared_ptr<Slot>& slot);

  // pthread_atfork handlers, for every live state.
  static void fork_prepare();
  static void fork_parent();
  static void fork_child();

  Connection open_connection() const;

 private:
  std::shared_ptr<Slot> thread_slot();
  std::shared_ptr<Slot> anchor_slot();
  // Starts this process's pinger if heartbeats are on and none runs.
  void start_pinger();
  void ping_idle();

  const Address address_;
  const ConnectOptions options_;
  const std::uint64_t id_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Slot>> slots_;
  std::shared_ptr<Slot> anchor_;
  Pinger* pinger_ = nullptr;  // this process's; a forked child's copy is leaked, never joined
};

}  // namespace procshare::detail
