#include "transcript.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "procshare/protocol/request_parser.hpp"

namespace procshare::test {

std::vector<std::string> split_command(const std::string& line) {
  std::string storage;
  std::vector<std::size_t> ends;
  if (!protocol::split_inline_args(line, storage, ends)) {
    throw std::invalid_argument("bad quoting in transcript row: " + line);
  }
  std::vector<std::string> words;
  std::size_t from = 0;
  for (std::size_t end : ends) {
    words.push_back(storage.substr(from, end - from));
    from = end;
  }
  return words;
}

namespace {

std::string join(const std::vector<Reply>& elements, bool as_map) {
  std::string s;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) s += as_map && i % 2 ? ": " : ", ";
    s += show(elements[i]);
  }
  return s;
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string show(const Reply& r) {
  switch (r.type) {
    case Reply::Type::simple:
      return "+" + r.str;
    case Reply::Type::error:
      return "-" + r.str;
    case Reply::Type::integer:
      return ":" + std::to_string(r.integer);
    case Reply::Type::bulk:
    case Reply::Type::verbatim:
      return "$" + r.str;
    case Reply::Type::null:
      return "_";
    case Reply::Type::array:
      return "*[" + join(r.elements, false) + "]";
    case Reply::Type::map:
      return "%{" + join(r.elements, true) + "}";
    case Reply::Type::set:
      return "~[" + join(r.elements, false) + "]";
    case Reply::Type::push:
      return ">[" + join(r.elements, false) + "]";
    case Reply::Type::boolean:
      return r.integer ? "#t" : "#f";
    case Reply::Type::dbl:
      return "," + r.str;
    case Reply::Type::bignum:
      return "(" + r.str;
  }
  return "?";
}

bool reply_matches(const Reply& r, const std::string& expect) {
  const std::string got = show(r);
  if (got == expect) return true;
  if (ends_with(expect, "...")) {
    return got.compare(0, expect.size() - 3, expect, 0, expect.size() - 3) == 0;
  }
  // "-CODE" alone: compare the error code only.
  if (r.is_error() && expect.size() > 1 && expect[0] == '-' &&
      expect.find(' ') == std::string::npos) {
    return r.error_code() == std::string_view(expect).substr(1);
  }
  return false;
}

Transcript::Transcript(ServerProcess& server, bool tcp_first)
    : server_(server), tcp_first_(tcp_first), admin_(RawClient::unix_socket(server.unix_path())) {}

RawClient& Transcript::conn(int i) {
  auto it = conns_.find(i);
  if (it == conns_.end()) {
    bool tcp = (i % 2 == 0) == tcp_first_;
    it = conns_
             .emplace(i, tcp ? RawClient::tcp(server_.tcp_port())
                             : RawClient::unix_socket(server_.unix_path()))
             .first;
  }
  return it->second;
}

std::string Transcript::expand(const std::string& text) const {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t close = text.find('}', i);
    if (text[i] == '{' && close != std::string::npos) {
      auto it = vars_.find(text.substr(i + 1, close - i - 1));
      if (it != vars_.end()) {
        out += it->second;
        i = close;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

bool Transcript::run(const std::vector<Step>& steps) {
  bool ok = true;
  for (std::size_t row = 0; row < steps.size(); ++row) {
    try {
      if (!step(row, steps[row])) ok = false;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "row " << row << " [" << steps[row].conn << "] " << steps[row].cmd << ": "
                    << e.what();
      return false;  // the connection state is unknown: later rows would only cascade
    }
  }
  return ok;
}

bool Transcript::step(std::size_t row, const Step& s) {
  const std::string cmd = expand(s.cmd);
  const std::string expect = expand(s.expect);
  auto where = [&] { return "row " + std::to_string(row) + " [" + std::to_string(s.conn) + "] "; };
  if (cmd == "close") {
    long before = info_field(admin_, "connected_clients");
    conns_.erase(s.conn);
    bool gone = wait_until([&] { return info_field(admin_, "connected_clients") < before; });
    EXPECT_TRUE(gone) << where() << "the server did not notice the close";
    return gone;
  }
  if (cmd.rfind('?', 0) == 0) {
    std::string got = ":" + std::to_string(info_field(admin_, cmd.substr(1)));
    EXPECT_EQ(got, expect) << where() << "INFO " << cmd.substr(1);
    return got == expect;
  }
  RawClient& c = conn(s.conn);
  if (expect == "blocks") {
    long before = info_field(admin_, "blocked_clients");
    c.send(split_command(cmd));
    bool parked = wait_until([&] { return info_field(admin_, "blocked_clients") > before; });
    EXPECT_TRUE(parked) << where() << cmd << ": did not block";
    return parked;
  }
  Reply r = cmd.empty() ? c.read() : c.call(split_command(cmd));
  bool ok = true;
  if (expect.rfind("$=", 0) == 0) {
    ok = r.type == Reply::Type::bulk;
    if (ok) vars_[expect.substr(2)] = r.str;
  } else {
    ok = reply_matches(r, expect);
  }
  EXPECT_TRUE(ok) << where() << (cmd.empty() ? "(pending reply)" : cmd) << "\n  expected " << expect
                  << "\n  got      " << show(r);
  if (r.is_error()) {
    Reply pong = c.call({"PING"});
    EXPECT_EQ(show(pong), "+PONG") << where() << "connection unusable after " << show(r);
    ok = ok && show(pong) == "+PONG";
  }
  return ok;
}

}  // namespace procshare::test
