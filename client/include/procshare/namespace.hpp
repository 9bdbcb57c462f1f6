#pragma once
// Namespace: a shared bag of named attributes (PROTOCOL.md §6 "namespace"),
// Python's Manager().Namespace(). Attributes have no fixed type: each call
// says which type it stores or reads.
//
//   auto ns = client.namespace_("config");
//   ns.set("x", 10);
//   ns.set("y", std::string("hello"));
//   int x = ns.get<int>("x");            // KeyError when unset
//   ns["z"] = 2.5;                       // the same, through a reference
//   double z = ns["z"].as<double>();
#include <optional>
#include <utility>
#include <vector>

#include "procshare/object.hpp"

namespace procshare {

class Namespace : public Object {
 public:
  class Ref {
   public:
    Ref(const Namespace* ns, std::string attr) : ns_(ns), attr_(std::move(attr)) {}
    template <codable T>
    Ref& operator=(const T& v) {
      ns_->set(attr_, v);
      return *this;
    }
    Ref& operator=(const char* v) { return *this = std::string(v); }
    template <codable T>
    T as() const {
      return ns_->get<T>(attr_);
    }

   private:
    const Namespace* ns_;
    std::string attr_;
  };

  Namespace() = default;
  Namespace(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  Ref operator[](std::string attr) const { return Ref(this, std::move(attr)); }

  template <codable T>
  void set(std::string_view attr, const T& v) const {
    cmd("NS.SET", attr, v);
  }
  void set(std::string_view attr, const char* v) const { cmd("NS.SET", attr, v); }
  // The attribute decoded as T; KeyError when unset.
  template <codable T>
  T get(std::string_view attr) const {
    return decode<T>(cmd("NS.GET", attr));
  }
  // The attribute, or nullopt when unset.
  template <codable T>
  std::optional<T> get_optional(std::string_view attr) const {
    protocol::Reply r = cmd_raw("NS.GET", attr);
    if (r.is_error() && r.error_code() == "KEYERROR") return std::nullopt;
    return decode<T>(r);
  }
  bool has(std::string_view attr) const { return cmd("NS.HAS", attr).integer != 0; }
  // Deletes the attribute; KeyError when unset.
  void erase(std::string_view attr) const { cmd("NS.DEL", attr); }
  // A snapshot of the attribute names, in the order first set.
  std::vector<std::string> attrs() const {
    return detail::decode_all<std::string>(cmd("NS.ATTRS"));
  }
  // A snapshot of every attribute, each decoded as T.
  template <codable T = std::string>
  std::vector<std::pair<std::string, T>> items() const {
    protocol::Reply r = cmd("NS.ITEMS");
    std::vector<std::pair<std::string, T>> out;
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      out.emplace_back(decode<std::string>(r.elements[i]), decode<T>(r.elements[i + 1]));
    }
    return out;
  }
};

}  // namespace procshare
