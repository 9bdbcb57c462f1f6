#include "procshare/server/builtins.hpp"

#include "procshare/server/engine.hpp"

namespace procshare::server {

void register_builtins(Engine& e) {
  register_object_commands(e);
  register_server_commands(e);
  register_auth_commands(e);
  register_dict_type(e);
  register_list_type(e);
  register_set_type(e);
  register_namespace_type(e);
  register_value_type(e);
  register_array_type(e);
  register_queue_types(e);
  register_lock_types(e);
  register_semaphore_types(e);
  register_condition_type(e);
  register_event_type(e);
  register_barrier_type(e);
  register_redis_commands(e);
  register_persistence_commands(e);
}

}  // namespace procshare::server
