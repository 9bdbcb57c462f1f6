#pragma once
// Writes replies in RESP2 or RESP3 (PROTOCOL.md §3) into a growing byte buffer.
// The caller chooses the version per connection; the same calls produce the
// right encoding for each (a map is a flat array in RESP2, a bool an integer,
// a double a bulk string, null is $-1).
#include <cstdint>
#include <string>
#include <string_view>

namespace procshare::protocol {

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string& out, int resp = 2) : out_(&out), resp_(resp) {}

  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }
  std::string& buffer() { return *out_; }
  void rebind(std::string& out) { out_ = &out; }

  void ok() { out_->append("+OK\r\n", 5); }
  void simple(std::string_view s);                          // +s (CR/LF replaced by spaces)
  void error(std::string_view code, std::string_view msg);  // -CODE msg
  void error_line(std::string_view line);                   // -line (already has its code)
  void integer(std::int64_t n);
  void bulk(std::string_view s);
  void null();                        // RESP2 $-1, RESP3 _
  void null_array();                  // RESP2 *-1, RESP3 _
  void boolean(bool b);               // RESP2 :0/:1, RESP3 #t/#f
  void floating(double d);            // RESP2 bulk, RESP3 ,d
  void array(std::size_t n);          // header; n elements follow
  void map(std::size_t n);            // header; n key/value pairs follow
  void set(std::size_t n);            // RESP3 ~, RESP2 array
  void verbatim(std::string_view s);  // RESP3 =txt:, RESP2 bulk (for INFO)

  // Shortest text of a double that reads back to the same value ("inf", "-inf", "nan").
  static std::string format_double(double d);

 private:
  void header(char type, std::size_t n);
  std::string* out_;
  int resp_;
};

}  // namespace procshare::protocol
