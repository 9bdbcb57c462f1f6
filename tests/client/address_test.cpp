// Address syntax (PROTOCOL.md §1) and the exception classes of errors.hpp.
#include <gtest/gtest.h>

#include <stdexcept>

#include "procshare/address.hpp"
#include "procshare/errors.hpp"

namespace procshare {
namespace {

TEST(Address, DefaultIsTheUnixSocket) {
  Address a = Address::parse("");
  EXPECT_EQ(a.kind, Address::Kind::unix_socket);
  EXPECT_EQ(a.path, "/tmp/procshare.sock");
  EXPECT_EQ(a.to_string(), "unix:/tmp/procshare.sock");
}

TEST(Address, Forms) {
  struct Case {
    const char* text;
    Address::Kind kind;
    const char* where;
    int port;
  };
  const Case cases[] = {
      {"unix:/run/x.sock", Address::Kind::unix_socket, "/run/x.sock", 0},
      {"unix:///run/x.sock", Address::Kind::unix_socket, "/run/x.sock", 0},
      {"/run/x.sock", Address::Kind::unix_socket, "/run/x.sock", 0},
      {"./x.sock", Address::Kind::unix_socket, "./x.sock", 0},
      {"tcp://example.org:1234", Address::Kind::tcp, "example.org", 1234},
      {"tcp://example.org", Address::Kind::tcp, "example.org", 7379},
      {"localhost:80", Address::Kind::tcp, "localhost", 80},
      {"tcp://[::1]:7000", Address::Kind::tcp, "::1", 7000},
      {"[::1]:7000", Address::Kind::tcp, "::1", 7000},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Address a = Address::parse(c.text);
    EXPECT_EQ(a.kind, c.kind);
    if (c.kind == Address::Kind::tcp) {
      EXPECT_EQ(a.host, c.where);
      EXPECT_EQ(a.port, c.port);
    } else {
      EXPECT_EQ(a.path, c.where);
    }
    EXPECT_EQ(Address::parse(a.to_string()), a);  // round trip
  }
}

TEST(Address, MalformedIsAProcshareError) {
  for (const char* bad : {"tcp://host:0", "tcp://host:99999", "host:", ":80", "tcp://host:x",
                          "http://host", "unix:", "justaword", "::1:80", "tcp://[::1"}) {
    SCOPED_TRACE(bad);
    try {
      Address::parse(bad);
      ADD_FAILURE() << "accepted";
    } catch (const procshare::Error& e) {
      EXPECT_EQ(e.code(), "ADDRESS");
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(Errors, EveryCodeHasItsClass) {
  auto thrown_code = [](const std::string& line) -> std::string {
    protocol::Reply r;
    r.type = protocol::Reply::Type::error;
    r.str = line;
    try {
      throw_error(r);
    } catch (const Error& e) {
      return e.code() + "|" + e.message();
    }
    return "";
  };
  EXPECT_EQ(thrown_code("KEYERROR no such key"), "KEYERROR|no such key");
  EXPECT_EQ(thrown_code("WHATEVER x"), "WHATEVER|x");
  auto throws = [](const std::string& line) {
    protocol::Reply r;
    r.type = protocol::Reply::Type::error;
    r.str = line;
    throw_error(r);
  };
  EXPECT_THROW(throws("ERR syntax"), CommandError);
  EXPECT_THROW(throws("NOAUTH x"), NoAuth);
  EXPECT_THROW(throws("NOAUTH x"), AuthError);
  EXPECT_THROW(throws("WRONGPASS x"), WrongPass);
  EXPECT_THROW(throws("NOTFOUND x"), NotFound);
  EXPECT_THROW(throws("EXISTS x"), Exists);
  EXPECT_THROW(throws("WRONGTYPE x"), WrongType);
  EXPECT_THROW(throws("KEYERROR x"), KeyError);
  EXPECT_THROW(throws("INDEXERROR x"), IndexError);
  EXPECT_THROW(throws("VALUEERROR x"), ValueError);
  EXPECT_THROW(throws("EMPTY x"), Empty);
  EXPECT_THROW(throws("FULL x"), Full);
  EXPECT_THROW(throws("NOTOWNER x"), NotOwner);
  EXPECT_THROW(throws("BROKEN x"), BrokenBarrier);
  EXPECT_THROW(throws("LIMIT x"), LimitError);
  EXPECT_THROW(throws("OTHER x"), CommandError);
}

}  // namespace
}  // namespace procshare
