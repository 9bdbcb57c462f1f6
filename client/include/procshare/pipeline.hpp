#pragma once
// Pipeline: many commands sent in one write, replies collected in order
// (PROTOCOL.md §2). For throughput: N commands cost one round trip instead
// of N. Replies come back as values, errors included, one per command, in
// the order the commands were added.
//
//   auto p = client.pipeline();
//   for (int i = 0; i < 1000; ++i) p.add("DICT.SET", squares.name(), i, i * i);
//   auto replies = p.execute();          // one write, 1000 replies
//   procshare::check(replies);           // throws the first error, if any
//
// A pipeline runs on the calling thread's connection; it is not itself
// thread-safe (use one per thread). Blocking commands in a pipeline hold
// back the replies behind them, as on the wire.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/client.hpp"

namespace procshare {

class Pipeline {
 public:
  explicit Pipeline(Client client) : client_(std::move(client)) {}

  // Adds one command; strings are sent as they are, other values through
  // their codec.
  template <class... A>
  Pipeline& add(const A&... args) {
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) -> Pipeline& { return add_args(s); }, args...);
  }
  Pipeline& add_args(std::span<const std::string_view> args);

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  void clear();

  // Sends every command added so far in one write and reads their replies.
  // The pipeline is empty afterwards. Throws ConnectionError when the
  // connection fails (the replies received so far are lost with it).
  std::vector<protocol::Reply> execute();

 private:
  Client client_;
  std::string buffer_;  // the commands, already encoded as RESP
  std::size_t count_ = 0;
};

// Throws the first error reply of a pipeline's replies, if any.
void check(const std::vector<protocol::Reply>& replies);

}  // namespace procshare
