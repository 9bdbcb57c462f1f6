#pragma once
// Plain-password authentication (AUTH, HELLO ... AUTH), shared by the commands
// that accept it. The challenge-response lives in auth_commands.cpp.
#include <string_view>

#include "procshare/server/command.hpp"

namespace procshare::server {

// Checks `password` against the authkey for `user` ("default" is the only
// user). On success marks the session authenticated; on failure writes the
// error (-WRONGPASS after a delay, or -ERR on a network address) and leaves it
// unauthenticated.
void authenticate_plain(Ctx& c, std::string_view user, std::string_view password);

}  // namespace procshare::server
