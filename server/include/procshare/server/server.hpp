#pragma once
// The Asio transport: Unix and TCP listeners, one coroutine per connection,
// and a graceful stop. It moves bytes between sockets and the Engine and knows
// nothing of what the objects are.
#include <openssl/ssl.h>

#include <asio.hpp>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "procshare/server/engine.hpp"

namespace procshare::server {

class Connection;

class Server {
 public:
  Server(asio::io_context& io, Engine& engine);
  ~Server();

  // Opens every listener of the engine's config. Throws std::runtime_error
  // with a clear message (address in use, protected mode, ...).
  void start();
  // SHUTDOWN / SIGTERM: closes the listeners, answers every waiter with an
  // error, lets each connection flush and close, removes the socket file.
  void stop();
  bool stopping() const { return stopping_; }

  // The TCP ports actually bound (useful with port 0).
  const std::vector<unsigned short>& tcp_ports() const { return tcp_ports_; }
  // The TLS port bound, 0 without a TLS listener.
  unsigned short tls_port() const { return tls_port_; }

  // Re-reads the TLS certificates, key and CA with `tls` (SIGHUP: the same
  // settings; CONFIG SET: changed ones). New connections use the new context;
  // open ones keep theirs. Throws std::runtime_error, changing nothing, when
  // the new context cannot be built.
  void reload_tls(const TlsConfig& tls);

  // Called by connections.
  void add(Connection* c) { connections_.insert(c); }
  void remove(Connection* c);

  // Called once the server is stopping and its last connection has closed.
  std::function<void()> on_stopped;

 private:
  asio::awaitable<void> accept_unix(asio::local::stream_protocol::acceptor& acceptor);
  asio::awaitable<void> accept_tcp(asio::ip::tcp::acceptor& acceptor);
  asio::awaitable<void> accept_tls(asio::ip::tcp::acceptor& acceptor);
  // Ends parked waits as their deadlines pass: one timer for the whole
  // engine, re-armed when an earlier deadline appears.
  asio::awaitable<void> expire_waits();
  // With persistence on: reaps the log rewrite's child, ten times a second.
  asio::awaitable<void> persistence_cron();
  // Destroys flushed objects a step per turn (Engine::free_some).
  void free_garbage();
  bool over_client_limit();
  void open_unix(const std::string& path);
  void open_tcp(const std::string& host_port);
  void open_tls(const TlsConfig& tls);

  asio::io_context& io_;
  Engine& engine_;
  std::vector<std::unique_ptr<asio::local::stream_protocol::acceptor>> unix_acceptors_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> tcp_acceptors_;
  std::vector<unsigned short> tcp_ports_;
  std::unique_ptr<asio::ip::tcp::acceptor> tls_acceptor_;
  unsigned short tls_port_ = 0;
  std::shared_ptr<SSL_CTX> tls_ctx_;  // for new connections; swapped by reload_tls
  std::uint64_t tls_reloads_ = 0;
  std::string unix_path_;
  std::unordered_set<Connection*> connections_;
  asio::steady_timer wait_timer_;
  asio::steady_timer cron_timer_;
  bool stopping_ = false;
};

}  // namespace procshare::server
