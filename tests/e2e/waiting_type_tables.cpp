// PROTOCOL.md §6 waiting types over real sockets: every command with its
// replies and errors, waits across connections (a row on connection N that
// "blocks" is answered later), TIMEOUT / NOWAIT, disconnects that release what
// a client held or break a barrier, and DEL waking waiters with -NOTFOUND.
#include "command_tables.hpp"

namespace procshare::test {

namespace {

Table queue_table() {
  return {"Queue",
          {
              {"CREATE queue q MAXSIZE 2", "+OK"},
              {"QUEUE.EMPTY q", ":1"},
              {"QUEUE.PUT q a", "+OK"},
              {"QUEUE.PUT q b", "+OK"},
              {"QUEUE.FULL q", ":1"},
              {"QUEUE.EMPTY q", ":0"},
              {"QUEUE.SIZE q", ":2"},
              {"QUEUE.PUT q c NOWAIT", "-FULL"},
              {"QUEUE.PUT q c TIMEOUT 0", "-FULL"},
              {"QUEUE.PUT q c TIMEOUT 0.05", "-FULL"},
              {"QUEUE.SIZE q", ":2"},
              {"QUEUE.GET q", "$a"},
              {"QUEUE.GET q NOWAIT", "$b"},
              {"QUEUE.FULL q", ":0"},
              {"QUEUE.GET q NOWAIT", "-EMPTY"},
              {"QUEUE.GET q TIMEOUT 0", "-EMPTY"},
              {"QUEUE.GET q TIMEOUT 0.05", "-EMPTY"},
              {"QUEUE.GET q TIMEOUT x", "-ERR"},
              {"QUEUE.GET q TIMEOUT -1", "-ERR"},
              {"QUEUE.GET q TIMEOUT", "-ERR"},
              {"QUEUE.GET q BOGUS", "-ERR"},
              {"QUEUE.GET q NOWAIT TIMEOUT 1", "-ERR"},
              {"QUEUE.PUT q", "-ERR"},
              {"QUEUE.SIZE q x", "-ERR"},
              // a parked getter gets the next item; a parked putter gets in
              {"QUEUE.GET q", "blocks", 1},
              {"QUEUE.GET q TIMEOUT 30", "blocks", 2},
              {"QUEUE.PUT q x", "+OK"},
              {"", "$x", 1},
              {"QUEUE.PUT q y", "+OK"},
              {"", "$y", 2},
              {"QUEUE.PUT q 1", "+OK"},
              {"QUEUE.PUT q 2", "+OK"},
              {"QUEUE.PUT q 3", "blocks", 1},
              {"QUEUE.SIZE q", ":2"},
              {"QUEUE.GET q", "$1"},
              {"", "+OK", 1},
              {"QUEUE.GET q", "$2"},
              {"QUEUE.GET q", "$3"},
              {"QUEUE.TASKDONE q", "-WRONGTYPE"},
              {"QUEUE.JOIN q", "-WRONGTYPE"},
              // LIFO
              {"CREATE queue lq LIFO", "+OK"},
              {"QUEUE.PUT lq 1", "+OK"},
              {"QUEUE.PUT lq 2", "+OK"},
              {"QUEUE.PUT lq 3", "+OK"},
              {"QUEUE.FULL lq", ":0"},
              {"QUEUE.GET lq", "$3"},
              {"QUEUE.GET lq", "$2"},
              {"CREATE queue bad MAXSIZE x", "-ERR"},
              {"CREATE queue bad BOGUS", "-ERR"},
              {"CREATE joinablequeue bad LIFO", "-ERR"},
              {"EXISTS bad", ":0"},
              {"QUEUE.SIZE nosuch", "-NOTFOUND"},
              {"HELLO 3", "%..."},
              {"QUEUE.EMPTY q", "#t"},
              {"QUEUE.FULL q", "#f"},
              {"QUEUE.GET q NOWAIT", "-EMPTY"},
              {"QUEUE.GET q TIMEOUT 0.01", "-EMPTY"},
          }};
}

Table joinable_table() {
  return {"JoinableQueue",
          {
              {"CREATE joinablequeue j", "+OK"},
              {"QUEUE.JOIN j", ":1"},
              {"QUEUE.TASKDONE j", "-VALUEERROR"},
              {"QUEUE.PUT j a", "+OK"},
              {"QUEUE.PUT j b", "+OK"},
              {"QUEUE.JOIN j TIMEOUT 0", ":0"},
              {"QUEUE.JOIN j TIMEOUT 0.05", ":0"},
              {"QUEUE.JOIN j NOWAIT", "-ERR"},
              {"QUEUE.TASKDONE j x", "-ERR"},
              {"QUEUE.GET j", "$a"},
              {"QUEUE.JOIN j", "blocks", 1},
              {"QUEUE.TASKDONE j", "+OK"},
              {"?blocked_clients", ":1"},
              {"QUEUE.GET j", "$b"},
              {"QUEUE.TASKDONE j", "+OK"},
              {"", ":1", 1},
              {"QUEUE.TASKDONE j", "-VALUEERROR"},
              {"QUEUE.JOIN j", ":1"},
              {"CREATE joinablequeue jm MAXSIZE 1", "+OK"},
              {"QUEUE.PUT jm a", "+OK"},
              {"QUEUE.PUT jm b NOWAIT", "-FULL"},
              {"QUEUE.FULL jm", ":1"},
          }};
}

Table lock_table() {
  return {"Lock",
          {
              {"LOCK.ACQUIRE l", ":1"},
              {"LOCK.LOCKED l", ":1"},
              {"LOCK.ACQUIRE l NOWAIT", ":0", 1},
              {"LOCK.ACQUIRE l TIMEOUT 0", ":0", 1},
              {"LOCK.ACQUIRE l TIMEOUT 0.05", ":0", 1},
              {"LOCK.ACQUIRE l TIMEOUT 0.05", ":0"},  // not reentrant: its owner waits too
              {"LOCK.ACQUIRE l", "blocks", 1},
              {"LOCK.RELEASE l", "+OK"},
              {"", ":2", 1},
              {"LOCK.RELEASE l", "+OK", 2},  // any client may release a lock
              {"LOCK.RELEASE l", "-NOTOWNER"},
              {"LOCK.LOCKED l", ":0"},
              {"LOCK.ACQUIRE l", ":3"},
              {"LOCK.ACQUIRE l", "blocks", 1},
              {"LOCK.ACQUIRE l", "blocks", 2},
              {"close", "", 0},  // the owner goes: the first waiter gets the lock
              {"", ":4", 1},
              {"LOCK.RELEASE l", "+OK", 1},
              {"", ":5", 2},
              {"LOCK.ACQUIRE l NOWAIT extra", "-ERR"},
              {"LOCK.ACQUIRE l TIMEOUT", "-ERR"},
              {"LOCK.ACQUIRE l TIMEOUT soon", "-ERR"},
              {"LOCK.RELEASE l x", "-ERR"},
              {"LOCK.RELEASE", "-ERR"},
              {"CREATE lock bad X", "-ERR"},
              {"LOCK.LOCKED nosuch", "-NOTFOUND"},
              {"HELLO 3", "%..."},
              {"LOCK.LOCKED l", "#t"},
              {"LOCK.ACQUIRE l NOWAIT", ":0"},
              {"LOCK.RELEASE l", "+OK"},
              {"LOCK.LOCKED l", "#f"},
          }};
}

// Fencing tokens come from one server-wide counter: they never repeat, not
// across locks nor after a lock is deleted or flushed and made again. A
// client that acquired the old lock cannot release the new one by its name.
Table lock_incarnations_table() {
  return {"LockIncarnations",
          {
              {"LOCK.ACQUIRE l", ":1"},
              {"LOCK.ACQUIRE l", "blocks", 1},
              {"DEL l", ":1", 2},
              {"", "-NOTFOUND", 1},             // DEL of a held lock wakes its waiters
              {"LOCK.ACQUIRE l", ":2", 1},      // a new lock: its tokens go on
              {"LOCK.RELEASE l", "-NOTOWNER"},  // conn 0 held the old one
              {"LOCK.LOCKED l", ":1"},
              {"LOCK.RELEASE l", "+OK", 1},
              {"CREATE lock m", "+OK"},
              {"LOCK.ACQUIRE m", ":3"},  // one counter for every lock
              {"FLUSHALL", "+OK", 2},
              {"LOCK.ACQUIRE m", ":4", 1},
              {"LOCK.RELEASE m", "-NOTOWNER"},
              {"LOCK.RELEASE m", "+OK", 1},
              {"LOCK.ACQUIRE m", ":5"},  // it has the new one now: the usual rules
              {"LOCK.RELEASE m", "+OK"},
              {"CREATE rlock r", "+OK"},
              {"LOCK.ACQUIRE r", ":6"},
              {"DEL r", ":1", 2},
              {"CREATE rlock r", "+OK", 2},
              {"LOCK.ACQUIRE r", ":7", 1},
              {"LOCK.RELEASE r", "-NOTOWNER"},
              {"LOCK.RELEASE r", "+OK", 1},
              {"COND.ACQUIRE c", ":1"},
              {"COND.RELEASE c", "+OK"},
              // a client that released its lock before it went may release
              // another's (Python's Lock)
              {"LOCK.ACQUIRE x", ":9"},
              {"LOCK.RELEASE x", "+OK"},
              {"DEL x", ":1"},
              {"LOCK.ACQUIRE x", ":10", 1},
              {"LOCK.RELEASE x", "+OK"},
          }};
}

Table rlock_table() {
  return {"RLock",
          {
              {"CREATE rlock r", "+OK"},
              {"LOCK.ACQUIRE r", ":1"},
              {"LOCK.ACQUIRE r", ":1"},  // re-entry keeps the token
              {"LOCK.RELEASE r", "-NOTOWNER", 1},
              {"LOCK.ACQUIRE r NOWAIT", ":0", 1},
              {"LOCK.ACQUIRE r", "blocks", 1},
              {"LOCK.RELEASE r", "+OK"},
              {"LOCK.LOCKED r", ":1"},
              {"LOCK.RELEASE r", "+OK"},
              {"", ":2", 1},
              {"LOCK.RELEASE r", "-NOTOWNER"},
              {"LOCK.ACQUIRE r", ":2", 1},
              {"LOCK.RELEASE r", "+OK", 1},
              {"LOCK.RELEASE r", "+OK", 1},
              {"LOCK.RELEASE r", "-NOTOWNER", 1},
              {"LOCK.ACQUIRE r", ":3", 1},
              {"LOCK.ACQUIRE r", ":3", 1},
              {"LOCK.ACQUIRE r", "blocks", 0},
              {"close", "", 1},  // all its depth goes with it
              {"", ":4", 0},
              {"CREATE rlock bad X", "-ERR"},
          }};
}

Table semaphore_table() {
  return {"Semaphore",
          {
              {"CREATE semaphore s VALUE 2", "+OK"},
              {"SEM.VALUE s", ":2"},
              {"SEM.ACQUIRE s", ":1"},
              {"SEM.ACQUIRE s", ":1", 1},
              {"SEM.ACQUIRE s NOWAIT", ":0"},
              {"SEM.ACQUIRE s TIMEOUT 0", ":0"},
              {"SEM.ACQUIRE s TIMEOUT 0.05", ":0"},
              {"SEM.ACQUIRE s", "blocks", 2},
              {"SEM.RELEASE s", "+OK"},
              {"", ":1", 2},
              {"SEM.VALUE s", ":0"},
              {"SEM.RELEASE s", "-NOTOWNER"},       // conn 0 holds no permit now
              {"SEM.RELEASE s 2", "-NOTOWNER", 1},  // conn 1 holds one
              {"SEM.RELEASE s", "+OK", 2},
              {"SEM.VALUE s", ":1"},
              {"SEM.RELEASE s 0", "-VALUEERROR"},
              {"SEM.RELEASE s x", "-VALUEERROR"},
              {"SEM.RELEASE s 1 2", "-ERR"},
              {"SEM.ACQUIRE s BOGUS", "-ERR"},
              {"close", "", 1},  // its permit comes back
              {"SEM.VALUE s", ":2"},
              {"CREATE semaphore bad VALUE -1", "-VALUEERROR"},
              {"CREATE semaphore bad VALUE x", "-ERR"},
              {"CREATE semaphore bad BOGUS 1", "-ERR"},
              {"EXISTS bad", ":0"},
              {"SEM.VALUE nosuch", "-NOTFOUND"},
              // bounded
              {"CREATE boundedsemaphore bs VALUE 1", "+OK"},
              {"SEM.RELEASE bs", "-VALUEERROR"},
              {"SEM.ACQUIRE bs", ":1"},
              {"SEM.ACQUIRE bs TIMEOUT 0.05", ":0"},
              {"SEM.RELEASE bs", "+OK"},
              {"SEM.RELEASE bs", "-VALUEERROR"},
              {"SEM.VALUE bs", ":1"},
              {"CREATE boundedsemaphore zero VALUE 0", "+OK"},
              {"SEM.ACQUIRE zero NOWAIT", ":0"},
              {"SEM.RELEASE zero", "-VALUEERROR"},
          }};
}

// Owned permits (the default): the scenario of two holders cannot happen.
// UNOWNED: Python's semantics, for signalling.
Table semaphore_ownership_table() {
  return {"SemaphoreOwnership",
          {
              {"CREATE semaphore s VALUE 1", "+OK"},
              {"SEM.ACQUIRE s", ":1", 0},         // A
              {"SEM.RELEASE s", "-NOTOWNER", 1},  // B holds nothing
              {"SEM.ACQUIRE s", "blocks", 2},     // X waits
              {"close", "", 0},                   // A dies: its permit goes to X
              {"", ":1", 2},
              {"SEM.ACQUIRE s NOWAIT", ":0", 3},  // Y: never a second holder
              {"SEM.VALUE s", ":0", 3},
              {"DESCRIBE s",
               "*[$name, $s, $type, $semaphore, $size, :0, $refs, :0, $detached-refs, :0, "
               "$waiters, :0, $anonymous, :0, $value, :0, $initial, :1, $unowned, :0, "
               "$abandoned, :1, $expired, :0, $leased, :0]"},
              {"CREATE semaphore s VALUE 1 UNOWNED EXISTOK", "-EXISTS", 3},
              {"CREATE semaphore sig VALUE 0 UNOWNED", "+OK", 3},
              {"CREATE semaphore sig VALUE 0 UNOWNED EXISTOK", "+OK", 3},
              {"CREATE semaphore sig VALUE 0 EXISTOK", "-EXISTS", 3},
              {"SEM.ACQUIRE sig", "blocks", 3},
              {"SEM.RELEASE sig", "+OK", 1},  // anyone may signal
              {"", ":1", 3},
              {"close", "", 3},  // a signal taken is not given back
              {"SEM.VALUE sig", ":0", 1},
              {"SEM.RELEASE sig 2", "+OK", 1},
              {"SEM.VALUE sig", ":2", 1},
              {"CREATE boundedsemaphore bs VALUE 1 UNOWNED", "+OK", 1},
              {"SEM.ACQUIRE bs", ":1", 1},
              {"SEM.RELEASE bs", "+OK", 2},
              {"SEM.RELEASE bs", "-VALUEERROR", 2},
              {"close", "", 1},
              {"SEM.VALUE bs", ":1", 2},
          }};
}

// Issue 13: leased delivery and leases (the timed behaviour is in
// lease_test.cpp; this is the commands' surface).
Table lease_table() {
  return {"Leases",
          {
              {"QUEUE.PUT q a", "+OK"},
              {"QUEUE.PUT q b", "+OK"},
              {"QUEUE.GET q LEASE 60", "*[$a, :1]"},
              {"QUEUE.EXTEND q 1 60", ":1"},
              {"QUEUE.NACK q 1", ":1"},
              {"QUEUE.ACK q 1", ":0"},
              {"QUEUE.GET q LEASE 60", "*[$a, :2]"},
              {"QUEUE.ACK q 2", ":1"},
              {"QUEUE.EXTEND q 2 60", ":0"},
              {"QUEUE.NACK q 2 DELAY 1", ":0"},
              {"QUEUE.GET q LEASE 60", "*[$b, :3]", 1},
              {"close", "", 1},  // b goes back
              {"QUEUE.GET q NOWAIT", "$b"},
              {"QUEUE.ACK nosuch 1", "-NOTFOUND"},
              {"QUEUE.NACK q 1 DELAY -1", "-ERR"},
              {"QUEUE.EXTEND q 1 0", "-ERR"},
              {"LOCK.ACQUIRE l LEASE 60 WITHSTATE", "*[:1, :0]"},
              {"LOCK.EXTEND l 60", ":1"},
              {"LOCK.EXTEND l 60", "-NOTOWNER", 2},
              {"LOCK.RELEASE l", "+OK"},
              {"LOCK.EXTEND l 60", "-NOTOWNER"},
              {"SEM.ACQUIRE s LEASE 60 WITHSTATE", "*[:1, :0]"},
              {"SEM.EXTEND s 60", ":1"},
              {"SEM.EXTEND s 60", "-NOTOWNER", 2},
              {"SEM.RELEASE s", "+OK"},
              {"COND.ACQUIRE c LEASE 60", ":1"},
              {"COND.EXTEND c 60", ":1"},
              {"COND.EXTEND c 60", "-NOTOWNER", 2},
              {"COND.RELEASE c", "+OK"},
          }};
}

Table condition_table() {
  return {"Condition",
          {
              {"COND.WAIT c", "-NOTOWNER"},
              {"COND.NOTIFY c", "-NOTOWNER"},
              {"COND.NOTIFYALL c", "-NOTOWNER"},
              {"COND.RELEASE c", "-NOTOWNER"},
              {"COND.ACQUIRE c", ":1"},
              {"COND.ACQUIRE c", ":1"},  // its own lock is an rlock
              {"COND.RELEASE c", "+OK"},
              {"COND.WAIT c TIMEOUT 0.05", ":0"},  // times out, holds the lock again
              {"COND.WAIT c TIMEOUT 0", ":0"},
              {"COND.WAIT c NOWAIT", "-ERR"},
              {"COND.ACQUIRE c TIMEOUT 0", ":0", 1},
              {"COND.ACQUIRE c TIMEOUT 0.05", ":0", 1},
              {"COND.ACQUIRE c NOWAIT", "-ERR", 1},
              {"COND.NOTIFY c", "-NOTOWNER", 1},
              {"COND.NOTIFY c -1", "-VALUEERROR"},
              {"COND.NOTIFY c x", "-VALUEERROR"},
              {"COND.NOTIFY c 1 2", "-ERR"},
              {"COND.NOTIFY c", "+OK"},  // nobody waits: nothing happens
              {"COND.ACQUIRE c", ":1"},  // depth 2: the wait saves and restores it
                                         // WAIT releases the lock; NOTIFY wakes it, and it replies
                                         // once it has the lock back.
              {"COND.WAIT c", "blocks", 0},
              {"COND.ACQUIRE c", ":1", 1},
              {"COND.NOTIFY c", "+OK", 1},
              {"?blocked_clients", ":1"},  // notified, but the lock is not free yet
              {"COND.RELEASE c", "+OK", 1},
              {"", ":1", 0},
              {"COND.RELEASE c", "+OK", 0},
              {"COND.RELEASE c", "+OK", 0},  // the depth of 2 came back too
              {"COND.RELEASE c", "-NOTOWNER", 0},
              // NOTIFY n wakes n in arrival order; NOTIFYALL the rest
              {"COND.ACQUIRE c", ":1", 0},
              {"COND.WAIT c", "blocks", 0},
              {"COND.ACQUIRE c", ":1", 1},
              {"COND.WAIT c TIMEOUT 30", "blocks", 1},
              {"COND.ACQUIRE c", ":1", 2},
              {"COND.WAIT c", "blocks", 2},
              {"COND.ACQUIRE c", ":1", 3},
              {"COND.NOTIFY c 2", "+OK", 3},
              {"COND.RELEASE c", "+OK", 3},
              {"", ":1", 0},
              {"COND.RELEASE c", "+OK", 0},
              {"", ":1", 1},
              {"COND.NOTIFYALL c", "+OK", 1},
              {"COND.RELEASE c", "+OK", 1},
              {"", ":1", 2},
              {"COND.RELEASE c", "+OK", 2},
              // a waiter that disconnects leaves; the lock stays usable
              {"COND.ACQUIRE c", ":1", 0},
              {"COND.WAIT c", "blocks", 0},
              {"close", "", 0},
              {"COND.ACQUIRE c TIMEOUT 1", ":1", 1},
              {"COND.NOTIFYALL c", "+OK", 1},
              {"COND.RELEASE c", "+OK", 1},
              // over a named lock, shared with LOCK.*
              {"CREATE condition c2 LOCK m", "+OK"},
              {"TYPE m", "+lock"},
              {"LOCK.ACQUIRE m", ":15", 1},  // tokens are server-wide: c took 14
              {"COND.NOTIFY c2", "+OK", 1},
              {"COND.NOTIFY c2", "-NOTOWNER", 2},
              {"COND.WAIT c2", "blocks", 1},
              {"LOCK.LOCKED m", ":0", 2},
              {"COND.ACQUIRE c2", ":1", 2},
              {"LOCK.LOCKED m", ":1", 2},
              {"COND.NOTIFY c2", "+OK", 2},
              {"LOCK.RELEASE m", "+OK", 2},
              {"", ":1", 1},
              {"COND.RELEASE c2", "+OK", 1},
              {"DICT.SET d k v", ":1"},
              {"CREATE condition c3 LOCK d", "-WRONGTYPE"},
              {"CREATE condition c3 BOGUS", "-ERR"},
              {"EXISTS c3", ":0"},
          }};
}

Table event_table() {
  return {"Event",
          {
              {"EVENT.ISSET e", "-NOTFOUND"},
              {"EVENT.WAIT e TIMEOUT 0", ":0"},
              {"EVENT.ISSET e", ":0"},
              {"EVENT.WAIT e TIMEOUT 0.05", ":0"},
              {"EVENT.WAIT e", "blocks", 1},
              {"EVENT.WAIT e TIMEOUT 30", "blocks", 2},
              {"EVENT.SET e", "+OK"},
              {"", ":1", 1},
              {"", ":1", 2},
              {"EVENT.WAIT e", ":1"},
              {"EVENT.ISSET e", ":1"},
              {"EVENT.CLEAR e", "+OK"},
              {"EVENT.ISSET e", ":0"},
              {"EVENT.WAIT e NOWAIT", "-ERR"},
              {"EVENT.WAIT e TIMEOUT", "-ERR"},
              {"EVENT.SET e x", "-ERR"},
              {"CREATE event bad X", "-ERR"},
              {"HELLO 3", "%..."},
              {"EVENT.ISSET e", "#f"},
              {"EVENT.SET e", "+OK"},
              {"EVENT.ISSET e", "#t"},
              {"EVENT.WAIT e", ":1"},
          }};
}

Table barrier_table() {
  return {"Barrier",
          {
              {"BARRIER.WAIT b", "-NOTFOUND"},
              {"CREATE barrier b", "-ERR"},
              {"CREATE barrier b PARTIES 0", "-VALUEERROR"},
              {"CREATE barrier b PARTIES x", "-ERR"},
              {"CREATE barrier b PARTIES 2 BOGUS", "-ERR"},
              {"CREATE barrier b PARTIES 3", "+OK"},
              {"BARRIER.PARTIES b", ":3"},
              {"BARRIER.WAITING b", ":0"},
              {"BARRIER.BROKEN b", ":0"},
              {"BARRIER.WAIT b", "blocks", 0},
              {"BARRIER.WAIT b", "blocks", 1},
              {"BARRIER.WAITING b", ":2", 3},
              {"BARRIER.WAIT b", ":2", 2},
              {"", ":0", 0},
              {"", ":1", 1},
              {"BARRIER.WAITING b", ":0", 3},
              // a timeout breaks it, for every waiter
              {"BARRIER.WAIT b", "blocks", 0},
              {"BARRIER.WAIT b TIMEOUT 0.05", "-BROKEN", 1},
              {"", "-BROKEN", 0},
              {"BARRIER.BROKEN b", ":1"},
              {"BARRIER.WAIT b", "-BROKEN"},
              {"BARRIER.RESET b", "+OK"},
              {"BARRIER.BROKEN b", ":0"},
              // RESET with a waiter: BROKEN to it, usable again after
              {"BARRIER.WAIT b", "blocks", 0},
              {"BARRIER.RESET b", "+OK", 1},
              {"", "-BROKEN", 0},
              {"BARRIER.BROKEN b", ":0"},
              // ABORT: BROKEN now and later
              {"BARRIER.WAIT b", "blocks", 0},
              {"BARRIER.ABORT b", "+OK", 1},
              {"", "-BROKEN", 0},
              {"BARRIER.BROKEN b", ":1"},
              {"BARRIER.WAIT b TIMEOUT 1", "-BROKEN"},
              {"BARRIER.RESET b", "+OK"},
              // a waiting client that disconnects breaks it for the others
              {"BARRIER.WAIT b", "blocks", 0},
              {"BARRIER.WAIT b", "blocks", 1},
              {"close", "", 0},
              {"", "-BROKEN", 1},
              {"BARRIER.BROKEN b", ":1", 1},
              {"BARRIER.RESET b", "+OK", 1},
              {"BARRIER.WAIT b TIMEOUT 0", "-BROKEN"},
              {"BARRIER.RESET b", "+OK"},
              {"BARRIER.WAIT b NOWAIT", "-ERR"},
              {"BARRIER.WAITING b x", "-ERR"},
              {"HELLO 3", "%..."},
              {"BARRIER.BROKEN b", "#f"},
              {"BARRIER.ABORT b", "+OK"},
              {"BARRIER.BROKEN b", "#t"},
          }};
}

// DEL of objects with waiters: each waiter gets -NOTFOUND and its
// connection goes on working.
Table del_wakes_table() {
  return {"DelWakesWaiters",
          {
              {"QUEUE.GET q", "blocks", 1},
              {"LOCK.ACQUIRE l", ":1"},
              {"LOCK.ACQUIRE l", "blocks", 2},
              {"EVENT.WAIT e", "blocks", 3},
              {"CREATE barrier b PARTIES 2", "+OK"},
              {"BARRIER.WAIT b", "blocks", 4},
              {"SEM.ACQUIRE s", ":1"},
              {"SEM.ACQUIRE s", "blocks", 5},
              {"COND.ACQUIRE c", ":1", 6},
              {"COND.WAIT c", "blocks", 6},
              {"CREATE joinablequeue j", "+OK"},
              {"QUEUE.PUT j x", "+OK"},
              {"QUEUE.JOIN j", "blocks", 7},
              {"?blocked_clients", ":7"},
              {"DEL q l e b s c j nosuch", ":7"},
              {"", "-NOTFOUND", 1},
              {"", "-NOTFOUND", 2},
              {"", "-NOTFOUND", 3},
              {"", "-NOTFOUND", 4},
              {"", "-NOTFOUND", 5},
              {"", "-NOTFOUND", 6},
              {"", "-NOTFOUND", 7},
              {"?blocked_clients", ":0"},
              {"OBJECTS", "*[]"},
              {"QUEUE.PUT q again", "+OK", 1},  // a new, implicit queue
              {"QUEUE.GET q", "$again", 2},
          }};
}

}  // namespace

std::vector<Table> waiting_type_tables() {
  return {queue_table(),
          joinable_table(),
          lock_table(),
          lock_incarnations_table(),
          rlock_table(),
          semaphore_table(),
          semaphore_ownership_table(),
          lease_table(),
          condition_table(),
          event_table(),
          barrier_table(),
          del_wakes_table()};
}

}  // namespace procshare::test
