#pragma once
// The error codes of PROTOCOL.md §3 and the exception that carries one out of
// argument parsing or a command handler. The dispatcher turns it into the
// error reply in one place (Engine::execute).
#include <stdexcept>
#include <string>
#include <string_view>

namespace procshare::server {

enum class ErrorCode {
  err,         // ERR: unknown command, arity, syntax, bad option
  noauth,      // NOAUTH
  wrongpass,   // WRONGPASS
  notfound,    // NOTFOUND
  exists,      // EXISTS
  wrongtype,   // WRONGTYPE
  keyerror,    // KEYERROR
  indexerror,  // INDEXERROR
  valueerror,  // VALUEERROR
  empty,       // EMPTY
  full,        // FULL
  notowner,    // NOTOWNER
  broken,      // BROKEN
  limit,       // LIMIT
  noproto,     // NOPROTO: HELLO with a protocol version other than 2 or 3
  oom,         // OOM: a command that grows memory past --maxmemory
};

// The code word as sent on the wire ("WRONGTYPE").
std::string_view error_code_name(ErrorCode code);

class CommandError : public std::runtime_error {
 public:
  CommandError(ErrorCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, std::string message) {
  throw CommandError(code, std::move(message));
}

}  // namespace procshare::server
