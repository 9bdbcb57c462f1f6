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

using data_glue::object_command;
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
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args, std::string_view create_as) {
    CommandSpec c = object_command("value", std::move(name), arity, flags, std::move(h),
                                   std::move(summary), std::move(args));
    if (!create_as.empty()) c.create_options = {"TYPE", std::string(create_as)};
    e.register_command(std::move(c));
  };
  add("VALUE.GET", 2, readonly | fast, value_get, "the value (int: integer, float: double)",
      "value", "");
  add("VALUE.SET", 3, write | fast, value_set,
      "stores x, which must read as the value's type (VALUEERROR)", "value x", "bytes");
  add("VALUE.INCRBY", 3, write | fast, value_incrby,
      "adds an integer (overflow: VALUEERROR); replies the new value", "value increment", "int");
  add("VALUE.INCRBYFLOAT", 3, write | fast, value_incrbyfloat,
      "adds a float to a float or bytes value; replies the new value", "value increment", "float");
  add("VALUE.CAS", 4, write | fast, value_cas,
      "if the value equals expected, stores new; replies 1 swapped, 0 not", "value expected new",
      "bytes");
}

}  // namespace procshare::server
