// Maps error replies to exception classes: the one place the client turns
// wire error codes into types (PROTOCOL.md §3).
#include "procshare/errors.hpp"

namespace procshare {

namespace {

std::string what_of(const std::string& code, const std::string& message) {
  if (message.empty()) return code;
  return code + " " + message;
}

}  // namespace

Error::Error(std::string code, std::string message)
    : std::runtime_error(what_of(code, message)),
      code_(std::move(code)),
      message_(std::move(message)) {}

void throw_error(const protocol::Reply& reply) {
  std::string code(reply.error_code());
  std::string message(reply.error_message());
  if (code == "ERR") throw CommandError(std::move(message));
  if (code == "NOAUTH") throw NoAuth(std::move(message));
  if (code == "WRONGPASS") throw WrongPass(std::move(message));
  if (code == "NOTFOUND") throw NotFound(std::move(message));
  if (code == "EXISTS") throw Exists(std::move(message));
  if (code == "WRONGTYPE") throw WrongType(std::move(message));
  if (code == "KEYERROR") throw KeyError(std::move(message));
  if (code == "INDEXERROR") throw IndexError(std::move(message));
  if (code == "VALUEERROR") throw ValueError(std::move(message));
  if (code == "EMPTY") throw Empty(std::move(message));
  if (code == "FULL") throw Full(std::move(message));
  if (code == "NOTOWNER") throw NotOwner(std::move(message));
  if (code == "BROKEN") throw BrokenBarrier(std::move(message));
  if (code == "LIMIT") throw LimitError(std::move(message));
  if (!reply.is_error()) throw ProtocolError("throw_error called on a reply that is not an error");
  throw CommandError(std::move(code), std::move(message));
}

}  // namespace procshare
