#include "procshare/server/name_walk.hpp"

#include <algorithm>

#include "procshare/server/engine.hpp"
#include "procshare/server/object_registry.hpp"
#include "procshare/server/session.hpp"

namespace procshare::server {

namespace {
// Keeps the `limit` smallest names once there are twice as many: the work of
// a LIMIT stays spread over the steps, and its memory bounded.
void trim(std::vector<std::string>& names, std::size_t limit) {
  if (limit >= names.size() / 2) return;
  std::nth_element(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(limit), names.end());
  names.resize(limit);
}
}  // namespace

bool walk_names(Ctx& c, std::string_view pattern, std::vector<std::string>& out,
                std::size_t limit) {
  const ObjectRegistry& objects = c.engine.objects();
  auto& walk = c.session.name_walk;
  // In-process sessions (tests, the log's replay) have no transport to run
  // the request again: they walk at once, as does a small keyspace.
  const bool at_once =
      !walk && (objects.size() <= kNameWalkStep || c.session.transport() == Transport::memory);
  if (!walk) walk.emplace();
  const std::size_t step = at_once ? static_cast<std::size_t>(-1) : kNameWalkStep;
  walk->cursor = objects.scan(walk->cursor, step, [&](const Object& o) {
    if (glob_match(pattern, o.name())) walk->names.push_back(o.name());
  });
  trim(walk->names, limit);
  if (walk->cursor != 0) {
    c.session.retry_at = Clock::now();
    return false;
  }
  out = std::move(walk->names);
  walk.reset();
  return true;
}

}  // namespace procshare::server
