#pragma once
// One test's figures and their three output forms: a readable line, CSV
// (header once, then one row per test) and JSON (one array of objects).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace procshare::bench {

struct TestResult {
  std::string test;
  std::string target;  // "procshare" / "redis", or the --label given
  std::string address;
  std::size_t connections = 0;
  std::size_t pipeline = 0;
  std::size_t threads = 0;
  std::uint64_t requests = 0;  // replies received
  double seconds = 0;
  double rps = 0;
  std::size_t requests_per_op = 1;  // 2 for a lock cycle or a put/get pair
  std::string op_name = "req";
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  std::optional<double> server_cpu_us_per_req;
  std::optional<double> server_cpu_pct;  // of one core
  double client_cpu_pct = 0;             // of one core, all generator threads
  std::uint64_t errors = 0;
  std::uint64_t nulls = 0;
  std::string first_error;
  std::string failure;
};

enum class Format { text, csv, json };

// Prints the results of a run in `format` to `out`.
void print_results(std::FILE* out, Format format, const std::vector<TestResult>& results);
void print_text_line(std::FILE* out, const TestResult& r);

}  // namespace procshare::bench
