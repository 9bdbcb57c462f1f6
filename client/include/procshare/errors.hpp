#pragma once
// The exceptions of the client library. Every error reply of PROTOCOL.md §3
// becomes one class, named after Python's counterpart where there is one, so
// callers catch exactly what they expect (`catch (const procshare::Empty&)`).
// Failures of the transport (ConnectionError), of the handshake (AuthError)
// and of the byte stream (ProtocolError) have their own classes.
#include <stdexcept>
#include <string>
#include <string_view>

#include "procshare/protocol/reply.hpp"

namespace procshare {

// Base of every exception the library throws. code() is the wire error code
// ("KEYERROR") for server errors, or a library code ("CONNECTION", "AUTH",
// "PROTOCOL"); message() is the text without the code.
class Error : public std::runtime_error {
 public:
  Error(std::string code, std::string message);
  const std::string& code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string code_;
  std::string message_;
};

// Socket failures, EOF from the server, connect and I/O timeouts.
class ConnectionError : public Error {
 public:
  explicit ConnectionError(std::string message) : Error("CONNECTION", std::move(message)) {}
};

// The connection broke after a command that changes state was sent and
// before its reply came: the command may or may not have happened. (A
// command that only reads is sent again on a new connection instead.)
class ConnectionLost : public ConnectionError {
 public:
  explicit ConnectionLost(std::string message) : ConnectionError(std::move(message)) {}
};

// The handshake failed: wrong key, or a server that could not prove the key.
// NoAuth and WrongPass, the server's own authentication errors, derive from it.
class AuthError : public Error {
 public:
  explicit AuthError(std::string message) : Error("AUTH", std::move(message)) {}
  AuthError(std::string code, std::string message) : Error(std::move(code), std::move(message)) {}
};

// An address that does not parse (PROTOCOL.md §1 syntax). Like every error
// of the library, a procshare::Error (code "ADDRESS").
class AddressError : public Error {
 public:
  explicit AddressError(std::string message) : Error("ADDRESS", std::move(message)) {}
};

// Bytes from the server that are not valid RESP, or a reply of the wrong shape.
class ProtocolError : public Error {
 public:
  explicit ProtocolError(std::string message) : Error("PROTOCOL", std::move(message)) {}
};

// `-ERR`: unknown command, wrong arity, syntax. Also any code this library
// does not know (its code() is kept).
class CommandError : public Error {
 public:
  using Error::Error;
  explicit CommandError(std::string message) : Error("ERR", std::move(message)) {}
};

#define PROCSHARE_ERROR_CLASS(Name, Base, wire_code)                            \
  class Name : public Base {                                                    \
   public:                                                                      \
    explicit Name(std::string message) : Base(wire_code, std::move(message)) {} \
  };

PROCSHARE_ERROR_CLASS(NoAuth, AuthError, "NOAUTH")
PROCSHARE_ERROR_CLASS(WrongPass, AuthError, "WRONGPASS")
PROCSHARE_ERROR_CLASS(NotFound, Error, "NOTFOUND")
PROCSHARE_ERROR_CLASS(Exists, Error, "EXISTS")
PROCSHARE_ERROR_CLASS(WrongType, Error, "WRONGTYPE")
PROCSHARE_ERROR_CLASS(KeyError, Error, "KEYERROR")
PROCSHARE_ERROR_CLASS(IndexError, Error, "INDEXERROR")
PROCSHARE_ERROR_CLASS(ValueError, Error, "VALUEERROR")
PROCSHARE_ERROR_CLASS(Empty, Error, "EMPTY")
PROCSHARE_ERROR_CLASS(Full, Error, "FULL")
PROCSHARE_ERROR_CLASS(NotOwner, Error, "NOTOWNER")
PROCSHARE_ERROR_CLASS(BrokenBarrier, Error, "BROKEN")
PROCSHARE_ERROR_CLASS(LimitError, Error, "LIMIT")
// A lock or permits this client held are gone: the connection that held them
// broke, or the server restarted (docs/persistence.md). Thrown by release;
// the client holds nothing then.
PROCSHARE_ERROR_CLASS(LockLost, Error, "LOCKLOST")
// An anonymous object's proxy used after the server restarted: anonymous
// objects are not kept across restarts.
PROCSHARE_ERROR_CLASS(ObjectLost, Error, "OBJECTLOST")

#undef PROCSHARE_ERROR_CLASS

// Throws the exception class of an error reply's code (CommandError for
// unknown codes). Precondition: reply.is_error().
[[noreturn]] void throw_error(const protocol::Reply& reply);

}  // namespace procshare
