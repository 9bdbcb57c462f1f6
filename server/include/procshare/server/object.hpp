#pragma once
// The base of every shared object. An object type knows nothing of sockets or
// RESP: it holds its state, offers an API in plain C++ types, and wakes its
// wait queues when its state changes. Command glue (the family's *_commands.cpp)
// parses arguments, calls that API and writes replies.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/server/fields.hpp"

namespace procshare::server {

enum class WaitStatus : std::uint8_t;
using ClientId = std::uint64_t;
class WaitQueue;
class WaitScheduler;

// enable_shared_from_this: a session books what a client holds by weak
// reference (Session::hold) without the command copying a shared_ptr.
class Object : public std::enable_shared_from_this<Object> {
 public:
  Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  virtual ~Object();

  // Elements held (1 for a value, 0 for the waiting types): DESCRIBE's `size`.
  virtual std::size_t size() const = 0;
  // The object's options in a canonical text with every default filled in, so
  // that CREATE ... EXISTOK can tell "same type and options" by comparing two.
  virtual std::string options_key() const { return {}; }
  // Type-specific DESCRIBE fields (options under their lower-case names, ...).
  virtual void describe(Fields& /*out*/) const {}
  // A client that held something here (a lock, permits) has gone: release it
  // and wake the next waiter. Called once per departed client that asked
  // Session::hold() for this object.
  virtual void client_gone(ClientId /*client*/) {}
  // Once after a restart has loaded every object from the log: whatever
  // belonged to clients of the former server is theirs no more.
  virtual void after_restart() {}

  // Number of clients parked in this object's wait queues.
  std::size_t waiters() const;
  // Ends every wait on this object with `status` (DEL: not_found; shutdown).
  void finish_waiters(WaitStatus status);

  // The scheduler that serves this object's wait queues (the engine attaches
  // every object it makes; a standalone object, in a unit test, is attached
  // by hand). Unattached, notify() only marks a queue.
  void attach(WaitScheduler& scheduler) { scheduler_ = &scheduler; }
  WaitScheduler* scheduler() const { return scheduler_; }

  // Set by the engine.
  std::string_view type_name() const { return type_name_; }
  const std::string& name() const { return name_; }
  bool anonymous() const { return anonymous_; }
  std::int64_t refs() const { return refs_; }
  // The part of refs() no connection owns (REF.INC name DETACHED): references
  // stored inside other objects' values, which outlive their writer.
  std::int64_t detached_refs() const { return detached_refs_; }

 private:
  friend class WaitQueue;
  friend class Engine;
  friend class ObjectRegistry;
  std::vector<WaitQueue*> wait_queues_;  // registered by WaitQueue's constructor
  WaitScheduler* scheduler_ = nullptr;
  std::string_view type_name_;
  std::string name_;
  bool anonymous_ = false;
  std::int64_t refs_ = 0;
  std::int64_t detached_refs_ = 0;
};

}  // namespace procshare::server
