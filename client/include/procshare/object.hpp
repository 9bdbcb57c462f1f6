#pragma once
// procshare::Object: what every proxy has in common — the Client it talks
// through, the object's name, and for an anonymous object the shared
// reference that keeps it alive (client.hpp, detail::AnonRef).
//
// Proxies are values: copy them freely, into threads or across fork(). A
// proxy holds no connection of its own; each call goes through the calling
// thread's connection of its Client.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "procshare/client.hpp"

namespace procshare {

class Object {
 public:
  const std::string& name() const { return name_; }
  const Client& client() const { return client_; }
  // True for an object made with CREATE type * (reference counted).
  bool anonymous() const { return ref_ != nullptr; }
  ObjectInfo describe() const {
    touch();
    return client_.describe(name_);
  }

 protected:
  Object() = default;
  Object(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : client_(std::move(client)), name_(std::move(name)), ref_(std::move(ref)) {}

  // Takes this process's reference to an anonymous object inherited by fork.
  void touch() const {
    if (ref_) ref_->ensure();
  }
  // `command name args...`; error replies are thrown.
  template <class... A>
  protocol::Reply cmd(std::string_view command, const A&... args) const {
    touch();
    return client_.command(command, name_, args...);
  }
  // As cmd(), but error replies are returned as values: for the proxies that
  // turn one expected error (a missing key) into a result, without throwing.
  template <class... A>
  protocol::Reply cmd_raw(std::string_view command, const A&... args) const {
    touch();
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) { return client_.call_raw(s); }, command, name_,
        args...);
  }
  // The same for a command that may wait up to `wait` (nullopt: forever).
  template <class... A>
  protocol::Reply cmd_wait(std::optional<std::chrono::milliseconds> wait, std::string_view command,
                           const A&... args) const {
    touch();
    return client_.command_blocking(wait, command, name_, args...);
  }

  template <class... A>
  protocol::Reply cmd_wait_raw(std::optional<std::chrono::milliseconds> wait,
                               std::string_view command, const A&... args) const {
    touch();
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) { return client_.call_blocking_raw(s, wait); },
        command, name_, args...);
  }

  template <class Rep, class Period>
  static std::chrono::milliseconds wait_of(std::chrono::duration<Rep, Period> d) {
    return std::chrono::ceil<std::chrono::milliseconds>(d);
  }
  template <class Rep, class Period>
  static std::string timeout_arg(std::chrono::duration<Rep, Period> d) {
    return detail::seconds_arg(std::chrono::duration_cast<std::chrono::nanoseconds>(d));
  }
  // The timeout left until a deadline of any clock.
  template <class Clock, class Duration>
  static std::chrono::nanoseconds until(std::chrono::time_point<Clock, Duration> tp) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(tp - Clock::now());
  }

  Client client_;
  std::string name_;
  std::shared_ptr<detail::AnonRef> ref_;
};

namespace detail {
// Decodes an array reply element by element.
template <codable T>
std::vector<T> decode_all(const protocol::Reply& r) {
  std::vector<T> out;
  out.reserve(r.elements.size());
  for (const auto& e : r.elements) out.push_back(decode<T>(e));
  return out;
}
// The largest stop index: slices clamp it to the length (PROTOCOL.md §6).
inline constexpr std::string_view kSliceEnd = "9223372036854775807";
}  // namespace detail

}  // namespace procshare
