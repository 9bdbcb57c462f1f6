// One client connection (see connection.hpp): an event loop of its own over
// readiness. Each turn it runs the buffered requests, writes what it can
// without blocking, then waits for the first of: the socket is readable, the
// socket is writable (when replies are queued), or the timer (a parked wait's
// deadline or its wake-up, a failed AUTH's reply delay, the idle timeout, the
// CLIENT HEARTBEAT deadline, the deadline of the last flush before a close). A client between
// requests, with nothing else pending, is simply read from.
//
// Why readiness and non-blocking reads and writes rather than awaiting a read
// or a write:
//  * A client that sends requests but never reads its replies must be cut off
//    once its queued replies pass --max-output-buffer, not stall forever in a
//    write with its file descriptor held: so requests keep being read and run
//    while replies cannot be written, as in Redis.
//  * Racing a *read* against a timer (`||`) may drop bytes that were read in
//    the same turn the timer won. A readiness wait consumes nothing, so it can
//    lose any race safely.
//
// What one connection may hold (so per-connection memory is bounded):
//  * input: one incomplete request, which the parser bounds (16 KiB before
//    authentication on a keyed server); while parked, at most
//    kParkedReadAhead of pipelined requests: past it the connection stops
//    reading, and the kernel's socket buffers push back on the sender;
//  * output: --max-output-buffer plus the largest reply queued since the
//    output was last empty. The limit applies to the backlog beyond that
//    reply, as Redis's client-output-buffer-limit applies to a backlog: a
//    value that --max-bulk let in can always be read back whole by a client
//    that reads, whatever the two flags say (issue 12).
// And all connections together: --max-pending-input bounds the sum of the
// input they hold (Stats::pending_input). A connection whose partial request
// grows the sum past it while others hold input too gets -LIMIT and is
// closed (over_input_budget). Closing rather than pausing its reads: paused
// uploads that each wait for the others to finish would wait forever. Its
// request was never run, so nothing acknowledged is lost; a lone request is
// never refused, so whatever the request limits accept can be sent.
//
// Fairness: once one turn has run kSliceCommands requests for kSliceTime
// (or kSliceBytes of them), the connection yields to the loop, so a deep
// pipeline (say the backlog behind a wait that just ended) delays other
// clients by one slice, not by the whole backlog. A count alone cost a
// 1,000-deep PING pipeline 8% of its rate; a time alone needs a clock read
// per request.
#include "connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "procshare/protocol/request_parser.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/persistence.hpp"
#include "procshare/server/server.hpp"
#include "procshare/server/text.hpp"
#include "tls.hpp"

namespace procshare::server {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;

// Bytes read per readiness event: big enough for throughput, small enough
// that one busy client cannot starve the others for long.
constexpr std::size_t kReadChunk = 64 * 1024;
// What a client waiting between requests keeps for its next read (Redis's
// 16 KiB query buffer): an idle connection holds this plus any partial
// request, not the 64-128 KiB a busy one reads with. A read that fills it
// grows the buffer back to kReadChunk.
constexpr std::size_t kIdleChunk = 16 * 1024;
// Replies are written as soon as this much is queued, not only after the
// batch, so a long pipeline of big replies goes out while it runs.
constexpr std::size_t kFlushAt = 64 * 1024;
// A written prefix of the output is dropped once it is this large and at
// least half of the buffer (amortised O(1) per byte, no copy per write).
constexpr std::size_t kCompactAt = 1024 * 1024;
// Buffers grown past this by one big request or reply are given back.
constexpr std::size_t kShrinkAbove = 1024 * 1024;
// A connection holding no more input than this is never refused by
// --max-pending-input: ordinary requests go on while big uploads fill it.
constexpr std::size_t kSmallInput = 16 * 1024;
// A closing connection (protocol error, failed AUTH.PROVE, QUIT, shutdown)
// gets this long to take its last replies; then it is closed regardless.
constexpr auto kCloseFlushTimeout = std::chrono::seconds(5);
// Pipelined input read ahead behind a parked request; then reading stops.
constexpr std::size_t kParkedReadAhead = 256 * 1024;
// A parked connection that stopped reading checks this often whether its
// peer hung up (a hang-up behind unread bytes raises no readiness event).
constexpr auto kHangupPoll = std::chrono::milliseconds(200);
// One turn's share of the loop: ~0.1-1 ms of ordinary commands.
constexpr std::size_t kSliceCommands = 512;
constexpr auto kSliceTime = std::chrono::microseconds(200);
constexpr std::size_t kSliceBytes = 256 * 1024;

// A connection's input buffer: [0, len) holds bytes read and not yet
// dropped. Sized exactly, never zero-filled (new char[] default-initialises),
// and a move copies only the bytes held, so untouched space costs no
// resident memory; grown and shrunk by the connection (input_space).
class InputBuffer {
 public:
  char* data() { return data_.get(); }
  std::size_t capacity() const { return capacity_; }
  // Makes the capacity exactly `bytes` (>= `keep`), keeping the first `keep`.
  void resize_to(std::size_t bytes, std::size_t keep) {
    std::unique_ptr<char[]> fresh(new char[bytes]);
    if (keep) std::memcpy(fresh.get(), data_.get(), keep);
    data_ = std::move(fresh);
    capacity_ = bytes;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
};

bool would_block(const asio::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

template <class Socket>
class StreamConnection final : public Connection,
                               public std::enable_shared_from_this<StreamConnection<Socket>> {
 public:
  StreamConnection(Server& server, Engine& engine, Socket socket, Transport transport,
                   std::string peer, std::string auth_source)
      : server_(server),
        engine_(engine),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        session_(&engine.open_session(transport, std::move(peer))) {
    session_->auth_source = std::move(auth_source);
  }

  void stop() override {
    stopping_ = true;
    wake();
  }

  awaitable<void> run() {
    server_.add(this);
    // Interrupts the parked wait, whichever form it takes (wait_for_event).
    session_->on_resume = [this] { wake(); };
    session_->on_kill = [this] {
      killed_ = true;
      wake();
    };
    log::verbose("client {} connected from {}", session_->id(), session_->peer());
    std::exception_ptr failure;
    try {
      co_await serve();
    } catch (...) {
      failure = std::current_exception();
    }
    asio::error_code ec;
    socket_.shutdown(Socket::shutdown_both, ec);
    socket_.close(ec);
    log::verbose("client {} closed", session_->id());
    hold_input(0);
    engine_.close_session(*session_);  // also ends a wait it was parked in
    session_ = nullptr;
    server_.remove(this);
    if (failure) std::rethrow_exception(failure);  // logged by spawn()'s handler
  }

 private:
  // What ended a wait. `read`: bytes were read already; `closed`: close now.
  enum class Wake { timer, readable, writable, read, closed };

  // Interrupts whatever the loop waits for, so it looks at its flags again.
  void wake() {
    asio::error_code ec;
    socket_.cancel(ec);
    timer_.cancel();
  }

  const protocol::Limits& limits() const {
    return engine_.requires_auth(*session_) ? pre_auth_limits_ : engine_.config().limits;
  }
  std::size_t pending_output() const { return session_->output.size() - sent_; }
  std::size_t buffered_input() const { return in_len_ - start_; }
  bool delayed() const { return delay_until_.has_value(); }
  bool finishing() const { return session_->close_after_reply || stopping_ || peer_closed_; }
  // Parked with a full read-ahead: the socket is left unread.
  bool backlog_full() const { return session_->parked() && buffered_input() >= kParkedReadAhead; }

  // Whether the peer closed or reset the connection, without reading.
  bool peer_hung_up() {
    pollfd p{socket_.native_handle(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  awaitable<void> serve() {
    asio::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) co_return;
    // TLS: the handshake, bounded in time; nothing for plain sockets.
    bool opened = co_await open_stream(socket_, *session_, engine_);
    if (!opened) co_return;
    last_activity_ = last_input_ = Clock::now();
    for (;;) {
      if (!step()) co_return;
      if (sync_wait_) {
        // The replies go out once the log has what they acknowledge.
        sync_wait_ = sliced_ = false;
        co_await log_committed();
        continue;
      }
      if (sliced_) {
        // The turn ended with requests still to run: let the others go first.
        sliced_ = false;
        co_await asio::post(socket_.get_executor(), use_awaitable);
        continue;
      }
      Wake w = co_await wait_for_event();
      if (w == Wake::closed) co_return;
      if (w == Wake::readable && !read_now()) co_return;
    }
  }

  // Everything that needs no waiting. False: close the connection now.
  bool step() {
    if (killed_) return false;  // CLIENT KILL: pending replies are dropped, as in Redis
    // One clock read per turn, shared by everything this turn does: reading
    // the clock per request or per write cost up to 6% of the server's CPU
    // with 16-deep pipelines (it is not free in a VM).
    const Clock::time_point now = Clock::now();
    now_ = now;
    if (got_input_) {
      got_input_ = false;
      last_activity_ = last_input_ = now;
    }
    if (delayed() && now >= *delay_until_) delay_until_.reset();
    // A finished wait (woken, timed out by the engine, its object deleted):
    // the engine writes its reply now, on this connection's own turn.
    engine_.deliver(*session_);
    // The idle clock starts again when a wait ends (a parked client is never idle).
    if (session_->parked()) {
      was_parked_ = true;
    } else if (was_parked_) {
      was_parked_ = false;
      last_activity_ = now;
    }
    if (stopping_ && session_->parked()) return false;   // SHUTDOWN already answered waiters
    if (backlog_full() && peer_hung_up()) return false;  // it left: abandon its wait now
    if (auth_due(now)) {
      ++engine_.stats().auth_timeouts;
      log::verbose("client {} ({}) closed: not authenticated within {} s", session_->id(),
                   session_->peer(), engine_.config().auth_timeout.count());
      return false;
    }
    if (heartbeat_due(now)) {
      ++engine_.stats().heartbeat_disconnects;
      log::verbose("client {} closed: nothing received for {} ms (CLIENT HEARTBEAT)",
                   session_->id(), session_->heartbeat.count());
      return false;
    }
    if (idle_due(now)) {
      ++engine_.stats().idle_disconnects;
      log::verbose("client {} closed: idle for {} s", session_->id(),
                   engine_.config().idle_timeout.count());
      return false;
    }
    if (!execute_buffered()) return false;
    if (over_input_budget()) refuse_input();
    if (over_output_limit()) return false;
    if (!delayed() && !write_now()) return false;
    if (finishing() && !delayed()) {
      if (pending_output() == 0) return false;  // everything said: close
      if (!close_by_) close_by_ = now + kCloseFlushTimeout;
      if (now >= *close_by_) return false;
    }
    if (session_->parked()) was_parked_ = true;
    return true;
  }

  bool idle_due(Clock::time_point now) const {
    auto idle = engine_.config().idle_timeout;
    // A parked client is waiting for the server, not idle (as in Redis).
    return idle.count() > 0 && !session_->parked() && !finishing() && !delayed() &&
           now >= last_activity_ + idle;
  }

  // Unlike the idle timeout, the heartbeat runs while parked too: a client
  // that asked for it pings while it waits, and a stopped process does not.
  bool heartbeat_due(Clock::time_point now) const {
    auto every = session_->heartbeat;
    return every.count() > 0 && !finishing() && now >= last_input_ + every;
  }

  bool auth_due(Clock::time_point now) const {
    auto t = engine_.config().auth_timeout;
    return t.count() > 0 && engine_.requires_auth(*session_) && now >= session_->created + t;
  }

  bool can_execute() const { return !session_->parked() && !delayed() && !finishing() && !killed_; }

  // Runs every complete request in the input buffer, until one parks, asks
  // for a reply delay or for a close. False: close now.
  bool execute_buffered() {
    std::size_t ran = 0;
    const std::size_t began_at = start_;
    while (can_execute() && start_ < in_len_) {
      // Every kSliceCommands requests the clock says whether the turn has
      // run long enough to yield: cheap requests (1,000 PINGs take ~50 us)
      // keep their turn, a slow backlog yields after ~kSliceTime.
      if ((ran != 0 && ran % kSliceCommands == 0 && Clock::now() - now_ >= kSliceTime) ||
          start_ - began_at >= kSliceBytes) {
        sliced_ = true;
        break;
      }
      ++ran;
      parser_.set_limits(limits());
      std::string_view pending(in_.data() + start_, in_len_ - start_);
      protocol::ParseResult r = parser_.parse(pending);
      if (r.status == protocol::ParseStatus::need_more) break;
      if (r.status == protocol::ParseStatus::error) {
        ++engine_.stats().protocol_errors;
        if (engine_.requires_auth(*session_)) ++engine_.stats().preauth_limit_refusals;
        log::verbose("client {}: {} near '{}'", session_->id(), r.error,
                     text::redacted_preview(pending, 64));
        write_error(session_->out, ErrorCode::err, r.error);
        session_->close_after_reply = true;
        start_ = in_len_;  // nothing after a bad frame is looked at
        break;
      }
      if (!parser_.args().empty()) {
        session_->last_active = now_;
        engine_.execute(*session_, parser_.args());
        if (session_->retry_at) {
          // Its source must wait (AuthThrottle): the same request runs again
          // then, and nothing behind it runs before.
          delay_until_ = *session_->retry_at;
          session_->retry_at.reset();
          break;
        }
      }
      start_ += r.consumed;
      if (session_->reply_delay.count() > 0) {
        delay_until_ = Clock::now() + session_->reply_delay;
        session_->reply_delay = {};
      }
      if (over_output_limit()) return false;
      if (pending_output() >= kFlushAt && !delayed() && !write_now()) return false;
    }
    compact_input();
    hold_input(buffered_input());
    return true;
  }

  // Keeps this connection's share of Stats::pending_input up to date.
  void hold_input(std::size_t bytes) {
    std::size_t& total = engine_.stats().pending_input;
    total = total - session_->input_buffered + bytes;
    session_->input_buffered = bytes;
  }

  // Whether input grown since the last turn takes the sum held by all
  // connections past --max-pending-input. Not for a parked connection (its
  // read-ahead has its own bound), a small request, or the only connection
  // holding input: a request the parser accepts can always be sent alone.
  bool over_input_budget() {
    const std::size_t held = buffered_input();
    const bool grew = held > input_checked_;
    input_checked_ = held;
    const std::size_t budget = engine_.config().max_pending_input;
    const std::size_t total = engine_.stats().pending_input;
    return budget != 0 && grew && held > kSmallInput && total > budget && total > held &&
           !session_->parked() && !finishing();
  }

  // Drops the partial request, says why and closes once that is written.
  void refuse_input() {
    ++engine_.stats().pending_input_refusals;
    log::notice(
        "client {} ({}) closed: its partial request of {} bytes would take the input "
        "held for all clients to {}, over max-pending-input {}",
        session_->id(), session_->peer(), buffered_input(), engine_.stats().pending_input,
        engine_.config().max_pending_input);
    write_error(session_->out, ErrorCode::limit,
                fmt::format("request refused: input held for all clients would pass "
                            "max-pending-input ({} bytes)",
                            engine_.config().max_pending_input));
    session_->close_after_reply = true;
    start_ = in_len_ = 0;
    parser_.reset();  // it holds the refused request's offsets
    in_.resize_to(kIdleChunk, 0);
    hold_input(0);
  }

  // Unread replies beyond the largest one queued since the output was last
  // empty (see the top of this file). Replies are appended only in this
  // connection's turn and each append is followed by a call here, so the
  // growth since the last call is one reply (or a delivered wait's and one).
  std::size_t output_backlog() {
    const std::size_t size = session_->output.size();
    if (size > output_seen_) largest_reply_ = std::max(largest_reply_, size - output_seen_);
    output_seen_ = size;
    return pending_output() - std::min(pending_output(), largest_reply_);
  }

  bool over_output_limit() {
    const std::size_t limit = engine_.config().max_output_buffer;
    const std::size_t backlog = output_backlog();
    if (limit == 0 || backlog <= limit) return false;  // 0: no limit, as in Redis
    ++engine_.stats().output_buffer_disconnects;
    log::notice(
        "client {} ({}) closed: {} bytes of replies unread beyond the largest one ({} bytes), "
        "over max-output-buffer {}",
        session_->id(), session_->peer(), backlog, largest_reply_,
        engine_.config().max_output_buffer);
    return true;
  }

  // Writes queued replies until the socket would block. False: write error.
  bool write_now() {
    // The log first: nothing is acknowledged before it is written.
    if (Persistence* p = engine_.persistence()) [[unlikely]] {
      if (const auto mark = p->commit_mark(); p->committed() < mark) {
        commit_mark_ = mark;
        sync_wait_ = true;  // serve() waits for the turn's commit, then writes
        return true;
      }
    }
    std::string& out = session_->output;
    while (sent_ < out.size()) {
      asio::error_code ec;
      std::size_t n = socket_.write_some(asio::buffer(out.data() + sent_, out.size() - sent_), ec);
      if (would_block(ec)) break;
      if (ec) return false;
      sent_ += n;
      last_activity_ = now_;
    }
    if (sent_ == out.size()) {
      out.clear();
      sent_ = output_seen_ = largest_reply_ = 0;
      if (out.capacity() > kShrinkAbove) out.shrink_to_fit();
    } else if (sent_ >= kCompactAt && sent_ * 2 >= out.size()) {
      out.erase(0, sent_);
      output_seen_ -= std::min(output_seen_, sent_);
      sent_ = 0;
    }
    return true;
  }

  // Reads what the socket has. False: the client left, or sent too much.
  bool read_now() {
    asio::error_code ec;
    std::size_t n = socket_.read_some(input_space(), ec);
    return took_input(ec, n);
  }

  // Room for the next read: kReadChunk while the reads keep filling what
  // they are given, kIdleChunk otherwise.
  // A big bulk in flight grows the buffer by doubling, up to the bulk's
  // end: growing by one read at a time copied the partial request on every
  // read, O(n^2) (a 64 MB SET took 86 s).
  asio::mutable_buffer input_space() {
    const std::size_t want = last_read_full_ ? kReadChunk : kIdleChunk;
    if (in_.capacity() - in_len_ < want) {
      const std::size_t bulk_end = parser_.bulk_end() ? start_ + parser_.bulk_end() : 0;
      std::size_t size = in_len_ + want;
      if (bulk_end > size) size = std::min(bulk_end, std::max(size, 2 * in_.capacity()));
      in_.resize_to(size, in_len_);
    }
    space_ = in_.capacity() - in_len_;
    return asio::buffer(in_.data() + in_len_, space_);
  }

  // Before waiting with nothing to write: a buffer grown by a busy spell or
  // a big request goes back to what the partial request needs plus
  // kIdleChunk, so that idle connections hold little (issue 12).
  void shrink_idle_buffers() {
    // Not while a bulk's data is arriving: the room was made for it.
    if (in_.capacity() > in_len_ + kIdleChunk && start_ + parser_.bulk_end() <= in_len_) {
      last_read_full_ = false;
      in_.resize_to(in_len_ + kIdleChunk, in_len_);
    }
    std::string& out = session_->output;
    if (out.empty() && out.capacity() > kIdleChunk) out.shrink_to_fit();
  }

  // Accounts for a read into input_space(). False: close now.
  bool took_input(const asio::error_code& ec, std::size_t n) {
    if (would_block(ec) || ec == asio::error::operation_aborted) return true;
    if (ec == asio::error::eof && !session_->parked() && pending_output() > 0) {
      // Half-closed (`nc -N`, a shell pipe): the client sent all it will and
      // still reads. Finish writing the replies, then close. (A parked
      // client that leaves abandons its wait at once, below.)
      peer_closed_ = true;
      return true;
    }
    if (ec) return false;  // end of stream or reset: the client left
    in_len_ += n;
    last_read_full_ = n == space_;
    hold_input(buffered_input());
    got_input_ = true;  // step() stamps last_activity_ with its clock read
    return true;
  }

  // Drops consumed input; keeps a partial request at the front (the parser
  // holds offsets into it, never pointers).
  void compact_input() {
    if (start_ == 0) return;
    if (start_ < in_len_) std::memmove(in_.data(), in_.data() + start_, in_len_ - start_);
    in_len_ -= start_;
    start_ = 0;
    if (in_.capacity() > kShrinkAbove && in_len_ < kReadChunk) in_.resize_to(kReadChunk, in_len_);
  }

  std::optional<Clock::time_point> next_deadline() const {
    std::optional<Clock::time_point> d;
    auto consider = [&](Clock::time_point t) {
      if (!d || t < *d) d = t;
    };
    if (delayed()) consider(*delay_until_);
    if (finishing() && close_by_) consider(*close_by_);
    if (backlog_full()) consider(now_ + kHangupPoll);
    const auto auth_timeout = engine_.config().auth_timeout;
    if (auth_timeout.count() > 0 && engine_.requires_auth(*session_)) {
      consider(session_->created + auth_timeout);
    }
    auto idle = engine_.config().idle_timeout;
    if (idle.count() > 0 && !session_->parked() && !finishing() && !delayed()) {
      consider(last_activity_ + idle);
    }
    if (session_->heartbeat.count() > 0 && !finishing())
      consider(last_input_ + session_->heartbeat);
    return d;
  }

  // Waits for the next thing to do. A parked wait's deadline is the
  // engine's (Server::expire_waits); its end reaches this loop through
  // Session::on_resume, which cancels the wait below.
  // One log write (and with always one fdatasync) for every connection that
  // is ready this turn: the first to wait posts the commit behind the
  // handlers already queued, which append their records first
  // (Persistence::commit_mark tells more).
  awaitable<void> log_committed() {
    Persistence* p = engine_.persistence();
    while (p->committed() < commit_mark_) {
      if (p->claim_commit()) asio::post(socket_.get_executor(), [p] { p->commit(); });
      co_await asio::post(socket_.get_executor(), use_awaitable);
    }
  }

  awaitable<Wake> wait_for_event() {
    const bool want_read = !delayed() && !finishing() && !backlog_full();
    const bool want_write = !delayed() && pending_output() > 0;
    const auto deadline = next_deadline();
    if (!want_write) shrink_idle_buffers();
    constexpr auto rd = Socket::wait_read;
    constexpr auto wr = Socket::wait_write;
    // (GCC 12 miscompiles co_await in conditions: results go through variables.)
    if (!deadline && !session_->parked() && !want_write) {
      // The common case, a client between requests: nothing to race, so a
      // plain read (which Asio first tries at once, without polling). stop()
      // and CLIENT KILL cancel the socket to interrupt it.
      auto [ec, n] = co_await socket_.async_read_some(input_space(), as_tuple(use_awaitable));
      bool keep = took_input(ec, n);
      co_return keep ? Wake::read : Wake::closed;
    }
    timer_.expires_at(deadline.value_or(Clock::time_point::max()));
    auto t = [this] { return timer_.async_wait(as_tuple(use_awaitable)); };
    auto s = [this](typename Socket::wait_type w) {
      return socket_.async_wait(w, as_tuple(use_awaitable));
    };
    if (want_read && want_write) {
      auto r = co_await (t() || s(rd) || s(wr));
      co_return r.index() == 0 ? Wake::timer : r.index() == 1 ? Wake::readable : Wake::writable;
    }
    if (want_read && !deadline) {
      // A parked wait with no deadline (the usual QUEUE.GET, LOCK.ACQUIRE):
      // no timer to race, so no `||`, whose coroutines and parallel group
      // cost ~3 KB per parked client and a few allocations per park.
      // on_resume(), stop() and CLIENT KILL cancel the socket to end it.
      auto [ec] = co_await s(rd);
      co_return ec == asio::error::operation_aborted ? Wake::timer : Wake::readable;
    }
    if (want_read) {
      auto r = co_await (t() || s(rd));
      co_return r.index() == 0 ? Wake::timer : Wake::readable;
    }
    if (want_write) {
      auto r = co_await (t() || s(wr));
      co_return r.index() == 0 ? Wake::timer : Wake::writable;
    }
    co_await t();
    co_return Wake::timer;
  }

  Server& server_;
  Engine& engine_;
  Socket socket_;
  asio::steady_timer timer_;
  Session* session_;
  protocol::RequestParser parser_;
  const protocol::Limits pre_auth_limits_ = pre_auth_limits(engine_.config());
  InputBuffer in_;  // [start_, in_len_) is unconsumed input
  std::size_t in_len_ = 0;
  std::size_t space_ = 0;        // what input_space() offered the last read
  bool last_read_full_ = false;  // that read filled it: the client sends in bulk
  std::size_t start_ = 0;
  std::size_t sent_ = 0;           // bytes of session_->output already written
  std::size_t output_seen_ = 0;    // session_->output's size at the last output_backlog()
  std::size_t largest_reply_ = 0;  // the largest reply queued since the output was empty
  std::size_t input_checked_ = 0;  // buffered_input() at the last over_input_budget()
  Clock::time_point last_activity_;
  Clock::time_point last_input_;                  // bytes last received (CLIENT HEARTBEAT)
  Clock::time_point now_;                         // step()'s clock read, for the work of that turn
  bool got_input_ = false;                        // bytes arrived since the last step()
  std::optional<Clock::time_point> delay_until_;  // replies held until then (failed AUTH)
  std::optional<Clock::time_point> close_by_;     // give up flushing then
  bool was_parked_ = false;
  bool peer_closed_ = false;  // end of stream seen with replies still to write
  bool stopping_ = false;
  bool killed_ = false;
  bool sliced_ = false;     // the last turn stopped with requests left to run
  bool sync_wait_ = false;  // replies wait for the log's commit (appendonly)
  std::uint64_t commit_mark_ = 0;
};

// A coroutine parameter lives in the coroutine frame, unlike a lambda's
// captures: so the connection is owned here for as long as it runs.
template <class Conn>
awaitable<void> keep_alive_while_running(std::shared_ptr<Conn> conn) {
  co_await conn->run();
}

template <class Socket>
void spawn(Server& server, Engine& engine, Socket socket, Transport transport, std::string peer,
           std::string auth_source) {
  auto ex = socket.get_executor();
  auto conn = std::make_shared<StreamConnection<Socket>>(
      server, engine, std::move(socket), transport, std::move(peer), std::move(auth_source));
  asio::co_spawn(ex, keep_alive_while_running(std::move(conn)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::warning("connection ended by an exception: {}", ex.what());
    }
  });
}

}  // namespace

protocol::Limits pre_auth_limits(const Config& config) {
  const protocol::Limits& configured = config.limits;
  protocol::Limits l = config.preauth_limits;
  l.max_bulk = std::min(l.max_bulk, configured.max_bulk);
  l.max_array = std::min(l.max_array, configured.max_array);
  l.max_inline = std::min(l.max_inline, configured.max_inline);
  l.max_request = std::min(l.max_request, configured.max_request);
  return l;
}

void serve_unix(Server& server, Engine& engine, asio::local::stream_protocol::socket socket) {
  // Failed authentication is throttled per user (AuthThrottle): the peer's uid.
  ucred cred{};
  socklen_t len = sizeof cred;
  std::string source =
      ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0
          ? fmt::format("uid:{}", cred.uid)
          : std::string("uid:?");
  spawn(server, engine, std::move(socket), Transport::unix_socket, "unix", std::move(source));
}

namespace {

// Sets TCP options on an accepted socket and names its peer; false when the
// peer already left.
bool prepare_tcp(asio::ip::tcp::socket& socket, int keepalive, bool& loopback, std::string& peer,
                 std::string& source) {
  asio::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto remote = socket.remote_endpoint(ec);
  if (ec) return false;  // the peer left before we looked
  if (keepalive > 0) {
    // PROTOCOL.md §6: notice a vanished machine in about keepalive + 15 s, so
    // that the locks it held are freed.
    int fd = socket.native_handle();
    int on = 1, idle = keepalive, interval = 5, count = 3;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  }
  asio::ip::address addr = remote.address();
  // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; 127.x is still loopback.
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  loopback = addr.is_loopback();
  source = "ip:" + addr.to_string();  // AuthThrottle: per address, whatever the port
  peer = addr.is_v6() ? fmt::format("[{}]:{}", addr.to_string(), remote.port())
                      : fmt::format("{}:{}", addr.to_string(), remote.port());
  return true;
}

}  // namespace

void serve_tcp(Server& server, Engine& engine, asio::ip::tcp::socket socket, int keepalive) {
  bool loopback = false;
  std::string peer, source;
  if (!prepare_tcp(socket, keepalive, loopback, peer, source)) return;
  // Plain AUTH is refused on tcp_remote (PROTOCOL.md §4): the key would cross the network.
  Transport t = loopback ? Transport::tcp_loopback : Transport::tcp_remote;
  spawn(server, engine, std::move(socket), t, std::move(peer), std::move(source));
}

void serve_tls(Server& server, Engine& engine, asio::ip::tcp::socket socket, int keepalive,
               std::shared_ptr<SSL_CTX> ctx) {
  bool loopback = false;
  std::string peer, source;
  if (!prepare_tcp(socket, keepalive, loopback, peer, source)) return;
  // Plain AUTH is accepted over TLS from any address: the key travels encrypted.
  spawn(server, engine, TlsSocket(std::move(socket), std::move(ctx)), Transport::tls,
        std::move(peer), std::move(source));
}

}  // namespace procshare::server
