#include "data_glue.hpp"

#include <variant>

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

void write_number(protocol::ReplyWriter& out, const Number& n) {
  if (const auto* i = std::get_if<std::int64_t>(&n)) {
    out.integer(*i);
  } else {
    out.floating(std::get<double>(n));
  }
}

}  // namespace procshare::server::data_glue
