#pragma once
// The append-only log's records (docs/persistence.md "The log format"): pure
// code with no I/O, shared by the server, procshare-check-log and the fuzz
// target.
//
// A record is
//   u32 length | u32 crc32c(length bytes) ^ kHeaderSalt | payload | u32 crc32c(payload)
// all little-endian; the payload is
//   u8 kind | u32 argc | argc x (u32 size | bytes).
// The length has its own check, so a flipped length byte is damage at that
// offset and never mistaken for a record that runs past the end of the file.
//
// A file is damaged at its tail (torn: the server died while writing the
// last record) when its last record is incomplete, or complete but failing
// its checks with nothing after it, or when only zero bytes follow (a file
// system that extended the file before the data reached it). Anything else
// that fails a check is corruption at that offset.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace procshare::server::logfmt {

// What a record holds.
enum class Kind : std::uint8_t {
  header = 'H',   // argv: "procshare-log", format version, "base" | "incr"
  command = 'C',  // argv of a command to run again
  marks = 'M',    // "tokens" n "clients" n: high-water marks reserved so far
};

inline constexpr std::string_view kMagic = "procshare-log";
inline constexpr std::string_view kVersion = "1";
inline constexpr std::uint32_t kHeaderSalt = 0x70736c67;  // "pslg"
inline constexpr std::size_t kRecordOverhead = 12;        // length, its check, payload CRC
// No record is larger (the server's max request is far below).
inline constexpr std::uint32_t kMaxPayload = 1u << 30;

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

// Appends one encoded record to `out`.
void append_record(std::string& out, Kind kind, std::span<const std::string_view> args);
void append_record(std::string& out, Kind kind, std::span<const std::string> args);

struct Record {
  Kind kind = Kind::command;
  std::vector<std::string_view> args;  // views into the reader's data
};

enum class Status : std::uint8_t {
  ok,       // a record was read
  end,      // clean end of data
  torn,     // the tail from offset() on is a torn record: cut it off
  corrupt,  // damage at offset(): not a torn tail
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  // Reads the next record into `r`. After torn / corrupt, offset() is where
  // the bad record starts and error() says what is wrong with it.
  Status next(Record& r);
  std::size_t offset() const { return offset_; }
  const std::string& error() const { return error_; }

 private:
  Status bad(std::size_t at, std::size_t record_end, std::string why);
  std::string_view data_;
  std::size_t offset_ = 0;
  std::string error_;
};

// Checks a whole file image: how far the good records go.
struct Verdict {
  Status status = Status::end;  // end (all good), torn or corrupt
  std::size_t good_bytes = 0;   // the length of the valid prefix
  std::size_t records = 0;      // valid records in it
  std::string error;
};
Verdict verify(std::string_view data);

}  // namespace procshare::server::logfmt
