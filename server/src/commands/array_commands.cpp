// Glue of the `array` type (PROTOCOL.md §5, §6): CREATE's options
// `TYPE int|float|bytes (LEN n | INIT v ...)`, INIT last because it takes
// every remaining word, and the ARRAY.* commands. Elements reply as integers,
// doubles or bulk strings by the array's type. An array has no default shape,
// so it is never created implicitly (no create_type).
#include <fmt/format.h>

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

// An array is allocated whole at CREATE, so its length is checked first:
// against --max-array-len (a long array takes the loop as long to fill), and
// its storage against --maxmemory.
void check_array_len(Engine& e, ElemType type, std::size_t len) {
  const std::size_t cap = e.config().max_array_len;
  if (len > cap) {
    fail(ErrorCode::limit,
         fmt::format("array length {} exceeds max-array-len ({} elements)", len, cap));
  }
  const std::size_t elem = type == ElemType::int64     ? sizeof(std::int64_t)
                           : type == ElemType::float64 ? sizeof(double)
                                                       : sizeof(std::string);
  e.reserve_memory(len * elem);
}

std::unique_ptr<Object> make_array(Engine& e, std::span<const std::string_view> options) {
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
  if (init) {
    check_array_len(e, *type, init->size());
    return std::make_unique<ArrayObject>(*type, *init);
  }
  if (!len) fail(ErrorCode::err, "array needs LEN n or INIT v ...");
  check_array_len(e, *type, static_cast<std::size_t>(*len));
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
  const std::int64_t i = parse_index(c.arg(2));
  write_element(c, array(c), array(c).position(i));
}

void array_set(Ctx& c) {
  const std::int64_t i = parse_index(c.arg(2));
  array(c).set(i, c.arg(3));
  c.out.ok();
}

void array_len(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(array(c).size()));
}

void array_range(Ctx& c) {
  const std::int64_t start = parse_index(c.arg(2));
  const std::int64_t stop = parse_index(c.arg(3));
  const Slice s = array(c).slice(start, stop);
  c.out.array(s.size());
  for (std::size_t i = s.begin; i < s.end; ++i) write_element(c, array(c), i);
}

void array_incrby(Ctx& c) {
  const std::int64_t i = parse_index(c.arg(2));
  data_glue::write_number(c.out, array(c).incrby(i, c.arg(3)));
}

}  // namespace

void register_array_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "array",
      .make = make_array,
      .summary = "a fixed-length array of int, float or bytes (Python's Manager.Array)",
  });
  using namespace flag;
  data_glue::register_family(
      e, "array",
      {
          {.name = "ARRAY.GET",
           .arity = 3,
           .flags = readonly | fast,
           .handler = array_get,
           .summary = "a[index]; INDEXERROR when out of range",
           .args = "array index"},
          {.name = "ARRAY.SET",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = array_set,
           .summary = "a[index] = value, checked against the element type (VALUEERROR)",
           .args = "array index value"},
          {.name = "ARRAY.LEN",
           .arity = 2,
           .flags = readonly | fast,
           .handler = array_len,
           .summary = "len(a)",
           .args = "array"},
          {.name = "ARRAY.RANGE",
           .arity = 4,
           .flags = readonly,
           .handler = array_range,
           .summary = "a[start:stop], Python's slice rules",
           .args = "array start stop"},
          {.name = "ARRAY.INCRBY",
           .arity = 4,
           .flags = write | fast,
           .handler = array_incrby,
           .summary = "a[index] += n (n of the element type); replies the new element",
           .args = "array index n"},
      },
      /*implicit=*/false);
}

}  // namespace procshare::server
