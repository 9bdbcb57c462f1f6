#include "procshare/server/server.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include <asio/experimental/as_tuple.hpp>

#include "connection.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/persistence.hpp"
#include "tls.hpp"

namespace procshare::server {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;

// "host:port" or "[v6]:port".
std::pair<std::string, std::string> split_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    throw std::runtime_error(fmt::format("--tcp '{}': expected HOST:PORT", text));
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {host, text.substr(colon + 1)};
}

// "127.0.0.1:7379", "[::1]:7379"
std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

}  // namespace

Server::Server(asio::io_context& io, Engine& engine)
    : io_(io), engine_(engine), wait_timer_(io), cron_timer_(io) {
  engine_.server_info = [this](Fields& f) {
    f.add("tcp_port",
          FieldValue(static_cast<std::int64_t>(tcp_ports_.empty() ? 0 : tcp_ports_[0])));
    f.add("unix_socket", unix_path_);
    std::string listeners;  // every TCP listener, for --tcp given more than once
    for (const auto& a : tcp_acceptors_) {
      asio::error_code ec;
      auto ep = a->local_endpoint(ec);
      if (ec) continue;
      if (!listeners.empty()) listeners += ',';
      listeners += endpoint_text(ep);
    }
    f.add("tcp_listeners", listeners);
    // The limits in force (issue 4: shown in --help and INFO).
    const Config& c = engine_.config();
    f.add("protected_mode", c.authkey ? "no" : "yes");
    f.add("max_output_buffer", c.max_output_buffer);
    f.add("max_pending_input", c.max_pending_input);
    f.add("idle_timeout", static_cast<std::size_t>(c.idle_timeout.count()));
    f.add("max_bulk", c.limits.max_bulk);
    f.add("max_array", c.limits.max_array);
    f.add("max_inline", c.limits.max_inline);
    if (c.tls.enabled()) {
      f.add("tls_port", FieldValue(static_cast<std::int64_t>(tls_port_)));
      f.add("tls_auth_clients", c.tls.auth_clients);
      f.add("tls_protocols", c.tls.protocols);
      f.add("tls_reloads", static_cast<std::size_t>(tls_reloads_));
    }
    if (c.authkey) {
      const protocol::Limits pre = pre_auth_limits(c);
      f.add("preauth_max_request", pre.max_request);
      f.add("preauth_max_array", pre.max_array);
    }
  };
}

Server::~Server() {
  engine_.server_info = nullptr;
  engine_.config_set = nullptr;
  engine_.waits().on_deadline_change = nullptr;
}

awaitable<void> Server::expire_waits() {
  while (!stopping_) {
    wait_timer_.expires_at(engine_.next_deadline().value_or(Clock::time_point::max()));
    // Cancelled (operation_aborted) when an earlier deadline appears: re-arm.
    auto [ec] = co_await wait_timer_.async_wait(as_tuple(use_awaitable));
    if (stopping_) break;
    if (!ec) engine_.expire_due(Clock::now());
  }
}

awaitable<void> Server::persistence_cron() {
  while (!stopping_) {
    cron_timer_.expires_after(std::chrono::milliseconds(100));
    auto [ec] = co_await cron_timer_.async_wait(as_tuple(use_awaitable));
    if (stopping_ || ec) break;
    if (Persistence* p = engine_.persistence()) p->cron();
  }
}

void Server::free_garbage() {
  if (engine_.free_some()) asio::post(io_, [this] { free_garbage(); });
}

void Server::start() {
  engine_.waits().on_deadline_change = [this] { wait_timer_.cancel(); };
  engine_.on_garbage = [this] { asio::post(io_, [this] { free_garbage(); }); };
  asio::co_spawn(io_, expire_waits(), asio::detached);
  if (engine_.persistence()) asio::co_spawn(io_, persistence_cron(), asio::detached);
  // Protected mode (§1): without a key, only this machine may connect, and
  // TCP only when asked for (--tcp): unlike the Unix socket (mode 0600), a
  // loopback port lets in every user of the machine, so say so once.
  for (const auto& hp : engine_.config().tcp) open_tcp(hp);
  if (!engine_.config().authkey && !tcp_acceptors_.empty()) {
    log::warning(
        "TCP without an authkey: every local user can connect and use every object (set a key "
        "with --authkey-file FILE, or serve the Unix socket only)");
  }
  if (engine_.config().tls.enabled()) open_tls(engine_.config().tls);
  if (engine_.config().unix_path) open_unix(*engine_.config().unix_path);
  engine_.config_set = [this](const std::vector<std::pair<std::string, std::string>>& pairs) {
    if (!tls_ctx_) throw std::runtime_error("TLS is off (start the server with --tls-port)");
    TlsConfig tls = engine_.config().tls;
    for (const auto& [name, value] : pairs) {
      std::string error = set_tls_param(tls, name, value);
      if (!error.empty()) throw std::runtime_error(error);
    }
    reload_tls(tls);
  };
}

void Server::reload_tls(const TlsConfig& tls) {
  if (!tls_ctx_) return;
  // Protected mode (docs/tls.md): a TLS listener on another address without
  // an authkey is only safe while client certificates are required.
  if (!engine_.config().authkey && !tls.clients_required() && tls_acceptor_) {
    asio::error_code ec;
    auto ep = tls_acceptor_->local_endpoint(ec);
    if (!ec && !ep.address().is_loopback()) {
      throw std::runtime_error(
          "tls-auth-clients must stay yes on a non-loopback TLS listener without an authkey "
          "(protected mode)");
    }
  }
  auto ctx = make_tls_context(tls);  // throws, leaving everything as it was
  tls_ctx_ = std::move(ctx);
  engine_.config().tls = tls;
  ++tls_reloads_;
  log::notice("TLS certificates reloaded ({} {})", tls.cert_file, tls.key_file);
}

void Server::open_tls(const TlsConfig& tls) {
  using asio::ip::tcp;
  tls_ctx_ = make_tls_context(tls);
  asio::error_code ec;
  asio::ip::address addr = asio::ip::make_address(tls.bind, ec);
  if (ec) throw std::runtime_error(fmt::format("--tls-bind '{}': not an IP address", tls.bind));
  if (!engine_.config().authkey && !addr.is_loopback() && !tls.clients_required()) {
    throw std::runtime_error(fmt::format(
        "refusing to listen with TLS on {} without an authkey (protected mode) unless clients "
        "must present a certificate: set --tls-auth-clients yes (the default), or an authkey "
        "with --authkey-file FILE or PROCSHARE_AUTHKEY, or --tls-bind a loopback address",
        tls.bind));
  }
  tcp::endpoint ep(addr, static_cast<unsigned short>(tls.port));
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  acceptor->open(ep.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(ep, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot listen with TLS on {}: {}", endpoint_text(ep), ec.message()));
  }
  acceptor->listen(asio::socket_base::max_listen_connections);
  tls_port_ = acceptor->local_endpoint().port();
  log::notice("listening on tls://{} (client certificates: {})",
              endpoint_text(acceptor->local_endpoint()), tls.auth_clients);
  asio::co_spawn(io_, accept_tls(*acceptor), asio::detached);
  tls_acceptor_ = std::move(acceptor);
}

void Server::open_unix(const std::string& path) {
  using asio::local::stream_protocol;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      throw std::runtime_error(fmt::format("{} exists and is not a socket; not touching it", path));
    }
    // A live server answers a connect; a stale file from a crash does not.
    stream_protocol::socket probe(io_);
    asio::error_code ec;
    probe.connect(stream_protocol::endpoint(path), ec);
    if (!ec) throw std::runtime_error(fmt::format("another server is listening on {}", path));
    ::unlink(path.c_str());
  }
  auto acceptor = std::make_unique<stream_protocol::acceptor>(io_);
  acceptor->open(stream_protocol());
  // Created 0600 from the start: no window in which others could connect.
  mode_t old = ::umask(0177);
  asio::error_code ec;
  acceptor->bind(stream_protocol::endpoint(path), ec);
  ::umask(old);
  if (ec) throw std::runtime_error(fmt::format("cannot bind {}: {}", path, ec.message()));
  acceptor->listen(asio::socket_base::max_listen_connections);
  unix_path_ = path;
  log::notice("listening on unix:{}", path);
  asio::co_spawn(io_, accept_unix(*acceptor), asio::detached);
  unix_acceptors_.push_back(std::move(acceptor));
}

void Server::open_tcp(const std::string& host_port) {
  using asio::ip::tcp;
  auto [host, port] = split_host_port(host_port);
  tcp::resolver resolver(io_);
  asio::error_code ec;
  auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error(fmt::format("--tcp {}: cannot resolve: {}", host_port, ec.message()));
  }
  tcp::endpoint ep = results.begin()->endpoint();
  if (!engine_.config().authkey && !ep.address().is_loopback()) {
    throw std::runtime_error(fmt::format(
        "refusing to listen on {} without an authkey (protected mode): anyone who can reach it "
        "could use every object. Set a key with --authkey-file FILE or PROCSHARE_AUTHKEY, or "
        "listen on a loopback address",
        host_port));
  }
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  acceptor->open(ep.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(ep, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot listen on {}: {}", host_port, ec.message()));
  acceptor->listen(asio::socket_base::max_listen_connections);
  unsigned short bound = acceptor->local_endpoint().port();
  tcp_ports_.push_back(bound);
  log::notice("listening on tcp://{}", endpoint_text(acceptor->local_endpoint()));
  asio::co_spawn(io_, accept_tcp(*acceptor), asio::detached);
  tcp_acceptors_.push_back(std::move(acceptor));
}

// Unauthenticated connections may hold at most half of maxclients: past
// that, a newcomer evicts the oldest of them (a silent socket, most likely;
// --auth-timeout closes those in time anyway). So silent sockets can never
// lock out a client that has the key and uses it at once.
bool Server::over_client_limit() {
  const std::size_t max = engine_.config().maxclients;
  if (engine_.sessions().size() >= max) {
    ++engine_.stats().rejected_connections;
    return true;
  }
  if (engine_.config().authkey && engine_.unauthenticated() >= std::max<std::size_t>(1, max / 2)) {
    Session* oldest = nullptr;
    for (const auto& [id, s] : engine_.sessions()) {
      if (!s->authenticated && !s->killed && (!oldest || id < oldest->id())) oldest = s.get();
    }
    if (oldest && oldest->on_kill) {
      oldest->killed = true;
      ++engine_.stats().preauth_refusals;
      oldest->on_kill();
    }
  }
  return false;
}

namespace {

// Accepts until the acceptor closes. Errors (out of file descriptors) back
// off instead of spinning.
// PROTOCOL.md §3: -LIMIT, then close.
constexpr std::string_view kLimitReply = "-LIMIT max number of clients reached\r\n";

// The reply is small enough for an empty socket buffer, so this blocking
// write does not block. The FIN goes out behind it before close(), so the
// client reads the error even if close() then resets a connection with
// unread requests.
template <class Socket>
void refuse_plain(Socket socket) {
  asio::error_code wec;
  asio::write(socket, asio::buffer(kLimitReply), wec);
  socket.shutdown(Socket::shutdown_send, wec);
}  // closed as it goes out of scope

template <class Acceptor, class Serve, class Refuse>
awaitable<void> accept_loop(Acceptor& acceptor, bool& stopping, std::function<bool()> over_limit,
                            Serve serve, Refuse refuse) {
  asio::steady_timer backoff(acceptor.get_executor());
  while (acceptor.is_open() && !stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(as_tuple(use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      log::warning("accept failed: {}; retrying in 100 ms", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(as_tuple(use_awaitable));
      continue;
    }
    if (over_limit()) {
      refuse(std::move(socket));
      continue;
    }
    serve(std::move(socket));
  }
}

}  // namespace

awaitable<void> Server::accept_unix(asio::local::stream_protocol::acceptor& acceptor) {
  co_await accept_loop(
      acceptor, stopping_, [this] { return over_client_limit(); },
      [this](asio::local::stream_protocol::socket s) { serve_unix(*this, engine_, std::move(s)); },
      [](asio::local::stream_protocol::socket s) { refuse_plain(std::move(s)); });
}

awaitable<void> Server::accept_tcp(asio::ip::tcp::acceptor& acceptor) {
  int keepalive = engine_.config().tcp_keepalive;
  co_await accept_loop(
      acceptor, stopping_, [this] { return over_client_limit(); },
      [this, keepalive](asio::ip::tcp::socket s) {
        serve_tcp(*this, engine_, std::move(s), keepalive);
      },
      [](asio::ip::tcp::socket s) { refuse_plain(std::move(s)); });
}

awaitable<void> Server::accept_tls(asio::ip::tcp::acceptor& acceptor) {
  int keepalive = engine_.config().tcp_keepalive;
  co_await accept_loop(
      acceptor, stopping_, [this] { return over_client_limit(); },
      [this, keepalive](asio::ip::tcp::socket s) {
        serve_tls(*this, engine_, std::move(s), keepalive, tls_ctx_);
      },
      // In words the client can read: inside TLS, after the handshake.
      [this](asio::ip::tcp::socket s) { refuse_tls(std::move(s), tls_ctx_, kLimitReply); });
}

void Server::stop() {
  if (stopping_) return;
  stopping_ = true;
  log::notice("shutting down");
  asio::error_code ec;
  for (auto& a : unix_acceptors_) a->close(ec);
  for (auto& a : tcp_acceptors_) a->close(ec);
  if (tls_acceptor_) tls_acceptor_->close(ec);
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
  wait_timer_.cancel();
  cron_timer_.cancel();
  engine_.shut_down_waits();
  auto conns = connections_;  // stop() may remove entries
  for (Connection* c : conns) c->stop();
  if (connections_.empty() && on_stopped) on_stopped();
}

void Server::remove(Connection* c) {
  connections_.erase(c);
  if (stopping_ && connections_.empty() && on_stopped) on_stopped();
}

}  // namespace procshare::server
