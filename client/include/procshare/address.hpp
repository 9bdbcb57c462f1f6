#pragma once
// Where a server listens (PROTOCOL.md §1): a Unix socket path or a TCP
// host and port, parsed from the address syntax shared by every client.
#include <string>
#include <string_view>

namespace procshare {

struct Address {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string path = "/tmp/procshare.sock";  // unix
  std::string host = "127.0.0.1";            // tcp
  int port = 7379;
  bool tls = false;  // tcp with TLS ("tls://host:port"; ConnectOptions::tls)

  // "unix:/path", "tcp://host:port", "tls://host:port" (TCP with TLS),
  // "host:port" (TCP), "/path" (Unix); ""
  // means the default Unix socket. "tcp://host" takes the default port; an
  // IPv6 host is written in brackets ("tcp://[::1]:7379"). Throws
  // AddressError (a procshare::Error) with a clear message on a malformed
  // address.
  static Address parse(std::string_view text);

  static Address unix_socket(std::string path);
  static Address tcp(std::string host, int port);

  // The canonical form: "unix:/path", "tcp://host:port" or "tls://host:port";
  // parse() reads it back.
  std::string to_string() const;

  friend bool operator==(const Address&, const Address&) = default;
};

}  // namespace procshare
