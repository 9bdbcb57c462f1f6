// Glue of the `namespace` type (PROTOCOL.md §6): parses arguments, calls
// NamespaceObject, writes replies. A missing attribute is KEYERROR, the
// code of Python's AttributeError here (§3).
#include "../types/namespace.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::object_command;

NamespaceObject& ns(Ctx& c) {
  return c.obj<NamespaceObject>();
}

void no_attribute() {
  fail(ErrorCode::keyerror, "no such attribute");
}

void ns_set(Ctx& c) {
  ns(c).set(c.arg(2), c.arg(3));
  c.out.ok();
}

void ns_get(Ctx& c) {
  auto v = ns(c).get(c.arg(2));
  if (!v) no_attribute();
  c.out.bulk(*v);
}

void ns_del(Ctx& c) {
  if (!ns(c).erase(c.arg(2))) no_attribute();
  c.out.ok();
}

void ns_has(Ctx& c) {
  c.out.boolean(ns(c).has(c.arg(2)));
}

void ns_attrs(Ctx& c) {
  c.out.array(ns(c).size());
  ns(c).for_each([&](std::string_view a, std::string_view) { c.out.bulk(a); });
}

void ns_items(Ctx& c) {
  c.out.map(ns(c).size());
  ns(c).for_each([&](std::string_view a, std::string_view v) {
    c.out.bulk(a);
    c.out.bulk(v);
  });
}

}  // namespace

void register_namespace_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "namespace",
      .make = [](Engine&, std::span<const std::string_view> options) -> std::unique_ptr<Object> {
        data_glue::no_options(options);
        return std::make_unique<NamespaceObject>();
      },
      .summary = "Python's managers.Namespace: named attributes",
  });
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(object_command("namespace", std::move(name), arity, flags, std::move(h),
                                      std::move(summary), std::move(args)));
  };
  add("NS.SET", 4, write | fast, ns_set, "setattr(n, attr, value)", "namespace attr value");
  add("NS.GET", 3, readonly | fast, ns_get, "getattr(n, attr); KEYERROR when unset",
      "namespace attr");
  add("NS.DEL", 3, write | fast, ns_del, "delattr(n, attr); KEYERROR when unset", "namespace attr");
  add("NS.HAS", 3, readonly | fast, ns_has, "hasattr(n, attr)", "namespace attr");
  add("NS.ATTRS", 2, readonly, ns_attrs, "the attribute names, in the order first set",
      "namespace");
  add("NS.ITEMS", 2, readonly, ns_items, "the attributes and their values as a mapping",
      "namespace");
}

}  // namespace procshare::server
