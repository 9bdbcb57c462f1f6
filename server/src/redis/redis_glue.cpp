#include "redis_glue.hpp"

#include <fmt/format.h>

#include <cmath>

#include "../types/scalar.hpp"
#include "procshare/server/builtins.hpp"

namespace procshare::server {

// The one entry point builtins.cpp calls.
void register_redis_commands(Engine& e) {
  redis::register_string_commands(e);
  redis::register_hash_commands(e);
  redis::register_list_commands(e);
  redis::register_blocking_commands(e);
  redis::register_set_commands(e);
  redis::register_key_commands(e);
  redis::register_admin_commands(e);
}

namespace redis {

namespace {
constexpr std::size_t kMaxNameBytes = 512;  // PROTOCOL.md §5
}  // namespace

CommandSpec spec(std::string name, int arity, std::uint32_t flags, Handler handler,
                 std::string summary, std::string args) {
  CommandSpec c;
  c.name = std::move(name);
  c.arity = arity;
  c.flags = flags | flag::redis;
  c.handler = std::move(handler);
  c.summary = std::move(summary);
  c.args = std::move(args);
  return c;
}

void wrongtype() {
  fail(ErrorCode::wrongtype, "Operation against a key holding the wrong kind of value");
}

void syntax_error() {
  fail(ErrorCode::err, "syntax error");
}

void wrong_arity(const Ctx& c) {
  fail(ErrorCode::err,
       fmt::format("wrong number of arguments for '{}' command", lower_case(c.command.name)));
}

std::int64_t int_arg(std::string_view s) {
  auto v = to_int64(s);
  if (!v) fail(ErrorCode::err, "value is not an integer or out of range");
  return *v;
}

double float_arg(std::string_view s) {
  auto v = to_double(s);
  if (!v) fail(ErrorCode::err, "value is not a valid float");
  return *v;
}

std::int64_t count_arg(std::string_view s) {
  const std::int64_t n = int_arg(s);
  if (n < 0) fail(ErrorCode::err, "value is out of range, must be positive");
  return n;
}

std::shared_ptr<Object> find(Ctx& c, std::string_view name, std::string_view type) {
  std::shared_ptr<Object> obj = c.engine.objects().find(name);
  if (obj && obj->type_name() != type) wrongtype();
  return obj;
}

std::shared_ptr<Object> create(Engine& e, std::string_view name, std::string_view type) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    fail(ErrorCode::err, "object names are 1 to 512 bytes");
  }
  Engine::check_implicit_name(name);
  std::shared_ptr<Object> obj = e.make_object(type, {});
  e.add_object(name, obj, false);
  return obj;
}

std::shared_ptr<Object> find_or_create(Ctx& c, std::string_view name, std::string_view type) {
  std::shared_ptr<Object> obj = find(c, name, type);
  return obj ? obj : create(c.engine, name, type);
}

void delete_if_emptied(Engine& e, const Object& obj) {
  if (obj.size() != 0 || obj.waiters() != 0 || obj.anonymous() || obj.refs() > 0) return;
  if (e.objects().find_raw(obj.name()) != &obj) return;  // deleted or renamed meanwhile
  // Copy the name: erasing must not read it from the object it removes.
  const std::string name = obj.name();
  e.delete_object(name);
}

std::string string_text(const ValueObject& v) {
  switch (v.elem_type()) {
    case ElemType::int64:
      return format_int64(v.int_value());
    case ElemType::float64:
      return format_double(v.float_value());
    case ElemType::bytes:
      break;
  }
  return std::string(v.bytes());
}

void set_string(Ctx& c, std::string_view name, std::string_view text) {
  std::shared_ptr<Object> obj = c.engine.objects().find(name);
  if (obj && obj->type_name() == kString) {
    auto& v = static_cast<ValueObject&>(*obj);
    // A typed value stays typed while it is given numbers of its type, so a
    // C++ proxy of an int value keeps working after a Redis SET.
    const bool fits =
        v.elem_type() == ElemType::bytes || (v.elem_type() == ElemType::int64 && to_int64(text)) ||
        (v.elem_type() == ElemType::float64 && to_double(text) && std::isfinite(*to_double(text)));
    if (fits) {
      v.set(text);
      return;
    }
  }
  // Redis's SET replaces a key of any type -- but never makes an anonymous
  // name again (checked before the old object goes: a failed SET changes
  // nothing).
  Engine::check_implicit_name(name);
  if (obj) c.engine.delete_object(name);
  std::shared_ptr<Object> made = create(c.engine, name, kString);
  static_cast<ValueObject&>(*made).set(text);
}

}  // namespace redis
}  // namespace procshare::server
