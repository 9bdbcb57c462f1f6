#pragma once
// Size limits of the wire protocol (PROTOCOL.md §2). Each is the largest size
// accepted; the parser checks them before it allocates anything.
#include <cstddef>

namespace procshare::protocol {

struct Limits {
  std::size_t max_bulk = 512u * 1024 * 1024;               // one bulk string
  std::size_t max_array = 1024 * 1024;                     // elements of one request
  std::size_t max_inline = 64 * 1024;                      // one inline line, without its ending
  std::size_t max_request = static_cast<std::size_t>(-1);  // one whole request as sent

  // The stricter limits a server with an authkey applies before authentication:
  // an unauthenticated peer must not be able to make the server allocate much.
  static Limits pre_auth() {
    Limits l;
    l.max_request = 16 * 1024;
    l.max_array = 10;
    l.max_bulk = 16 * 1024;
    l.max_inline = 16 * 1024;
    return l;
  }
};

}  // namespace procshare::protocol
