// The tests of procshare-bench and their Redis equivalents (see workload.hpp).
//
//   test          procshare                          Redis
//   ping          PING                               PING
//   dict.set      DICT.SET bench:dict key:N v        HSET bench:dict key:N v
//   dict.get      DICT.GET bench:dict key:N          HGET bench:dict key:N      (keys pre-filled)
//   dict.incrby   DICT.INCRBY bench:dict key:N 1     HINCRBY bench:dict key:N 1
//   list.append   LIST.APPEND bench:list v           RPUSH bench:list v
//   list.pop      LIST.POP bench:list                RPOP bench:list            (items pre-filled)
//   queue.putget  QUEUE.PUT q v + QUEUE.GET q        RPUSH q v + BLPOP q 0      (pairs), or
//                 producers QUEUE.PUT, consumers QUEUE.GET q TIMEOUT 1 / BLPOP q 1
//   lock.cycle    LOCK.ACQUIRE l:N + LOCK.RELEASE    (none: Redis has no blocking lock)
//   value.incrby  VALUE.INCRBY bench:value 1         INCRBY bench:value 1
#include "workload.hpp"

#include <algorithm>
#include <stdexcept>

namespace procshare::bench {

namespace {

// Stands in for the 12 digits of a random key number in a template.
constexpr char kSlotByte = '\x01';
const std::string kSlot(kKeyDigits, kSlotByte);

CommandTemplate make_template(const std::vector<std::string>& args) {
  CommandTemplate t;
  t.bytes = encode_command(args);
  for (std::size_t at = t.bytes.find(kSlot); at != std::string::npos;
       at = t.bytes.find(kSlot, at + kKeyDigits)) {
    t.slots.push_back(at);
    write_key_digits(t.bytes.data() + at, 0);
  }
  return t;
}

Role role(std::string name, std::vector<std::vector<std::string>> commands) {
  Role r;
  r.name = std::move(name);
  for (const auto& c : commands) r.cycle.push_back(make_template(c));
  r.unit = r.cycle.size();
  return r;
}

bool is_redis(Dialect d) {
  return d == Dialect::redis;
}

const std::string kDict = "bench:dict";
const std::string kList = "bench:list";
const std::string kQueue = "bench:queue";
const std::string kValue = "bench:value";
const std::string kLockPrefix = "bench:lock:";
const std::string kKeyPrefix = "key:";

std::string key_name(std::uint64_t n) {
  std::string k = kKeyPrefix + std::string(kKeyDigits, '0');
  write_key_digits(k.data() + kKeyPrefix.size(), n);
  return k;
}

// Sends `commands` pipelined in windows, reads every reply; throws on an error reply.
void run_all(Connection& conn, const std::vector<std::vector<std::string>>& commands) {
  constexpr std::size_t kWindow = 64;
  for (std::size_t i = 0; i < commands.size(); i += kWindow) {
    const std::size_t end = std::min(commands.size(), i + kWindow);
    for (std::size_t j = i; j < end; ++j) conn.send_raw(encode_command(commands[j]));
    conn.flush();
    for (std::size_t j = i; j < end; ++j) {
      protocol::Reply r = conn.read();
      if (r.is_error()) {
        throw std::runtime_error("set-up command " + commands[j][0] + " failed: " + r.str);
      }
    }
  }
}

// Adds `count` elements in chunks of `chunk`: `head` then the chunk's words
// made by `words(i, out)` for i in the chunk.
template <class Words>
void fill(Connection& conn, std::vector<std::string> head, std::uint64_t count, std::uint64_t chunk,
          Words words) {
  std::vector<std::vector<std::string>> commands;
  for (std::uint64_t i = 0; i < count; i += chunk) {
    std::vector<std::string> c = head;
    for (std::uint64_t j = i; j < std::min(count, i + chunk); ++j) words(j, c);
    commands.push_back(std::move(c));
    if (commands.size() == 64) {
      run_all(conn, commands);
      commands.clear();
    }
  }
  run_all(conn, commands);
}

}  // namespace

std::string encode_command(const std::vector<std::string>& args) {
  // Appends only: GCC 12 -O3 warns falsely (-Wrestrict) on "*" + std::to_string(n).
  std::string out;
  out.append(1, '*').append(std::to_string(args.size())).append("\r\n");
  for (const auto& a : args) {
    out.append(1, '$').append(std::to_string(a.size())).append("\r\n");
    out.append(a).append("\r\n");
  }
  return out;
}

const std::vector<std::string>& all_tests() {
  static const std::vector<std::string> tests = {"ping",         "dict.set",    "dict.get",
                                                 "dict.incrby",  "list.append", "list.pop",
                                                 "queue.putget", "lock.cycle",  "value.incrby"};
  return tests;
}

std::size_t Workload::role_of(std::size_t i, std::size_t n) const {
  if (roles.size() < 2) return 0;
  // Producers first, but at least one consumer whatever was asked.
  const std::size_t p = std::min(producers, n > 1 ? n - 1 : n);
  return i < p ? 0 : 1;
}

Workload make_workload(std::string_view test, Dialect d, const WorkloadOptions& o) {
  const bool redis = is_redis(d);
  const std::string value(o.value_size, 'x');
  const std::string key = kKeyPrefix + kSlot;
  Workload w;
  w.test = std::string(test);
  w.keyspace = o.keyspace;
  if (test == "ping") {
    w.roles.push_back(role("all", {{"PING"}}));
  } else if (test == "dict.set") {
    w.roles.push_back(role("all", {{redis ? "HSET" : "DICT.SET", kDict, key, value}}));
  } else if (test == "dict.get") {
    w.roles.push_back(role("all", {{redis ? "HGET" : "DICT.GET", kDict, key}}));
  } else if (test == "dict.incrby") {
    w.roles.push_back(role("all", {{redis ? "HINCRBY" : "DICT.INCRBY", kDict, key, "1"}}));
  } else if (test == "list.append") {
    w.roles.push_back(role("all", {{redis ? "RPUSH" : "LIST.APPEND", kList, value}}));
  } else if (test == "list.pop") {
    w.roles.push_back(role("all", {{redis ? "RPOP" : "LIST.POP", kList}}));
  } else if (test == "value.incrby") {
    w.roles.push_back(role("all", {{redis ? "INCRBY" : "VALUE.INCRBY", kValue, "1"}}));
  } else if (test == "queue.putget") {
    const std::vector<std::string> put = {redis ? "RPUSH" : "QUEUE.PUT", kQueue, value};
    w.requests_per_op = 2;
    w.op_name = "pair";
    if (o.producers <= 0) {
      // Each connection's PUT precedes its GET, so at every GET the queue
      // holds at least one item: nobody ever waits, on either server.
      std::vector<std::string> get = {"QUEUE.GET", kQueue};
      if (redis) get = {"BLPOP", kQueue, "0"};
      w.roles.push_back(role("pair", {put, get}));
    } else {
      // The consumers' timeout only matters at the end, when the producers
      // have stopped: it bounds the run.
      std::vector<std::string> get = {"QUEUE.GET", kQueue, "TIMEOUT", "1"};
      if (redis) get = {"BLPOP", kQueue, "1"};
      w.roles.push_back(role("producer", {put}));
      w.roles.push_back(role("consumer", {get}));
      w.producers = static_cast<std::size_t>(o.producers);
    }
  } else if (test == "lock.cycle") {
    if (redis) throw std::invalid_argument("lock.cycle has no Redis equivalent");
    const std::string lock = kLockPrefix + kSlot;
    w.roles.push_back(role("cycle", {{"LOCK.ACQUIRE", lock}, {"LOCK.RELEASE", lock}}));
    w.requests_per_op = 2;
    w.op_name = "cycle";
    // Contention: by default every connection fights for one lock.
    w.keyspace = o.keyspace_given ? o.keyspace : 1;
  } else {
    throw std::invalid_argument("unknown test '" + std::string(test) + "'");
  }
  if (w.keyspace == 0) w.keyspace = 1;
  return w;
}

void prepare(const Workload& w, Dialect d, const WorkloadOptions& o, Connection& conn) {
  const bool redis = is_redis(d);
  if (w.test == "lock.cycle") {
    fill(conn, {"DEL"}, w.keyspace, 500, [](std::uint64_t i, std::vector<std::string>& c) {
      std::string name = kLockPrefix + std::string(kKeyDigits, '0');
      write_key_digits(name.data() + kLockPrefix.size(), i);
      c.push_back(std::move(name));
    });
    return;
  }
  run_all(conn, {{"DEL", kDict, kList, kQueue, kValue}});
  const std::string value(o.value_size, 'x');
  if (w.test == "dict.get") {
    fill(conn, {redis ? "HSET" : "DICT.UPDATE", kDict}, w.keyspace, 500,
         [&](std::uint64_t i, std::vector<std::string>& c) {
           c.push_back(key_name(i));
           c.push_back(value);
         });
  } else if (w.test == "list.pop") {
    const std::uint64_t n = o.prefill ? o.prefill : (o.requests ? o.requests : 3000000);
    fill(conn, {redis ? "RPUSH" : "LIST.EXTEND", kList}, n, 1000,
         [&](std::uint64_t, std::vector<std::string>& c) { c.push_back(value); });
  }
}

}  // namespace procshare::bench
