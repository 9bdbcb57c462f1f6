// Layout of a `top` frame: a two-line header, then the sections most useful
// when a program is stuck first — who is waiting on what (and who holds it),
// the locks, objects by type, the clients, and every object, busiest first.
// When the terminal is short the frame is cut at the bottom, so the objects
// list, the longest, is what goes first.
#include "top_render.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "reply_format.hpp"

namespace procshare::cli {

namespace {

// Names are binary safe; shown as they are when printable, else quoted.
std::string shown(std::string_view name) {
  bool plain = !name.empty();
  for (unsigned char c : name) plain = plain && c > 0x20 && c < 0x7F && c != '"';
  return plain ? std::string(name) : quote_bytes(name);
}

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  void render(std::vector<std::string>& out) const {
    std::vector<std::size_t> width(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
      for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
        width[i] = std::max(width[i], row[i].size());
      }
    };
    measure(header_);
    for (const auto& r : rows_) measure(r);
    auto line = [&](const std::vector<std::string>& row) {
      std::string s = " ";
      for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
        s += ' ';
        s += row[i];
        if (i + 1 < row.size()) s += std::string(width[i] - row[i].size() + 1, ' ');
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out.push_back(s);
    };
    line(header_);
    for (const auto& r : rows_) line(r);
  }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string client_label(const Snapshot& snap, std::int64_t id) {
  std::string s = "client " + std::to_string(id);
  for (const ClientRow& c : snap.clients) {
    if (c.id == id && !c.name.empty()) s += " (" + shown(c.name) + ")";
  }
  return s;
}

std::string details_text(const ObjectRow& o) {
  std::string s;
  if (o.has_owner_field) s = o.owner ? "owner=" + std::to_string(*o.owner) : "owner=none";
  for (const auto& [k, v] : o.details) {
    if (k == "anonymous" && v != "true") continue;  // the common case says nothing
    if (!s.empty()) s += ' ';
    s += k + "=" + shown(v);
  }
  return s;
}

void header(const Snapshot& snap, const OpsRate& ops, const TopView& view,
            std::vector<std::string>& out) {
  auto info = [&](const char* k) {
    auto it = snap.info.find(k);
    return it == snap.info.end() ? std::string("?") : it->second;
  };
  out.push_back("procshare top  " + view.address + "  version " + info("procshare_version") +
                "  pid " + info("process_id") + "  up " +
                format_duration(static_cast<double>(snap.info_int("uptime_in_seconds"))));
  out.push_back("clients " + info("connected_clients") + " (" + info("blocked_clients") +
                " blocked)  objects " + std::to_string(snap.object_names) + "  waiters " +
                info("waiters") + "  ops/sec " + fixed(ops.per_sec, 1) +
                (ops.average ? " (average since start)" : "") + "  memory " +
                format_bytes(static_cast<double>(snap.info_int("used_memory_rss"))) +
                "  abandoned locks " + info("abandoned_locks"));
  if (!view.notice.empty()) out.push_back(view.notice);
}

void waiting(const Snapshot& snap, std::vector<std::string>& out) {
  std::vector<const ClientRow*> blocked;
  for (const ClientRow& c : snap.clients) {
    if (c.blocked_command) blocked.push_back(&c);
  }
  if (blocked.empty()) {
    out.push_back("WAITING: no client is blocked");
    return;
  }
  std::stable_sort(blocked.begin(), blocked.end(),
                   [](auto* a, auto* b) { return a->waited_s > b->waited_s; });
  std::map<std::string, const ObjectRow*> by_name;
  for (const ObjectRow& o : snap.objects) by_name[o.name] = &o;
  out.push_back("WAITING (" + std::to_string(blocked.size()) + " blocked, longest first)");
  Table t({"CLIENT", "NAME", "WAITING FOR", "ON", "SINCE", "HELD BY"});
  for (const ClientRow* c : blocked) {
    std::string held = "";
    auto it = by_name.find(c->blocked_on);
    if (it != by_name.end() && it->second->has_owner_field) {
      held = it->second->owner ? client_label(snap, *it->second->owner) : "nobody";
    }
    t.add({std::to_string(c->id), c->name.empty() ? "-" : shown(c->name), *c->blocked_command,
           shown(c->blocked_on), format_duration(c->waited_s), held});
  }
  t.render(out);
}

void locks(const Snapshot& snap, std::vector<std::string>& out) {
  Table t({"LOCK", "TYPE", "OWNER", "TOKEN", "WAITERS", "DETAIL"});
  for (const ObjectRow& o : snap.objects) {
    if (!o.has_owner_field) continue;
    std::string detail;
    for (const auto& [k, v] : o.details) {
      if (k == "token" || k == "anonymous") continue;
      if (!detail.empty()) detail += ' ';
      detail += k + "=" + shown(v);
    }
    t.add({shown(o.name), o.type, o.owner ? "held by " + client_label(snap, *o.owner) : "free",
           std::to_string(o.token), std::to_string(o.waiters), detail});
  }
  if (t.empty()) {
    out.push_back("LOCKS: none");
    return;
  }
  out.push_back("LOCKS");
  t.render(out);
}

void by_type(const Snapshot& snap, std::vector<std::string>& out) {
  struct Sum {
    std::int64_t count = 0, elements = 0, waiters = 0;
  };
  std::map<std::string, Sum> sums;
  for (const ObjectRow& o : snap.objects) {
    Sum& s = sums[o.type];
    ++s.count;
    s.elements += o.size;
    s.waiters += o.waiters;
  }
  if (sums.empty()) {
    out.push_back("OBJECTS BY TYPE: no objects");
    return;
  }
  out.push_back("OBJECTS BY TYPE");
  Table t({"TYPE", "COUNT", "ELEMENTS", "WAITERS"});
  for (const auto& [type, s] : sums) {
    t.add({type, std::to_string(s.count), std::to_string(s.elements), std::to_string(s.waiters)});
  }
  t.render(out);
}

void clients(const Snapshot& snap, std::vector<std::string>& out) {
  out.push_back("CLIENTS (" + std::to_string(snap.clients.size()) + ")");
  Table t({"ID", "NAME", "ADDR", "AGE", "IDLE", "CMDS", "LAST", "STATE"});
  for (const ClientRow& c : snap.clients) {
    std::string state = c.id == snap.self_id ? "(this top)" : "";
    if (c.blocked_command) {
      state = "blocked " + format_duration(c.waited_s) + " on " + *c.blocked_command + " " +
              shown(c.blocked_on);
    }
    t.add({std::to_string(c.id), c.name.empty() ? "-" : shown(c.name), c.addr,
           format_duration(static_cast<double>(c.age_s)),
           format_duration(static_cast<double>(c.idle_s)), std::to_string(c.commands),
           c.last_command.empty() ? "-" : c.last_command, state});
  }
  t.render(out);
}

void objects(const Snapshot& snap, std::vector<std::string>& out) {
  std::vector<const ObjectRow*> rows;
  for (const ObjectRow& o : snap.objects) rows.push_back(&o);
  // Busiest first: waiters, then size; names break ties so frames stay still.
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    if (a->waiters != b->waiters) return a->waiters > b->waiters;
    return a->size > b->size;
  });
  std::string title = "OBJECTS (" + std::to_string(snap.object_names) + ", busiest first";
  if (snap.object_names > snap.objects.size()) {
    title += "; " + std::to_string(snap.objects.size()) + " described";
  }
  out.push_back(title + ")");
  Table t({"NAME", "TYPE", "SIZE", "REFS", "WAITERS", "DETAIL"});
  for (const ObjectRow* o : rows) {
    t.add({shown(o->name), o->type, std::to_string(o->size), std::to_string(o->refs),
           std::to_string(o->waiters), details_text(*o)});
  }
  t.render(out);
}

}  // namespace

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  // Whole seconds (CLIENT LIST's ages) print without a decimal that would
  // suggest a precision they do not have.
  const bool whole = seconds == static_cast<double>(static_cast<long long>(seconds));
  if (seconds < 60) return fixed(seconds, seconds < 10 && !whole ? 1 : 0) + "s";
  const auto s = static_cast<long long>(seconds);
  char buf[64];
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  }
  return buf;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return (u == 0 ? fixed(bytes, 0) : fixed(bytes, 1)) + " " + units[u];
}

std::vector<std::string> render_top(const Snapshot& snap, const OpsRate& ops, const TopView& view) {
  std::vector<std::string> out;
  header(snap, ops, view, out);
  out.emplace_back();
  waiting(snap, out);
  out.emplace_back();
  locks(snap, out);
  out.emplace_back();
  by_type(snap, out);
  out.emplace_back();
  clients(snap, out);
  out.emplace_back();
  objects(snap, out);
  if (view.height && out.size() > view.height) {
    const std::size_t hidden = out.size() - (view.height - 1);
    out.resize(view.height - 1);
    out.push_back("... " + std::to_string(hidden) +
                  " more lines (a taller terminal, or top --once)");
  }
  if (view.width) {
    for (std::string& line : out) {
      if (line.size() > view.width) line.resize(view.width);
    }
  }
  return out;
}

}  // namespace procshare::cli
