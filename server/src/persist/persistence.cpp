#include "procshare/server/persistence.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "procshare/server/engine.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/log_format.hpp"
#include "procshare/server/text.hpp"

namespace procshare::server {

namespace {

constexpr std::string_view kManifest = "procshare.manifest";
constexpr std::string_view kManifestMagic = "procshare-manifest 1";
// Fencing tokens, client ids, delivery ids and anonymous names are reserved
// this far ahead of the last one handed out, in a record synced before the
// reply that shows one: after a restart each continues above the
// reservation, so none is ever reused.
constexpr std::int64_t kReserveAhead = 1000;

std::runtime_error io_error(std::string_view what, const std::string& path) {
  return std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t micros_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

bool read_file(const std::string& p, std::string& out) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::uint64_t seq_of(std::string_view name) {
  // procshare.<n>.base.log / procshare.<n>.incr.log
  auto first = name.find('.');
  auto second = name.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return 0;
  auto v = text::to_int(name.substr(first + 1, second - first - 1));
  return v && *v > 0 ? static_cast<std::uint64_t>(*v) : 0;
}

std::string incr_name(std::uint64_t seq) {
  return fmt::format("procshare.{}.incr.log", seq);
}
std::string base_name(std::uint64_t seq) {
  return fmt::format("procshare.{}.base.log", seq);
}

}  // namespace

Persistence::Persistence(Engine& engine)
    : engine_(engine),
      dir_(engine.config().dir),
      policy_(engine.config().appendfsync),
      always_(policy_ == "always") {}

Persistence::~Persistence() {
  {
    std::lock_guard lk(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
  }
  if (fd_ >= 0) {
    write_buffer();
    ::fdatasync(fd_);
    ::close(fd_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string Persistence::path(std::string_view name) const {
  return fmt::format("{}/{}", dir_, name);
}

bool Persistence::read_manifest(Manifest& m) const {
  std::string text;
  if (!read_file(path(kManifest), text)) return false;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    if (first) {
      if (line != kManifestMagic) {
        throw std::runtime_error(fmt::format("{}: not a procshare manifest", path(kManifest)));
      }
      first = false;
      continue;
    }
    auto sp = line.find(' ');
    std::string_view kind = line.substr(0, sp);
    std::string name(sp == std::string_view::npos ? "" : line.substr(sp + 1));
    if (name.empty() || name.find('/') != std::string::npos || (kind != "base" && kind != "incr")) {
      throw std::runtime_error(
          fmt::format("{}: bad line '{}'", path(kManifest), text::printable(line)));
    }
    if (kind == "base") {
      m.base = name;
    } else {
      m.incrs.push_back(name);
    }
    m.seq = std::max(m.seq, seq_of(name));
  }
  if (first) throw std::runtime_error(fmt::format("{}: empty manifest", path(kManifest)));
  return true;
}

void Persistence::write_manifest(const Manifest& m) const {
  std::string text(kManifestMagic);
  text += '\n';
  if (!m.base.empty()) text += fmt::format("base {}\n", m.base);
  for (const auto& i : m.incrs) text += fmt::format("incr {}\n", i);
  const std::string tmp = path("procshare.manifest.tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw io_error("cannot write", tmp);
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw io_error("cannot write", tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path(kManifest).c_str()) != 0) throw io_error("cannot rename", tmp);
  sync_dir(dir_);
}

std::string Persistence::header_record(std::string_view role) const {
  std::string out;
  std::string_view args[] = {logfmt::kMagic, logfmt::kVersion, role};
  logfmt::append_record(out, logfmt::Kind::header, args);
  return out;
}

std::string Persistence::marks_record() const {
  std::string out;
  const std::string t = std::to_string(reserved_tokens_);
  const std::string c = std::to_string(reserved_clients_);
  const std::string d = std::to_string(reserved_deliveries_);
  const std::string a = std::to_string(reserved_anonymous_);
  std::string_view args[] = {"tokens", t, "clients", c, "deliveries", d, "anonymous", a};
  logfmt::append_record(out, logfmt::Kind::marks, args);
  return out;
}

void Persistence::start() {
  ::mkdir(dir_.c_str(), 0700);  // made if missing (private, as the socket); errors show below
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw io_error("--dir", dir_);
  if (char* real = ::realpath(dir_.c_str(), nullptr)) {
    dir_ = real;
    ::free(real);
  }
  // One server per directory: two appending to the same log would ruin it.
  const std::string lock_path = path("procshare.lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw io_error("cannot open", lock_path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error(
        fmt::format("--dir {}: another procshare-server is using this directory", dir_));
  }

  Manifest m;
  const bool existing = read_manifest(m);
  const auto began = std::chrono::steady_clock::now();
  if (existing) {
    if (!m.base.empty()) replay_file(m.base, false);
    for (std::size_t i = 0; i < m.incrs.size(); ++i) {
      replay_file(m.incrs[i], i + 1 == m.incrs.size());
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - began)
                        .count();
    log::notice("persistence: loaded {} objects from {} in {} ms", engine_.objects().size(), dir_,
                ms);
  }
  // Tokens and client ids go on above everything reserved before.
  engine_.continue_after(reserved_tokens_, reserved_clients_, reserved_deliveries_);
  engine_.objects().continue_anonymous_after(reserved_anonymous_);
  if (!existing || m.incrs.empty()) {
    m.seq += 1;
    m.incrs.push_back(incr_name(m.seq));
    open_incr(m.incrs.back(), true);
    write_manifest(m);
  } else {
    open_incr(m.incrs.back(), false);
  }
  manifest_ = m;
  struct stat bs {};
  if (!m.base.empty() && ::stat(path(m.base).c_str(), &bs) == 0) {
    base_size_ = static_cast<std::size_t>(bs.st_size);
    last_save_ = static_cast<std::int64_t>(bs.st_mtime);
  }
  reserve_marks();
  write_buffer();
  if (policy_ == "everysec") syncer_ = std::thread([this] { fsync_loop(); });
}

void Persistence::replay_file(const std::string& name, bool last) {
  const std::string p = path(name);
  std::string data;
  if (!read_file(p, data)) throw io_error("cannot read", p);
  logfmt::Reader reader(data);
  logfmt::Record r;
  bool first = true;
  std::size_t commands = 0;
  for (;;) {
    logfmt::Status s = reader.next(r);
    if (s == logfmt::Status::end) break;
    if (s == logfmt::Status::torn && last) {
      // The server died while writing its last record: that write was never
      // acknowledged, so cutting it off loses nothing a client was told of.
      const std::size_t cut = data.size() - reader.offset();
      if (::truncate(p.c_str(), static_cast<off_t>(reader.offset())) != 0) {
        throw io_error("cannot truncate", p);
      }
      log::warning("persistence: {} ended in a torn record at offset {} ({}): cut off {} bytes", p,
                   reader.offset(), reader.error(), cut);
      break;
    }
    if (s != logfmt::Status::ok) {
      throw std::runtime_error(fmt::format(
          "{} is damaged at offset {} ({}); refusing to start. procshare-check-log {} tells "
          "more; --fix cuts the log there (losing what follows)",
          p, reader.offset(), reader.error(), p));
    }
    if (first) {
      if (r.kind != logfmt::Kind::header || r.args.size() < 2 || r.args[0] != logfmt::kMagic) {
        throw std::runtime_error(fmt::format("{}: not a procshare log", p));
      }
      if (r.args[1] != logfmt::kVersion) {
        throw std::runtime_error(
            fmt::format("{}: log format version {} is not supported (this server writes {})", p,
                        text::printable(r.args[1]), logfmt::kVersion));
      }
      first = false;
      continue;
    }
    switch (r.kind) {
      case logfmt::Kind::command:
        engine_.replay(r.args);
        ++commands;
        break;
      case logfmt::Kind::marks:
        for (std::size_t i = 0; i + 1 < r.args.size(); i += 2) {
          auto v = text::to_int(r.args[i + 1]);
          if (!v) continue;
          if (r.args[i] == "tokens") reserved_tokens_ = std::max(reserved_tokens_, *v);
          if (r.args[i] == "deliveries") {
            reserved_deliveries_ = std::max(reserved_deliveries_, *v);
          }
          if (r.args[i] == "anonymous") {
            reserved_anonymous_ = std::max(reserved_anonymous_, static_cast<std::uint64_t>(*v));
          }
          if (r.args[i] == "clients") {
            reserved_clients_ = std::max(reserved_clients_, static_cast<std::uint64_t>(*v));
          }
        }
        break;
      case logfmt::Kind::header:
        break;
    }
  }
  log::verbose("persistence: ran {} commands from {}", commands, p);
}

void Persistence::open_incr(const std::string& name, bool fresh) {
  const std::string p = path(name);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw io_error("cannot open", p);
  struct stat st {};
  ::fstat(fd, &st);
  if (fresh || st.st_size == 0) {
    std::string h = header_record("incr");
    if (!write_all(fd, h)) {
      ::close(fd);
      throw io_error("cannot write", p);
    }
    ::fdatasync(fd);
    incr_size_ = h.size();
  } else {
    incr_size_ = static_cast<std::size_t>(st.st_size);
  }
  std::lock_guard lk(fd_mutex_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void Persistence::append(std::span<const std::string_view> args) {
  logfmt::append_record(buffer_, logfmt::Kind::command, args);
}

void Persistence::append(std::span<const std::string> args) {
  logfmt::append_record(buffer_, logfmt::Kind::command, args);
}

void Persistence::reserve_marks() {
  reserved_tokens_ = engine_.fencing_tokens() + kReserveAhead;
  reserved_clients_ = engine_.last_client_id() + kReserveAhead;
  reserved_deliveries_ = engine_.delivery_ids() + kReserveAhead;
  reserved_anonymous_ = engine_.objects().anonymous_issued() + kReserveAhead;
  buffer_ += marks_record();
  sync_marks_ = true;
}

bool Persistence::marks_due() const {
  return engine_.fencing_tokens() > reserved_tokens_ ||
         engine_.last_client_id() > reserved_clients_ ||
         engine_.delivery_ids() > reserved_deliveries_ ||
         engine_.objects().anonymous_issued() > reserved_anonymous_;
}

void Persistence::commit() {
  commit_posted_ = false;
  const std::uint64_t mark = commit_mark();
  if (!buffer_.empty()) write_buffer();
  if (always_) sync();
  committed_ = std::max(committed_, mark);
}

bool Persistence::write_all(int fd, std::string_view data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

void Persistence::write_buffer() {
  if (buffer_.empty() || fd_ < 0) return;
  if (!write_all(fd_, buffer_)) {
    // Kept for the next try; the replies go out (as Redis does with
    // everysec; with always Redis refuses writes, which this does not yet).
    if (write_ok_) log::warning("persistence: cannot write the log: {}", std::strerror(errno));
    write_ok_ = false;
    return;
  }
  if (!write_ok_) log::notice("persistence: the log is written again");
  write_ok_ = true;
  incr_size_ += buffer_.size();
  written_ += buffer_.size();
  buffer_.clear();
  if (sync_marks_) {
    sync();
    sync_marks_ = false;
  } else if (!always_) {
    dirty_.store(true, std::memory_order_relaxed);
  }  // always: commit() syncs, once per loop turn
  if (buffer_.capacity() > (1u << 20)) buffer_.shrink_to_fit();
}

void Persistence::sync() {
  if (synced_ == written_) return;
  if (fd_ >= 0) ::fdatasync(fd_);
  synced_ = written_;
}

void Persistence::fsync_loop() {
  std::unique_lock lk(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lk, std::chrono::seconds(1));
    if (stopping_) break;
    if (!dirty_.exchange(false)) continue;
    lk.unlock();
    {
      std::lock_guard fl(fd_mutex_);
      if (fd_ >= 0) ::fdatasync(fd_);
    }
    last_fsync_us_.store(micros_now());
    lk.lock();
  }
}

std::string Persistence::write_base(const std::string& tmp_path) {
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("cannot open {}: {}", tmp_path, std::strerror(errno));
  std::string out = header_record("base");
  out += marks_record();
  bool ok = true;
  auto emit = [&](std::span<const std::string> args) {
    logfmt::append_record(out, logfmt::Kind::command, args);
    if (out.size() >= (1u << 20)) {
      ok = ok && write_all(fd, out);
      out.clear();
    }
  };
  // Conditions last: one over a named lock makes that lock if it is missing.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [name, obj] : engine_.objects().all()) {
      if (obj->anonymous() || (obj->type_name() == "condition") != (pass == 1)) continue;
      const TypeSpec* spec = engine_.find_type(obj->type_name());
      if (!spec || !spec->dump) continue;
      spec->dump(*obj, emit);
    }
  }
  ok = ok && write_all(fd, out);
  ok = ok && ::fsync(fd) == 0;
  std::string error = ok ? "" : fmt::format("cannot write {}: {}", tmp_path, std::strerror(errno));
  ::close(fd);
  return error;
}

std::string Persistence::rewrite(bool background) {
  if (child_ > 0) return "Background append only file rewriting already in progress";
  // Everything so far goes to the current incremental log; what comes next
  // goes to a fresh one, which the new base will be followed by.
  write_buffer();
  sync();
  Manifest next = manifest_;
  const std::uint64_t seq = next.seq + 1;
  try {
    next.incrs.push_back(incr_name(seq));
    next.seq = seq;
    open_incr(next.incrs.back(), true);
    write_manifest(next);
  } catch (const std::exception& e) {
    return e.what();
  }
  manifest_ = next;
  child_seq_ = seq;
  rewrite_started_ = unix_now();
  const std::string tmp = path(base_name(seq) + ".tmp");
  if (!background) {
    std::string error = write_base(tmp);
    finish_rewrite(error.empty());
    return error;
  }
  pid_t pid = ::fork();
  if (pid < 0) return fmt::format("fork failed: {}", std::strerror(errno));
  if (pid == 0) {
    // The child: the objects as they were at the fork, written out.
    std::string error = write_base(tmp);
    ::_exit(error.empty() ? 0 : 1);
  }
  child_ = pid;
  log::notice("persistence: rewriting the log in the background (pid {})", pid);
  return {};
}

void Persistence::cron() {
  // Records no reply waits for (a lease or a connection that ended, a wait
  // that timed out) reach the file within a tick.
  if (committed_ < appended()) commit();
  if (child_ <= 0) return;
  int status = 0;
  pid_t r = ::waitpid(child_, &status, WNOHANG);
  if (r == 0) return;
  child_ = -1;
  const bool ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  finish_rewrite(ok);
}

void Persistence::finish_rewrite(bool ok) {
  last_rewrite_secs_ = unix_now() - rewrite_started_;
  ++rewrites_;
  const std::string base = base_name(child_seq_);
  const std::string tmp = path(base + ".tmp");
  if (!ok) {
    last_rewrite_status_ = "err";
    ::unlink(tmp.c_str());
    log::warning("persistence: the log rewrite failed; the old files stay in use");
    return;
  }
  if (::rename(tmp.c_str(), path(base).c_str()) != 0) {
    last_rewrite_status_ = "err";
    log::warning("persistence: cannot rename {}: {}", tmp, std::strerror(errno));
    return;
  }
  Manifest next;
  next.base = base;
  next.seq = manifest_.seq;
  // The incremental logs from the one the rewrite started on.
  const std::string first = incr_name(child_seq_);
  bool keep = false;
  for (const auto& i : manifest_.incrs) {
    keep = keep || i == first;
    if (keep) next.incrs.push_back(i);
  }
  try {
    write_manifest(next);
  } catch (const std::exception& e) {
    last_rewrite_status_ = "err";
    log::warning("persistence: {}", e.what());
    return;
  }
  // Only now are the old files no longer needed. Unlinked off the loop:
  // freeing a large file's blocks can take the file system many ms.
  std::vector<std::string> old;
  if (!manifest_.base.empty() && manifest_.base != base) old.push_back(path(manifest_.base));
  for (const auto& i : manifest_.incrs) {
    if (std::find(next.incrs.begin(), next.incrs.end(), i) == next.incrs.end()) {
      old.push_back(path(i));
    }
  }
  if (!old.empty()) {
    std::thread([old = std::move(old)] {
      for (const auto& f : old) ::unlink(f.c_str());
    }).detach();
  }
  manifest_ = next;
  struct stat st {};
  base_size_ = ::stat(path(base).c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
  last_rewrite_status_ = "ok";
  last_save_ = unix_now();
  log::notice("persistence: the log was rewritten ({} bytes of base)", base_size_);
}

void Persistence::info(Fields& f) const {
  f.add("loading", FieldValue(std::int64_t{0}));
  f.add("aof_enabled", FieldValue(std::int64_t{1}));
  f.add("aof_fsync", policy_);
  f.add("aof_dir", dir_);
  f.add("aof_rewrite_in_progress", FieldValue(static_cast<std::int64_t>(child_ > 0)));
  f.add("aof_rewrites", FieldValue(static_cast<std::int64_t>(rewrites_)));
  f.add("aof_last_rewrite_time_sec", FieldValue(last_rewrite_secs_));
  f.add("aof_current_rewrite_time_sec",
        FieldValue(child_ > 0 ? unix_now() - rewrite_started_ : std::int64_t{-1}));
  f.add("aof_last_bgrewrite_status", last_rewrite_status_);
  f.add("aof_last_write_status", write_ok_ ? "ok" : "err");
  f.add("aof_current_size", FieldValue(static_cast<std::int64_t>(base_size_ + incr_size_)));
  f.add("aof_base_size", FieldValue(static_cast<std::int64_t>(base_size_)));
  f.add("aof_buffer_length", FieldValue(static_cast<std::int64_t>(buffer_.size())));
  f.add("aof_incr_files", FieldValue(static_cast<std::int64_t>(manifest_.incrs.size())));
  f.add("rdb_bgsave_in_progress", FieldValue(static_cast<std::int64_t>(child_ > 0)));
  f.add("rdb_last_save_time", FieldValue(last_save_));
  f.add("rdb_last_bgsave_status", last_rewrite_status_);
}

}  // namespace procshare::server
