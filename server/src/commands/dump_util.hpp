#pragma once
// Helpers for the types' TypeSpec::dump (the append-only log's snapshot):
// the commands that make an object again, with long contents split over
// several commands so that no record grows without bound.
#include <string>
#include <string_view>
#include <vector>

#include "procshare/server/type_spec.hpp"

namespace procshare::server::dump {

// Gathers arguments after a fixed head ("DICT.UPDATE name") and emits a
// command every `batch` arguments, and the rest on finish().
class Batch {
 public:
  Batch(const TypeSpec::Emit& emit, std::vector<std::string> head, std::size_t batch = 256)
      : emit_(emit), head_(std::move(head)), batch_(batch) {
    argv_ = head_;
  }
  ~Batch() { finish(); }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  void add(std::string_view arg) {
    argv_.emplace_back(arg);
    if (argv_.size() - head_.size() >= batch_) finish();
  }
  void finish() {
    if (argv_.size() > head_.size()) emit_(argv_);
    argv_ = head_;
  }

 private:
  const TypeSpec::Emit& emit_;
  std::vector<std::string> head_;
  std::size_t batch_;
  std::vector<std::string> argv_;
};

// CREATE type name option...
inline void create(const TypeSpec::Emit& emit, const Object& obj,
                   std::vector<std::string> options = {}) {
  std::vector<std::string> argv{"CREATE", std::string(obj.type_name()), obj.name()};
  argv.insert(argv.end(), std::make_move_iterator(options.begin()),
              std::make_move_iterator(options.end()));
  emit(argv);
}

}  // namespace procshare::server::dump
