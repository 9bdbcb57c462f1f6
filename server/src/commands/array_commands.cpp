// Glue of the `array` type (PROTOCOL.md §5, §6): CREATE's options
// `TYPE int|float|bytes (LEN n | INIT v ...)`, INIT last because it takes
// every remaining word, and the ARRAY.* commands. Elements reply as integers,
// doubles or bulk strings by the array's type. An array has no default shape,
// so it is never created implicitly (no create_type).
#include "../types/array.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::parse_index;
using data_glue::syntax_error;

ArrayObject& array(Ctx& c) {
  return c.obj<ArrayObject>();
}

std::unique_ptr<Object> make_array(Engine&, std::span<const std::string_view> options) {
  std::optional<ElemType> type;
  std::optional<std::int64_t> len;
  std::optional<std::span<const std::string_view>> init;
  for (std::size_t i = 0; i < options.size() && !init; ++i) {
    if (keyword_is(options[i], "INIT")) {
      init = options.subspan(i + 1);
    } else if (i + 1 >= options.size()) {
      syntax_error();
    } else if (keyword_is(options[i], "TYPE") && !type) {
      type = parse_elem_type(options[++i]);
      if (!type) fail(ErrorCode::err, "array TYPE must be int, float or bytes");
    } else if (keyword_is(options[i], "LEN") && !len) {
      len = to_int64(options[++i]);
      if (!len) fail(ErrorCode::err, "array LEN must be an integer");
      if (*len < 0) fail(ErrorCode::valueerror, "array LEN must not be negative");
    } else {
      syntax_error();
    }
  }
  if (!type) fail(ErrorCode::err, "array needs TYPE int|float|bytes");
  if (len && init) fail(ErrorCode::err, "syntax error: array takes LEN or INIT, not both");
  if (init) return std::make_unique<ArrayObject>(*type, *init);
  if (!len) fail(ErrorCode::err, "array needs LEN n or INIT v ...");
  return std::make_unique<ArrayObject>(*type, static_cast<std::size_t>(*len));
}

void write_element(Ctx& c, const ArrayObject& a, std::size_t pos) {
  switch (a.elem_type()) {
    case ElemType::int64:
      c.out.integer(a.int_at(pos));
      return;
    case ElemType::float64:
      c.out.floating(a.float_at(pos));
      return;
    case ElemType::bytes:
      c.out.bulk(a.bytes_at(pos));
      return;
  }
}

void array_get(Ctx& c) {
  write_element(c, array(c), array(c).position(parse_index(c.arg(2))));
}

void array_set(Ctx& c) {
  array(c).set(parse_index(c.arg(2)), c.arg(3));
  c.out.ok();
}

void array_len(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(array(c).size()));
}

void array_range(Ctx& c) {
  const Slice s = array(c).slice(parse_index(c.arg(2)), parse_index(c.arg(3)));
  c.out.array(s.size());
  for (std::size_t i = s.begin; i < s.end; ++i) write_element(c, array(c), i);
}

void array_incrby(Ctx& c) {
  data_glue::write_number(c.out, array(c).incrby(parse_index(c.arg(2)), c.arg(3)));
}

}  // namespace

void register_array_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "array",
      .make = make_array,
      .summary = "a fixed-length array of int, float or bytes (Python's Manager.Array)",
  });
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    // write commands are still never implicit: an array has no default shape.
    CommandSpec c = data_glue::object_command("array", std::move(name), arity, flags, std::move(h),
                                              std::move(summary), std::move(args));
    c.create_type.clear();
    e.register_command(std::move(c));
  };
  add("ARRAY.GET", 3, readonly | fast, array_get, "a[index]; INDEXERROR when out of range",
      "array index");
  add("ARRAY.SET", 4, write | fast, array_set,
      "a[index] = value, checked against the element type (VALUEERROR)", "array index value");
  add("ARRAY.LEN", 2, readonly | fast, array_len, "len(a)", "array");
  add("ARRAY.RANGE", 4, readonly, array_range, "a[start:stop], Python's slice rules",
      "array start stop");
  add("ARRAY.INCRBY", 4, write | fast, array_incrby,
      "a[index] += n (n of the element type); replies the new element", "array index n");
}

}  // namespace procshare::server
