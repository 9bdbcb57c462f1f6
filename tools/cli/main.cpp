// procshare-cli: the command-line client. main() only parses the options,
// builds the connection settings and hands over to one of the modes:
// one-shot command, script from stdin, interactive prompt, or top.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_client.hpp"
#include "cli_options.hpp"
#include "interactive.hpp"
#include "run_modes.hpp"
#include "top.hpp"

using namespace procshare;
using namespace procshare::cli;

int main(int argc, char** argv) {
  const ParseOutcome parsed = parse_cli_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    complain(parsed.error);
    return kExitFailure;
  }
  const CliOptions& opts = *parsed.options;
  if (opts.mode == Mode::help) {
    write_stdout(usage_text());
    return kExitOk;
  }
  if (opts.mode == Mode::version) {
    write_stdout("procshare-cli " PROCSHARE_CLI_VERSION "\n");
    return kExitOk;
  }

  Address address;
  try {
    address = Address::parse(opts.address);
  } catch (const Error& e) {
    complain(e.what());
    return kExitFailure;
  }
  // redis-cli's rule: formatted replies for a person, plain values for a pipe.
  const OutputMode output =
      opts.output.value_or(::isatty(STDOUT_FILENO) ? OutputMode::tty : OutputMode::raw);
  ConnectOptions connect;
  connect.authkey_file = opts.authkey_file;  // unset: the library reads PROCSHARE_AUTHKEY
  connect.tls.ca_file = opts.cacert;
  connect.tls.ca_dir = opts.cacertdir;
  connect.tls.cert_file = opts.cert;
  connect.tls.key_file = opts.key;
  connect.tls.sni = opts.sni;
  connect.tls.verify_peer = !opts.insecure;
  connect.connect_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(opts.connect_timeout_s * 1000));
  // JSON is most faithful with RESP3's maps, doubles and booleans (redis-cli does the same).
  connect.resp = opts.resp3 || (output == OutputMode::json && !opts.resp2) ? 3 : 2;
  if (opts.mode == Mode::top) {
    connect.resp = 3;  // DESCRIBE's nulls and booleans are unambiguous in RESP3
    connect.client_name = "procshare-top";
  }
  CliClient client(address, connect);

  switch (opts.mode) {
    case Mode::command:
      return run_command(client, opts.command, output);
    case Mode::top:
      return run_top(client, opts);
    default:
      break;
  }
  if (::isatty(STDIN_FILENO)) {
    return run_interactive(client, opts.output.value_or(OutputMode::tty));
  }
  return run_script(client, output);
}
