#pragma once
// Helpers for the waiting types' tests (queue, lock, semaphore, condition,
// event, barrier): reading DESCRIBE fields and asserting a client is parked.
#include <string>
#include <string_view>

#include "harness.hpp"

namespace procshare::test {

// DESCRIBE's field `key` (a flat array in RESP2, a map in RESP3); a null reply
// when absent.
inline Reply describe_field(Harness& h, Harness::Client& c, const std::string& name,
                            std::string_view key) {
  Reply r = h.call(c, {"DESCRIBE", name});
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str == key) return r.elements[i + 1];
  }
  ADD_FAILURE() << "DESCRIBE " << name << " has no field " << key;
  return Reply{};
}

// Sends a command that must park the client.
inline void send_parked(Harness& h, Harness::Client& c, std::vector<std::string> words) {
  std::string what = words.empty() ? "" : words[0];
  auto r = h.send(c, std::move(words));
  EXPECT_FALSE(r.has_value()) << what << " answered instead of parking: '" << (r ? r->str : "")
                              << "' " << (r ? r->integer : 0);
}

}  // namespace procshare::test
