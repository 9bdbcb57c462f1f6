// proxy_bench: the C++ proxies under forked workers, the counterpart of
// python_manager_bench.py (Python's multiprocessing.Manager), for the
// side-by-side harness `compare`. Each test forks --workers children that
// share the proxies made by the parent (each child opens its own connection
// on first use, as the client library does after fork), starts them together,
// runs them for --duration seconds, and adds up what they did.
//
//   dict.incr           d[key] += 1            (DICT.INCRBY, one round trip)
//   dict.incr.pipeline  the same, --batch commands per round trip (Pipeline)
//   queue.putget        q.put(x); q.get()      (a pair: two round trips)
//   lock.cycle          lock; v = v + 1; unlock (Python's `with lock: v.value += 1`:
//                        four round trips)
//
// Prints one JSON object per test: ops, seconds, ops_per_s, and the server's
// CPU time per op when the server runs on this machine (pid from INFO).
#include <getopt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <procshare/procshare.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server_probe.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using procshare::Client;

struct Options {
  std::string address = "unix:/tmp/procshare.sock";
  std::optional<std::string> authkey_file;
  int workers = 8;
  double duration = 2;
  int batch = 100;
  std::vector<std::string> tests = {"dict.incr", "dict.incr.pipeline", "queue.putget",
                                    "lock.cycle"};
};

// One worker's loop: runs `step` (which returns how many ops it did) until
// the deadline.
template <class Step>
std::uint64_t run_until(Clock::time_point deadline, Step step) {
  std::uint64_t ops = 0;
  while (Clock::now() < deadline) ops += step();
  return ops;
}

std::uint64_t run_worker(const Client& client, const std::string& test, int id, const Options& o,
                         Clock::time_point deadline) {
  // Keys "w<id>:<n>", built with append: GCC 12 -O3 warns falsely
  // (-Wrestrict) on "w" + std::to_string(id).
  std::string key_base = "w";
  key_base.append(std::to_string(id)).append(":");
  auto key = [&key_base](std::uint64_t n) {
    std::string k = key_base;
    return k.append(std::to_string(n % 1000));
  };
  if (test == "dict.incr") {
    auto d = client.dict<std::string, long>("proxybench:dict");
    std::uint64_t i = 0;
    return run_until(deadline, [&] {
      d[key(i++)] += 1;
      return 1;
    });
  }
  if (test == "dict.incr.pipeline") {
    const std::string name = "proxybench:dict";
    std::uint64_t i = 0;
    return run_until(deadline, [&] {
      auto p = client.pipeline();
      for (int k = 0; k < o.batch; ++k) {
        p.add("DICT.INCRBY", name, key(i++), 1);
      }
      procshare::check(p.execute());
      return static_cast<std::uint64_t>(o.batch);
    });
  }
  if (test == "queue.putget") {
    auto q = client.queue<std::string>("proxybench:queue");
    return run_until(deadline, [&] {
      q.put("item");
      (void)q.get();
      return 1;  // one pair
    });
  }
  if (test == "lock.cycle") {
    auto lock = client.lock("proxybench:lock");
    auto v = client.value<long>("proxybench:value");
    return run_until(deadline, [&] {
      std::lock_guard guard(lock);
      v.set(v.get() + 1);
      return 1;  // one cycle
    });
  }
  throw std::invalid_argument("unknown test " + test);
}

struct Outcome {
  std::uint64_t ops = 0;
  double seconds = 0;
  std::optional<double> server_cpu_us_per_op;
  std::optional<double> server_cpu_pct;
  int failed_workers = 0;
};

Outcome run_test(const Client& client, long server_pid, const std::string& test, const Options& o) {
  // The objects exist before the workers start; deleting old ones keeps runs apart.
  client.call(
      {"DEL", "proxybench:dict", "proxybench:queue", "proxybench:lock", "proxybench:value"});
  client.value<long>("proxybench:value", 0);

  int go[2], done[2];
  if (::pipe(go) != 0 || ::pipe(done) != 0) throw std::runtime_error("pipe failed");
  std::vector<pid_t> children;
  for (int w = 0; w < o.workers; ++w) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::close(go[1]);
      ::close(done[0]);
      std::uint64_t ops = 0;
      int status = 0;
      try {
        client.ping();  // connect before the clock starts
        char c;
        if (::read(go[0], &c, 1) != 1) ::_exit(3);
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(o.duration));
        ops = run_worker(client, test, w, o, deadline);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "proxy_bench worker %d: %s\n", w, e.what());
        status = 1;
      }
      if (::write(done[1], &ops, sizeof ops) != sizeof ops) status = 2;
      ::_exit(status);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(done[1]);
  // Give every child time to connect, then start them together.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto cpu0 = procshare::bench::process_cpu_ns(server_pid);
  const auto t0 = Clock::now();
  const std::string bytes(static_cast<std::size_t>(o.workers), 'g');
  if (::write(go[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("could not start the workers");
  }
  ::close(go[1]);
  Outcome out;
  std::uint64_t ops = 0;
  while (::read(done[0], &ops, sizeof ops) == sizeof ops) out.ops += ops;
  const auto t1 = Clock::now();
  const auto cpu1 = procshare::bench::process_cpu_ns(server_pid);
  ::close(done[0]);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++out.failed_workers;
  }
  out.seconds = std::chrono::duration<double>(t1 - t0).count();
  if (cpu0 && cpu1 && out.ops > 0) {
    const double cpu_s = static_cast<double>(*cpu1 - *cpu0) / 1e9;
    out.server_cpu_us_per_op = cpu_s * 1e6 / static_cast<double>(out.ops);
    out.server_cpu_pct = 100 * cpu_s / out.seconds;
  }
  return out;
}

const char* kUsage = R"(Usage: proxy_bench [OPTIONS]

Forked workers on the C++ proxies (procshare::Client), one JSON line per test.

  -a, --address ADDR     the server (default unix:/tmp/procshare.sock)
      --authkey-file F   its key
  -w, --workers N        forked workers (default 8)
  -d, --duration SECS    per test (default 2)
  -b, --batch N          commands per pipeline (default 100)
  -t, --tests LIST       dict.incr,dict.incr.pipeline,queue.putget,lock.cycle
)";

Options parse(int argc, char** argv) {
  static const option longs[] = {{"address", required_argument, nullptr, 'a'},
                                 {"authkey-file", required_argument, nullptr, 'k'},
                                 {"workers", required_argument, nullptr, 'w'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"batch", required_argument, nullptr, 'b'},
                                 {"tests", required_argument, nullptr, 't'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  Options o;
  int c;
  while ((c = getopt_long(argc, argv, "a:w:d:b:t:h", longs, nullptr)) != -1) {
    switch (c) {
      case 'a':
        o.address = optarg;
        break;
      case 'k':
        o.authkey_file = optarg;
        break;
      case 'w':
        o.workers = std::atoi(optarg);
        break;
      case 'd':
        o.duration = std::atof(optarg);
        break;
      case 'b':
        o.batch = std::atoi(optarg);
        break;
      case 't': {
        o.tests.clear();
        std::string s = optarg;
        for (std::size_t at = 0; at <= s.size();) {
          std::size_t comma = s.find(',', at);
          if (comma == std::string::npos) comma = s.size();
          if (comma > at) o.tests.push_back(s.substr(at, comma - at));
          at = comma + 1;
        }
        break;
      }
      case 'h':
        std::fputs(kUsage, stdout);
        std::exit(0);
      default:
        std::fputs(kUsage, stderr);
        std::exit(2);
    }
  }
  if (o.workers < 1 || o.batch < 1 || o.duration <= 0) throw std::invalid_argument("bad options");
  return o;
}

std::string number_or_null(const std::optional<double>& v) {
  if (!v) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    procshare::ConnectOptions copts;
    copts.authkey_file = o.authkey_file;
    const Client client = Client::connect(o.address, copts);
    procshare::Connection probe = procshare::Connection::open(client.address(), client.options());
    const long server_pid = procshare::bench::probe_server(probe).pid;
    int status = 0;
    for (const auto& test : o.tests) {
      const Outcome r = run_test(client, server_pid, test, o);
      if (r.failed_workers) status = 1;
      std::printf(
          "{\"test\": \"%s\", \"workers\": %d, \"ops\": %llu, \"seconds\": %.3f, "
          "\"ops_per_s\": %.0f, \"server_cpu_us_per_op\": %s, \"server_cpu_pct\": %s, "
          "\"failed_workers\": %d}\n",
          test.c_str(), o.workers, static_cast<unsigned long long>(r.ops), r.seconds,
          r.seconds > 0 ? static_cast<double>(r.ops) / r.seconds : 0.0,
          number_or_null(r.server_cpu_us_per_op).c_str(), number_or_null(r.server_cpu_pct).c_str(),
          r.failed_workers);
      std::fflush(stdout);
    }
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxy_bench: %s\n", e.what());
    return 2;
  }
}
