#include "procshare/server/log_format.hpp"

#include <fmt/format.h>

#include <array>

namespace procshare::server::logfmt {

namespace {

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78: what iSCSI, ext4
// and LevelDB use for the same purpose. A table driven byte loop is fast
// enough next to the write(2) that follows it.
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> kTable = make_table();

void put_u32(std::string& out, std::uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out.append(b, 4);
}

std::uint32_t get_u32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

std::uint32_t length_check(std::uint32_t length) {
  std::string le;  // the check is over the bytes as stored (little-endian)
  put_u32(le, length);
  return crc32c(le) ^ kHeaderSalt;
}

template <class Args>
void append_any(std::string& out, Kind kind, const Args& args) {
  std::size_t payload = 1 + 4;
  for (const auto& a : args) payload += 4 + a.size();
  const std::size_t start = out.size();
  out.reserve(start + payload + kRecordOverhead);
  const auto len = static_cast<std::uint32_t>(payload);
  put_u32(out, len);
  put_u32(out, length_check(len));
  const std::size_t body = out.size();
  out.push_back(static_cast<char>(kind));
  put_u32(out, static_cast<std::uint32_t>(args.size()));
  for (const auto& a : args) {
    put_u32(out, static_cast<std::uint32_t>(a.size()));
    out.append(a.data(), a.size());
  }
  put_u32(out, crc32c(std::string_view(out).substr(body, payload)));
}

bool all_zero(std::string_view s) {
  for (char c : s) {
    if (c != 0) return false;
  }
  return true;
}

bool known_kind(std::uint8_t k) {
  return k == static_cast<std::uint8_t>(Kind::header) ||
         k == static_cast<std::uint8_t>(Kind::command) ||
         k == static_cast<std::uint8_t>(Kind::marks);
}

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void append_record(std::string& out, Kind kind, std::span<const std::string_view> args) {
  append_any(out, kind, args);
}

void append_record(std::string& out, Kind kind, std::span<const std::string> args) {
  append_any(out, kind, args);
}

Status Reader::bad(std::size_t at, std::size_t record_end, std::string why) {
  offset_ = at;
  error_ = std::move(why);
  // Torn: nothing but this record (or zeros) from here to the end.
  if (record_end >= data_.size() || all_zero(data_.substr(record_end))) return Status::torn;
  return Status::corrupt;
}

Status Reader::next(Record& r) {
  r.args.clear();
  const std::size_t at = offset_;
  const std::size_t left = data_.size() - at;
  if (left == 0) return Status::end;
  if (left < 8) return bad(at, data_.size(), "incomplete record header");
  const char* p = data_.data() + at;
  const std::uint32_t len = get_u32(p);
  if (get_u32(p + 4) != length_check(len)) {
    // A zeroed tail fails here too; anything else is a damaged length.
    return bad(at, all_zero(data_.substr(at)) ? data_.size() : at + 8,
               "bad record header checksum");
  }
  if (len < 5 || len > kMaxPayload)
    return bad(at, at + 8, fmt::format("bad record length {}", len));
  if (left < kRecordOverhead + len) return bad(at, data_.size(), "incomplete record");
  const std::size_t end = at + kRecordOverhead + len;
  std::string_view payload = data_.substr(at + 8, len);
  if (get_u32(p + 8 + len) != crc32c(payload)) return bad(at, end, "bad record checksum");
  // A record that passed its CRC but does not parse was written wrong: that
  // is never a torn tail.
  auto malformed = [&](std::string why) {
    offset_ = at;
    error_ = std::move(why);
    return Status::corrupt;
  };
  const auto kind = static_cast<std::uint8_t>(payload[0]);
  if (!known_kind(kind)) return malformed(fmt::format("unknown record kind {}", kind));
  r.kind = static_cast<Kind>(kind);
  std::uint32_t argc = get_u32(payload.data() + 1);
  std::size_t pos = 5;
  if (argc > (len - 5) / 4) return malformed("bad argument count");
  r.args.reserve(argc);
  for (std::uint32_t i = 0; i < argc; ++i) {
    if (payload.size() - pos < 4) return malformed("argument runs past the record");
    std::uint32_t n = get_u32(payload.data() + pos);
    pos += 4;
    if (payload.size() - pos < n) return malformed("argument runs past the record");
    r.args.push_back(payload.substr(pos, n));
    pos += n;
  }
  if (pos != payload.size()) return malformed("trailing bytes in the record");
  offset_ = end;
  return Status::ok;
}

Verdict verify(std::string_view data) {
  Verdict v;
  Reader reader(data);
  Record r;
  for (;;) {
    Status s = reader.next(r);
    if (s == Status::ok) {
      ++v.records;
      v.good_bytes = reader.offset();
      continue;
    }
    v.status = s;
    v.good_bytes = s == Status::end ? data.size() : reader.offset();
    v.error = reader.error();
    return v;
  }
}

}  // namespace procshare::server::logfmt
