#pragma once
// procshare-cli's link to the server: the client library's Connection (the
// same connect + challenge-response code as the C++ library), opened lazily
// and reopened after the server went away, so that an interactive session
// survives a server restart.
#include <exception>
#include <string>
#include <vector>

#include "procshare/address.hpp"
#include "procshare/connection.hpp"
#include "procshare/protocol/reply.hpp"

namespace procshare::cli {

class CliClient {
 public:
  CliClient(Address address, ConnectOptions options)
      : address_(std::move(address)), options_(std::move(options)) {}

  const Address& address() const { return address_; }
  bool connected() const { return conn_.is_open(); }

  // Opens the connection if it is not open. Throws procshare::Error
  // (ConnectionError, AuthError, ...) when that fails.
  void connect();
  // Sends one command and returns its reply (error replies included). Connects
  // first if needed. A transport failure closes the connection and throws
  // procshare::Error; the next call reconnects.
  protocol::Reply call(const std::vector<std::string>& args);

  Connection& connection() { return conn_; }
  void close() { conn_.close(); }

 private:
  Address address_;
  ConnectOptions options_;
  Connection conn_;
};

// One line (no newline) explaining why connecting or a call failed.
std::string failure_line(const std::exception& e, const Address& address);

}  // namespace procshare::cli
