#pragma once
// The tests procshare-bench runs, as data: for each test and each dialect
// (procshare's commands, or the matching stock Redis commands so that the
// same generator drives both servers), the commands a connection repeats and
// the set-up that runs before the clock starts (a clean object, pre-filled
// keys or items).
//
// Requests are pre-encoded RESP with fixed-width key digits ("key:" and 12
// digits, as redis-benchmark's __rand_int__), so making a request costs a
// memcpy and twelve digit stores, not a format call.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/connection.hpp"

namespace procshare::bench {

enum class Dialect { procshare, redis };

inline constexpr std::size_t kKeyDigits = 12;

struct CommandTemplate {
  std::string bytes;               // one RESP request
  std::vector<std::size_t> slots;  // offsets of 12-digit key numbers in `bytes`
};

// What one connection sends: `cycle` over and over. The commands of one
// `unit` (LOCK.ACQUIRE + LOCK.RELEASE, a PUT/GET pair) share one random key
// and are never split by the end of a run, so no lock is left held.
struct Role {
  std::string name;
  std::vector<CommandTemplate> cycle;
  std::size_t unit = 1;
};

struct WorkloadOptions {
  std::uint64_t keyspace = 100000;
  bool keyspace_given = false;
  std::size_t value_size = 3;
  int producers = 0;           // queue.putget: 0 = put/get pairs on every connection
  std::uint64_t prefill = 0;   // list.pop: items to add first (0 = a default)
  std::uint64_t requests = 0;  // -n, when given
};

struct Workload {
  std::string test;
  std::vector<Role> roles;
  // Replies per unit of work the test reports (2 for a lock cycle or a pair).
  std::size_t requests_per_op = 1;
  std::string op_name = "req";
  std::uint64_t keyspace = 1;  // random draws are in [0, keyspace)
  std::size_t producers = 0;   // with two roles: connections [0, producers) play roles[0]

  // Which role connection `i` of `n` plays.
  std::size_t role_of(std::size_t i, std::size_t n) const;
};

// The tests, in the order `-t all` runs them.
const std::vector<std::string>& all_tests();

// Builds `test` for `dialect`; throws std::invalid_argument for an unknown
// test or one the dialect has no equivalent for (lock.cycle on Redis).
Workload make_workload(std::string_view test, Dialect dialect, const WorkloadOptions& opts);

// Runs the test's set-up on `conn`: deletes the objects it uses, then fills
// them as the test needs. Throws std::runtime_error on an error reply.
void prepare(const Workload& w, Dialect dialect, const WorkloadOptions& opts, Connection& conn);

// RESP encoding of one command (for templates and set-up).
std::string encode_command(const std::vector<std::string>& args);

// Writes `n` as 12 zero-padded digits at `at`.
inline void write_key_digits(char* at, std::uint64_t n) {
  for (std::size_t i = kKeyDigits; i-- > 0;) {
    at[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

}  // namespace procshare::bench
