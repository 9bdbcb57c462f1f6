#pragma once
// What every Redis-compatible command family shares (issue 7, docs/redis.md).
//
// Redis keys are ordinary procshare objects: strings are `value`s, hashes
// `dict`s, lists `list`s and sets `set`s. Unlike procshare's own commands, a
// Redis command resolves its keys itself (its CommandSpec names no types), so
// that it can follow Redis where procshare differs:
//  * a missing key reads as nil / empty / 0, never -NOTFOUND;
//  * a key of another type is `-WRONGTYPE Operation against a key holding the
//    wrong kind of value`, Redis's exact text;
//  * number errors are Redis's `-ERR ...` texts, not -VALUEERROR;
//  * a list, hash or set that a Redis command leaves empty is deleted, as
//    Redis deletes empty keys (delete_if_emptied below says when it is not).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "../types/dict.hpp"
#include "../types/list.hpp"
#include "../types/set.hpp"
#include "../types/value.hpp"
#include "procshare/server/command.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server::redis {

// The procshare type behind each Redis type.
inline constexpr std::string_view kString = "value";
inline constexpr std::string_view kHash = "dict";
inline constexpr std::string_view kList = "list";
inline constexpr std::string_view kSet = "set";

// One Redis command row: flag::redis is added, no types (keys are resolved
// by the handler).
CommandSpec spec(std::string name, int arity, std::uint32_t flags, Handler handler,
                 std::string summary, std::string args);

[[noreturn]] void wrongtype();
[[noreturn]] void syntax_error();
// Redis's "-ERR wrong number of arguments for 'mset' command".
[[noreturn]] void wrong_arity(const Ctx& c);

// Redis's integer and float arguments: -ERR with Redis's texts.
std::int64_t int_arg(std::string_view s);
double float_arg(std::string_view s);
// A count that must be >= 0 ("value is out of range, must be positive").
std::int64_t count_arg(std::string_view s);

// The object under `name` if it is of `type`; nullptr when missing;
// WRONGTYPE when it is of another type.
std::shared_ptr<Object> find(Ctx& c, std::string_view name, std::string_view type);
template <class T>
std::shared_ptr<T> find_as(Ctx& c, std::string_view name, std::string_view type) {
  return std::static_pointer_cast<T>(find(c, name, type));
}
// The same, creating a missing object of `type` with default options (the
// implicit creation of Redis writes). WRONGTYPE when of another type.
std::shared_ptr<Object> find_or_create(Ctx& c, std::string_view name, std::string_view type);
template <class T>
std::shared_ptr<T> find_or_create_as(Ctx& c, std::string_view name, std::string_view type) {
  return std::static_pointer_cast<T>(find_or_create(c, name, type));
}
// Makes and registers a new object of `type` under `name` (which is free).
std::shared_ptr<Object> create(Engine& e, std::string_view name, std::string_view type);

// After a Redis command removed items: deletes `obj` if it is now empty and
// still registered under its name, as Redis deletes an emptied key. Never an
// object that others rely on: one with clients waiting on it, an anonymous
// one, or one whose references someone holds (a proxy's REF.INC).
void delete_if_emptied(Engine& e, const Object& obj);

// Runs f, turning the data types' VALUEERROR into Redis's -ERR with the same
// text (their number messages are Redis's own: "value is not an integer or
// out of range", "increment or decrement would overflow", ...).
template <class F>
decltype(auto) as_redis_error(F&& f) {
  try {
    return f();
  } catch (const CommandError& e) {
    if (e.code() == ErrorCode::valueerror) fail(ErrorCode::err, e.what());
    throw;
  }
}

// A string's content as Redis sees it: a bytes value's bytes, an int or
// float value's decimal text.
std::string string_text(const ValueObject& v);
// Stores `text` under `name` as Redis SET does: in place when the key is a
// value that can hold it (bytes, or an int/float value given a number of its
// type), else by replacing whatever the key held with a new bytes value.
void set_string(Ctx& c, std::string_view name, std::string_view text);

// The families, each in its own redis_*.cpp.
void register_string_commands(Engine& e);
void register_hash_commands(Engine& e);
void register_list_commands(Engine& e);
void register_blocking_commands(Engine& e);
void register_set_commands(Engine& e);
void register_key_commands(Engine& e);
void register_admin_commands(Engine& e);

}  // namespace procshare::server::redis
