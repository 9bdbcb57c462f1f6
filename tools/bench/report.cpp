#include "report.hpp"

#include <string_view>

namespace procshare::bench {

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string opt(const std::optional<double>& v, const char* fmt) {
  if (!v) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

}  // namespace

void print_text_line(std::FILE* out, const TestResult& r) {
  std::fprintf(out, "%-13s %-9s c=%zu P=%zu: %11.0f req/s", r.test.c_str(), r.target.c_str(),
               r.connections, r.pipeline, r.rps);
  if (r.requests_per_op > 1) {
    std::fprintf(out, " (%.0f %s/s)", r.rps / static_cast<double>(r.requests_per_op),
                 r.op_name.c_str());
  }
  std::fprintf(out, "  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f us", r.p50_us, r.p99_us, r.p999_us,
               r.max_us);
  if (r.server_cpu_us_per_req) {
    std::fprintf(out, "  server %.3f us CPU/req (%.0f%%)", *r.server_cpu_us_per_req,
                 r.server_cpu_pct.value_or(0));
  } else {
    std::fprintf(out, "  server CPU n/a");
  }
  std::fprintf(out, "  client %.0f%% CPU", r.client_cpu_pct);
  if (r.errors)
    std::fprintf(out, "  %llu errors (%s)", static_cast<unsigned long long>(r.errors),
                 r.first_error.c_str());
  if (r.nulls) std::fprintf(out, "  %llu nulls", static_cast<unsigned long long>(r.nulls));
  if (!r.failure.empty()) std::fprintf(out, "  FAILED: %s", r.failure.c_str());
  std::fprintf(out, "\n");
}

void print_results(std::FILE* out, Format format, const std::vector<TestResult>& results) {
  switch (format) {
    case Format::text:
      for (const auto& r : results) print_text_line(out, r);
      break;
    case Format::csv:
      std::fprintf(out,
                   "test,target,address,connections,pipeline,threads,requests,seconds,rps,"
                   "requests_per_op,p50_us,p99_us,p999_us,max_us,server_cpu_us_per_req,"
                   "server_cpu_pct,client_cpu_pct,errors,nulls,first_error,failure\n");
      for (const auto& r : results) {
        std::fprintf(
            out,
            "%s,%s,%s,%zu,%zu,%zu,%llu,%.3f,%.0f,%zu,%.2f,%.2f,%.2f,%.2f,%s,%s,%.1f,%llu,%llu,%s,%"
            "s\n",
            r.test.c_str(), csv_field(r.target).c_str(), csv_field(r.address).c_str(),
            r.connections, r.pipeline, r.threads, static_cast<unsigned long long>(r.requests),
            r.seconds, r.rps, r.requests_per_op, r.p50_us, r.p99_us, r.p999_us, r.max_us,
            opt(r.server_cpu_us_per_req, "%.4f").c_str(), opt(r.server_cpu_pct, "%.1f").c_str(),
            r.client_cpu_pct, static_cast<unsigned long long>(r.errors),
            static_cast<unsigned long long>(r.nulls), csv_field(r.first_error).c_str(),
            csv_field(r.failure).c_str());
      }
      break;
    case Format::json:
      std::fprintf(out, "[");
      for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        std::fprintf(
            out,
            "%s\n  {\"test\": %s, \"target\": %s, \"address\": %s, \"connections\": %zu, "
            "\"pipeline\": %zu, \"threads\": %zu, \"requests\": %llu, \"seconds\": %.3f, "
            "\"rps\": %.0f, \"requests_per_op\": %zu, \"p50_us\": %.2f, \"p99_us\": %.2f, "
            "\"p999_us\": %.2f, \"max_us\": %.2f, \"server_cpu_us_per_req\": %s, "
            "\"server_cpu_pct\": %s, \"client_cpu_pct\": %.1f, \"errors\": %llu, "
            "\"nulls\": %llu, \"first_error\": %s, \"failure\": %s}",
            i ? "," : "", json_string(r.test).c_str(), json_string(r.target).c_str(),
            json_string(r.address).c_str(), r.connections, r.pipeline, r.threads,
            static_cast<unsigned long long>(r.requests), r.seconds, r.rps, r.requests_per_op,
            r.p50_us, r.p99_us, r.p999_us, r.max_us,
            r.server_cpu_us_per_req ? opt(r.server_cpu_us_per_req, "%.4f").c_str() : "null",
            r.server_cpu_pct ? opt(r.server_cpu_pct, "%.1f").c_str() : "null", r.client_cpu_pct,
            static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.nulls),
            json_string(r.first_error).c_str(), json_string(r.failure).c_str());
      }
      std::fprintf(out, "\n]\n");
      break;
  }
}

}  // namespace procshare::bench
