#pragma once
// The low-level client: one blocking socket to a server, authenticated with
// the challenge-response of PROTOCOL.md §4, speaking RESP. It sends commands
// as arrays of bulk strings and returns parsed replies; error replies are
// returned as values (throw_error() turns one into an exception).
//
// Not thread-safe: one thread at a time. procshare::Client adds locking and
// per-process connections on top. After an I/O error or timeout the
// connection is closed (the reply stream can no longer be trusted) and every
// further call throws ConnectionError.
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/address.hpp"
#include "procshare/errors.hpp"
#include "procshare/protocol/reply.hpp"

namespace procshare {

// TLS for a "tls://host:port" address (docs/tls.md). The server's certificate
// is verified against the CA and must name the host (or `sni` when given),
// unless switched off.
struct TlsOptions {
  std::string ca_file;          // CA certificates (PEM); with ca_dir empty too: the system's
  std::string ca_dir;           // an OpenSSL hashed CA directory
  std::string cert_file;        // the client certificate (PEM), for servers that require one
  std::string key_file;         // its private key (PEM)
  std::string sni;              // server name sent and checked; default: the address's host
  bool verify_peer = true;      // false: accept any server certificate (testing only)
  bool verify_hostname = true;  // false: any name, as long as the CA signed it
};

struct ConnectOptions {
  std::optional<std::string> authkey;       // raw key bytes
  std::optional<std::string> authkey_file;  // read as PROTOCOL §4 says; used if authkey unset
  // if neither set: env PROCSHARE_AUTHKEY if present
  std::chrono::milliseconds connect_timeout{5000};  // also bounds the handshake
  std::chrono::milliseconds io_timeout{0};          // 0 = none (blocking commands may wait long)
  int resp = 2;                                     // 3 sends HELLO 3
  std::string client_name;                          // CLIENT SETNAME when not empty
  TlsOptions tls;                                   // used for tls:// addresses
  // CLIENT HEARTBEAT (docs/cpp-client.md "Heartbeats"): the server treats a
  // connection that sends nothing for this long as dead (closes it, frees
  // its locks, requeues its leased items), even if TCP still looks alive
  // (a stopped process). The client PINGs every third of it: from a
  // background thread while a connection is idle, from the waiting call
  // while a command waits for its reply. 0 = off. Whole milliseconds.
  std::chrono::milliseconds heartbeat{0};
};

// The key these options select: authkey, else the contents of authkey_file
// (one trailing newline removed), else env PROCSHARE_AUTHKEY, else none.
// Throws AuthError when the key file cannot be read.
std::optional<std::string> resolve_authkey(const ConnectOptions& opts);

// The run_id field of a HELLO reply (empty when there is none).
std::string run_id_of(const protocol::Reply& hello);

class Connection {
 public:
  // Connects (for tls:// with a TLS handshake: ConnectionError naming the
  // reason when the certificate is not trusted or names another host), then
  // (when a key is selected) runs the mutual handshake, then
  // HELLO 3 and CLIENT SETNAME as the options ask. Throws ConnectionError when
  // the server cannot be reached in time, AuthError (WrongPass for a key the
  // server refuses) when the handshake fails or the server cannot prove the key.
  static Connection open(const Address& addr, const ConnectOptions& opts = {});

  Connection() = default;  // closed
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // send + read one reply (error replies are returned, not thrown).
  protocol::Reply call(std::span<const std::string_view> args);
  protocol::Reply call(std::initializer_list<std::string_view> args);
  // Appends a command to the output buffer; flush() writes it.
  void send(std::span<const std::string_view> args);
  void send(std::initializer_list<std::string_view> args);
  // Bytes as they are; `commands` says how many replies they will bring
  // (unknown: heartbeat PINGs stop on this connection, since their replies
  // could no longer be told apart).
  void send_raw(std::string_view bytes, std::optional<std::size_t> commands = std::nullopt);
  void flush();
  // The next reply (flushes first).
  protocol::Reply read();
  // Sends a batch of `commands` requests and hands each reply to on_reply,
  // in order, reading replies while the batch is still being written (so
  // that a batch of any size streams; Pipeline::execute).
  void exchange(std::string_view bytes, std::size_t commands,
                const std::function<void(protocol::Reply&&)>& on_reply);

  bool is_open() const { return fd_ >= 0; }
  bool is_tls() const { return ssl_ != nullptr; }
  // The OpenSSL SSL* of a TLS connection (null otherwise), for tools that
  // drive the socket themselves (procshare-bench); the Connection still owns it.
  void* tls_handle() const { return ssl_; }
  // Closes the socket without sending anything (safe in a forked child: the
  // parent's copy of the socket stays open and untouched).
  void close();
  int fd() const { return fd_; }

  std::chrono::milliseconds io_timeout() const { return io_timeout_; }
  void set_io_timeout(std::chrono::milliseconds t) { io_timeout_ = t; }
  int resp() const { return resp_; }
  // The server's run_id from HELLO 3 (new at every server start; empty with
  // RESP2, or from a server that does not send one).
  const std::string& run_id() const { return run_id_; }

  // ---- heartbeats (ConnectOptions::heartbeat) ----
  std::chrono::milliseconds heartbeat() const { return heartbeat_; }
  // Nothing sent and no reply owed: a PING now would not be mistaken for
  // anything else's reply.
  bool idle() const { return counted_ && sent_ == received_ && out_.empty(); }
  // When bytes last went to the server.
  std::chrono::steady_clock::time_point last_sent() const { return last_sent_; }
  // PING, and read its PONG; only on an idle() connection.
  void ping();

 private:
  explicit Connection(int fd) : fd_(fd) {}
  void start_tls(const Address& addr, const TlsOptions& opts,
                 std::chrono::steady_clock::time_point deadline);
  // TLS read/write: OpenSSL on the non-blocking socket, waiting with poll().
  std::size_t tls_io(bool write, char* data, std::size_t size,
                     std::chrono::steady_clock::time_point deadline);
  void handshake(std::string_view key);
  void require_open() const;
  bool parse_buffered(protocol::Reply& out);
  void compact_input();
  // Sends a PING whose reply read() drops (while waiting for another reply).
  void send_heartbeat();
  // Waits until fd is readable/writable or the I/O deadline passes.
  void wait_io(short events, std::chrono::steady_clock::time_point deadline);
  std::chrono::steady_clock::time_point deadline() const;
  [[noreturn]] void fail_io(const std::string& what);

  int fd_ = -1;
  void* ssl_ = nullptr;  // SSL* for tls:// (kept out of this header)
  std::chrono::milliseconds io_timeout_{0};
  int resp_ = 2;
  std::string run_id_;
  std::string out_;
  std::string in_;
  std::size_t in_pos_ = 0;  // start of the reply being parsed in in_
  protocol::ReplyParser parser_;
  // Heartbeats: requests sent and replies read, so that the PONG of a PING
  // sent while waiting is dropped exactly where it comes.
  std::chrono::milliseconds heartbeat_{0};
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
  std::vector<std::uint64_t> pings_;  // sequence numbers of heartbeat PINGs, ascending
  bool counted_ = true;               // false after send_raw of unknown size
  bool pinging_ = false;
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace procshare
