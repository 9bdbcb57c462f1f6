// PROTOCOL.md §5: the commands every object answers to, whatever its type:
// CREATE, DEL, EXISTS, TYPE, OBJECTS, DESCRIBE, REF.INC, REF.DEC, METHODS.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/name_walk.hpp"
#include "procshare/server/text.hpp"

namespace procshare::server {

namespace {

bool takes_value(std::string_view word) {
  for (std::string_view k : {"TYPE", "INIT", "MAXSIZE", "VALUE", "LOCK", "PARTIES", "LEN"}) {
    if (keyword_is(word, k)) return true;
  }
  return false;
}

// Separates the EXISTOK flag from a type's own option words. Keyword values are
// copied as they are (so a value may be spelled "EXISTOK"); the array's INIT
// takes every remaining word.
std::vector<std::string_view> split_options(std::string_view type,
                                            std::span<const std::string_view> words,
                                            bool& existok) {
  std::vector<std::string_view> options;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (keyword_is(words[i], "EXISTOK")) {
      existok = true;
    } else if (keyword_is(words[i], "INIT") && keyword_is(type, "ARRAY")) {
      options.insert(options.end(), words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
      break;
    } else if (takes_value(words[i]) && i + 1 < words.size()) {
      options.push_back(words[i]);
      options.push_back(words[++i]);
    } else {
      options.push_back(words[i]);
    }
  }
  return options;
}

[[noreturn]] void exists(std::string_view name, const Object& existing, bool same_type) {
  fail(ErrorCode::exists,
       fmt::format("object '{}' exists as a {}{}", text::printable(name), existing.type_name(),
                   same_type ? " with other options" : ""));
}

// Everything is checked before anything is made: the name, then whether it
// is taken, then the options (which may name another object: a condition's
// LOCK, created only once the condition's own options are all valid).
void cmd_create(Ctx& c) {
  std::string_view type = c.arg(1);
  std::string_view name = c.arg(2);
  bool existok = false;
  auto options = split_options(type, c.args.subspan(3), existok);
  const bool anonymous = name == "*";
  if (!anonymous) {
    text::check_name(name);
    const TypeSpec* spec = c.engine.find_type(type);
    Object* existing = c.engine.objects().find_raw(name);
    if (existing && (!existok || !spec || spec->name != existing->type_name())) {
      if (!spec) fail(ErrorCode::err, fmt::format("unknown type '{}'", text::printable(type)));
      exists(name, *existing, false);
    }
  }
  std::shared_ptr<Object> made = c.engine.make_object(type, options);
  if (anonymous) {
    std::string anon = c.engine.objects().anonymous_name();
    c.engine.add_object(anon, made, true);
    c.session.add_ref(made, 1);
    // refs_ is the engine's to change; REF.INC's path does the same.
    c.engine.change_refs(*made, 1);
    c.out.bulk(anon);
    return;
  }
  if (Object* existing = c.engine.objects().find_raw(name)) {  // EXISTOK, same type
    if (existing->options_key() == made->options_key()) {
      c.out.ok();
      return;
    }
    exists(name, *existing, true);
  }
  c.engine.add_object(name, made, false);
  c.out.ok();
}

void cmd_del(Ctx& c) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < c.argc(); ++i) n += c.engine.delete_object(c.arg(i)) ? 1 : 0;
  c.out.integer(n);
}

void cmd_exists(Ctx& c) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < c.argc(); ++i) n += c.engine.objects().find_raw(c.arg(i)) ? 1 : 0;
  c.out.integer(n);
}

void cmd_type(Ctx& c) {
  Object* o = c.engine.objects().find_raw(c.arg(1));
  c.out.simple(o ? o->type_name() : std::string_view("none"));
}

// OBJECTS [pattern] [LIMIT n]: the first n matching names in byte order.
// With LIMIT only the n smallest are ordered (O(n_objects log n)). A large
// keyspace is walked in steps, other clients served between them
// (name_walk.hpp); SCAN costs O(COUNT) per call.
void cmd_objects(Ctx& c) {
  std::string_view pattern = "*";
  std::size_t limit = static_cast<std::size_t>(-1);
  std::size_t i = 1;
  if (c.argc() == 2 || c.argc() == 4) pattern = c.arg(i++);
  if (i < c.argc()) {
    if (!keyword_is(c.arg(i), "LIMIT") || i + 2 != c.argc()) {
      fail(ErrorCode::err, "syntax error");
    }
    const std::int64_t n = parse_int(c.arg(i + 1));
    if (n < 0) fail(ErrorCode::valueerror, "LIMIT must not be negative");
    limit = static_cast<std::size_t>(n);
  }
  std::vector<std::string> names;
  if (!walk_names(c, pattern, names, limit)) return;  // runs again on the next turn
  if (names.size() > limit) {
    auto end = names.begin() + static_cast<std::ptrdiff_t>(limit);
    std::partial_sort(names.begin(), end, names.end());
    names.erase(end, names.end());
  } else {
    std::sort(names.begin(), names.end());
  }
  c.out.array(names.size());
  for (const auto& n : names) c.out.bulk(n);
}

std::shared_ptr<Object> must_find(Ctx& c, std::string_view name) {
  auto o = c.engine.objects().find(name);
  if (!o) fail(ErrorCode::notfound, fmt::format("no such object '{}'", name));
  return o;
}

void cmd_describe(Ctx& c) {
  auto o = must_find(c, c.arg(1));
  Fields f;
  f.add("name", o->name());
  f.add("type", std::string(o->type_name()));
  f.add("size", o->size());
  f.add("refs", FieldValue(o->refs()));
  f.add("detached-refs", FieldValue(o->detached_refs()));
  f.add("waiters", o->waiters());
  f.add("anonymous", FieldValue(o->anonymous()));
  o->describe(f);
  write_fields(c.out, f);
}

// `DETACHED`: the reference belongs to no connection (a value stored in
// another object refers to this one), so it survives its writer's disconnect.
bool read_detached(Ctx& c) {
  ArgReader r(c.args, 2);
  bool detached = r.accept("DETACHED");
  r.finish();
  return detached;
}

void cmd_ref_inc(Ctx& c) {
  bool detached = read_detached(c);
  auto o = must_find(c, c.arg(1));
  if (detached) {
    c.engine.change_detached_refs(*o, 1);
  } else {
    c.session.add_ref(o, 1);
  }
  c.out.integer(c.engine.change_refs(*o, 1));
}

void cmd_ref_dec(Ctx& c) {
  bool detached = read_detached(c);
  auto o = must_find(c, c.arg(1));
  if (detached) {
    if (o->detached_refs() <= 0) fail(ErrorCode::valueerror, "no detached reference to drop");
    c.engine.change_detached_refs(*o, -1);
    c.out.integer(c.engine.change_refs(*o, -1));
    return;
  }
  if (o->refs() - o->detached_refs() <= 0) {
    fail(ErrorCode::valueerror, "no connection holds a reference (DETACHED drops a stored one)");
  }
  // Only a reference this connection holds: another's stays until it drops
  // it or closes (else any client could delete another's anonymous object).
  if (c.session.refs_on(o.get()) <= 0) {
    fail(ErrorCode::notowner, "this connection holds no reference to it");
  }
  c.session.add_ref(o, -1);
  c.out.integer(c.engine.change_refs(*o, -1));
}

void cmd_methods(Ctx& c) {
  const TypeSpec* t = c.engine.find_type(c.arg(1));
  if (!t) fail(ErrorCode::err, fmt::format("unknown type '{}'", c.arg(1)));
  std::vector<std::string_view> names;
  for (const auto& [name, spec] : c.engine.commands()) {
    if (!(spec->flags & flag::internal) &&
        std::find(spec->types.begin(), spec->types.end(), t->name) != spec->types.end()) {
      names.push_back(name);
    }
  }
  c.out.array(names.size());
  for (auto n : names) c.out.bulk(n);
}

}  // namespace

void register_object_commands(Engine& e) {
  using namespace flag;
  e.register_command({"CREATE", -3, write | grows, cmd_create,
                      "Create an object (name * for an anonymous, reference-counted one)",
                      "type name [option ...] [EXISTOK]"});
  e.register_command(
      {"DEL", -2, write, cmd_del, "Delete objects; their waiters get NOTFOUND", "name [name ...]"});
  e.register_command(
      {"EXISTS", -2, readonly | fast, cmd_exists, "Count the names that exist", "name [name ...]"});
  e.register_command(
      {"TYPE", 2, readonly | fast, cmd_type, "The type of an object, or none", "name"});
  e.register_command({"OBJECTS", -1, readonly, cmd_objects,
                      "Names matching a glob pattern, sorted; at most n with LIMIT",
                      "[pattern] [LIMIT n]"});
  e.register_command({"DESCRIBE", 2, readonly, cmd_describe,
                      "Type, size, references, waiters and state of an object", "name"});
  e.register_command({"REF.INC", -2, write | transient | fast, cmd_ref_inc,
                      "Add a reference held by this connection, or by no one (DETACHED)",
                      "name [DETACHED]"});
  e.register_command({"REF.DEC", -2, write | transient | fast, cmd_ref_dec,
                      "Drop a reference; an anonymous object goes at zero", "name [DETACHED]"});
  e.register_command({"METHODS", 2, readonly, cmd_methods, "The commands of a type", "type"});
}

}  // namespace procshare::server
