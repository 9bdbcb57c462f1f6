#pragma once
// One client connection: a coroutine that reads bytes, parses requests,
// executes them on the engine and writes the replies back, without ever
// blocking on its socket. A parked (blocked) request suspends only this
// coroutine: it waits on a timer that the engine's wake-up cancels (the timer
// is the condition variable), racing the socket's readiness so that a
// disconnect is seen at once. It enforces the per-connection limits (output
// buffer, idle timeout, pre-authentication request sizes). Works over any
// Asio stream socket (Unix or TCP) and over TlsSocket (tls.hpp), which runs
// the TLS handshake first (open_stream). Design notes in connection.cpp.
#include <openssl/ssl.h>

#include <asio.hpp>
#include <memory>

#include "procshare/server/engine.hpp"

namespace procshare::server {

class Server;

class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful stop: flush what is queued, then close.
  virtual void stop() = 0;
};

// The limits before authentication on a keyed server (PROTOCOL.md §2): the
// stricter of Limits::pre_auth() and the configured ones.
protocol::Limits pre_auth_limits(const Config& config);

// Spawns the coroutine serving `socket` on the socket's executor.
void serve_unix(Server& server, Engine& engine, asio::local::stream_protocol::socket socket);
void serve_tcp(Server& server, Engine& engine, asio::ip::tcp::socket socket, int keepalive);
// The TLS listener's connections: the handshake with `ctx` runs in the
// connection's coroutine, then the same loop as serve_tcp's.
void serve_tls(Server& server, Engine& engine, asio::ip::tcp::socket socket, int keepalive,
               std::shared_ptr<SSL_CTX> ctx);

}  // namespace procshare::server
