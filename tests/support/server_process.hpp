#pragma once
// End-to-end test support: start the real procshare-server binary on a
// private Unix socket and a free loopback port, and talk to it with a plain
// blocking socket client. Every wait here has a deadline; nothing sleeps
// blindly.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"

namespace procshare::test {

using protocol::Reply;
using namespace std::chrono_literals;

// Polls `pred` until it is true or `timeout` passes. Returns the last result.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s);

// A fresh path under the temp dir, unique to this process and call.
std::string temp_path(std::string_view stem);

class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> args;       // extra flags
    bool tcp = true;                     // also listen on 127.0.0.1:<free port>
    std::optional<std::string> authkey;  // passed through PROCSHARE_AUTHKEY
    std::string binary;                  // default: the built procshare-server
    std::string unix_path;               // default: a fresh temp path
    // The TCP listener speaks TLS (client certificates required): the
    // default is tls_mode(), so the tls.* copies of the suites run over TLS.
    std::optional<bool> tls;
  };
  ServerProcess();
  explicit ServerProcess(Options options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& unix_path() const { return unix_path_; }
  // The TCP port of RawClient::tcp: TLS's when the server runs with TLS.
  int tcp_port() const { return tcp_port_; }
  bool tls() const { return tls_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  std::string log() const;  // what the server wrote to stderr so far

  // Sends SIGTERM and waits; returns the exit status (or -signal).
  int terminate(std::chrono::milliseconds timeout = 10s);
  // SIGKILL (a crash: nothing is flushed or synced) and waits for it.
  void kill_hard();
  // Waits for the process to exit by itself (after SHUTDOWN).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s);
  bool running();

 private:
  Options options_;
  pid_t pid_ = -1;
  std::string unix_path_;
  std::string log_path_;
  int tcp_port_ = 0;
  bool tls_ = false;
  std::optional<int> status_;
};

// What a TLS RawClient presents and trusts (empty: none).
struct TlsClientOptions {
  std::string ca_cert;      // verify the server against this CA
  std::string cert, key;    // the client certificate
  std::string verify_host;  // check the server certificate names this host or IP
};

// A blocking client over a real socket, with deadlines on every read.
class RawClient {
 public:
  static RawClient unix_socket(const std::string& path);
  // Plain TCP, or TLS with the test certificates in tls_mode() (tls_certs.hpp).
  static RawClient tcp(int port, const std::string& host = "127.0.0.1");
  static RawClient plain_tcp(int port, const std::string& host = "127.0.0.1");
  // TLS over TCP; throws std::runtime_error with OpenSSL's reason when the
  // handshake fails.
  static RawClient tls(int port, const TlsClientOptions& options,
                       const std::string& host = "127.0.0.1");
  RawClient(RawClient&& other) noexcept;
  RawClient& operator=(RawClient&& other) noexcept;
  ~RawClient();

  // Sends raw bytes as they are.
  void send_raw(std::string_view bytes);
  // Sends a command as a RESP array of bulk strings.
  void send(const std::vector<std::string>& args);
  // Reads one reply; throws std::runtime_error on timeout or close.
  Reply read(std::chrono::milliseconds timeout = 10s);
  // send + read.
  Reply call(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 10s);
  // Sends a command whose reply must not come yet; true if none arrives within `quiet`.
  bool no_reply_within(std::chrono::milliseconds quiet);
  // True once the peer has closed the connection (reads and drops any bytes).
  bool closed_by_peer(std::chrono::milliseconds timeout = 10s);
  // Bytes received but not parsed yet, plus whatever arrives within `timeout`.
  std::string read_raw(std::chrono::milliseconds timeout);
  void close();
  int fd() const { return fd_; }

 private:
  explicit RawClient(int fd) : fd_(fd) {}
  bool fill(std::chrono::milliseconds timeout);  // false on timeout; throws on close
  int fd_ = -1;
  void* ssl_ = nullptr;  // SSL*, when the connection is TLS
  std::string buffer_;
};

// Counts the open file descriptors of a process (/proc/PID/fd).
int count_fds(pid_t pid);
// Resident memory of a process in bytes (/proc/PID/statm).
std::size_t rss_bytes(pid_t pid);
// An integer field of INFO ("blocked_clients").
long info_field(RawClient& c, const std::string& field);

}  // namespace procshare::test
