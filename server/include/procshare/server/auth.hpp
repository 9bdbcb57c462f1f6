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
void authenticate_plain(Ctx& c, std::string_view user, std::string_view password);

}  // namespace procshare::server
