#pragma once
// Helpers shared by the command glue of the data families (dict, list, set,
// namespace, value, array): building their CommandSpec rows and parsing the
// arguments they have in common. Replies are still written by each family.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../types/scalar.hpp"
#include "procshare/protocol/reply_writer.hpp"
#include "procshare/server/command.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server::data_glue {

// Registers a family's command rows, all on objects of `type`. With
// `implicit`, a write command creates a missing object of `type` (with the
// row's create_options; PROTOCOL.md §5, implicit creation).
void register_family(Engine& e, std::string_view type, std::initializer_list<CommandSpec> rows,
                     bool implicit = true);

// CREATE options for a type that takes none: any word is ERR syntax error.
void no_options(std::span<const std::string_view> options);

// An index argument; VALUEERROR "index must be an integer" otherwise.
std::int64_t parse_index(std::string_view s);

// The `[DEFAULT v]` tail of DICT.GET / DICT.POP starting at args[from]:
// nullopt when absent, ERR syntax error for anything else.
std::optional<std::string_view> parse_default(std::span<const std::string_view> args,
                                              std::size_t from);

// `cursor [COUNT n]` of DICT.SCAN, SET.SCAN and NS.SCAN (from args[2]): a
// cursor that is not a number below 2^63 is ERR invalid cursor, COUNT below
// 1 VALUEERROR; COUNT defaults to 10, as Redis's, and stops at 1,000,000.
struct ScanArgs {
  std::uint64_t cursor = 0;
  std::size_t count = 10;
};
ScanArgs parse_scan(std::span<const std::string_view> args);
// Their reply, Redis's HSCAN/SSCAN shape: [next cursor as bulk, array].
void write_scan(protocol::ReplyWriter& out, std::uint64_t next,
                std::span<const std::string_view> page);

// DICT.SCAN and NS.SCAN whole: `of(c)` is the object (its scan visits key,
// value pairs); a missing object is empty, as in Redis's HSCAN.
template <class Of>
void scan_pairs(Ctx& c, Of of) {
  const ScanArgs a = parse_scan(c.args);
  std::vector<std::string_view> page;
  std::uint64_t next = 0;
  if (c.engine.objects().find_raw(c.arg(1))) {
    next = of(c).scan(a.cursor, a.count, [&](std::string_view k, std::string_view v) {
      page.push_back(k);
      page.push_back(v);
    });
  }
  write_scan(c.out, next, page);
}

// An int as an integer, a float as a double (RESP3 ',', RESP2 bulk).
void write_number(protocol::ReplyWriter& out, const Number& n);

[[noreturn]] void syntax_error();

}  // namespace procshare::server::data_glue
