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

// A stored value whose type the program has not said (a Namespace
// attribute met while iterating): its bytes, read as any type on demand,
// and printed as Python would print the value they encode.
class Stored {
 public:
  Stored() = default;
  explicit Stored(std::string bytes) : bytes_(std::move(bytes)) {}
  const std::string& bytes() const { return bytes_; }
  template <codable T>
  T as() const {
    return codec<T>::decode(bytes_);
  }
  void procshare_repr(std::string& out) const;  // print.cpp
  std::string procshare_str() const;
  friend bool operator==(const Stored&, const Stored&) = default;

 private:
  std::string bytes_;
};

template <>
struct codec<Stored> {
  static std::string encode(const Stored& s) { return s.bytes(); }
  static Stored decode(std::string_view bytes) { return Stored(std::string(bytes)); }
};

class Namespace : public Object {
 public:
  static constexpr std::string_view type_name = "namespace";
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
    // As Python prints the attribute (its type read from the stored bytes).
    void procshare_repr(std::string& out) const { as<Stored>().procshare_repr(out); }
    std::string procshare_str() const { return as<Stored>().procshare_str(); }

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
    return dec<T>(cmd("NS.GET", attr));
  }
  // The attribute, or nullopt when unset.
  template <codable T>
  std::optional<T> get_optional(std::string_view attr) const {
    protocol::Reply r = cmd_raw("NS.GET", attr);
    if (r.is_error() && r.error_code() == "KEYERROR") return std::nullopt;
    return dec<T>(r);
  }
  bool has(std::string_view attr) const { return cmd("NS.HAS", attr).integer != 0; }
  // Deletes the attribute; KeyError when unset.
  void erase(std::string_view attr) const { cmd("NS.DEL", attr); }
  // A snapshot of the attribute names, in the order first set.
  std::vector<std::string> attrs() const { return dec_all<std::string>(cmd("NS.ATTRS")); }
  // `for (const auto& [attr, value] : ns)`: every attribute, each value a
  // Stored (value.as<int>(), or print it), read in steps of kBatch, one
  // NS.SCAN each. Not a snapshot: an attribute set for the whole loop is
  // seen at least once, possibly twice if others delete enough meanwhile
  // that the server compacts the namespace. items() is one snapshot.
  static constexpr std::int64_t kBatch = 1000;
  using value_type = std::pair<std::string, Stored>;
  using iterator = detail::BatchIterator<value_type>;
  iterator begin() const {
    return iterator([self = *this](std::int64_t& cursor, std::vector<value_type>& out) {
      const std::vector<protocol::Reply> page = self.scan_step("NS.SCAN", cursor, kBatch);
      out.reserve(page.size() / 2);
      for (std::size_t i = 0; i + 1 < page.size(); i += 2) {
        out.emplace_back(self.dec<std::string>(page[i]), self.dec<Stored>(page[i + 1]));
      }
      return cursor != 0;
    });
  }
  std::default_sentinel_t end() const { return {}; }
  // As Python prints a Namespace: Namespace(x=10, y='hello').
  void procshare_repr(std::string& out) const {
    out += "Namespace(";
    bool first = true;
    for (const auto& [attr, value] : items<Stored>()) {
      if (!first) out += ", ";
      first = false;
      out += attr;
      out += '=';
      value.procshare_repr(out);
    }
    out += ')';
  }

  // A snapshot of every attribute, each decoded as T.
  template <codable T = std::string>
  std::vector<std::pair<std::string, T>> items() const {
    protocol::Reply r = cmd("NS.ITEMS");
    std::vector<std::pair<std::string, T>> out;
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      out.emplace_back(dec<std::string>(r.elements[i]), dec<T>(r.elements[i + 1]));
    }
    return out;
  }
};

}  // namespace procshare
