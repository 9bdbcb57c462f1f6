// Micro-benchmarks of the protocol layer on the server's hot path: the request
// parser over pipelined frames (items = commands) and the reply writer
// (items = replies). Run: build/tests/bench/protocol_bench
#include <benchmark/benchmark.h>

#include <string>

#include "procshare/protocol/reply.hpp"
#include "procshare/protocol/reply_writer.hpp"
#include "procshare/protocol/request_parser.hpp"

namespace {

using namespace procshare::protocol;

constexpr int kPipeline = 1000;

std::string repeat(std::string_view frame, int n) {
  std::string s;
  s.reserve(frame.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) s.append(frame);
  return s;
}

// Parses every request of `buffer`; the args are touched so nothing is elided.
void parse_pipeline(benchmark::State& state, const std::string& buffer) {
  RequestParser parser;
  std::size_t commands = 0;
  for (auto _ : state) {
    std::string_view in = buffer;
    for (;;) {
      const ParseResult r = parser.parse(in);
      if (r.status != ParseStatus::complete) break;
      benchmark::DoNotOptimize(parser.args().data());
      in.remove_prefix(r.consumed);
      ++commands;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(commands));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buffer.size()));
}

void BM_ParseMultibulkSet(benchmark::State& state) {
  parse_pipeline(state, repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", kPipeline));
}
BENCHMARK(BM_ParseMultibulkSet);

void BM_ParseMultibulkPing(benchmark::State& state) {
  parse_pipeline(state, repeat("*1\r\n$4\r\nPING\r\n", kPipeline));
}
BENCHMARK(BM_ParseMultibulkPing);

void BM_ParseMultibulkDictSet(benchmark::State& state) {
  parse_pipeline(
      state,
      repeat("*4\r\n$8\r\nDICT.SET\r\n$6\r\nscores\r\n$5\r\nalice\r\n$2\r\n42\r\n", kPipeline));
}
BENCHMARK(BM_ParseMultibulkDictSet);

void BM_ParseInlineSet(benchmark::State& state) {
  parse_pipeline(state, repeat("SET key value\r\n", kPipeline));
}
BENCHMARK(BM_ParseInlineSet);

void BM_ParseInlineQuoted(benchmark::State& state) {
  parse_pipeline(state, repeat("SET \"a key\" 'a value'\r\n", kPipeline));
}
BENCHMARK(BM_ParseInlineQuoted);

// A 64 KiB bulk arriving in 1 KiB pieces: cost per call must not grow with
// what has already arrived.
void BM_ParseBigBulkInPieces(benchmark::State& state) {
  const std::string frame = "*2\r\n$3\r\nSET\r\n$65536\r\n" + std::string(65536, 'x') + "\r\n";
  RequestParser parser;
  for (auto _ : state) {
    for (std::size_t have = 1024;; have += 1024) {
      const ParseResult r = parser.parse(std::string_view(frame).substr(0, have));
      if (r.status == ParseStatus::complete) break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(BM_ParseBigBulkInPieces);

template <class Write>
void write_replies(benchmark::State& state, int resp, Write write) {
  std::string out;
  out.reserve(1 << 20);
  ReplyWriter w(out, resp);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kPipeline; ++i) write(w, i);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}

void BM_WriteBulk(benchmark::State& state) {
  write_replies(state, 2, [](ReplyWriter& w, int) { w.bulk("value"); });
}
BENCHMARK(BM_WriteBulk);

void BM_WriteInteger(benchmark::State& state) {
  write_replies(state, 2, [](ReplyWriter& w, int i) { w.integer(i * 7919); });
}
BENCHMARK(BM_WriteInteger);

void BM_WriteOk(benchmark::State& state) {
  write_replies(state, 2, [](ReplyWriter& w, int) { w.ok(); });
}
BENCHMARK(BM_WriteOk);

void BM_WriteDoubleResp3(benchmark::State& state) {
  write_replies(state, 3, [](ReplyWriter& w, int i) { w.floating(i * 0.1); });
}
BENCHMARK(BM_WriteDoubleResp3);

void BM_WriteMapResp3(benchmark::State& state) {
  write_replies(state, 3, [](ReplyWriter& w, int i) {
    w.map(2);
    w.bulk("type");
    w.simple("dict");
    w.bulk("size");
    w.integer(i);
  });
}
BENCHMARK(BM_WriteMapResp3);

void BM_ReplyParserArray(benchmark::State& state) {
  std::string in;
  ReplyWriter w(in, 3);
  w.array(100);
  for (int i = 0; i < 100; ++i) w.bulk("element");
  ReplyParser parser;
  Reply reply;
  std::size_t consumed = 0;
  for (auto _ : state) {
    parser.parse(in, &reply, &consumed);
    benchmark::DoNotOptimize(reply.elements.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ReplyParserArray);

}  // namespace

BENCHMARK_MAIN();
