#include "load_loop.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "reply_scanner.hpp"

namespace procshare::bench {

namespace {

using Clock = std::chrono::steady_clock;

// A connection that saw no reply for this long is taken as stuck: the run is
// bounded even against a server that stops answering.
constexpr std::chrono::seconds kStallLimit{10};
constexpr std::size_t kReadRoom = 64 * 1024;

std::uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// xorshift64*: fast, and good enough to spread keys.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
};

// SSL_read/SSL_write with read()/send()'s contract: bytes, 0 at the end
// of the stream, or -1 with errno (EAGAIN when TLS must wait for the socket).
ssize_t tls_io(SSL* ssl, bool write, char* data, std::size_t size) {
  ERR_clear_error();
  std::size_t n = 0;
  const int r = write ? SSL_write_ex(ssl, data, size, &n) : SSL_read_ex(ssl, data, size, &n);
  if (r == 1) return static_cast<ssize_t>(n);
  switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      if (errno == 0) return 0;
      return -1;
    default:
      ERR_clear_error();
      errno = EPROTO;
      return -1;
  }
}

struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;  // TLS: reads and writes go through OpenSSL
  const Role* role = nullptr;
  std::uint64_t pos = 0;   // commands of the role's cycle sent so far
  std::uint64_t draw = 0;  // key number of the current unit
  std::string out;
  std::size_t out_at = 0;
  std::unique_ptr<char[]> in;
  std::size_t in_cap = 0;
  std::size_t in_len = 0;
  std::size_t owed = 0;  // replies still expected for the batch in flight
  std::uint64_t sent_ns = 0;
  bool polling_out = false;
  bool done = false;
};

class Loop {
 public:
  Loop(const LoadPlan& plan, const std::vector<LoadConnection>& conns)
      : plan_(plan), w_(*plan.workload), rng_{plan.seed | 1} {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    conns_.resize(conns.size());
    active_ = conns_.size();
    for (std::size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns_[i];
      c.fd = conns[i].fd;
      c.ssl = static_cast<SSL*>(conns[i].tls);
      c.role = &w_.roles.at(conns[i].role);
      c.in_cap = kReadRoom;
      c.in.reset(new char[c.in_cap]);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    }
  }
  ~Loop() { ::close(ep_); }

  LoadResult run() {
    for (Conn& c : conns_) {
      if (!result_.failure.empty()) break;
      send_batch(c);
    }
    std::uint64_t last_progress = now_ns();
    epoll_event evs[256];
    while (active_ > 0 && result_.failure.empty()) {
      const int n = epoll_wait(ep_, evs, 256, 200);
      if (n < 0 && errno != EINTR) {
        result_.failure = std::string("epoll_wait: ") + std::strerror(errno);
        break;
      }
      const std::uint64_t t = now_ns();
      if (n <= 0) {
        if (t - last_progress > static_cast<std::uint64_t>(kStallLimit.count()) * 1000000000ull) {
          result_.failure = "no reply for 10 s: the server stalled";
        }
        continue;
      }
      last_progress = t;
      for (int k = 0; k < n; ++k) {
        Conn& c = conns_[evs[k].data.u64];
        if (c.done) continue;
        if (evs[k].events & EPOLLOUT) write_out(c);
        if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          read_in(c, t);
          // Decrypted bytes OpenSSL holds back do not make the socket readable.
          while (c.ssl && SSL_pending(c.ssl) > 0 && result_.failure.empty()) read_in(c, t);
        }
      }
      if (plan_.progress) plan_.progress->store(result_.replies, std::memory_order_relaxed);
    }
    // After a failure, consumers still counted would keep other threads'
    // producers going forever.
    for (Conn& c : conns_) {
      if (!c.done && is_consumer(c) && plan_.consumers_active) plan_.consumers_active->fetch_sub(1);
    }
    return std::move(result_);
  }

 private:
  bool is_producer(const Conn& c) const { return w_.roles.size() > 1 && c.role == &w_.roles[0]; }
  bool is_consumer(const Conn& c) const { return w_.roles.size() > 1 && c.role == &w_.roles[1]; }

  // Whether connection `c` may start a new unit of work now.
  bool may_start(const Conn& c) const {
    if (plan_.stop && plan_.stop->load(std::memory_order_relaxed)) return false;
    if (is_producer(c) && plan_.consumers_active &&
        plan_.consumers_active->load(std::memory_order_relaxed) > 0) {
      return true;  // feed the consumers until every one has finished
    }
    if (plan_.budget) return issued_ < plan_.budget;
    return Clock::now() < plan_.deadline;
  }

  void send_batch(Conn& c) {
    const std::size_t unit = c.role->unit;
    const std::size_t mid = static_cast<std::size_t>(c.pos % unit);
    std::size_t n;
    if (!may_start(c)) {
      n = mid ? unit - mid : 0;  // never leave a lock held or a pair half done
    } else {
      n = plan_.pipeline;
      if (plan_.budget)
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, plan_.budget - issued_));
    }
    if (n == 0) {
      c.done = true;
      if (is_consumer(c) && plan_.consumers_active) plan_.consumers_active->fetch_sub(1);
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      --active_;
      return;
    }
    c.out.clear();
    c.out_at = 0;
    const auto& cycle = c.role->cycle;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t idx = static_cast<std::size_t>(c.pos % cycle.size());
      if (c.pos % unit == 0) c.draw = rng_.next() % w_.keyspace;
      const CommandTemplate& tmpl = cycle[idx];
      const std::size_t at = c.out.size();
      c.out.append(tmpl.bytes);
      for (std::size_t slot : tmpl.slots) write_key_digits(c.out.data() + at + slot, c.draw);
      ++c.pos;
    }
    issued_ += n;
    c.owed = n;
    c.sent_ns = now_ns();
    write_out(c);
  }

  void write_out(Conn& c) {
    while (c.out_at < c.out.size()) {
      const ssize_t w =
          c.ssl ? tls_io(c.ssl, true, c.out.data() + c.out_at, c.out.size() - c.out_at)
                : ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          set_polling_out(c, true);
          return;
        }
        result_.failure = std::string("write: ") + std::strerror(errno);
        return;
      }
      c.out_at += static_cast<std::size_t>(w);
    }
    set_polling_out(c, false);
  }

  void set_polling_out(Conn& c, bool on) {
    if (c.polling_out == on) return;
    c.polling_out = on;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void read_in(Conn& c, std::uint64_t t) {
    if (c.in_cap - c.in_len < kReadRoom / 4) {
      // A reply bigger than the buffer: grow it (set-up-sized replies only).
      std::unique_ptr<char[]> bigger(new char[c.in_cap * 2]);
      std::memcpy(bigger.get(), c.in.get(), c.in_len);
      c.in = std::move(bigger);
      c.in_cap *= 2;
    }
    const ssize_t r = c.ssl ? tls_io(c.ssl, false, c.in.get() + c.in_len, c.in_cap - c.in_len)
                            : ::read(c.fd, c.in.get() + c.in_len, c.in_cap - c.in_len);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
      result_.failure =
          r == 0 ? "the server closed a connection" : std::string("read: ") + std::strerror(errno);
      return;
    }
    c.in_len += static_cast<std::size_t>(r);
    std::size_t at = 0, got = 0;
    while (at < c.in_len) {
      const ScannedReply s = scan_reply({c.in.get() + at, c.in_len - at});
      if (s.malformed) {
        result_.failure = "malformed reply";
        return;
      }
      if (s.size == 0) break;
      if (s.kind == ReplyKind::error) {
        if (result_.errors++ == 0) {
          std::string_view line(c.in.get() + at, s.size);
          result_.first_error = std::string(line.substr(0, line.find('\r')));
        }
      } else if (s.kind == ReplyKind::null) {
        ++result_.nulls;
      }
      at += s.size;
      ++got;
    }
    if (at > 0) {
      std::memmove(c.in.get(), c.in.get() + at, c.in_len - at);
      c.in_len -= at;
    }
    if (got == 0) return;
    if (got > c.owed) {
      result_.failure = "more replies than requests";
      return;
    }
    result_.latency.record_n(t - c.sent_ns, got);
    result_.replies += got;
    c.owed -= got;
    if (c.owed == 0) send_batch(c);
  }

  const LoadPlan& plan_;
  const Workload& w_;
  Rng rng_;
  int ep_ = -1;
  std::vector<Conn> conns_;
  std::size_t active_ = 0;
  std::uint64_t issued_ = 0;
  LoadResult result_;
};

}  // namespace

LoadResult run_load(const LoadPlan& plan, const std::vector<LoadConnection>& conns) {
  Loop loop(plan, conns);
  return loop.run();
}

}  // namespace procshare::bench
