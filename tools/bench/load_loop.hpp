#pragma once
// The hot loop of procshare-bench: one thread drives its share of the
// connections from one epoll set, over non-blocking sockets that were
// connected and authenticated beforehand by procshare::Connection.
//
// Each connection sends a batch of `pipeline` requests in one write, waits
// for all of their replies, then sends the next batch (redis-benchmark's -P
// semantics). A reply's latency is the time from its batch's write to the
// read that completed it. The loop allocates nothing once running: requests
// are copied from pre-encoded templates, replies are only scanned.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "workload.hpp"

namespace procshare::bench {

struct LoadPlan {
  const Workload* workload = nullptr;
  std::size_t pipeline = 1;
  std::uint64_t budget = 0;  // requests this thread sends; 0 = until the deadline
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t seed = 1;
  const std::atomic<bool>* stop = nullptr;  // set on Ctrl-C: finish the units in flight, stop
  std::atomic<std::uint64_t>* progress = nullptr;  // replies so far (for the progress line)
  // With producers and consumers (roles 0 and 1): consumer connections of
  // every thread not done yet. Producers keep producing until it is 0, so the
  // consumers' last requests are served rather than left to time out.
  std::atomic<int>* consumers_active = nullptr;
};

struct LoadConnection {
  int fd = -1;
  void* tls = nullptr;  // SSL* of a TLS connection (Connection::tls_handle()), else null
  std::size_t role = 0;
};

struct LoadResult {
  Histogram latency;  // ns per reply
  std::uint64_t replies = 0;
  std::uint64_t errors = 0;  // error replies
  std::uint64_t nulls = 0;   // null replies (a Redis pop of an empty list, a BLPOP timeout)
  std::string first_error;   // the first error reply, for the report
  std::string failure;       // why the run broke off (connection lost, stalled), if it did
};

// Runs until the budget is spent or the deadline has passed, then until every
// connection has its replies. Does not close the sockets.
LoadResult run_load(const LoadPlan& plan, const std::vector<LoadConnection>& conns);

}  // namespace procshare::bench
