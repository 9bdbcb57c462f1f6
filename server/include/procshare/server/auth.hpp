#pragma once
// Plain-password authentication (AUTH, HELLO ... AUTH), shared by the commands
// that accept it. The challenge-response lives in auth_commands.cpp.
#include <string_view>

#include "procshare/server/command.hpp"

namespace procshare::server {

// Checks `password` against the authkey for `user` ("default" is the only
// user). On success marks the session authenticated and returns; on failure
// throws CommandError (-WRONGPASS, with the session's reply delayed; -ERR on a
// network address or on a server without a key) and changes nothing else.
// Returns false, having written and changed nothing, when the connection's
// source must wait its turn (AuthThrottle): Session::retry_at says until
// when, and the caller returns at once; the request runs again then.
bool authenticate_plain(Ctx& c, std::string_view user, std::string_view password);

// Whether this connection's source must wait before its next attempt; if so
// sets Session::retry_at (the command then writes nothing and returns).
bool auth_must_wait(Ctx& c);

}  // namespace procshare::server
