// Gathering and parsing what `top` shows. One snapshot costs three pipelined
// commands plus one pipelined DESCRIBE per object (up to kMaxDescribed).
#include "top_snapshot.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace procshare::cli {

using protocol::Reply;

namespace {

std::int64_t to_int(std::string_view s, std::int64_t fallback = 0) {
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() ? v : fallback;
}

double to_double(std::string_view s) {
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() ? v : 0;
}

// The text of a scalar field; nullopt for null.
std::optional<std::string> scalar_text(const Reply& r) {
  switch (r.type) {
    case Reply::Type::null:
      return std::nullopt;
    case Reply::Type::integer:
      return std::to_string(r.integer);
    case Reply::Type::boolean:
      return std::string(r.integer ? "true" : "false");
    default:
      return r.str;
  }
}

}  // namespace

std::int64_t Snapshot::info_int(const std::string& key, std::int64_t fallback) const {
  auto it = info.find(key);
  return it == info.end() ? fallback : to_int(it->second, fallback);
}

std::map<std::string, std::string> parse_info(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return out;
}

std::vector<ClientRow> parse_client_list(std::string_view text) {
  std::vector<ClientRow> rows;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ClientRow row;
    // key=value pairs separated by single spaces; values hold no spaces.
    while (!line.empty()) {
      std::size_t sp = line.find(' ');
      std::string_view pair = line.substr(0, sp);
      line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = pair.substr(0, eq), v = pair.substr(eq + 1);
      if (k == "id") {
        row.id = to_int(v);
      } else if (k == "addr") {
        row.addr = v;
      } else if (k == "name") {
        row.name = v;
      } else if (k == "age") {
        row.age_s = to_int(v);
      } else if (k == "idle") {
        row.idle_s = to_int(v);
      } else if (k == "cmd") {
        row.last_command = v == "NULL" ? "" : std::string(v);
      } else if (k == "cmds") {
        row.commands = to_int(v);
      } else if (k == "blocked") {
        // "QUEUE.GET:jobs": the server writes the command and object joined by ':'.
        std::size_t colon = v.find(':');
        row.blocked_command = std::string(v.substr(0, colon));
        if (colon != std::string_view::npos) row.blocked_on = v.substr(colon + 1);
      } else if (k == "waited") {
        row.waited_s = to_double(v);
      }
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return rows;
}

std::optional<ObjectRow> parse_describe(std::string_view name, const Reply& reply) {
  if (reply.is_error()) return std::nullopt;
  if (reply.elements.size() % 2 != 0) return std::nullopt;
  ObjectRow row;
  row.name = name;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& key = reply.elements[i].str;
    const Reply& value = reply.elements[i + 1];
    auto text = scalar_text(value);
    if (key == "name") continue;
    if (key == "type") {
      row.type = text.value_or("");
    } else if (key == "size") {
      row.size = to_int(text.value_or("0"));
    } else if (key == "refs") {
      row.refs = to_int(text.value_or("0"));
    } else if (key == "waiters") {
      row.waiters = to_int(text.value_or("0"));
    } else if (key == "owner") {
      row.has_owner_field = true;
      // RESP2 writes a null owner as $-1 too; 0 is never a client id.
      if (text && to_int(*text) > 0) row.owner = to_int(*text);
    } else if (key == "token") {
      row.token = to_int(text.value_or("0"));
      row.details.emplace_back(key, text.value_or(""));
    } else if (text) {
      row.details.emplace_back(key, *text);
    }
  }
  return row;
}

Snapshot take_snapshot(Connection& conn, std::int64_t self_id) {
  Snapshot snap;
  snap.self_id = self_id;
  conn.send({"INFO"});
  conn.send({"CLIENT", "LIST"});
  conn.send({"OBJECTS", "*"});
  conn.flush();
  snap.taken = std::chrono::steady_clock::now();
  // Read all three before judging any, so that the stream stays in step.
  Reply info = conn.read();
  Reply clients = conn.read();
  Reply names = conn.read();
  if (info.is_error()) throw std::runtime_error("INFO failed: " + info.str);
  if (clients.is_error()) throw std::runtime_error("CLIENT LIST failed: " + clients.str);
  if (names.is_error()) throw std::runtime_error("OBJECTS failed: " + names.str);
  snap.info = parse_info(info.str);
  snap.clients = parse_client_list(clients.str);
  snap.object_names = names.elements.size();
  const std::size_t n = std::min(names.elements.size(), kMaxDescribed);
  for (std::size_t i = 0; i < n; ++i) conn.send({"DESCRIBE", names.elements[i].str});
  conn.flush();
  for (std::size_t i = 0; i < n; ++i) {
    Reply d = conn.read();
    if (auto row = parse_describe(names.elements[i].str, d)) snap.objects.push_back(*row);
  }
  snap.own_commands = 3 + n;
  return snap;
}

OpsRate ops_rate(const Snapshot& now, const Snapshot* previous) {
  const std::int64_t total = now.info_int("total_commands_processed");
  if (previous) {
    const double dt = std::chrono::duration<double>(now.taken - previous->taken).count();
    // Between the two INFOs the server ran what top sent for the previous
    // snapshot after its INFO, plus this INFO: as many as that snapshot sent.
    const double ops = static_cast<double>(total - previous->info_int("total_commands_processed")) -
                       static_cast<double>(previous->own_commands);
    if (dt > 0) return {std::max(0.0, ops / dt), false};
  }
  const std::int64_t up = now.info_int("uptime_in_seconds");
  return {up > 0 ? static_cast<double>(total) / static_cast<double>(up) : 0.0, true};
}

}  // namespace procshare::cli
