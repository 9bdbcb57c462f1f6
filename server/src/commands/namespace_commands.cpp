// Glue of the `namespace` type (PROTOCOL.md §6): parses arguments, calls
// NamespaceObject, writes replies. A missing attribute is KEYERROR, the
// code of Python's AttributeError here (§3).
#include "../types/namespace.hpp"
#include "data_glue.hpp"
#include "dump_util.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

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

void ns_scan(Ctx& c) {
  data_glue::scan_pairs(
      c, [](Ctx & x) -> auto& { return ns(x); });
}

}  // namespace

namespace {
void dump_namespace(const Object& obj, const TypeSpec::Emit& emit) {
  const auto& ns = static_cast<const NamespaceObject&>(obj);
  dump::create(emit, obj);
  ns.for_each([&](std::string_view k, std::string_view v) {
    std::vector<std::string> argv{"NS.SET", obj.name(), std::string(k), std::string(v)};
    emit(argv);
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
      .dump = dump_namespace,
  });
  using namespace flag;
  data_glue::register_family(e, "namespace",
                             {
                                 {.name = "NS.SET",
                                  .arity = 4,
                                  .flags = write | fast | grows,
                                  .handler = ns_set,
                                  .summary = "setattr(n, attr, value)",
                                  .args = "namespace attr value"},
                                 {.name = "NS.GET",
                                  .arity = 3,
                                  .flags = readonly | fast,
                                  .handler = ns_get,
                                  .summary = "getattr(n, attr); KEYERROR when unset",
                                  .args = "namespace attr"},
                                 {.name = "NS.DEL",
                                  .arity = 3,
                                  .flags = write | fast,
                                  .handler = ns_del,
                                  .summary = "delattr(n, attr); KEYERROR when unset",
                                  .args = "namespace attr"},
                                 {.name = "NS.HAS",
                                  .arity = 3,
                                  .flags = readonly | fast,
                                  .handler = ns_has,
                                  .summary = "hasattr(n, attr)",
                                  .args = "namespace attr"},
                                 {.name = "NS.ATTRS",
                                  .arity = 2,
                                  .flags = readonly,
                                  .handler = ns_attrs,
                                  .summary = "the attribute names, in the order first set",
                                  .args = "namespace"},
                                 {.name = "NS.ITEMS",
                                  .arity = 2,
                                  .flags = readonly,
                                  .handler = ns_items,
                                  .summary = "the attributes and their values as a mapping",
                                  .args = "namespace"},
                                 {.name = "NS.SCAN",
                                  .arity = -3,
                                  .flags = readonly,
                                  .handler = ns_scan,
                                  .summary = "HSCAN on attributes: [next cursor, flat attr value "
                                             "...]; every attribute present throughout comes at "
                                             "least once",
                                  .args = "namespace cursor [COUNT count]"},
                             });
}

}  // namespace procshare::server
