#include "connection.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <memory>

#include "procshare/protocol/request_parser.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/server.hpp"

namespace procshare::server {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kReadChunk = 16 * 1024;
// Replies are written once a batch is done, or sooner when this much is
// queued, so a long pipeline of big replies never piles up in memory.
constexpr std::size_t kFlushAt = 64 * 1024;

std::string printable_excerpt(std::string_view bytes) {
  std::string r;
  for (char c : bytes.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    r += (u >= 32 && u < 127) ? std::string(1, c) : fmt::format("\\x{:02x}", u);
  }
  return r;
}

template <class Socket>
class StreamConnection final : public Connection,
                               public std::enable_shared_from_this<StreamConnection<Socket>> {
 public:
  StreamConnection(Server& server, Engine& engine, Socket socket, Transport transport,
                   std::string peer)
      : server_(server),
        engine_(engine),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        session_(&engine.open_session(transport, std::move(peer))) {}

  void stop() override {
    stopping_ = true;
    asio::error_code ec;
    socket_.cancel(ec);
    timer_.cancel();
  }

  awaitable<void> run() {
    server_.add(this);
    session_->on_resume = [this] { timer_.cancel(); };
    session_->on_kill = [this] {
      killed_ = true;
      asio::error_code ec;
      socket_.cancel(ec);
      timer_.cancel();
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
    engine_.close_session(*session_);
    session_ = nullptr;
    server_.remove(this);
    if (failure) std::rethrow_exception(failure);  // logged by spawn()'s handler
  }

 private:
  const protocol::Limits& limits() const {
    return engine_.requires_auth(*session_) ? pre_auth_limits_ : engine_.config().limits;
  }

  // The main loop: execute what is buffered, write replies, read more.
  awaitable<void> serve() {
    parser_.set_limits(limits());
    for (;;) {
      // (GCC 12 miscompiles co_await inside conditions: results go through
      // variables first.)
      bool ok = co_await execute_buffered();
      if (!ok) co_return;
      ok = co_await flush();
      if (!ok) co_return;
      if (session_->close_after_reply || stopping_ || killed_) co_return;
      ok = co_await read_more();
      if (!ok) co_return;
    }
  }

  // Runs every complete request in the input buffer. False: close now.
  awaitable<bool> execute_buffered() {
    while (start_ < in_.size() && !killed_) {
      parser_.set_limits(limits());
      std::string_view pending(in_.data() + start_, in_.size() - start_);
      protocol::ParseResult r = parser_.parse(pending);
      if (r.status == protocol::ParseStatus::need_more) break;
      if (r.status == protocol::ParseStatus::error) {
        ++engine_.stats().protocol_errors;
        if (engine_.requires_auth(*session_)) ++engine_.stats().preauth_limit_refusals;
        log::verbose("client {}: {} near '{}'", session_->id(), r.error,
                     printable_excerpt(pending));
        session_->out.error("ERR", r.error);
        session_->close_after_reply = true;
        break;
      }
      if (!parser_.args().empty()) {
        session_->last_active = Clock::now();
        engine_.execute(*session_, parser_.args());
      }
      start_ += r.consumed;
      if (session_->parked()) {
        bool still_here = co_await wait_parked();
        if (!still_here) co_return false;
      }
      if (session_->reply_delay.count() > 0) {
        timer_.expires_after(session_->reply_delay);
        session_->reply_delay = {};
        co_await timer_.async_wait(as_tuple(use_awaitable));
      }
      if (session_->close_after_reply) break;
      if (session_->output.size() > engine_.config().max_output_buffer) {
        ++engine_.stats().output_buffer_disconnects;
        log::notice("client {} closed: output buffer over {} bytes", session_->id(),
                    engine_.config().max_output_buffer);
        co_return false;
      }
      if (session_->output.size() >= kFlushAt) {
        bool written = co_await flush();
        if (!written) co_return false;
      }
    }
    // Drop what was consumed; keep the partial request at the front.
    if (start_ > 0) {
      in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(start_));
      start_ = 0;
    }
    co_return true;
  }

  awaitable<bool> flush() {
    if (session_->output.empty()) co_return true;
    std::swap(session_->output, writing_);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(writing_),
                                              as_tuple(use_awaitable));
    writing_.clear();
    if (writing_.capacity() > 1024 * 1024) writing_.shrink_to_fit();
    co_return !ec;
  }

  awaitable<bool> read_more() {
    std::size_t old = in_.size();
    in_.resize(old + kReadChunk);
    auto buf = asio::buffer(in_.data() + old, kReadChunk);
    std::error_code ec;
    std::size_t n = 0;
    auto idle = engine_.config().idle_timeout;
    if (idle.count() > 0) {
      timer_.expires_after(idle);
      auto result = co_await (socket_.async_read_some(buf, as_tuple(use_awaitable)) ||
                              timer_.async_wait(as_tuple(use_awaitable)));
      if (result.index() == 1) {
        in_.resize(old);
        if (stopping_ || killed_) co_return false;
        ++engine_.stats().idle_disconnects;
        log::verbose("client {} closed: idle for {} s", session_->id(), idle.count());
        co_return false;
      }
      std::tie(ec, n) = std::get<0>(result);
    } else {
      std::tie(ec, n) = co_await socket_.async_read_some(buf, as_tuple(use_awaitable));
    }
    in_.resize(old + n);
    if (in_.capacity() > 4 * 1024 * 1024 && in_.size() < 64 * 1024) in_.shrink_to_fit();
    co_return !ec;
  }

  // Suspends this connection while its session is parked. The replies before
  // the blocked request go out first. Bytes that arrive meanwhile are kept
  // for later (pipelined requests wait behind the blocked one); end of stream
  // means the client left: its wait is abandoned. False: close now.
  awaitable<bool> wait_parked() {
    bool written = co_await flush();
    if (!written) {
      session_->abandon();
      co_return false;
    }
    std::vector<char> side(kReadChunk);
    while (session_->parked()) {
      if (stopping_ || killed_) {
        session_->abandon();
        co_return false;
      }
      Clock::time_point deadline = session_->waiter()->deadline;
      if (deadline <= Clock::now()) {
        ++engine_.stats().timeouts;
        session_->expire();
        continue;
      }
      timer_.expires_at(deadline);
      auto result = co_await (timer_.async_wait(as_tuple(use_awaitable)) ||
                              socket_.async_read_some(asio::buffer(side), as_tuple(use_awaitable)));
      if (result.index() == 1) {
        auto [ec, n] = std::get<1>(result);
        if (ec) {
          session_->abandon();
          co_return false;
        }
        // Appending may move in_; the parser holds offsets, never pointers.
        in_.insert(in_.end(), side.begin(), side.begin() + static_cast<std::ptrdiff_t>(n));
      }
    }
    co_return true;
  }

  Server& server_;
  Engine& engine_;
  Socket socket_;
  asio::steady_timer timer_;
  Session* session_;
  protocol::RequestParser parser_;
  protocol::Limits pre_auth_limits_ = protocol::Limits::pre_auth();
  std::vector<char> in_;
  std::size_t start_ = 0;  // first byte not yet consumed in in_
  std::string writing_;
  bool stopping_ = false;
  bool killed_ = false;
};

// A coroutine parameter lives in the coroutine frame, unlike a lambda's
// captures: so the connection is owned here for as long as it runs.
template <class Conn>
awaitable<void> keep_alive_while_running(std::shared_ptr<Conn> conn) {
  co_await conn->run();
}

template <class Socket>
void spawn(Server& server, Engine& engine, Socket socket, Transport transport, std::string peer) {
  auto ex = socket.get_executor();
  auto conn = std::make_shared<StreamConnection<Socket>>(server, engine, std::move(socket),
                                                         transport, std::move(peer));
  asio::co_spawn(
      ex, keep_alive_while_running(std::move(conn)),
      [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::warning("connection ended by an exception: {}", ex.what());
        }
      });
}

}  // namespace

void serve_unix(Server& server, Engine& engine, asio::local::stream_protocol::socket socket) {
  spawn(server, engine, std::move(socket), Transport::unix_socket, "unix");
}

void serve_tcp(Server& server, Engine& engine, asio::ip::tcp::socket socket, int keepalive) {
  asio::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer left before we looked
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
  Transport t = remote.address().is_loopback() ? Transport::tcp_loopback : Transport::tcp_remote;
  std::string peer = remote.address().is_v6()
                         ? fmt::format("[{}]:{}", remote.address().to_string(), remote.port())
                         : fmt::format("{}:{}", remote.address().to_string(), remote.port());
  spawn(server, engine, std::move(socket), t, std::move(peer));
}

}  // namespace procshare::server
