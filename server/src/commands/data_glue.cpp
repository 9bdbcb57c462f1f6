#include "data_glue.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <variant>

#include "../types/compact_table.hpp"
#include "procshare/server/arg_reader.hpp"

namespace procshare::server::data_glue {

void register_family(Engine& e, std::string_view type, std::initializer_list<CommandSpec> rows,
                     bool implicit) {
  for (const CommandSpec& row : rows) {
    CommandSpec c = row;
    c.types = {std::string(type)};
    if (implicit && (c.flags & flag::write)) c.create_type = std::string(type);
    e.register_command(std::move(c));
  }
}

void syntax_error() {
  fail(ErrorCode::err, "syntax error");
}

void no_options(std::span<const std::string_view> options) {
  if (!options.empty()) syntax_error();
}

std::int64_t parse_index(std::string_view s) {
  auto i = to_int64(s);
  if (!i) fail(ErrorCode::valueerror, "index must be an integer");
  return *i;
}

std::optional<std::string_view> parse_default(std::span<const std::string_view> args,
                                              std::size_t from) {
  if (args.size() == from) return std::nullopt;
  if (args.size() == from + 2 && keyword_is(args[from], "DEFAULT")) return args[from + 1];
  syntax_error();
}

ScanArgs parse_scan(std::span<const std::string_view> args) {
  ScanArgs a;
  ArgReader r(args, 2);
  const std::string_view text = r.next();
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), a.cursor);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
      !CompactTable::valid_scan_cursor(a.cursor)) {
    r.error(ErrorCode::err, "invalid cursor");
  }
  if (r.accept("COUNT")) {
    const std::int64_t n = r.next_int_at_least("COUNT", 1);
    a.count = static_cast<std::size_t>(std::clamp<std::int64_t>(n, 1, 1'000'000));
  }
  r.finish();
  return a;
}

void write_scan(protocol::ReplyWriter& out, std::uint64_t next,
                std::span<const std::string_view> page) {
  out.array(2);
  out.bulk(std::to_string(next));
  out.array(page.size());
  for (std::string_view s : page) out.bulk(s);
}

void write_number(protocol::ReplyWriter& out, const Number& n) {
  if (const auto* i = std::get_if<std::int64_t>(&n)) {
    out.integer(*i);
  } else {
    out.floating(std::get<double>(n));
  }
}

}  // namespace procshare::server::data_glue
