#pragma once
// Helpers shared by the command glue of the data families (dict, list, set,
// namespace, value, array): building their CommandSpec rows and parsing the
// arguments they have in common. Replies are still written by each family.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "../types/scalar.hpp"
#include "procshare/protocol/reply_writer.hpp"
#include "procshare/server/command.hpp"

namespace procshare::server::data_glue {

// One command on objects of `type`. A write command creates a missing object
// of `type` with default options (PROTOCOL.md §5, implicit creation).
CommandSpec object_command(std::string_view type, std::string name, int arity, std::uint32_t flags,
                           Handler handler, std::string summary, std::string args);

// CREATE options for a type that takes none: any word is ERR syntax error.
void no_options(std::span<const std::string_view> options);

// An index argument; VALUEERROR "index must be an integer" otherwise.
std::int64_t parse_index(std::string_view s);

// The `[DEFAULT v]` tail of DICT.GET / DICT.POP starting at args[from]:
// nullopt when absent, ERR syntax error for anything else.
std::optional<std::string_view> parse_default(std::span<const std::string_view> args,
                                              std::size_t from);

// An int as an integer, a float as a double (RESP3 ',', RESP2 bulk).
void write_number(protocol::ReplyWriter& out, const Number& n);

[[noreturn]] void syntax_error();

}  // namespace procshare::server::data_glue
