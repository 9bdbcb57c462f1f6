// procshare-bench: a load generator for procshare-server and, with the same
// requests in Redis's commands, for a stock redis-server — so the two are
// measured by one generator, side by side. See `procshare-bench --help`.
//
// Connections are opened (and authenticated) by procshare::Connection, then
// their sockets are driven by a lean epoll loop (load_loop.hpp), one per
// --threads, so the generator costs little of the CPU the server needs.
// Besides req/s and latency percentiles it reports the server's CPU time per
// request, read from /proc for the pid INFO gives.
#include <getopt.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "load_loop.hpp"
#include "procshare/address.hpp"
#include "procshare/connection.hpp"
#include "report.hpp"
#include "server_probe.hpp"
#include "workload.hpp"

namespace procshare::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
}

const char* kUsage = R"(Usage: procshare-bench [OPTIONS]

Load generator for procshare-server (and, with the matching Redis commands,
for redis-server). Reports req/s, latency percentiles and the server's CPU
time per request.

  -a, --address ADDR     unix:/path, tcp://host:port, host:port or /path
                         (default unix:/tmp/procshare.sock)
      --authkey-file F   authenticate with this key (challenge-response)
      --tls              connect with TLS (or -a tls://host:port); as redis-cli:
      --cacert F         CA to verify the server with (default: the system's)
      --cert F, --key F  client certificate and key
      --sni NAME         server name to send and check (default: the host)
      --insecure         do not verify the server's certificate
  -c, --connections N    connections (default 50)
  -P, --pipeline N       requests per batch on each connection (default 1)
  -n, --requests N       requests per test (default: run for -d)
  -d, --duration SECS    seconds per test (default 3)
  -t, --tests LIST       comma-separated, or "all" (default ping,dict.set,dict.get):
                         ping dict.set dict.get dict.incrby list.append list.pop
                         queue.putget lock.cycle value.incrby
  -r, --keyspace N       random keys key:000000000000..N-1 (default 100000; for
                         lock.cycle the number of locks, default 1)
  -s, --datasize N       value size in bytes (default 3)
      --producers N      queue.putget: N producer connections, the rest consume
                         (default 0: every connection puts then gets, in pairs)
      --prefill N        list.pop: items added before the clock starts
                         (default -n, else 3000000)
      --threads N        generator threads (default 1)
      --redis            send Redis commands (HSET, RPUSH, ...); default: detect
      --procshare        send procshare commands; default: detect
      --label TEXT       name of the target in the output (default: the dialect)
      --csv | --json     machine-readable output on stdout
  -q, --quiet            no progress line on stderr
  -h, --help
)";

struct Options {
  std::string address = "unix:/tmp/procshare.sock";
  std::optional<std::string> authkey_file;
  bool tls = false;
  TlsOptions tls_options;
  std::size_t connections = 50;
  std::size_t pipeline = 1;
  std::uint64_t requests = 0;
  double duration = 3;
  std::vector<std::string> tests = {"ping", "dict.set", "dict.get"};
  WorkloadOptions workload;
  std::size_t threads = 1;
  std::optional<Dialect> dialect;
  std::string label;
  Format format = Format::text;
  bool quiet = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::uint64_t parse_count(const char* s, const char* what) {
  char* end = nullptr;
  const double v = std::strtod(s, &end);  // accepts 1e6
  if (!end || *end || v < 0) throw std::invalid_argument(std::string("bad ") + what + ": " + s);
  return static_cast<std::uint64_t>(v);
}

Options parse_options(int argc, char** argv) {
  enum {
    kAuth = 256,
    kProducers,
    kPrefill,
    kThreads,
    kRedis,
    kProcshare,
    kLabel,
    kCsv,
    kJson,
    kTls,
    kCacert,
    kCert,
    kKey,
    kSni,
    kInsecure
  };
  static const option longs[] = {{"address", required_argument, nullptr, 'a'},
                                 {"authkey-file", required_argument, nullptr, kAuth},
                                 {"tls", no_argument, nullptr, kTls},
                                 {"cacert", required_argument, nullptr, kCacert},
                                 {"cert", required_argument, nullptr, kCert},
                                 {"key", required_argument, nullptr, kKey},
                                 {"sni", required_argument, nullptr, kSni},
                                 {"insecure", no_argument, nullptr, kInsecure},
                                 {"connections", required_argument, nullptr, 'c'},
                                 {"pipeline", required_argument, nullptr, 'P'},
                                 {"requests", required_argument, nullptr, 'n'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"tests", required_argument, nullptr, 't'},
                                 {"keyspace", required_argument, nullptr, 'r'},
                                 {"datasize", required_argument, nullptr, 's'},
                                 {"producers", required_argument, nullptr, kProducers},
                                 {"prefill", required_argument, nullptr, kPrefill},
                                 {"threads", required_argument, nullptr, kThreads},
                                 {"redis", no_argument, nullptr, kRedis},
                                 {"procshare", no_argument, nullptr, kProcshare},
                                 {"label", required_argument, nullptr, kLabel},
                                 {"csv", no_argument, nullptr, kCsv},
                                 {"json", no_argument, nullptr, kJson},
                                 {"quiet", no_argument, nullptr, 'q'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  Options o;
  int c;
  while ((c = getopt_long(argc, argv, "a:c:P:n:d:t:r:s:qh", longs, nullptr)) != -1) {
    switch (c) {
      case 'a':
        o.address = optarg;
        break;
      case kAuth:
        o.authkey_file = optarg;
        break;
      case kTls:
        o.tls = true;
        break;
      case kCacert:
        o.tls_options.ca_file = optarg;
        break;
      case kCert:
        o.tls_options.cert_file = optarg;
        break;
      case kKey:
        o.tls_options.key_file = optarg;
        break;
      case kSni:
        o.tls_options.sni = optarg;
        break;
      case kInsecure:
        o.tls_options.verify_peer = false;
        break;
      case 'c':
        o.connections = parse_count(optarg, "connection count");
        break;
      case 'P':
        o.pipeline = parse_count(optarg, "pipeline depth");
        break;
      case 'n':
        o.requests = parse_count(optarg, "request count");
        break;
      case 'd':
        o.duration = std::strtod(optarg, nullptr);
        break;
      case 't':
        o.tests = split_list(optarg);
        break;
      case 'r':
        o.workload.keyspace = parse_count(optarg, "keyspace");
        o.workload.keyspace_given = true;
        break;
      case 's':
        o.workload.value_size = parse_count(optarg, "data size");
        break;
      case kProducers:
        o.workload.producers = static_cast<int>(parse_count(optarg, "producers"));
        break;
      case kPrefill:
        o.workload.prefill = parse_count(optarg, "prefill");
        break;
      case kThreads:
        o.threads = parse_count(optarg, "thread count");
        break;
      case kRedis:
        o.dialect = Dialect::redis;
        break;
      case kProcshare:
        o.dialect = Dialect::procshare;
        break;
      case kLabel:
        o.label = optarg;
        break;
      case kCsv:
        o.format = Format::csv;
        break;
      case kJson:
        o.format = Format::json;
        break;
      case 'q':
        o.quiet = true;
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        std::exit(0);
      default:
        std::fputs(kUsage, stderr);
        std::exit(2);
    }
  }
  if (optind < argc)
    throw std::invalid_argument(std::string("unexpected argument ") + argv[optind]);
  if (o.tests.size() == 1 && o.tests[0] == "all") o.tests = all_tests();
  if (o.connections == 0 || o.pipeline == 0 || o.threads == 0) {
    throw std::invalid_argument("-c, -P and --threads must be at least 1");
  }
  if (o.threads > o.connections) o.threads = o.connections;
  if (o.duration <= 0 && o.requests == 0) throw std::invalid_argument("-d must be positive");
  o.workload.requests = o.requests;
  return o;
}

ConnectOptions connect_options(const Options& o) {
  ConnectOptions c;
  c.authkey_file = o.authkey_file;
  c.tls = o.tls_options;
  return c;
}

double cpu_seconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Prints "test: 1.0 s  123456 req/s" once a second until `done`.
void show_progress(const std::string& test, const std::vector<std::atomic<std::uint64_t>>& counts,
                   const std::atomic<bool>& done, bool tty) {
  const auto start = Clock::now();
  auto last_time = start;
  std::uint64_t last = 0;
  while (!done.load()) {
    for (int i = 0; i < 10 && !done.load(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (done.load()) break;
    const auto now = Clock::now();
    std::uint64_t total = 0;
    for (const auto& c : counts) total += c.load(std::memory_order_relaxed);
    const double dt = std::chrono::duration<double>(now - last_time).count();
    std::fprintf(stderr, "%s%s: %.1f s, %llu replies, %.0f req/s%s", tty ? "\r" : "", test.c_str(),
                 std::chrono::duration<double>(now - start).count(),
                 static_cast<unsigned long long>(total), static_cast<double>(total - last) / dt,
                 tty ? "   " : "\n");
    last = total;
    last_time = now;
  }
  if (tty) std::fprintf(stderr, "\r%80s\r", "");
}

TestResult run_test(const Options& o, const Address& addr, const std::string& test) {
  Connection setup = Connection::open(addr, connect_options(o));
  const ServerInfo server = probe_server(setup);
  const Dialect dialect = o.dialect.value_or(server.dialect);
  const Workload w = make_workload(test, dialect, o.workload);
  prepare(w, dialect, o.workload, setup);

  // The load connections: opened by the client library, then their sockets
  // are handed to the epoll loop (dup'ed, as Connection owns and closes its own).
  std::vector<std::vector<LoadConnection>> per_thread(o.threads);
  std::vector<int> fds;
  // TLS connections stay open here: the loop drives their OpenSSL state.
  std::vector<Connection> tls_conns;
  tls_conns.reserve(o.connections);
  for (std::size_t i = 0; i < o.connections; ++i) {
    Connection conn = Connection::open(addr, connect_options(o));
    if (conn.is_tls()) {
      per_thread[i % o.threads].push_back(
          {conn.fd(), conn.tls_handle(), w.role_of(i, o.connections)});
      tls_conns.push_back(std::move(conn));
      continue;
    }
    const int fd = ::dup(conn.fd());
    if (fd < 0) throw std::runtime_error("dup failed");
    fds.push_back(fd);
    per_thread[i % o.threads].push_back({fd, nullptr, w.role_of(i, o.connections)});
  }

  TestResult r;
  r.test = test;
  r.target = o.label.empty() ? (dialect == Dialect::redis ? "redis" : "procshare") : o.label;
  r.address = addr.to_string();
  r.connections = o.connections;
  r.pipeline = o.pipeline;
  r.threads = o.threads;
  r.requests_per_op = w.requests_per_op;
  r.op_name = w.op_name;

  std::vector<std::atomic<std::uint64_t>> progress(o.threads);
  std::atomic<int> consumers_active{0};
  if (w.roles.size() > 1) {
    for (std::size_t i = 0; i < o.connections; ++i)
      consumers_active += w.role_of(i, o.connections) == 1;
  }
  std::vector<LoadPlan> plans(o.threads);
  std::vector<LoadResult> results(o.threads);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.duration));
  for (std::size_t t = 0; t < o.threads; ++t) {
    LoadPlan& p = plans[t];
    p.workload = &w;
    p.pipeline = o.pipeline;
    p.budget = o.requests ? o.requests / o.threads + (t < o.requests % o.threads ? 1 : 0) : 0;
    p.deadline = deadline;
    p.seed = 0x9e3779b97f4a7c15ull * (t + 1);
    p.stop = &g_stop;
    p.progress = &progress[t];
    p.consumers_active = &consumers_active;
  }

  const auto cpu0 = process_cpu_ns(server.pid);
  rusage ru0{}, ru1{};
  getrusage(RUSAGE_SELF, &ru0);
  const auto t0 = Clock::now();
  std::atomic<bool> done{false};
  std::thread progress_thread;
  if (!o.quiet) {
    progress_thread =
        std::thread(show_progress, test, std::cref(progress), std::cref(done), ::isatty(2) != 0);
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < o.threads; ++t) {
    threads.emplace_back([&, t] { results[t] = run_load(plans[t], per_thread[t]); });
  }
  results[0] = run_load(plans[0], per_thread[0]);
  for (auto& th : threads) th.join();
  const auto t1 = Clock::now();
  getrusage(RUSAGE_SELF, &ru1);
  const auto cpu1 = process_cpu_ns(server.pid);
  done = true;
  if (progress_thread.joinable()) progress_thread.join();
  for (int fd : fds) ::close(fd);

  Histogram all;
  for (const auto& lr : results) {
    all.merge(lr.latency);
    r.requests += lr.replies;
    r.errors += lr.errors;
    r.nulls += lr.nulls;
    if (r.first_error.empty()) r.first_error = lr.first_error;
    if (r.failure.empty()) r.failure = lr.failure;
  }
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.rps = r.seconds > 0 ? static_cast<double>(r.requests) / r.seconds : 0;
  r.p50_us = static_cast<double>(all.percentile(0.50)) / 1e3;
  r.p99_us = static_cast<double>(all.percentile(0.99)) / 1e3;
  r.p999_us = static_cast<double>(all.percentile(0.999)) / 1e3;
  r.max_us = static_cast<double>(all.max()) / 1e3;
  if (cpu0 && cpu1 && r.requests > 0) {
    const double cpu_s = static_cast<double>(*cpu1 - *cpu0) / 1e9;
    r.server_cpu_us_per_req = cpu_s * 1e6 / static_cast<double>(r.requests);
    r.server_cpu_pct = 100 * cpu_s / r.seconds;
  }
  r.client_cpu_pct = 100 * (cpu_seconds(ru1) - cpu_seconds(ru0)) / r.seconds;
  return r;
}

int run(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  Address addr = Address::parse(o.address);
  if (o.tls) {
    if (addr.kind != Address::Kind::tcp) throw std::invalid_argument("--tls needs a TCP address");
    addr.tls = true;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::vector<TestResult> results;
  int status = 0;
  for (const auto& test : o.tests) {
    if (g_stop.load()) break;
    results.push_back(run_test(o, addr, test));
    if (!results.back().failure.empty()) status = 1;
    if (o.format == Format::text) print_text_line(stdout, results.back());
    std::fflush(stdout);
  }
  if (o.format != Format::text) print_results(stdout, o.format, results);
  return g_stop.load() ? 130 : status;
}

}  // namespace
}  // namespace procshare::bench

int main(int argc, char** argv) {
  try {
    return procshare::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "procshare-bench: %s\n", e.what());
    return 2;
  }
}
