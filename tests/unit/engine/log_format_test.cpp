// The append-only log's record format (log_format.hpp): round trips, and
// every kind of damage told apart — a torn tail from damage in the middle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "procshare/server/log_format.hpp"

namespace procshare::server::logfmt {
namespace {

std::string record(Kind kind, std::vector<std::string_view> args) {
  std::string out;
  append_record(out, kind, std::span<const std::string_view>(args));
  return out;
}

std::string sample_log() {
  std::string log = record(Kind::header, {kMagic, kVersion, "incr"});
  log += record(Kind::command, {"DICT.SET", "d", "k", std::string_view("bin\0ary", 7)});
  log += record(Kind::marks, {"tokens", "1000", "clients", "1000"});
  log += record(Kind::command, {"LIST.APPEND", "l", ""});
  return log;
}

TEST(LogFormat, Crc32cKnownValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(LogFormat, RecordsReadBackAsWritten) {
  std::string log = sample_log();
  Reader r(log);
  Record rec;
  ASSERT_EQ(r.next(rec), Status::ok);
  EXPECT_EQ(rec.kind, Kind::header);
  ASSERT_EQ(r.next(rec), Status::ok);
  EXPECT_EQ(rec.kind, Kind::command);
  ASSERT_EQ(rec.args.size(), 4u);
  EXPECT_EQ(rec.args[3], std::string_view("bin\0ary", 7));
  ASSERT_EQ(r.next(rec), Status::ok);
  EXPECT_EQ(rec.kind, Kind::marks);
  ASSERT_EQ(r.next(rec), Status::ok);
  ASSERT_EQ(rec.args.size(), 3u);
  EXPECT_EQ(rec.args[2], "");
  EXPECT_EQ(r.next(rec), Status::end);
  EXPECT_EQ(r.offset(), log.size());
  Verdict v = verify(log);
  EXPECT_EQ(v.status, Status::end);
  EXPECT_EQ(v.records, 4u);
}

TEST(LogFormat, EveryCutOfTheLastRecordIsATornTail) {
  std::string log = sample_log();
  const std::size_t last = log.size() - record(Kind::command, {"LIST.APPEND", "l", ""}).size();
  for (std::size_t cut = last + 1; cut < log.size(); ++cut) {
    Verdict v = verify(std::string_view(log).substr(0, cut));
    EXPECT_EQ(v.status, Status::torn) << "cut at " << cut;
    EXPECT_EQ(v.good_bytes, last) << "cut at " << cut;
    EXPECT_EQ(v.records, 3u);
  }
  EXPECT_EQ(verify(std::string_view(log).substr(0, last)).status, Status::end);
}

TEST(LogFormat, AFlippedByteInTheLastRecordIsATornTail) {
  std::string log = sample_log();
  log.back() ^= 0x01;  // its CRC: a partly written last page
  EXPECT_EQ(verify(log).status, Status::torn);
}

TEST(LogFormat, ZerosAfterTheLastRecordAreATornTail) {
  std::string log = sample_log();
  const std::size_t good = log.size();
  log.append(100, '\0');  // the file grew before its data reached the disk
  Verdict v = verify(log);
  EXPECT_EQ(v.status, Status::torn);
  EXPECT_EQ(v.good_bytes, good);
}

TEST(LogFormat, AnyFlippedByteBeforeTheLastRecordIsDamageAtItsRecord) {
  std::string log = sample_log();
  const std::size_t last = log.size() - record(Kind::command, {"LIST.APPEND", "l", ""}).size();
  // Record starts, to check that the offset named is the damaged record's.
  std::vector<std::size_t> starts;
  {
    Reader r(log);
    Record rec;
    starts.push_back(0);
    while (r.next(rec) == Status::ok) starts.push_back(r.offset());
  }
  for (std::size_t i = 0; i < last; ++i) {
    std::string bad = log;
    bad[i] ^= 0x40;
    Verdict v = verify(bad);
    ASSERT_EQ(v.status, Status::corrupt) << "flipped byte " << i;
    std::size_t expected = 0;
    for (std::size_t s : starts) {
      if (s <= i) expected = s;
    }
    EXPECT_EQ(v.good_bytes, expected) << "flipped byte " << i;
  }
}

TEST(LogFormat, AWellFramedRecordThatDoesNotParseIsDamage) {
  // A payload whose argument count promises more than it holds, with a
  // valid CRC: written wrong, never torn.
  std::string payload = std::string(1, 'C') + std::string("\x05\x00\x00\x00", 4);
  std::string out;
  auto put = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  const auto len = static_cast<std::uint32_t>(payload.size());
  std::string le;
  for (int i = 0; i < 4; ++i) le.push_back(static_cast<char>(len >> (8 * i)));
  put(len);
  put(crc32c(le) ^ kHeaderSalt);
  out += payload;
  put(crc32c(payload));
  EXPECT_EQ(verify(out).status, Status::corrupt);
}

}  // namespace
}  // namespace procshare::server::logfmt
