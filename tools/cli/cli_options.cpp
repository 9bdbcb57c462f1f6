// procshare-cli's option parser. See cli_options.hpp for the grammar.
#include "cli_options.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace procshare::cli {

namespace {

bool parse_seconds(const std::string& text, double* out) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v) || v < 0) return false;
  *out = v;
  return true;
}

bool parse_port(const std::string& text) {
  int v = 0;
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  return r.ec == std::errc() && r.ptr == end && v > 0 && v < 65536;
}

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& argv) : argv_(argv) {}

  ParseOutcome run() {
    bool options_done = false;
    while (i_ < argv_.size()) {
      const std::string& word = argv_[i_];
      if (!options_done && word == "--") {
        options_done = true;
        ++i_;
        continue;
      }
      if (!options_done && word.size() > 1 && word[0] == '-') {
        if (!option()) return fail();
        continue;
      }
      if (opts_.mode == Mode::top) {
        error_ = "unexpected argument '" + word + "' after top (try --help)";
        return fail();
      }
      if (word == "top" && !options_done) {
        opts_.mode = Mode::top;
        ++i_;
        continue;
      }
      opts_.mode = Mode::command;
      opts_.command.assign(argv_.begin() + static_cast<std::ptrdiff_t>(i_), argv_.end());
      break;
    }
    if (!finish_address()) return fail();
    return {opts_, {}};
  }

 private:
  ParseOutcome fail() { return {std::nullopt, error_}; }

  // Splits "--name=value"; returns the value of an option that takes one.
  bool value(const std::string& name, std::string* out) {
    const std::string& word = argv_[i_];
    if (word.size() > name.size() && word.compare(0, name.size(), name) == 0 &&
        word[name.size()] == '=') {
      *out = word.substr(name.size() + 1);
      ++i_;
      return true;
    }
    if (i_ + 1 >= argv_.size()) {
      error_ = "option " + name + " needs a value";
      return false;
    }
    *out = argv_[i_ + 1];
    i_ += 2;
    return true;
  }

  // True if the current word is `name` or `name=...`.
  bool is(std::string_view name) const {
    std::string_view w = argv_[i_];
    return w == name || (w.size() > name.size() && w.substr(0, name.size()) == name &&
                         name.size() > 2 && w[name.size()] == '=');
  }

  bool option() {
    std::string v;
    const std::string word = argv_[i_];
    if (is("-a") || is("--address")) {
      if (!value(is("-a") ? "-a" : "--address", &v)) return false;
      address_ = v;
    } else if (is("-s") || is("--socket")) {
      if (!value(is("-s") ? "-s" : "--socket", &v)) return false;
      socket_ = v;
    } else if (is("-h") || is("--host")) {
      if (!value(is("-h") ? "-h" : "--host", &v)) return false;
      host_ = v;
    } else if (is("-p") || is("--port")) {
      if (!value(is("-p") ? "-p" : "--port", &v)) return false;
      if (!parse_port(v)) {
        error_ = "invalid port '" + v + "'";
        return false;
      }
      port_ = v;
    } else if (is("--authkey-file")) {
      if (!value("--authkey-file", &v)) return false;
      opts_.authkey_file = v;
    } else if (is("--connect-timeout")) {
      if (!value("--connect-timeout", &v)) return false;
      if (!parse_seconds(v, &opts_.connect_timeout_s)) {
        error_ = "invalid --connect-timeout '" + v + "' (seconds)";
        return false;
      }
    } else if (is("--interval") && opts_.mode == Mode::top) {
      if (!value("--interval", &v)) return false;
      if (!parse_seconds(v, &opts_.interval_s) || opts_.interval_s < 0.05) {
        error_ = "invalid --interval '" + v + "' (seconds, at least 0.05)";
        return false;
      }
    } else if (word == "--once" && opts_.mode == Mode::top) {
      opts_.once = true;
      ++i_;
    } else if (word == "--tls") {
      opts_.tls = true;
      ++i_;
    } else if (word == "--insecure") {
      opts_.insecure = true;
      ++i_;
    } else if (is("--cacert") || is("--cacertdir") || is("--cert") || is("--key") || is("--sni")) {
      const std::string name = word.substr(0, word.find('='));
      if (!value(name, &v)) return false;
      std::string* field = name == "--cacert"      ? &opts_.cacert
                           : name == "--cacertdir" ? &opts_.cacertdir
                           : name == "--cert"      ? &opts_.cert
                           : name == "--key"       ? &opts_.key
                                                   : &opts_.sni;
      *field = v;
    } else if (word == "-3" || word == "--resp3") {
      opts_.resp3 = true;
      ++i_;
    } else if (word == "-2" || word == "--resp2") {
      opts_.resp2 = true;
      ++i_;
    } else if (word == "--raw") {
      opts_.output = OutputMode::raw;
      ++i_;
    } else if (word == "--no-raw") {
      opts_.output = OutputMode::tty;
      ++i_;
    } else if (word == "--json") {
      opts_.output = OutputMode::json;
      ++i_;
    } else if (word == "--help") {
      opts_.mode = Mode::help;
      ++i_;
    } else if (word == "-v" || word == "--version") {
      opts_.mode = Mode::version;
      ++i_;
    } else {
      error_ = "unknown option '" + word + "' (try --help)";
      return false;
    }
    return true;
  }

  bool finish_address() {
    const int given = !address_.empty() + !socket_.empty() + (!host_.empty() || !port_.empty());
    if (given > 1) {
      error_ = "give the server as one of -a ADDRESS, -s SOCKET or -h HOST -p PORT";
      return false;
    }
    if (opts_.resp2 && opts_.resp3) {
      error_ = "-2 and -3 contradict each other";
      return false;
    }
    if (!address_.empty()) {
      opts_.address = address_;
    } else if (!socket_.empty()) {
      opts_.address = "unix:" + socket_;
    } else if (!host_.empty() || !port_.empty()) {
      std::string host = host_.empty() ? "127.0.0.1" : host_;
      // An IPv6 literal needs brackets to keep its colons apart from the port's.
      if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
      opts_.address = "tcp://" + host + ":" + (port_.empty() ? "7379" : port_);
    }
    if (opts_.tls) {
      // --tls turns a TCP address into a TLS one (-h/-p, host:port, tcp://).
      std::string& a = opts_.address;
      if (a.starts_with("tcp://")) {
        a = "tls://" + a.substr(6);
      } else if (!a.starts_with("tls://")) {
        const bool tcp_like = !a.empty() && a.find('/') == std::string::npos && a.front() != '.' &&
                              a.front() != '~' && !a.starts_with("unix:");
        if (!tcp_like) {
          error_ = "--tls needs a TCP server: -h HOST -p PORT or -a host:port";
          return false;
        }
        a = "tls://" + a;
      }
    }
    if (!opts_.cert.empty() && opts_.key.empty()) {
      // As redis-cli: --cert without --key reads the key from the same file.
      opts_.key = opts_.cert;
    }
    return true;
  }

  const std::vector<std::string>& argv_;
  std::size_t i_ = 0;
  CliOptions opts_;
  std::string error_;
  std::string address_, socket_, host_, port_;
};

}  // namespace

ParseOutcome parse_cli_options(const std::vector<std::string>& argv) {
  return Parser(argv).run();
}

std::string usage_text() {
  return R"(Usage: procshare-cli [OPTIONS] [COMMAND [ARG ...]]
       procshare-cli [OPTIONS] top [--once] [--interval SECONDS]

With a COMMAND: send it, print the reply, exit 0 (1 on an error reply).
Without one: an interactive prompt when stdin is a terminal, otherwise run
the commands read from stdin, one per line.
An argument that is exactly '-' is replaced by all of stdin (binary safe).

Server:
  -a, --address ADDRESS   unix:/path, tcp://host:port, tls://host:port,
                          host:port or /path
                          (default unix:/tmp/procshare.sock)
  -s, --socket PATH       same as -a unix:PATH
  -h, --host HOST         TCP host (default 127.0.0.1)
  -p, --port PORT         TCP port (default 7379)
  --authkey-file FILE     authenticate with the key in FILE (default: the
                          PROCSHARE_AUTHKEY environment variable, if set)
  --connect-timeout SECS  give up connecting after SECS (default 5)

TLS (as redis-cli spells it; docs/tls.md):
  --tls                   connect with TLS (also: -a tls://host:port)
  --cacert FILE           CA certificate(s) to verify the server with
                          (default: the system's CAs)
  --cacertdir DIR         the same, as an OpenSSL hashed directory
  --cert FILE             client certificate, for servers that require one
  --key FILE              its private key
  --sni NAME              server name to send and to check the certificate
                          against (default: the host)
  --insecure              do not verify the server's certificate

Output:
  --raw                   plain values, one per line (the default when
                          stdout is not a terminal)
  --no-raw                redis-cli's formatted output even into a pipe
  --json                  one JSON document per reply (implies -3)
  -3, --resp3             speak RESP3 (maps, doubles, booleans)
  -2, --resp2             speak RESP2 even with --json

top:
  --once                  print one snapshot and exit
  --interval SECS         refresh period (default 1)

  --help                  this text
  -v, --version           the version
)";
}

}  // namespace procshare::cli
