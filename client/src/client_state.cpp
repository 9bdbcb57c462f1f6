// ClientState: per-thread connections, the anchor connection, and the fork
// handlers. See client_state.hpp and client.hpp for the design.
#include "client_state.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <thread>
#include <unordered_set>

namespace procshare::detail {

struct Pinger {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread thread;
};

namespace {

// Every live ClientState, for the fork handlers. Never destroyed: thread
// exit and static destructors may still reach it at process exit.
struct Registry {
  std::mutex mu;
  std::vector<ClientState*> states;
};

Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

std::atomic<std::uint64_t> next_id{1};

// This thread's connections, one per ClientState it used. Only weak
// references: the state owns its slots, so closing a Client closes them.
struct ThreadSlots {
  struct Entry {
    std::uint64_t id;
    std::weak_ptr<ClientState> state;
    std::weak_ptr<Slot> slot;
  };
  std::vector<Entry> entries;

  ~ThreadSlots() {
    // The thread ends: close its connections, so the server releases what
    // this thread held (locks are owned per connection).
    for (auto& e : entries) {
      auto st = e.state.lock();
      auto slot = e.slot.lock();
      if (st && slot) st->drop(slot);
    }
  }
};

thread_local ThreadSlots t_slots;

void install_fork_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::pthread_atfork(&ClientState::fork_prepare, &ClientState::fork_parent,
                     &ClientState::fork_child);
  });
}

}  // namespace

ClientState::ClientState(Address address, ConnectOptions options)
    : address_(std::move(address)), options_(std::move(options)), id_(next_id++) {
  install_fork_handlers();
  std::lock_guard g(registry().mu);
  registry().states.push_back(this);
}

ClientState::~ClientState() {
  if (pinger_) {
    {
      std::lock_guard g(pinger_->mu);
      pinger_->stop = true;
    }
    pinger_->cv.notify_all();
    pinger_->thread.join();
    delete pinger_;
  }
  std::lock_guard g(registry().mu);
  auto& v = registry().states;
  v.erase(std::remove(v.begin(), v.end(), this), v.end());
}

Connection ClientState::open_connection() {
  bool retry;
  {
    std::lock_guard g(restart_mu_);
    retry = ever_connected_;
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
  auto backoff = std::chrono::milliseconds(10);
  for (;;) {
    try {
      Connection c = Connection::open(address_, options_);
      std::string id = c.run_id();
      if (id.empty()) {
        // RESP2: HELLO with no version only reports (as Redis's does).
        protocol::Reply r = c.call({"HELLO"});
        if (!r.is_error()) id = run_id_of(r);
      }
      note_run_id(id);
      return c;
    } catch (const ConnectionError&) {
      // The first connect fails at once (a wrong address is a mistake to
      // report); a reconnect waits for a server that may be restarting.
      const auto now = std::chrono::steady_clock::now();
      if (!retry || now + backoff >= deadline) throw;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
    }
  }
}

void ClientState::note_run_id(const std::string& id) {
  std::function<void()> callback;
  {
    std::lock_guard g(restart_mu_);
    ever_connected_ = true;
    if (id.empty() || id == run_id_) return;
    const bool restarted = !run_id_.empty();
    run_id_ = id;
    if (!restarted) return;
    restarts_.fetch_add(1);
    callback = on_restart_;
  }
  if (callback) callback();
}

std::string ClientState::run_id() {
  std::lock_guard g(restart_mu_);
  return run_id_;
}

void ClientState::on_restart(std::function<void()> f) {
  std::lock_guard g(restart_mu_);
  on_restart_ = std::move(f);
}

void ClientState::note_acquired(const std::string& name) {
  std::lock_guard g(restart_mu_);
  held_[name] = restarts_.load();
}

void ClientState::check_release(const std::string& name) {
  std::lock_guard g(restart_mu_);
  auto it = held_.find(name);
  if (it == held_.end()) return;
  const bool lost = it->second != restarts_.load();
  held_.erase(it);
  if (lost) {
    throw LockLost("'" + name +
                   "' was acquired before the server restarted: the server no longer holds it "
                   "for this client");
  }
}

std::shared_ptr<Slot> ClientState::thread_slot() {
  const pid_t pid = ::getpid();
  ThreadSlots::Entry* entry = nullptr;
  for (auto& e : t_slots.entries) {
    if (e.id != id_) continue;
    entry = &e;
    if (auto s = e.slot.lock()) {
      if (s->pid == pid && s->conn.is_open()) return s;
      // Stale: closed after an error, or inherited through a fork that
      // bypassed the fork handlers. Closing our copy never affects the parent.
      if (s->pid != pid) s->conn.close();
      drop(s);
    }
    break;
  }
  auto slot = std::make_shared<Slot>();
  slot->conn = open_connection();  // outside mu_: connecting may take a while
  slot->pid = pid;
  {
    std::lock_guard g(mu_);
    slots_.push_back(slot);
    start_pinger();
  }
  if (entry) {
    entry->slot = slot;
  } else {
    // Forget entries of states that are gone, so a long-lived thread that
    // used many short-lived clients does not grow this list.
    std::erase_if(t_slots.entries, [](const auto& e) { return e.state.expired(); });
    t_slots.entries.push_back({id_, weak_from_this(), slot});
  }
  return slot;
}

void ClientState::drop(const std::shared_ptr<Slot>& slot) {
  std::lock_guard g(mu_);
  std::erase(slots_, slot);
}

namespace {

// Commands that only read, which a broken connection may safely send again.
bool safe_to_repeat(std::string_view command) {
  static const std::unordered_set<std::string> reads = {
      "PING",        "ECHO",        "INFO",       "EXISTS",      "TYPE",        "OBJECTS",
      "DESCRIBE",    "METHODS",     "DICT.GET",   "DICT.HAS",    "DICT.LEN",    "DICT.KEYS",
      "DICT.VALUES", "DICT.ITEMS",  "LIST.GET",   "LIST.LEN",    "LIST.RANGE",  "LIST.INDEX",
      "LIST.COUNT",  "SET.HAS",     "SET.LEN",    "SET.MEMBERS", "NS.GET",      "NS.HAS",
      "NS.ATTRS",    "NS.ITEMS",    "VALUE.GET",  "ARRAY.GET",   "ARRAY.LEN",   "ARRAY.RANGE",
      "QUEUE.SIZE",  "QUEUE.EMPTY", "QUEUE.FULL", "EVENT.ISSET", "LOCK.LOCKED", "SEM.VALUE",
      "GET",         "MGET",        "STRLEN",     "EXISTS",      "HGET",        "HGETALL",
      "HLEN",        "HEXISTS",     "HKEYS",      "HVALS",       "HMGET",       "LLEN",
      "LRANGE",      "LINDEX",      "SCARD",      "SISMEMBER",   "SMEMBERS",    "DBSIZE",
      "KEYS",        "SCAN",        "DICT.SCAN",  "SET.SCAN",    "NS.SCAN",     "TTL",
      "PTTL",        "LASTSAVE",    "TIME"};
  std::string upper(command);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return reads.contains(upper);
}

}  // namespace

protocol::Reply ClientState::call(std::span<const std::string_view> args,
                                  std::optional<std::optional<std::chrono::milliseconds>> wait) {
  try {
    return call_once(args, wait);
  } catch (const ConnectionLost&) {
    throw;
  } catch (const ConnectionError& e) {
    if (args.empty()) throw;
    if (!safe_to_repeat(args[0])) {
      throw ConnectionLost("the connection broke before the reply to " + std::string(args[0]) +
                           " came (" + e.message() +
                           "): it may or may not have happened; the next call reconnects");
    }
    // A read: once more, on a new connection (a second failure is thrown).
    return call_once(args, wait);
  }
}

protocol::Reply ClientState::call_once(
    std::span<const std::string_view> args,
    std::optional<std::optional<std::chrono::milliseconds>> wait) {
  std::shared_ptr<Slot> slot = thread_slot();  // a failure to connect is thrown as it is
  try {
    return send_on(slot->conn, args, wait);
  } catch (const ConnectionError&) {
    drop(slot);
    throw;
  }
}

protocol::Reply ClientState::send_on(Connection& c, std::span<const std::string_view> args,
                                     std::optional<std::optional<std::chrono::milliseconds>> wait) {
  const auto saved = c.io_timeout();
  if (wait && saved.count() > 0) {
    // A blocking command may legitimately wait `wait` before its reply:
    // the I/O timeout guards against a dead server, not against waiting.
    c.set_io_timeout(*wait ? saved + **wait : std::chrono::milliseconds(0));
  }
  protocol::Reply r = c.call(args);
  c.set_io_timeout(saved);
  return r;
}

std::shared_ptr<Slot> ClientState::anchor_slot() {
  const pid_t pid = ::getpid();
  std::lock_guard g(mu_);
  if (!anchor_ || anchor_->pid != pid) {
    anchor_ = std::make_shared<Slot>();
    anchor_->pid = pid;
  }
  return anchor_;
}

protocol::Reply ClientState::call_anchor(std::span<const std::string_view> args) {
  std::shared_ptr<Slot> a = anchor_slot();
  std::lock_guard g(a->anchor_mu);
  // Opened lazily (most programs never make anonymous objects), and again
  // after an error closed it.
  if (!a->conn.is_open()) {
    a->conn = open_connection();
    std::lock_guard g2(mu_);
    start_pinger();
  }
  return a->conn.call(args);
}

void ClientState::start_pinger() {
  // Called with mu_ held.
  if (pinger_ || options_.heartbeat.count() <= 0) return;
  pinger_ = new Pinger;
  Pinger* p = pinger_;
  const auto every = std::max(options_.heartbeat / 3, std::chrono::milliseconds(1));
  p->thread = std::thread([this, p, every] {
    std::unique_lock lock(p->mu);
    while (!p->cv.wait_for(lock, every, [p] { return p->stop; })) {
      lock.unlock();
      ping_idle();
      lock.lock();
    }
  });
}

void ClientState::ping_idle() {
  std::vector<std::shared_ptr<Slot>> slots;
  std::shared_ptr<Slot> anchor;
  {
    std::lock_guard g(mu_);
    slots = slots_;
    anchor = anchor_;
  }
  const auto now = std::chrono::steady_clock::now();
  auto beat = [&](Slot& s, std::mutex& m) {
    std::unique_lock use(m, std::try_to_lock);
    if (!use.owns_lock() || !s.conn.is_open() || !s.conn.idle()) return;  // busy: it pings itself
    if (now - s.conn.last_sent() < s.conn.heartbeat() / 3) return;
    try {
      s.conn.ping();
    } catch (...) {
      // The connection is closed now; its thread reconnects on its next call.
    }
  };
  const pid_t pid = ::getpid();
  for (auto& s : slots) {
    if (s->pid == pid) beat(*s, s->io_mu);
  }
  if (anchor && anchor->pid == pid) beat(*anchor, anchor->anchor_mu);
}

void ClientState::close_all() {
  // Slots in use by other threads stay alive through their shared_ptr and
  // close when that call returns; the next call opens a new connection.
  std::lock_guard g(mu_);
  slots_.clear();
  anchor_.reset();
}

std::size_t ClientState::open_connections() {
  std::lock_guard g(mu_);
  return slots_.size() + (anchor_ ? 1 : 0);
}

void ClientState::fork_prepare() {
  registry().mu.lock();
  for (ClientState* s : registry().states) s->mu_.lock();
}

void ClientState::fork_parent() {
  for (ClientState* s : registry().states) s->mu_.unlock();
  registry().mu.unlock();
}

void ClientState::fork_child() {
  // Only the forking thread exists here. Close the child's copies of the
  // parent's sockets without writing a byte: the parent's connections stay
  // open and their replies stay theirs; a copy left open would also keep the
  // server from noticing when the parent closes or dies.
  for (ClientState* s : registry().states) {
    // The parent's pinger thread does not exist here: its state is left
    // alone (never joined nor destroyed); the child starts its own.
    s->pinger_ = nullptr;
    for (auto& slot : s->slots_) slot->conn.close();
    s->slots_.clear();
    if (s->anchor_) {
      s->anchor_->conn.close();
      if (s->anchor_->anchor_mu.try_lock()) {
        s->anchor_->anchor_mu.unlock();
        s->anchor_.reset();
      } else {
        // Another parent thread was using it: its mutex is locked forever in
        // this process, so it is leaked rather than destroyed locked.
        new std::shared_ptr<Slot>(std::move(s->anchor_));
        s->anchor_ = nullptr;
      }
    }
    s->mu_.unlock();
  }
  registry().mu.unlock();
}

}  // namespace procshare::detail
