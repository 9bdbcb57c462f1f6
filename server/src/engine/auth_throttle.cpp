#include "procshare/server/auth_throttle.hpp"

#include <algorithm>

namespace procshare::server {

namespace {
// Sources kept before stale ones are swept (at most once per kForgetAfter).
constexpr std::size_t kSweepAbove = 1024;
}  // namespace

Clock::time_point AuthThrottle::ready_at(std::string_view source, Clock::time_point now) const {
  auto it = sources_.find(std::string(source));
  if (it == sources_.end() || now >= it->second.last + kForgetAfter) return now;
  return it->second.next;
}

std::chrono::milliseconds AuthThrottle::failed(std::string_view source, Clock::time_point now) {
  forget_stale(now);
  Source& s = sources_[std::string(source)];
  if (s.failures > 0 && now >= s.last + kForgetAfter) s = Source{};
  const unsigned doublings = std::min(s.failures, 16u);
  ++s.failures;
  const auto delay =
      std::min<std::chrono::milliseconds>(kFirstDelay * (1u << doublings), kMaxDelay);
  s.last = now;
  s.next = std::max(s.next, now) + delay;
  return delay;
}

void AuthThrottle::succeeded(std::string_view source) {
  sources_.erase(std::string(source));
}

void AuthThrottle::forget_stale(Clock::time_point now) {
  if (sources_.size() < kSweepAbove || now < swept_ + kForgetAfter) return;
  swept_ = now;
  std::erase_if(sources_, [&](const auto& kv) { return now >= kv.second.last + kForgetAfter; });
}

}  // namespace procshare::server
