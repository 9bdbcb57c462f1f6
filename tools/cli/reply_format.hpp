#pragma once
// How procshare-cli prints a reply: the three output modes.
//
//  * tty  — what redis-cli prints on a terminal: `(integer) 3`, `(nil)`,
//           `"quoted"` strings with escapes, numbered (nested) arrays,
//           `1# "key" => value` maps, `(error) CODE msg`.
//  * raw  — plain values one per line, for shell scripts (redis-cli --raw).
//  * json — one JSON document per reply.
// Pure functions over protocol::Reply; nothing here does I/O.
#include <string>
#include <string_view>

#include "procshare/protocol/reply.hpp"

namespace procshare::cli {

enum class OutputMode { tty, raw, json };

// The text to print for one reply, ending with a newline.
std::string format_reply(const protocol::Reply& reply, OutputMode mode);

// Text as redis-cli quotes it (sdscatrepr): "a\nb\x01".
std::string quote_bytes(std::string_view bytes);

// A JSON string literal. Valid UTF-8 passes through; other bytes, which JSON
// cannot carry, are written as the code point of the same value (\u00XX).
std::string json_string(std::string_view bytes);

// Commands whose string replies are text meant to be read as it is (INFO,
// CLIENT LIST): redis-cli prints those unquoted even on a terminal.
bool prints_text_raw(std::string_view command, std::string_view subcommand);

}  // namespace procshare::cli
