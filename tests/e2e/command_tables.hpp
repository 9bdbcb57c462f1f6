#pragma once
// The transcripts of PROTOCOL.md §6, one table per type, replayed by
// object_commands_test.cpp (see transcript.hpp for the notation).
#include <string>
#include <vector>

#include "transcript.hpp"

namespace procshare::test {

struct Table {
  std::string name;
  std::vector<Step> steps;
};

// dict, set, list, namespace, value, array (data_type_tables.cpp).
std::vector<Table> data_type_tables();
// queue, joinablequeue, lock, rlock, semaphore(s), condition, event,
// barrier, and DEL of objects with waiters (waiting_type_tables.cpp).
std::vector<Table> waiting_type_tables();

}  // namespace procshare::test
