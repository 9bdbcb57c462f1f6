// Micro-benchmarks of the engine's hot path: each object's hot commands run
// through Engine::execute on an in-memory session (lookup, arity, object
// resolution, handler, reply writing), with no sockets. items = commands.
// The request parser and the reply writer alone are in protocol_bench.
// Run: build/tests/bench/engine_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace {

using procshare::server::Engine;
using procshare::server::Session;
using procshare::server::Transport;

constexpr std::size_t kKeys = 100000;

// An engine with every built-in, one in-memory client, and keys to draw from.
class Bench {
 public:
  Bench() {
    procshare::server::register_builtins(engine_);
    session_ = &engine_.open_session(Transport::memory, "bench");
    keys_.reserve(kKeys);
    for (std::size_t i = 0; i < kKeys; ++i)
      keys_.push_back("key:" + std::to_string(i * 7919 % kKeys));
  }

  void run(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> a(args);
    run(a);
  }
  void run(std::span<const std::string_view> args) {
    engine_.execute(*session_, args);
    // Replies are consumed by the transport in batches; dropping them here
    // keeps the buffer warm and small, as a connection's is.
    if (session_->output.size() > 64 * 1024) session_->output.clear();
  }
  const std::string& key(std::size_t i) const { return keys_[i % kKeys]; }
  Session& session() { return *session_; }

 private:
  Engine engine_;
  Session* session_ = nullptr;
  std::vector<std::string> keys_;
};

void BM_Ping(benchmark::State& state) {
  Bench b;
  for (auto _ : state) b.run({"PING"});
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ping);

void BM_DictSet(benchmark::State& state) {
  Bench b;
  std::size_t i = 0;
  std::string_view args[] = {"DICT.SET", "d", "", "xxx"};
  for (auto _ : state) {
    args[2] = b.key(i++);
    b.run(args);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictSet);

void BM_DictGet(benchmark::State& state) {
  Bench b;
  for (std::size_t i = 0; i < kKeys; ++i) b.run({"DICT.SET", "d", b.key(i), "xxx"});
  std::size_t i = 0;
  std::string_view args[] = {"DICT.GET", "d", ""};
  for (auto _ : state) {
    args[2] = b.key(i++);
    b.run(args);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictGet);

// A missing key is a thrown CommandError turned into -KEYERROR: the price of
// the error path.
void BM_DictGetMissing(benchmark::State& state) {
  Bench b;
  b.run({"DICT.SET", "d", "present", "xxx"});
  for (auto _ : state) b.run({"DICT.GET", "d", "absent"});
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictGetMissing);

void BM_DictIncrby(benchmark::State& state) {
  Bench b;
  std::size_t i = 0;
  std::string_view args[] = {"DICT.INCRBY", "d", "", "1"};
  for (auto _ : state) {
    args[2] = b.key(i++);
    b.run(args);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictIncrby);

void BM_ListAppendPop(benchmark::State& state) {
  Bench b;
  for (int i = 0; i < 1000; ++i) b.run({"LIST.APPEND", "l", "xxx"});
  for (auto _ : state) {
    b.run({"LIST.APPEND", "l", "xxx"});
    b.run({"LIST.POP", "l"});
  }
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_ListAppendPop);

void BM_ValueIncrby(benchmark::State& state) {
  Bench b;
  for (auto _ : state) b.run({"VALUE.INCRBY", "v", "1"});
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValueIncrby);

void BM_QueuePutGet(benchmark::State& state) {
  Bench b;
  for (auto _ : state) {
    b.run({"QUEUE.PUT", "q", "xxx"});
    b.run({"QUEUE.GET", "q"});
  }
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_QueuePutGet);

// A put alone, to take out of the pairs below; cleared every 4096 so the
// queue stays small (the DEL is one execute in 4097).
void BM_QueuePut(benchmark::State& state) {
  Bench b;
  std::size_t n = 0;
  for (auto _ : state) {
    b.run({"QUEUE.PUT", "q", "xxx"});
    if (++n % 4096 == 0) b.run({"DEL", "q"});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueuePut);

// A leased delivery and its ack after a put: PUT + GET LEASE + ACK. Delivery
// ids of a fresh queue count up from 1, so the ack needs no reply parsing.
void BM_QueueLeasedGetAck(benchmark::State& state) {
  Bench b;
  std::int64_t id = 0;
  for (auto _ : state) {
    b.run({"QUEUE.PUT", "q", "xxx"});
    b.run({"QUEUE.GET", "q", "LEASE", "30"});
    const std::string ack_id = std::to_string(++id);
    b.run({"QUEUE.ACK", "q", ack_id});
  }
  const std::string& out = b.session().output;
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, ":1\r\n") != 0)
    state.SkipWithError("QUEUE.ACK did not settle the delivery");
  state.SetItemsProcessed(3 * state.iterations());
}
BENCHMARK(BM_QueueLeasedGetAck);

void BM_LockAcquireRelease(benchmark::State& state) {
  Bench b;
  for (auto _ : state) {
    b.run({"LOCK.ACQUIRE", "l"});
    b.run({"LOCK.RELEASE", "l"});
  }
  if (b.session().parked()) state.SkipWithError("LOCK.ACQUIRE parked");
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_LockAcquireRelease);

}  // namespace

BENCHMARK_MAIN();
