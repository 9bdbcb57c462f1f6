// Pipeline: RESP-encodes commands into one buffer; Connection::exchange
// streams it to the server while reading the replies.
#include "procshare/pipeline.hpp"

#include "client_state.hpp"

namespace procshare {

Pipeline& Pipeline::add_args(std::span<const std::string_view> args) {
  buffer_ += '*';
  buffer_ += std::to_string(args.size());
  buffer_ += "\r\n";
  for (std::string_view a : args) {
    buffer_ += '$';
    buffer_ += std::to_string(a.size());
    buffer_ += "\r\n";
    buffer_.append(a);
    buffer_ += "\r\n";
  }
  ++count_;
  return *this;
}

void Pipeline::clear() {
  buffer_.clear();
  count_ = 0;
  pending_.clear();
}

std::vector<protocol::Reply> Pipeline::execute() {
  std::vector<protocol::Reply> replies;
  if (count_ == 0) return replies;
  replies.reserve(count_);
  const std::size_t n = count_;
  std::string bytes = std::move(buffer_);
  auto pending = std::move(pending_);
  clear();
  client_.state().with_connection([&](Connection& c) {
    c.exchange(bytes, n, [&](protocol::Reply&& r) { replies.push_back(std::move(r)); });
    return 0;
  });
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (!pending[i]) continue;
    pending[i]->reply = replies[i];
    pending[i]->ready = true;
  }
  return replies;
}

void check(const std::vector<protocol::Reply>& replies) {
  for (const auto& r : replies) {
    if (r.is_error()) throw_error(r);
  }
}

}  // namespace procshare
