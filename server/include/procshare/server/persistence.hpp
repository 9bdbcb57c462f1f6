#pragma once
// The append-only log (docs/persistence.md): every write that changes a kept
// object is appended as the argv of a command that repeats it, before its
// reply is sent; a start-up runs the log again. Compaction writes a snapshot
// (the base: the commands that make the live objects) from a forked child
// while the parent goes on appending to a fresh incremental log; a manifest
// names the base and the incremental logs in order and is swapped
// atomically (Redis 7's multi-part AOF).
//
// Files in --dir: procshare.manifest, procshare.<n>.base.log,
// procshare.<n>.incr.log, procshare.lock (held while a server uses the dir).
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "procshare/server/fields.hpp"

namespace procshare::server {

class Engine;

class Persistence {
 public:
  explicit Persistence(Engine& engine);
  ~Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Reads the manifest and runs every log in it into the engine, cuts a torn
  // tail off the last one, then opens it for appending. Throws
  // std::runtime_error (damage, a directory in use, I/O errors).
  void start();

  // Appends a command record to the buffer.
  void append(std::span<const std::string_view> args);
  void append(std::span<const std::string> args);

  // The transport's side, once per connection and loop turn: replies may go
  // out only once every record appended so far is committed — written to the
  // file (with always, also fdatasync()ed). Rather than one write (and one
  // fdatasync) per connection, the first connection to wait posts commit()
  // behind the handlers already queued (the other ready connections, which
  // append their records first): one write and one sync per turn for all of
  // them, as Redis's beforeSleep. Per connection and command, a write cost
  // 0.6x the in-memory rate and an fdatasync 25x Redis's throughput.
  //
  // Reserves fencing tokens, client ids and delivery ids ahead if this turn
  // handed out some past the reservation, then returns the mark the replies
  // wait for: they may go when committed() reaches it.
  std::uint64_t commit_mark() {
    if (marks_due()) [[unlikely]]
      reserve_marks();
    return appended();
  }
  std::uint64_t committed() const { return committed_; }
  // True once per pending commit: the caller posts commit().
  bool claim_commit() { return !commit_posted_ && (commit_posted_ = true); }
  // Writes the buffer (with always, and syncs it) now; also at start-up.
  void commit();

  // BGREWRITEAOF / BGSAVE (background true) and SAVE. Returns an error
  // message, empty when it started (or, for SAVE, finished).
  std::string rewrite(bool background);
  // Called about ten times a second: reaps a finished rewrite child.
  void cron();
  bool rewriting() const { return child_ > 0; }
  std::int64_t last_save() const { return last_save_; }
  void info(Fields& f) const;
  const std::string& fsync_policy() const { return policy_; }

 private:
  struct Manifest {
    std::string base;                // file name, empty: none
    std::vector<std::string> incrs;  // in order; the last is the one appended to
    std::uint64_t seq = 0;           // the highest <n> in use
  };
  std::string path(std::string_view name) const;
  bool read_manifest(Manifest& m) const;
  void write_manifest(const Manifest& m) const;
  void replay_file(const std::string& name, bool last);
  void open_incr(const std::string& name, bool fresh);
  std::string header_record(std::string_view role) const;
  std::string marks_record() const;
  void reserve_marks();
  bool marks_due() const;
  // Bytes of records so far: written, and buffered to write.
  std::uint64_t appended() const { return written_ + buffer_.size(); }
  void sync();
  void write_buffer();
  bool write_all(int fd, std::string_view data);
  std::string write_base(const std::string& tmp_path);  // error text or ""
  void finish_rewrite(bool ok);
  void fsync_loop();

  Engine& engine_;
  std::string dir_;
  std::string policy_;
  int lock_fd_ = -1;
  Manifest manifest_;
  std::string buffer_;
  std::int64_t reserved_tokens_ = 0;
  std::uint64_t reserved_clients_ = 0;
  std::int64_t reserved_deliveries_ = 0;  // queue delivery ids
  std::uint64_t reserved_anonymous_ = 0;  // "anon:<n>" names
  bool sync_marks_ = false;               // a reservation must reach the disk before the reply
  bool always_ = false;                   // appendfsync always
  std::uint64_t written_ = 0;             // bytes written to the log files
  std::uint64_t synced_ = 0;              // of which fdatasync()ed
  // Bytes up to which replies may go out: written (and with always synced),
  // or given up on after a write error (logged; as Redis with everysec).
  std::uint64_t committed_ = 0;
  bool commit_posted_ = false;
  bool write_ok_ = true;
  std::size_t incr_size_ = 0;
  std::size_t base_size_ = 0;
  // The rewrite in progress.
  pid_t child_ = -1;
  std::uint64_t child_seq_ = 0;
  std::int64_t rewrite_started_ = 0;  // unix seconds
  std::int64_t last_rewrite_secs_ = -1;
  std::string last_rewrite_status_ = "ok";
  std::int64_t last_save_ = 0;
  std::uint64_t rewrites_ = 0;
  // everysec: a thread syncs the file the loop writes.
  std::mutex fd_mutex_;
  int fd_ = -1;
  std::atomic<bool> dirty_{false};
  std::atomic<std::int64_t> last_fsync_us_{0};
  std::thread syncer_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace procshare::server
