// libFuzzer target for the append-only log's reader (log_format.hpp): any
// bytes are a clean end, a torn tail or damage at an offset, never a crash;
// the valid prefix it reports reads back with no damage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procshare/server/log_format.hpp"

namespace logfmt = procshare::server::logfmt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  logfmt::Verdict v = logfmt::verify(bytes);
  if (v.good_bytes > size) std::abort();
  if (v.status != logfmt::Status::end) {
    logfmt::Verdict prefix = logfmt::verify(bytes.substr(0, v.good_bytes));
    if (prefix.status != logfmt::Status::end || prefix.records != v.records) std::abort();
  }
  // Re-encoding what was read gives the same bytes.
  logfmt::Reader r(bytes);
  logfmt::Record rec;
  std::string again;
  while (r.next(rec) == logfmt::Status::ok) {
    logfmt::append_record(again, rec.kind, std::span<const std::string_view>(rec.args));
  }
  if (again != bytes.substr(0, again.size())) std::abort();
  return 0;
}
