#pragma once
// procshare::Manager: Python's multiprocessing.Manager() for C++. It starts
// its own procshare-server in a child process, on a Unix socket in a fresh
// private directory (mode 0700), with a fresh random authkey passed through
// the environment; it is a Client of that server, so it hands out proxies;
// and it shuts the server down and removes the socket and directory when it
// goes out of scope, also during stack unwinding.
//
//   procshare::Manager m;
//   auto d = m.dict<std::string, long>("totals");
//   if (fork() == 0) { d["child"] += 1; _exit(0); }   // the child uses its
//   wait(nullptr);                                    // own connection
//
// Children forked from the owner inherit the Manager and its key; only the
// process that made the Manager stops the server. The server is not a child
// of the user's process that wait(nullptr) could see or hang on: a small
// "keeper" process (invisible to wait() without __WCLONE) starts and reaps
// it. The server also exits if the thread that created the Manager dies
// (PR_SET_PDEATHSIG), so a killed parent leaves no process running (only,
// then, an empty private directory in $TMPDIR).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "procshare/client.hpp"

namespace procshare {

struct ManagerOptions {
  // The procshare-server binary. Empty: env PROCSHARE_SERVER, then
  // procshare-server next to the running executable, then the build tree and
  // install prefix this library was built with, then $PATH.
  std::string server;
  std::vector<std::string> server_args;  // extra server flags
  // Also listen on TCP at "host:port" (port 0 picks a free port; see
  // tcp_address()), so clients on other machines can connect with the key.
  std::optional<std::string> tcp;
  // The key; default: 32 fresh random bytes as 64 hex characters.
  std::optional<std::string> authkey;
  // Where the server's log goes; default: a file in the private directory,
  // removed at shutdown (its tail is in the exception if the server fails to
  // start).
  std::optional<std::string> log_file;
  std::chrono::milliseconds start_timeout{10000};
  std::chrono::milliseconds stop_timeout{5000};
  // Timeouts and RESP version of the Manager's own connections (authkey and
  // authkey_file are ignored: the Manager's key is used).
  ConnectOptions connect;
};

class Manager : public Client {
 public:
  Manager();
  explicit Manager(ManagerOptions options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Stops the server now (SHUTDOWN, then SIGTERM, then SIGKILL, each after
  // stop_timeout) and removes its files. Idempotent; a no-op in a forked child.
  void shutdown();
  bool running() const;

  const std::string& authkey() const { return authkey_; }
  Address unix_address() const { return Address::unix_socket(socket_path_); }
  // The TCP address, when ManagerOptions::tcp was set.
  std::optional<Address> tcp_address() const { return tcp_; }
  const std::string& socket_path() const { return socket_path_; }
  pid_t server_pid() const { return server_pid_; }
  // The server binary that ManagerOptions::server = `hint` selects; throws
  // Error when none is found.
  static std::string find_server(const std::string& hint = {});

 private:
  void start(const ManagerOptions& options);
  void stop_server(std::chrono::milliseconds timeout);
  void remove_files();
  bool reap(std::chrono::milliseconds timeout);
  std::string log_tail() const;

  pid_t owner_pid_ = 0;
  pid_t keeper_pid_ = -1;  // our child, which waits for the server (manager.cpp)
  pid_t server_pid_ = -1;
  std::string authkey_;
  std::string dir_;
  std::string socket_path_;
  std::string log_path_;
  bool own_log_ = true;
  std::optional<Address> tcp_;
  std::chrono::milliseconds stop_timeout_{5000};
};

}  // namespace procshare
