"""Managers: SyncManager's API on procshare-server.

``Manager()`` starts a private server (a fresh socket in a private
directory, the process's authkey) and returns it started; ``connect()``
attaches to a server that already runs. Both hand out the proxies of
procshare.proxies, which any process that has the key can use.
"""

import array as _array
import atexit
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from multiprocessing import process as _mp_process

from . import values
from .connection import (TLS, Connection, HeartbeatConnection, Pipeline, current_pid,
                         parse_address, pack)
from .errors import ConnectionLost, ProcshareConnectionError, RemoteError, to_exception, ErrorReply
from .proxies import (PROXY_TYPES, ArrayProxy, BarrierProxy, ConditionProxy, DictProxy,
                      ListProxy, ValueProxy, _INT_CODES, _FLOAT_CODES)

__all__ = ["Client", "SyncManager", "Manager", "connect", "find_server"]

# Clients of this process by address, so that a proxy unpickled here (from
# a parent, or a spawned process's arguments) finds its key and connections.
_clients = weakref.WeakValueDictionary()
_clients_lock = threading.Lock()


def _current_authkey():
    return bytes(_mp_process.current_process().authkey)


def _rebuild_proxy(typeid, name, address, authkey, state, tls=None):
    if tls is not None:  # a tls:// address: its settings travel beside it
        address = parse_address(address, TLS(*tls))
    client = Client._for_address(address, authkey)
    cls = PROXY_TYPES.get(typeid)
    if cls is None:
        raise RemoteError("ERR", "unknown object type %r" % typeid)
    return cls(client, name, **state)


# The commands the proxies send that the server flags ``readonly`` (COMMAND
# INFO; tests/python/test_reconnect.py checks the list): safe to run again.
_READS = frozenset(n.encode() for n in (
    "ARRAY.GET", "ARRAY.LEN", "ARRAY.RANGE", "BARRIER.BROKEN", "BARRIER.PARTIES",
    "BARRIER.WAITING", "DESCRIBE", "DICT.GET", "DICT.HAS", "DICT.ITEMS", "DICT.KEYS", "DICT.LEN",
    "DICT.VALUES", "EVENT.ISSET", "EXISTS", "LIST.COUNT", "LIST.GET", "LIST.INDEX", "LIST.LEN",
    "LIST.RANGE", "LOCK.LOCKED", "METHODS", "NS.ATTRS", "NS.GET", "NS.HAS", "NS.ITEMS",
    "OBJECTS", "QUEUE.EMPTY", "QUEUE.FULL", "QUEUE.SIZE", "SEM.VALUE", "SET.HAS", "SET.LEN",
    "SET.MEMBERS", "TYPE", "VALUE.GET"))


def _queue_options(maxsize, max_deliveries, dead_letter):
    opts = ("MAXSIZE", str(maxsize)) if maxsize > 0 else ()
    if (max_deliveries is None) != (dead_letter is None):
        raise ValueError("give both max_deliveries and dead_letter, or neither")
    if max_deliveries is not None:
        if int(max_deliveries) < 1:
            raise ValueError("max_deliveries must be one or more")
        name = getattr(dead_letter, "_name", dead_letter)
        opts += ("MAXDELIVERIES", str(int(max_deliveries)), "DEADLETTER", name)
    return opts


class Client:
    """Connections to one server: one per thread, a new set after fork().

    Also keeps this process's references to anonymous objects (one
    ``REF.INC`` per object and process, given back when the last proxy goes).
    """

    heartbeat = None
    run_id = None            # the run_id of the server as last seen
    server_restarted = False  # a connection found a run_id other than the one before
    on_restart = None        # callable(old_run_id, new_run_id), called when that happens

    def __init__(self, address, authkey=None, connect_timeout=10.0, heartbeat=None):
        self.address = parse_address(address)
        self.heartbeat = heartbeat
        if isinstance(authkey, str):
            authkey = authkey.encode("utf-8")
        _check_key(authkey)
        self.authkey = authkey
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        self._track_pid = None
        self._detached = None  # None: not probed; True/False: REF.INC DETACHED works
        with _clients_lock:
            _clients[self.address] = self

    @classmethod
    def _for_address(cls, address, authkey=None):
        """The client of this process for an address. ``authkey`` None: the
        one already known here, else this process's authkey; ``b""``: a
        server without a key."""
        address = parse_address(address)
        with _clients_lock:
            c = _clients.get(address)
        want = None if authkey == b"" else authkey
        if c is not None and (authkey is None or c.authkey == want):
            return c
        if authkey is None:
            want = _current_authkey()
        return cls(address, want)

    # -- connections ---------------------------------------------------
    def _conn(self) -> Connection:
        c = getattr(self._local, "conn", None)
        if c is None or c.sock is None or c.pid != current_pid():
            c = self._local.conn = self._new_connection()
        return c

    def _new_connection(self) -> Connection:
        if self.heartbeat:
            c = HeartbeatConnection(self.address, self.authkey, self.connect_timeout,
                                    heartbeat=self.heartbeat)
        else:
            c = Connection(self.address, self.authkey, self.connect_timeout)
        self._saw(c.run_id)
        return c

    def _saw(self, run_id):
        """Notes the run_id of a new connection: another one than before
        means the server restarted (its objects, locks and leases are gone)."""
        old = self.run_id
        if run_id is None or run_id == old:
            return
        self.run_id = run_id
        if old is not None:
            self.server_restarted = True
            if self.on_restart is not None:
                self.on_restart(old, run_id)

    def _may_reconnect(self):
        return True

    def _reconnect(self) -> Connection:
        """This thread's connection again after it broke: tries with a
        growing pause (a server restarting) for up to connect_timeout."""
        self.close()
        deadline = time.monotonic() + self.connect_timeout
        pause = 0.01
        while True:
            if not self._may_reconnect():
                raise ProcshareConnectionError("the server of %s was shut down" % (self.address,))
            try:
                return self._conn()
            except ProcshareConnectionError:
                if time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)  # back-off between connection attempts
            pause = min(pause * 2, 0.5)

    def _after_break(self, commands, error, data=None):
        """A command's connection broke before its replies came. Reads (the
        server's ``readonly`` commands) run once more on a new connection;
        anything else raises ConnectionLost: it may or may not have run.
        ``data``: the one command packed (then ``commands`` need only hold
        its name)."""
        if not all(c[0] in _READS for c in commands):
            raise ConnectionLost(
                "the connection to %s broke before the reply to %s came (%s): it may or may not "
                "have happened" % (self.address, " ".join(c[0].decode() for c in commands[:3]),
                                   error)) from None
        conn = self._reconnect()
        if len(commands) == 1:
            return conn.roundtrip(pack(commands[0]) if data is None else data)
        return conn.call_many(commands)

    def call(self, *args):
        """Runs one raw command on this thread's connection; raises its error."""
        return self._conn().call(*args)

    def close(self):
        """Closes this thread's connection (others close with their threads)."""
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None

    def pipeline(self) -> Pipeline:
        """``with client.pipeline() as p:``: this thread's proxy calls queued and
        sent in one write at the end of the block."""
        return Pipeline(self)

    # -- references ------------------------------------------------------
    def _tracker(self):
        pid = current_pid()
        if self._track_pid != pid:
            with _clients_lock:
                if self._track_pid != pid:
                    self._reset_tracker(pid)
        return self._track_lock

    def _reset_tracker(self, pid):
        # A new process (or the first use): no references held here yet.
        self._counts = {}
        self._gone = []  # names whose proxies were collected (lock-free append)
        self._refconn = None
        self._track_lock = threading.Lock()
        self._track_pid = pid  # last: other threads then see a complete tracker

    def _refc(self):
        if self._refconn is None or self._refconn.sock is None:
            self._refconn = self._new_connection()
            self._counts = {}
        return self._refconn

    def _flush_gone(self):
        cmds = []
        while self._gone:
            name = self._gone.pop()
            if name not in self._counts:
                continue  # held by a reference connection that is gone: nothing to drop
            n = self._counts[name] - 1
            if n <= 0:
                self._counts.pop(name, None)
                cmds.append((b"REF.DEC", name))
            else:
                self._counts[name] = n
        if cmds:
            self._refc().call_many(cmds)  # NOTFOUND for an object already gone is fine

    def _track(self, proxy, created=False):
        """Holds a reference for this process while the proxy lives."""
        lock = self._tracker()
        pid = current_pid()
        with lock:
            self._flush_gone()
            name = proxy._name
            n = self._counts.get(name, 0)
            if n == 0 and not created:
                r = self._refc().call_raw("REF.INC", name)
                if type(r) is ErrorReply:
                    raise to_exception(r)
            self._counts[name] = n + 1
            object.__setattr__(proxy, "_tracked_pid", pid)
        weakref.finalize(proxy, self._gone_in, name, pid)

    def _gone_in(self, name, pid):
        if self._track_pid == pid == os.getpid():
            self._gone.append(name)

    def _create(self, typeid, *options):
        """CREATE typeid * options on the reference connection: returns the name."""
        lock = self._tracker()
        with lock:
            self._flush_gone()
            return self._refc().call("CREATE", typeid, "*", *options)

    def _make(self, typeid, *options, state=None):
        name = self._create(typeid, *options)
        proxy = PROXY_TYPES[typeid](self, bytes(name), **(state or {}))
        self._track(proxy, created=True)
        return proxy

    def _make_ref(self, typeid, name):
        cls = PROXY_TYPES.get(typeid)
        if cls is None:
            raise values.EncodingError("a reference to an object of unknown type %r" % typeid)
        return cls(self, name)

    def detached_refs_supported(self) -> bool:
        """Whether the server has REF.INC name DETACHED (docs/values.md)."""
        if self._detached is None:
            conn = self._conn()
            r = conn.call_raw("REF.INC", "procshare:probe:%d" % os.getpid(), "DETACHED")
            self._detached = not (type(r) is ErrorReply and r.code == "ERR")
        return self._detached

    def _detach_refs(self, conn, proxies):
        """Before storing references: a detached count for each anonymous one."""
        if not self.detached_refs_supported():
            # An older server: hold a reference for as long as this process
            # lives instead (the object may go when the process does).
            lock = self._tracker()
            with lock:
                for p in proxies:
                    n = self._counts.get(p._name, 0)
                    if n == 0:
                        r = self._refc().call_raw("REF.INC", p._name)
                        if type(r) is ErrorReply:
                            raise to_exception(r)
                    self._counts[p._name] = n + 1
            return
        cmds = [(b"REF.INC", p._name, b"DETACHED") for p in proxies]
        if conn.pipeline is not None:
            for c in cmds:
                conn.pipeline.add(c)
            return
        for r in conn.call_many(cmds):
            if type(r) is ErrorReply:
                raise to_exception(r)

    def _take_detached(self, proxies):
        """A value holding references was taken out of its container: hold
        this process's own reference to each anonymous object, then give
        back the detached one the stored value held (REF.DEC … DETACHED)."""
        anon = [p for p in proxies if p._anon]
        if not anon or not self.detached_refs_supported():
            return
        for p in anon:
            self._track(p)
        lock = self._tracker()
        with lock:
            # Errors are fine: a reference written without a detached count
            # (by an older client) has none to give back.
            self._refc().call_many([(b"REF.DEC", p._name, b"DETACHED") for p in anon])

    def _rebuild_args(self, proxy):
        from multiprocessing.context import get_spawning_popen
        authkey = None
        if get_spawning_popen() is not None and self.authkey != _current_authkey():
            # As Python's BaseProxy: a key other than the process's own travels
            # only to a process being spawned (b"" says "no key").
            authkey = self.authkey if self.authkey is not None else b""
        state = {k: v for k, v in proxy._state.items()
                 if k not in ("token", "previous_owner_died", "held_by")}
        if state.get("action") is not None:
            try:  # a barrier's action travels if it can (a lambda cannot)
                pickle.dumps(state["action"])
            except Exception:
                del state["action"]
        args = (proxy._typeid, proxy._name, str(self.address), authkey, state)
        if self.address[0] == "tls":
            args += (_tls_paths(self.address[2]),)
        return (_rebuild_proxy, args)

    # -- factories (SyncManager's) ----------------------------------------
    def dict(self, *args, **kwargs):
        d = self._make("dict")
        init = dict(*args, **kwargs)
        if init:
            d.update(init)
        return d

    def list(self, sequence=()):
        lst = self._make("list")
        items = list(sequence)
        if items:
            lst.extend(items)
        return lst

    def set(self, iterable=()):
        s = self._make("set")
        items = list(iterable)
        if items:
            s.update(items)
        return s

    def Namespace(self, **kwargs):
        ns = self._make("namespace")
        for k, v in kwargs.items():
            setattr(ns, k, v)
        return ns

    def Queue(self, maxsize=0, *, max_deliveries=None, dead_letter=None):
        """Manager.Queue. ``max_deliveries`` and ``dead_letter`` (both or
        neither): a leased item whose n-th delivery fails (lease ran out,
        nack, holder gone) moves to the queue ``dead_letter`` (a name or a
        queue proxy; created as a plain queue when missing)."""
        return self._make("queue", *_queue_options(maxsize, max_deliveries, dead_letter))

    def JoinableQueue(self, maxsize=0, *, max_deliveries=None, dead_letter=None):
        """Manager.JoinableQueue; a leased job's ``ack()`` is its task_done."""
        return self._make("joinablequeue", *_queue_options(maxsize, max_deliveries, dead_letter))

    def Lock(self):
        return self._make("lock")

    def RLock(self):
        return self._make("rlock")

    # Python's semaphores let any process release (a signal), so by default
    # these are the server's UNOWNED ones. owned=True gives procshare's
    # safer kind: only a holder releases, and a dead holder's permits return.
    def Semaphore(self, value=1, owned=False):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        extra = () if owned else ("UNOWNED",)
        return self._make("semaphore", "VALUE", str(value), *extra)

    def BoundedSemaphore(self, value=1, owned=False):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        extra = () if owned else ("UNOWNED",)
        return self._make("boundedsemaphore", "VALUE", str(value), *extra)

    def Condition(self, lock=None):
        if lock is None:
            return self._make("condition")
        if not hasattr(lock, "_name") or lock._typeid not in ("lock", "rlock"):
            raise TypeError("Condition(lock): lock must be a Lock or RLock of this manager")
        c = self._make("condition", "LOCK", lock._name, state={"lock": lock})
        return c

    def Event(self):
        return self._make("event")

    def Barrier(self, parties, action=None, timeout=None):
        if parties < 1:
            raise ValueError("parties must be > 0")
        return self._make("barrier", "PARTIES", str(parties),
                          state={"parties": parties, "action": action, "timeout": timeout})

    def Value(self, typecode, value, lock=True):
        """Value(typecode, value): int typecodes are stored as a server int
        (atomic incr; C++ reads an int64), 'f'/'d' as a float, anything else
        (or a value of another type) as an encoded value."""
        tc = typecode if isinstance(typecode, str) else None
        if tc in tuple(_INT_CODES) and type(value) is int and -(1 << 63) <= value < (1 << 63):
            return self._make("value", "TYPE", "int", "INIT", str(value), state={"typecode": typecode})
        if tc in tuple(_FLOAT_CODES) and type(value) in (int, float):
            return self._make("value", "TYPE", "float", "INIT", repr(float(value)),
                              state={"typecode": typecode})
        return self._make("value", "TYPE", "bytes", "INIT", values.encode(value),
                          state={"typecode": typecode})

    def Array(self, typecode, sequence, lock=True):
        """Array(typecode, sequence) as array.array(typecode, sequence), fixed
        length; int typecodes are server ints, 'f'/'d' floats, 'u' text."""
        if isinstance(sequence, int):
            sequence = [0] * sequence if typecode != "u" else [""] * sequence
        local = _array.array(typecode, sequence)  # Python's own checks
        items = local.tolist()
        if typecode in _INT_CODES:
            kind, enc = "int", [str(x) for x in items]
        elif typecode in _FLOAT_CODES:
            kind, enc = "float", [repr(float(x)) for x in items]
        else:
            kind, enc = "bytes", [values.encode(x) for x in items]
        return self._make("array", "TYPE", kind, "INIT", *enc,
                          state={"typecode": typecode, "len": len(items)})

    # -- beyond SyncManager ------------------------------------------------
    def named(self, typeid, name, *options):
        """The object called ``name`` (created if missing, ``CREATE … EXISTOK``):
        how Python shares objects with C++ and redis-cli by name."""
        if isinstance(name, str):
            name = name.encode("utf-8")
        self.call("CREATE", typeid, name, *options, "EXISTOK")
        return PROXY_TYPES[typeid](self, name)

    def get(self, name):
        """A proxy of an existing object, typed by the server's TYPE."""
        if isinstance(name, str):
            name = name.encode("utf-8")
        t = self.call("TYPE", name)
        if t == "none":
            raise KeyError(name.decode("utf-8", "replace"))
        return PROXY_TYPES[str(t)](self, name)


class SyncManager(Client):
    """multiprocessing.managers.SyncManager's life cycle on procshare.

    ``SyncManager(address=None, authkey=None)``: ``start()`` launches a
    private server (its address is then ``.address``), ``connect()``
    attaches to the one at ``address``. ``shutdown()`` stops a server this
    manager started; ``join()`` waits for it.
    """

    def __init__(self, address=None, authkey=None, *, server=None, server_args=(),
                 start_timeout=10.0, authkey_file=None, heartbeat=None):
        if authkey is None and authkey_file is not None:
            authkey = _read_key_file(authkey_file)
        if authkey is None:
            authkey = _current_authkey()
        self._init_address = address
        self._server_hint = server
        self._server_args = tuple(server_args)
        self._start_timeout = start_timeout
        self._proc = None
        self._dir = None
        self._owner_pid = os.getpid()
        self._state = "initial"
        self._finalizer = None
        if isinstance(authkey, str):
            authkey = authkey.encode("utf-8")
        self.authkey = authkey
        self.address = None
        self._local = threading.local()
        self._track_pid = None
        self._detached = None
        self.connect_timeout = 10.0
        self.heartbeat = heartbeat

    def _register(self):
        with _clients_lock:
            _clients[self.address] = self

    def _may_reconnect(self):
        # Not to a server this manager (or its parent) has shut down.
        return self._state == "started" and (self._dir is None or os.path.isdir(self._dir))

    def connect(self):
        """Attaches to the server at the address given to the constructor."""
        _check_key(self.authkey)
        self.address = parse_address(self._init_address)
        self._register()
        self._conn()
        self._state = "started"
        return self

    def start(self, initializer=None, initargs=()):
        """Launches a private server: on the constructor's ``address`` (a
        Unix socket path, or (host, port) for TCP; port 0: any free one),
        else on a fresh socket in a private directory. ``.address`` is then
        where other processes ``connect()`` with the same authkey."""
        if self._state != "initial":
            raise RuntimeError("the manager was already started")
        _check_key(self.authkey)
        unix, tcp = _listen_on(self._init_address)  # before anything is made: may raise
        binary = find_server(self._server_hint)
        self._dir = tempfile.mkdtemp(prefix="procshare-manager-")
        # A TCP manager keeps its private socket too: start() waits on it.
        sock = unix or os.path.join(self._dir, "procshare.sock")
        keyfile = os.path.join(self._dir, "authkey")
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            # The server removes one line ending, "\n" or "\r\n" (PROTOCOL.md
            # §4): a key that itself ends in "\r" needs the two-byte one.
            f.write(self.authkey + (b"\r\n" if self.authkey.endswith(b"\r") else b"\n"))
        logname = os.path.join(self._dir, "server.log")
        log = open(logname, "ab")
        # --private-dir: the server removes the directory as it exits, even
        # when this process was SIGKILLed (its parent-death signal is SIGTERM).
        argv = [binary, "--unix", sock, "--authkey-file", keyfile, "--private-dir", self._dir]
        argv += tcp + list(self._server_args)
        env = {k: v for k, v in os.environ.items() if k != "PROCSHARE_AUTHKEY"}
        try:
            # The kernel's parent-death signal fires when the starting *thread*
            # ends: set it only from the main thread (whose end is the process's).
            main = threading.current_thread() is threading.main_thread()
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                          env=env, preexec_fn=_die_with_parent if main else None)
        finally:
            log.close()
        self.address = parse_address("unix:" + sock)
        deadline = time.monotonic() + self._start_timeout
        pause = 0.001
        last = None
        while True:
            if self._proc.poll() is not None:
                why = _log_tail(logname) or last or ""
                self._cleanup()
                raise RemoteError("MANAGER", "procshare-server exited at startup (status %s)%s: %s"
                                  % (self._proc.returncode, _serving(self._init_address), why))
            if os.path.exists(sock):
                try:
                    info = _server_info(self.address, self.authkey)
                    # Not another server on a given path (this one then exits).
                    if _info_field(info, "process_id") == str(self._proc.pid):
                        break
                    last = "another server answers at %s" % sock
                except (ProcshareConnectionError, OSError) as e:
                    last = str(e)
            if time.monotonic() > deadline:
                self._stop(0)
                self._cleanup()
                raise RemoteError("MANAGER", "procshare-server did not start in time: %s" % last)
            time.sleep(pause)  # the server is starting; poll with a growing pause
            pause = min(pause * 2, 0.05)
        if tcp:
            self.address = _tcp_served(self._init_address, info)
        self._register()
        self._state = "started"
        self._finalizer = weakref.finalize(self, SyncManager._finalize, self._proc, self._dir,
                                           self.address, self.authkey, self._owner_pid)
        if initializer is not None:
            initializer(*initargs)
        return self

    @staticmethod
    def _finalize(proc, dirname, address, authkey, owner):
        if os.getpid() != owner:
            return
        _stop_server(proc, address, authkey, 5.0)
        shutil.rmtree(dirname, ignore_errors=True)

    def _stop(self, timeout):
        if self._proc is not None:
            _stop_server(self._proc, self.address, self.authkey, timeout)

    def _cleanup(self):
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def shutdown(self):
        """Stops the server this manager started (not one it connected to)."""
        if os.getpid() != self._owner_pid:
            return
        self.close()
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._state = "shutdown"

    def join(self, timeout=None):
        if self._proc is not None:
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass

    @property
    def pid(self):
        return self._proc.pid if self._proc else None

    def __enter__(self):
        if self._state == "initial":
            self.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def __reduce__(self):
        raise TypeError("a Manager cannot be pickled; pass its proxies instead")


def _env_authkey():
    """PROCSHARE_AUTHKEY, which is set: empty is a mistake (a variable that
    expanded to nothing), not "no key"."""
    key = os.environ["PROCSHARE_AUTHKEY"]
    if not key:
        raise ValueError("PROCSHARE_AUTHKEY is set but empty: unset it for no key, "
                         "or set the server's key")
    return key.encode("utf-8")


# The shortest key procshare-server accepts (PROTOCOL.md §4).
MIN_KEY_BYTES = 16


def _tls_paths(tls):
    """The TLS settings a child needs to reach the server, as a plain tuple:
    file paths and the server name, never key material (the authkey travels
    as it does without TLS). Kept as given, so that a copy in this process
    finds the same client (a spawned child starts in this directory)."""
    return tuple(tls)


def _check_key(authkey):
    """A key no server can hold fails here, clearly, rather than later as a
    refused authentication (None: no key)."""
    if authkey is not None and len(authkey) < MIN_KEY_BYTES:
        raise ValueError("the authkey is %d bytes; procshare needs at least %d bytes (a short "
                         "key such as b'abc' from Python's examples cannot work: use e.g. "
                         "os.urandom(32))" % (len(authkey), MIN_KEY_BYTES))


def _listen_on(address):
    """Where a manager's server listens for SyncManager's ``address=``:
    (Unix socket path or None for a private one, more flags: --tcp for a
    (host, port)). Raises for an address it cannot serve."""
    if address is None:
        return None, []
    if not isinstance(address, (str, tuple)):
        raise TypeError("address must be a (host, port) tuple or a Unix socket path, not %s"
                        % type(address).__name__)
    if isinstance(address, tuple) and len(address) != 2:
        raise ValueError("a TCP address is a (host, port) tuple; got %r" % (address,))
    try:
        a = parse_address(address)
    except ValueError as e:
        raise ValueError("cannot read the address %r: %s" % (address, e)) from None
    kind, where = a[0], a[1]
    if kind == "unix":
        if not where:
            raise ValueError("an empty Unix socket path")
        return os.path.abspath(where), []  # absolute: children elsewhere find it
    if kind != "tcp":
        raise ValueError("SyncManager.start() cannot serve %s: it starts plain Unix or TCP "
                         "servers. Start procshare-server with TLS (docs/tls.md) and "
                         "connect() to it" % (a,))
    host, port = where
    if not 0 <= port <= 65535:
        raise ValueError("port %d is out of range (0-65535)" % port)
    host = host or "0.0.0.0"  # "" is every interface, as for Python's managers
    return None, ["--tcp", "%s:%d" % ("[%s]" % host if ":" in host else host, port)]


def _tcp_served(address, info):
    """The TCP address a manager serves, as Python's managers report it:
    port 0 as the port the server chose, a host of "" as 0.0.0.0."""
    host, port = parse_address(address)[1]
    if port == 0:
        port = int(_info_field(info, "tcp_port"))
    return parse_address((host or "0.0.0.0", port))


def _server_info(address, authkey):
    c = Connection(address, authkey, 1.0)
    try:
        return bytes(c.call("INFO", "server")).decode()
    finally:
        c.close()


def _serving(address):
    return "" if address is None else " serving %r" % (address,)


def _log_tail(path):
    """The server log's last line (its own stderr line): why it exited at
    startup."""
    try:
        with open(path, "rb") as f:
            lines = f.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def _info_field(info, name):
    for line in info.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise RemoteError("MANAGER", "INFO has no %s" % name)


def _read_key_file(path):
    with open(path, "rb") as f:
        key = f.read()
    if key.endswith(b"\n"):  # one line ending, "\n" or "\r\n", as the server reads it
        key = key[:-1]
        if key.endswith(b"\r"):
            key = key[:-1]
    return key


def _die_with_parent():
    # The server gets SIGTERM (and shuts down in order) when the thread that
    # started it dies, so a killed Python program leaves no server behind.
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _stop_server(proc, address, authkey, timeout):
    if proc.poll() is not None:
        return
    if timeout > 0:
        try:
            c = Connection(address, authkey, min(timeout, 2.0))
            c.send(pack(("SHUTDOWN",)))
            try:
                c.read_reply()
            except Exception:
                pass
            c.close()
        except Exception:
            pass
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            proc.terminate()
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait()


def find_server(hint=None):
    """procshare-server as the C++ Manager finds it: the argument, env
    PROCSHARE_SERVER, the build tree next to this package, then $PATH."""
    def ok(p):
        return p and os.path.isfile(p) and os.access(p, os.X_OK)
    if hint:
        if ok(hint):
            return hint
        raise RemoteError("MANAGER", "the procshare-server given (%s) is not an executable file" % hint)
    env = os.environ.get("PROCSHARE_SERVER")
    if env:
        if ok(env):
            return env
        raise RemoteError("MANAGER", "PROCSHARE_SERVER=%s is not an executable file" % env)
    here = os.path.dirname(os.path.abspath(__file__))
    tried = []
    repo = os.path.normpath(os.path.join(here, "..", "..", ".."))
    for build in ("build", "build-release", "build-asan"):
        p = os.path.join(repo, build, "server", "procshare-server")
        tried.append(p)
        if ok(p):
            return p
    found = shutil.which("procshare-server")
    if found:
        return found
    raise RemoteError("MANAGER", "cannot find procshare-server (tried %s and $PATH); "
                      "pass server= or set PROCSHARE_SERVER" % ", ".join(tried))


def Manager(**kwargs) -> SyncManager:
    """A started SyncManager on a private procshare-server, as
    multiprocessing.Manager() returns one."""
    m = SyncManager(**kwargs)
    m.start()
    return m


def connect(address="unix:/tmp/procshare.sock", authkey=None, authkey_file=None,
            connect_timeout=10.0, tls=None, heartbeat=None) -> Client:
    """A client of a server that already runs (Unix, TCP or TLS). The key is
    ``authkey``, the contents of ``authkey_file``, env PROCSHARE_AUTHKEY, or
    none. The connection authenticates by challenge-response and checks the
    server's proof. For ``tls://host:port``, ``tls`` is a ``procshare.TLS``
    (CA, client certificate and key, server name). ``heartbeat`` (seconds):
    every connection sends ``CLIENT HEARTBEAT``, so the server treats one
    silent that long as dead (a stopped or hung process) and releases what
    it holds; a daemon thread keeps idle connections talking."""
    if tls is not None or (isinstance(address, str) and address.startswith("tls://")):
        address = parse_address(address, tls)
    if authkey is None and authkey_file is not None:
        authkey = _read_key_file(authkey_file)
    if authkey is None and "PROCSHARE_AUTHKEY" in os.environ:
        authkey = _env_authkey()
    c = Client(address, authkey, connect_timeout, heartbeat)
    c._conn()
    return c
