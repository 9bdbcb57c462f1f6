#pragma once
// What `procshare-cli top` shows, gathered from the server in one round:
// INFO, CLIENT LIST (whose lines say `blocked=QUEUE.GET:jobs waited=1.234`
// for parked clients), OBJECTS * and a pipelined DESCRIBE of each object.
// The parsers are pure so they can be tested without a server.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/connection.hpp"
#include "procshare/protocol/reply.hpp"

namespace procshare::cli {

struct ClientRow {
  std::int64_t id = 0;
  std::string addr;
  std::string name;
  std::int64_t age_s = 0;
  std::int64_t idle_s = 0;
  std::string last_command;
  std::int64_t commands = 0;
  // Set for a client parked on a blocking command.
  std::optional<std::string> blocked_command;  // "LOCK.ACQUIRE"
  std::string blocked_on;                      // "mylock"
  double waited_s = 0;
};

struct ObjectRow {
  std::string name;
  std::string type;
  std::int64_t size = 0;
  std::int64_t refs = 0;
  std::int64_t waiters = 0;
  std::optional<std::int64_t> owner;  // locks, rlocks, conditions: the holder's client id
  bool has_owner_field = false;       // the type has an owner at all
  std::int64_t token = 0;
  // Every other DESCRIBE field, as text, in the server's order ("maxsize", "0").
  std::vector<std::pair<std::string, std::string>> details;
};

struct Snapshot {
  std::map<std::string, std::string> info;  // INFO key -> value
  std::vector<ClientRow> clients;           // by id
  std::vector<ObjectRow> objects;           // described ones, by name
  std::size_t object_names = 0;             // how many names OBJECTS returned
  std::int64_t self_id = 0;                 // top's own connection
  std::chrono::steady_clock::time_point taken;
  std::uint64_t own_commands = 0;  // commands top sent for this snapshot

  std::int64_t info_int(const std::string& key, std::int64_t fallback = 0) const;
};

// How many objects one snapshot describes at most: beyond that the view
// lists counts only, so that top stays cheap on a server with many objects.
inline constexpr std::size_t kMaxDescribed = 2000;

// Takes a snapshot over `conn`. Throws procshare::Error on transport failure
// and std::runtime_error naming the command when the server replies an error
// to INFO or CLIENT LIST (NOAUTH, for instance).
Snapshot take_snapshot(Connection& conn, std::int64_t self_id);

std::map<std::string, std::string> parse_info(std::string_view text);
std::vector<ClientRow> parse_client_list(std::string_view text);
// A DESCRIBE reply (RESP3 map or RESP2 flat array) as a row; nullopt if it is
// an error (the object went away between OBJECTS and DESCRIBE).
std::optional<ObjectRow> parse_describe(std::string_view name, const protocol::Reply& reply);

// Operations per second between two snapshots, not counting top's own
// commands; from the server's uptime average when there is no previous one.
struct OpsRate {
  double per_sec = 0;
  bool average = false;  // true: since the server started
};
OpsRate ops_rate(const Snapshot& now, const Snapshot* previous);

}  // namespace procshare::cli
