#pragma once
// OBJECTS and KEYS over a large keyspace without stalling the loop: the
// walk visits the objects in SCAN order, kNameWalkStep per turn, and between
// steps the connection yields (Session::retry_at set to now: the transport
// runs the same request again on its next turn, holding the rest of its
// pipeline) so every other client is served. Like SCAN, an object created or
// deleted while a walk is under way may or may not be listed; one present
// throughout is listed once.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/server/command.hpp"

namespace procshare::server {

// About 5 ms of walking on this project's machine.
inline constexpr std::size_t kNameWalkStep = 10'000;

// Collects the names matching `pattern` into `out` (unsorted; with `limit`,
// at least the `limit` smallest of them, and the walk keeps no more than
// about twice that) and returns true; or, with more to walk, keeps its
// progress in the session, asks for the retry and returns false (the
// command then writes nothing).
bool walk_names(Ctx& c, std::string_view pattern, std::vector<std::string>& out,
                std::size_t limit = static_cast<std::size_t>(-1));

}  // namespace procshare::server
