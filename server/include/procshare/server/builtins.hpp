#pragma once
// Registration functions of the built-in families. Each lives in its own
// *_commands.cpp and uses only the public registration API of Engine.
namespace procshare::server {

class Engine;

void register_dict_type(Engine& e);        // dict
void register_list_type(Engine& e);        // list
void register_set_type(Engine& e);         // set
void register_namespace_type(Engine& e);   // namespace
void register_value_type(Engine& e);       // value
void register_array_type(Engine& e);       // array
void register_queue_types(Engine& e);      // queue, joinablequeue
void register_lock_types(Engine& e);       // lock, rlock
void register_semaphore_types(Engine& e);  // semaphore, boundedsemaphore
void register_condition_type(Engine& e);   // condition
void register_event_type(Engine& e);       // event
void register_barrier_type(Engine& e);     // barrier

void register_object_commands(Engine& e);  // CREATE DEL EXISTS TYPE OBJECTS DESCRIBE REF.* METHODS
void register_server_commands(Engine& e);  // PING ECHO QUIT HELLO CLIENT INFO SHUTDOWN COMMAND ...
void register_auth_commands(Engine& e);    // AUTH AUTH.CHALLENGE AUTH.PROVE
void register_redis_commands(Engine& e);
void register_persistence_commands(
    Engine& e);  // BGREWRITEAOF BGSAVE SAVE LASTSAVE   // the Redis-compatible commands (issue 7)

}  // namespace procshare::server
