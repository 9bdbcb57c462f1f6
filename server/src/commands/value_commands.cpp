// Glue of the `value` type (PROTOCOL.md §5, §6): CREATE's options
// `[TYPE bytes|int|float] [INIT v]`, and the VALUE.* commands. An int or
// float value replies an integer or a double, a bytes value a bulk string.
// Implicit creation picks the element type from the command: VALUE.INCRBY
// makes an int, VALUE.INCRBYFLOAT a float, VALUE.SET and VALUE.CAS bytes.
#include "../types/value.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::syntax_error;

ValueObject& value(Ctx& c) {
  return c.obj<ValueObject>();
}

std::unique_ptr<Object> make_value(Engine&, std::span<const std::string_view> options) {
  std::optional<ElemType> type;
  std::optional<std::string_view> init;
  for (std::size_t i = 0; i < options.size(); i += 2) {
    if (i + 1 >= options.size()) syntax_error();
    if (keyword_is(options[i], "TYPE") && !type) {
      type = parse_elem_type(options[i + 1]);
      if (!type) fail(ErrorCode::err, "value TYPE must be bytes, int or float");
    } else if (keyword_is(options[i], "INIT") && !init) {
      init = options[i + 1];
    } else {
      syntax_error();
    }
  }
  return std::make_unique<ValueObject>(type.value_or(ElemType::bytes), init);
}

void value_get(Ctx& c) {
  const ValueObject& v = value(c);
  switch (v.elem_type()) {
    case ElemType::int64:
      c.out.integer(v.int_value());
      return;
    case ElemType::float64:
      c.out.floating(v.float_value());
      return;
    case ElemType::bytes:
      c.out.bulk(v.bytes());
      return;
  }
}

void value_set(Ctx& c) {
  value(c).set(c.arg(2));
  c.out.ok();
}

void value_incrby(Ctx& c) {
  const std::int64_t n = int_or_fail(c.arg(2));
  data_glue::write_number(c.out, value(c).incrby(n));
}

void value_incrbyfloat(Ctx& c) {
  const double x = float_or_fail(c.arg(2));
  c.out.floating(value(c).incrbyfloat(x));
}

void value_cas(Ctx& c) {
  c.out.integer(value(c).compare_and_set(c.arg(2), c.arg(3)) ? 1 : 0);
}

}  // namespace

void register_value_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "value",
      .make = make_value,
      .summary = "one shared bytes, int or float (Python's Manager.Value)",
  });
  using namespace flag;
  data_glue::register_family(
      e, "value",
      {
          {.name = "VALUE.GET",
           .arity = 2,
           .flags = readonly | fast,
           .handler = value_get,
           .summary = "the value (int: integer, float: double)",
           .args = "value"},
          {.name = "VALUE.SET",
           .arity = 3,
           .flags = write | fast | grows,
           .handler = value_set,
           .summary = "stores x, which must read as the value's type (VALUEERROR)",
           .args = "value x",
           .create_options = {"TYPE", "bytes"}},
          {.name = "VALUE.INCRBY",
           .arity = 3,
           .flags = write | fast | grows,
           .handler = value_incrby,
           .summary = "adds an integer (overflow: VALUEERROR); replies the new value",
           .args = "value increment",
           .create_options = {"TYPE", "int"}},
          {.name = "VALUE.INCRBYFLOAT",
           .arity = 3,
           .flags = write | fast | grows,
           .handler = value_incrbyfloat,
           .summary = "adds a float to a float or bytes value; replies the new value",
           .args = "value increment",
           .create_options = {"TYPE", "float"}},
          {.name = "VALUE.CAS",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = value_cas,
           .summary = "if the value equals expected, stores new; replies 1 swapped, 0 not",
           .args = "value expected new",
           .create_options = {"TYPE", "bytes"}},
      });
}

}  // namespace procshare::server
