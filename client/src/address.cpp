// Address syntax of PROTOCOL.md §1. A scheme decides when there is one;
// otherwise a '/' (or a leading '.' or '~') means a path and a ':' means
// host:port, so that "localhost:7379" and "./app.sock" both do what they say.
#include "procshare/address.hpp"

#include <charconv>

#include "procshare/errors.hpp"

namespace procshare {

namespace {

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw AddressError(
      "invalid procshare address '" + std::string(text) + "': " + std::string(why) +
      " (expected unix:/path, tcp://host:port, tls://host:port, host:port or /path)");
}

int parse_port(std::string_view text, std::string_view port) {
  int value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
      value > 65535) {
    bad(text, "the port must be a number from 1 to 65535");
  }
  return value;
}

// "host", "host:port", "[v6]", "[v6]:port".
Address parse_host_port(std::string_view text, std::string_view rest, bool port_required) {
  Address a;
  a.kind = Address::Kind::tcp;
  std::string_view host = rest, port;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) bad(text, "missing ']' after an IPv6 host");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad(text, "unexpected text after ']'");
      port = after.substr(1);
      has_port = true;
    }
  } else {
    std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      if (rest.find(':') != colon) bad(text, "an IPv6 host must be written in brackets");
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) bad(text, "the host is empty");
  if (host.find('/') != std::string_view::npos) bad(text, "a host cannot contain '/'");
  if (has_port) {
    a.port = parse_port(text, port);
  } else if (port_required) {
    bad(text, "missing port");
  }
  a.host = std::string(host);
  return a;
}

}  // namespace

Address Address::unix_socket(std::string path) {
  Address a;
  a.kind = Kind::unix_socket;
  a.path = std::move(path);
  return a;
}

Address Address::tcp(std::string host, int port) {
  Address a;
  a.kind = Kind::tcp;
  a.host = std::move(host);
  a.port = port;
  return a;
}

Address Address::parse(std::string_view text) {
  if (text.empty()) return Address{};
  if (text.starts_with("unix:")) {
    std::string_view path = text.substr(5);
    // "unix:///tmp/x.sock" (the URL form redis-py writes) is "/tmp/x.sock".
    if (path.starts_with("//")) path.remove_prefix(2);
    if (path.empty()) bad(text, "the socket path is empty");
    return unix_socket(std::string(path));
  }
  if (text.starts_with("tcp://")) return parse_host_port(text, text.substr(6), false);
  if (text.starts_with("tls://")) {
    Address a = parse_host_port(text, text.substr(6), false);
    a.tls = true;
    return a;
  }
  if (text.find("://") != std::string_view::npos) bad(text, "unknown scheme");
  const char first = text.front();
  if (first == '/' || first == '.' || first == '~' || text.find('/') != std::string_view::npos) {
    return unix_socket(std::string(text));
  }
  if (text.find(':') != std::string_view::npos) return parse_host_port(text, text, true);
  bad(text, "neither a path nor host:port");
}

std::string Address::to_string() const {
  if (kind == Kind::unix_socket) return "unix:" + path;
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "tls://" : "tcp://") + h + ":" + std::to_string(port);
}

}  // namespace procshare
