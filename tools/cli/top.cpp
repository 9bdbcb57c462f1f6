// The refresh loop of `top` and its (small) terminal handling: the alternate
// screen, a hidden cursor, keys read without echo so that `q` quits, and a
// redraw on resize. Everything that is drawn comes from top_render.
#include "top.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

#include "run_modes.hpp"
#include "top_render.hpp"
#include "top_snapshot.hpp"

namespace procshare::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_resized = 0;

void on_stop(int) {
  g_stop = 1;
}
void on_resize(int) {
  g_resized = 1;
}

// Puts the terminal in a state for a full-screen view and restores it.
class Screen {
 public:
  Screen() {
    keys_ = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (keys_) {
      termios raw = saved_;
      raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));  // ISIG stays: Ctrl-C works
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    write_stdout("\x1b[?1049h\x1b[?25l");  // alternate screen, hide the cursor
  }
  ~Screen() {
    write_stdout("\x1b[?25h\x1b[?1049l");
    if (keys_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  bool reads_keys() const { return keys_; }

  static void size(std::size_t* width, std::size_t* height) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
      *width = ws.ws_col;
      *height = ws.ws_row;
    } else {
      *width = 80;
      *height = 24;
    }
  }

  void draw(const std::vector<std::string>& lines) {
    std::string frame = "\x1b[H";  // home; each line clears its own tail
    for (const std::string& l : lines) frame += l + "\x1b[K\n";  // OPOST adds the \r
    frame += "\x1b[J";                                           // and below the last line
    write_stdout(frame);
  }

 private:
  termios saved_{};
  bool keys_ = false;
};

std::string frame_text(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// Waits up to `seconds` for a key, a resize or a stop signal. Returns true to quit.
bool wait_for_next(double seconds, bool keys) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
  while (!g_stop && !g_resized) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int r = ::poll(&p, keys ? 1 : 0, static_cast<int>(left.count()));
    if (r < 0 && errno != EINTR) return false;
    if (r > 0 && (p.revents & POLLIN)) {
      char c = 0;
      if (::read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q')) return true;
    }
  }
  return g_stop != 0;
}

std::int64_t own_id(CliClient& client) {
  protocol::Reply r = client.connection().call({"CLIENT", "ID"});
  return r.type == protocol::Reply::Type::integer ? r.integer : 0;
}

int run_once(CliClient& client) {
  try {
    client.connect();
    Snapshot snap = take_snapshot(client.connection(), own_id(client));
    TopView view{client.address().to_string()};
    write_stdout(frame_text(render_top(snap, ops_rate(snap, nullptr), view)));
    return kExitOk;
  } catch (const std::exception& e) {
    complain(failure_line(e, client.address()));
    return kExitFailure;
  }
}

}  // namespace

int run_top(CliClient& client, const CliOptions& options) {
  if (options.once) return run_once(client);
  try {
    client.connect();  // fail fast, with one line, before taking over the screen
  } catch (const std::exception& e) {
    complain(failure_line(e, client.address()));
    return kExitFailure;
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop;  // no SA_RESTART: poll() returns at once
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_resize;
  ::sigaction(SIGWINCH, &sa, nullptr);

  const bool tty = ::isatty(STDOUT_FILENO);
  std::optional<Screen> screen;
  if (tty) screen.emplace();
  std::optional<Snapshot> previous;
  std::int64_t self = 0;
  std::vector<std::string> lines;
  while (!g_stop) {
    TopView view{client.address().to_string()};
    if (tty) Screen::size(&view.width, &view.height);
    try {
      if (!client.connected()) {
        client.connect();
        previous.reset();  // a new server (or a restarted one): rates start over
      }
      if (self == 0 || previous == std::nullopt) self = own_id(client);
      Snapshot snap = take_snapshot(client.connection(), self);
      lines = render_top(snap, ops_rate(snap, previous ? &*previous : nullptr), view);
      previous = std::move(snap);
    } catch (const std::exception& e) {
      client.close();
      self = 0;
      view.notice = "!! " + failure_line(e, client.address()) + " (retrying)";
      if (previous) {
        lines = render_top(*previous, ops_rate(*previous, nullptr), view);
      } else {
        lines = {view.notice};
      }
    }
    if (screen) {
      screen->draw(lines);
    } else {
      write_stdout(frame_text(lines) + "\n");
    }
    g_resized = 0;
    if (wait_for_next(options.interval_s, screen && screen->reads_keys())) break;
  }
  return kExitOk;
}

}  // namespace procshare::cli
