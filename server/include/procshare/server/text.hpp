#pragma once
// The small text rules every part of the server shares, each written once:
// numbers as commands read them, case-insensitive keywords, the object name
// rule, and the printable form of untrusted bytes in errors and logs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace procshare::server::text {

// A signed 64-bit decimal integer, as Python's int() reads one: an optional
// sign (one '+' or '-'), digits, nothing else. nullopt otherwise.
std::optional<std::int64_t> to_int(std::string_view s);
// The error text for a word to_int refused ("out of range" or "not an integer").
std::string int_error(std::string_view s);
// A finite or infinite double (never NaN), with an optional sign.
std::optional<double> to_double(std::string_view s);

// ASCII case-insensitive equality with an upper-case keyword ("TIMEOUT").
bool iequals(std::string_view word, std::string_view upper_keyword);
// ASCII lower case: command names as Redis prints them, type names.
std::string lower_case(std::string_view s);

// Object names are 1 to 512 bytes, binary safe (PROTOCOL.md §5).
inline constexpr std::size_t kMaxNameBytes = 512;
bool valid_name(std::string_view name);
// Throws ERR "object names are 1 to 512 bytes" for an invalid name.
void check_name(std::string_view name);

// Untrusted bytes for an error message or a log line: printable ASCII kept,
// everything else (and ') as \xHH, cut to `max` input bytes.
std::string printable(std::string_view s, std::size_t max = 128);
// printable() for a log line about raw request bytes, except that bytes
// which mention AUTH (AUTH, HELLO ... AUTH, AUTH.PROVE) are not shown at
// all: a malformed `AUTH "key` must never put the key into a log.
std::string redacted_preview(std::string_view s, std::size_t max = 64);

}  // namespace procshare::server::text
