"""One connection to procshare-server: RESP2/RESP3 framing, the authkey
challenge-response of PROTOCOL.md §4, calls and pipelines.

A Connection belongs to one thread of one process; procshare.client keeps
one per thread and opens a new one after fork().
"""

import collections
import hashlib
import hmac
import os
import select
import socket
import ssl
import threading
import time
import weakref
from multiprocessing import AuthenticationError
from typing import Any, List, Optional, Sequence, Tuple, Union

from .errors import ConnectionLost, ErrorReply, ProcshareConnectionError, to_exception

__all__ = ["Address", "parse_address", "Connection", "HeartbeatConnection", "pack", "Pipeline",
           "Pending", "Status"]

DEFAULT_ADDRESS = "unix:/tmp/procshare.sock"


class Address(tuple):
    """("unix", path), ("tcp", (host, port)) or ("tls", (host, port), tls)
    where tls is a TLS tuple (picklable: it travels to spawned children)."""

    def __str__(self):
        kind, where = self[0], self[1]
        if kind == "unix":
            return "unix:" + where
        host, port = where
        return "%s://%s:%d" % (kind, "[%s]" % host if ":" in host else host, port)


class TLS(tuple):
    """TLS settings of a tls:// address: the CA file or directory that
    verifies the server (default: the system's), a client certificate and
    key (when the server asks for one), and the name to check the server's
    certificate against (default: the host of the address)."""

    def __new__(cls, cafile=None, capath=None, certfile=None, keyfile=None,
                server_hostname=None):
        return super().__new__(cls, (cafile, capath, certfile, keyfile, server_hostname))

    def __getnewargs__(self):
        # tuple's own gives (tuple(self),), which __new__ above would read as cafile
        return tuple(self)


_contexts = {}


def _tls_context(tls: "TLS") -> ssl.SSLContext:
    """One SSLContext per settings and process, with CA verification and
    host-name checking on (TLS 1.2 or later)."""
    ctx = _contexts.get(tls)
    if ctx is None:
        cafile, capath, certfile, keyfile, _ = tls
        ctx = ssl.create_default_context(cafile=cafile, capath=capath)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if certfile:
            ctx.load_cert_chain(certfile, keyfile)
        _contexts[tls] = ctx
    return ctx


def parse_address(address: Union[str, Tuple[str, int], "Address", None],
                  tls: Optional[TLS] = None) -> Address:
    """unix:/path, tcp://host:port, tls://host:port, host:port (TCP), /path
    (Unix), (host, port)."""
    if address is None:
        address = DEFAULT_ADDRESS
    if isinstance(address, Address):
        return address
    if isinstance(address, str) and address.startswith("tls://"):
        host, _, port = address[6:].rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return Address(("tls", (host, int(port)), tls or TLS()))
    if isinstance(address, tuple):
        return Address(("tcp", (str(address[0]), int(address[1]))))
    a = str(address)
    if a.startswith("unix:"):
        return Address(("unix", a[5:]))
    if a.startswith("tcp://"):
        a = a[6:]
    elif "/" in a or ":" not in a:
        return Address(("unix", a))
    host, _, port = a.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return Address(("tcp", (host, int(port))))


class Status(str):
    """A simple-string reply (+OK)."""


_OK = Status("OK")


def _arg(a) -> bytes:
    if type(a) is bytes:
        return a
    if type(a) is str:
        return a.encode("utf-8")
    if type(a) is int or type(a) is float:
        return repr(a).encode()
    return bytes(a)


def pack(args: Sequence[Any]) -> bytes:
    """A command as a RESP array of bulk strings."""
    n = len(args)
    if n == 3:
        a, b, c = args
        if type(a) is bytes and type(b) is bytes and type(c) is bytes:
            return b"*3\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
                len(a), a, len(b), b, len(c), c)
    elif n == 4:
        a, b, c, d = args
        if type(a) is bytes and type(b) is bytes and type(c) is bytes and type(d) is bytes:
            return b"*4\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
                len(a), a, len(b), b, len(c), c, len(d), d)
    out = [b"*%d\r\n" % n]
    for a in args:
        if type(a) is not bytes:
            a = _arg(a)
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


# _WHOLE_BULK_HEAD[n]: the header of the one bulk reply that is n bytes long
# in all (a length plus its digit count only grows, so there is at most
# one): a read of n bytes that starts with it holds that whole reply and
# nothing else.
_WHOLE_BULK_MAX = 4096


def _whole_bulk_heads():
    heads = [b"-"] * _WHOLE_BULK_MAX  # "-": matches no bulk
    for size in range(_WHOLE_BULK_MAX):
        head = b"$%d\r\n" % size
        n = len(head) + size + 2
        if n < _WHOLE_BULK_MAX:
            heads[n] = head
    return tuple(heads)


_WHOLE_BULK_HEAD = _whole_bulk_heads()

# roundtrip's first read of a reply: small replies are nearly all of them,
# and a read of up to this many bytes makes a bytes object from Python's
# small-object allocator (up to 512 bytes with its header), measurably
# cheaper than a 64 KiB one that is shrunk afterwards. After a reply that
# filled it the reads are of 64 KiB, until a reply is small again.
_SMALL_READ = 448

_live_connections = weakref.WeakSet()

# This process's pid, kept current across fork() (cheaper than os.getpid(),
# a system call, on every proxy call).
_pid = [os.getpid()]


def current_pid():
    return _pid[0]


def _close_inherited():
    # In a forked child: the parent's sockets must not stay open here, or the
    # server would not notice the parent's death (and free its locks) while
    # this child lives. Close this process's copies only.
    _pid[0] = os.getpid()
    for c in list(_live_connections):
        c._drop()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)


class Connection:
    """A blocking connection. ``call`` raises mapped exceptions; ``call_raw``
    returns replies with errors as ErrorReply objects."""

    def __init__(self, address, authkey: Optional[bytes] = None, connect_timeout: float = 10.0,
                 client_name: Optional[str] = None):
        self.address = parse_address(address)
        self.pid = _pid[0]
        self.pipeline = None
        # Writes inside ``with lock:`` are sent without waiting for their
        # replies (see proxies.LockProxy): how deep such blocks are on this
        # connection, the error mappers of the replies not read yet, and the
        # first error among them once read.
        self.behind = 0
        self.unread = []
        self.late_error = None
        self.run_id = None  # the server's run_id from HELLO: new at every server start
        kind, where = self.address[0], self.address[1]
        try:
            if kind == "unix":
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                infos = socket.getaddrinfo(where[0], where[1], 0, socket.SOCK_STREAM)
                s = socket.socket(infos[0][0], socket.SOCK_STREAM)
                where = infos[0][4]
            s.settimeout(connect_timeout)
            s.connect(where)
            if kind != "unix":
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if kind == "tls":
                tls = self.address[2]
                s = _tls_context(tls).wrap_socket(
                    s, server_hostname=tls[4] or self.address[1][0])
            s.settimeout(None)
        except OSError as e:
            raise ProcshareConnectionError("cannot connect to %s: %s" % (self.address, e)) from None
        self.sock = s
        self._buf = b""
        self._pos = 0
        self._read_size = _SMALL_READ
        _live_connections.add(self)
        self._handshake(authkey, client_name)

    # -- framing -------------------------------------------------------
    def _drop(self):
        """Forget the socket without telling the server (fork child copy)."""
        try:
            self.sock.close()
        except OSError:
            pass
        self.sock = None
        _live_connections.discard(self)

    def close(self):
        if self.sock is not None:
            self._drop()
        _live_connections.discard(self)

    @property
    def closed(self):
        return self.sock is None

    def send(self, data: bytes):
        if self.sock is None:
            raise ProcshareConnectionError("connection is closed")
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.close()
            raise ProcshareConnectionError("send to %s failed: %s" % (self.address, e)) from None

    def roundtrip(self, data: bytes):
        """Sends one command and reads its reply: the path of every proxy
        call. When nothing is buffered and the reply arrives whole in one
        read (nearly always for small replies) a bulk, integer or +OK is
        taken straight from it; anything else goes through the full reader."""
        sock = self.sock
        if self.unread or sock is None or self._pos != len(self._buf):
            self.send(data)
            return self.read_reply()
        size = self._read_size
        try:
            sock.sendall(data)
            buf = sock.recv(size)
        except OSError as e:
            self.close()
            raise ProcshareConnectionError("%s: %s" % (self.address, e)) from None
        n = len(buf)
        if n < size:
            if size != _SMALL_READ and n < _SMALL_READ:
                self._read_size = _SMALL_READ
            t = buf[0] if n else None
            if t == 36:  # $: whole when its length is that of the header it starts with
                if n < _WHOLE_BULK_MAX:
                    head = _WHOLE_BULK_HEAD[n]
                    if buf.startswith(head):
                        return buf[len(head):-2]
            elif t == 58:  # : one integer reply, nothing after it
                if buf[-1] == 10:
                    try:
                        return int(buf[1:])  # int() ignores the CRLF; a second reply fails it
                    except ValueError:
                        pass
            elif buf == b"+OK\r\n":
                return _OK
            elif not n:
                self.close()
                raise ProcshareConnectionError("connection closed by the server")
        else:  # a long reply: the next ones may be long too
            self._read_size = 65536
        self._buf = buf
        self._pos = 0
        return self.read_reply()

    def read_reply(self):
        try:
            if self.unread:
                self._read_behind()
            return self._next()
        except BaseException as e:
            # A half-read reply leaves the stream out of step: start afresh.
            self.close()
            if isinstance(e, (OSError, ValueError, IndexError)) and not isinstance(
                    e, ProcshareConnectionError):
                raise ProcshareConnectionError("reading from %s failed: %r" % (self.address, e)) from None
            raise

    def _read_behind(self):
        """Reads the replies of writes sent without waiting (inside a
        ``with lock:``); the first error is kept in ``late_error``."""
        unread, self.unread = self.unread, []
        for error in unread:
            r = self._next()
            if type(r) is ErrorReply and self.late_error is None:
                self.late_error = error(r) if error else to_exception(r)

    def raise_late(self):
        """Raises the error of a write sent earlier without waiting, if any."""
        e = self.late_error
        if e is not None:
            self.late_error = None
            raise e

    def _fill(self, need=1):
        """Reads until at least ``need`` unread bytes are buffered."""
        rest = self._buf[self._pos:]
        chunks = [rest]
        have = len(rest)
        recv = self.sock.recv
        while have < need:
            data = recv(max(65536, need - have))
            if not data:
                raise ProcshareConnectionError("connection closed by the server")
            chunks.append(data)
            have += len(data)
        self._buf = b"".join(chunks) if len(chunks) > 1 else rest
        self._pos = 0

    def _line(self):
        buf = self._buf
        pos = self._pos
        if pos == len(buf):  # the usual case: everything read was consumed
            buf = self._buf = self.sock.recv(65536)
            if not buf:
                raise ProcshareConnectionError("connection closed by the server")
            pos = self._pos = 0
        end = buf.find(b"\r\n", pos)
        while end < 0:
            self._fill(len(buf) - pos + 1)
            buf = self._buf
            pos = 0
            end = buf.find(b"\r\n")
        self._pos = end + 2
        return buf, pos, end

    def _read(self):
        buf, pos, end = self._line()
        t = buf[pos]
        if t == 36:  # $
            n = int(buf[pos + 1:end])
            if n < 0:
                return None
            start = end + 2
            if start + n + 2 > len(buf):
                self._pos = start
                self._fill(n + 2)
                buf = self._buf
                start = 0
            self._pos = start + n + 2
            return buf[start:start + n]
        if t == 58:  # :
            return int(buf[pos + 1:end])
        if t == 43:  # +
            return Status(buf[pos + 1:end].decode("utf-8", "replace"))
        if t == 45:  # -
            return ErrorReply(buf[pos + 1:end])
        if t == 42 or t == 126 or t == 62:  # * ~ >
            n = int(buf[pos + 1:end])
            if n < 0:
                return None
            return [self._read() for _ in range(n)]
        if t == 37:  # % map: list of (key, value) pairs
            n = int(buf[pos + 1:end])
            return MapReply((self._read(), self._read()) for _ in range(n))
        if t == 44:  # , double
            return float(buf[pos + 1:end])
        if t == 35:  # # boolean
            return buf[pos + 1:pos + 2] == b"t"
        if t == 95:  # _ null
            return None
        if t == 40:  # ( big number
            return int(buf[pos + 1:end])
        if t == 61 or t == 33:  # = verbatim, ! bulk error
            n = int(buf[pos + 1:end])
            start = end + 2
            if start + n + 2 > len(buf):
                self._pos = start
                self._fill(n + 2)
                buf = self._buf
                start = 0
            self._pos = start + n + 2
            data = buf[start:start + n]
            return ErrorReply(data) if t == 33 else data[4:]
        if t == 124:  # | attributes: skip, read the reply they annotate
            n = int(buf[pos + 1:end])
            for _ in range(2 * n):
                self._read()
            return self._read()
        raise ProcshareConnectionError("bad reply line %r" % buf[pos:end][:40])

    # The next reply of a command (HeartbeatConnection skips its PINGs' here).
    _next = _read

    # -- calls -----------------------------------------------------------
    def exchange(self, data: bytes, n: int) -> list:
        """Sends ``n`` packed commands in one write; their replies in order."""
        self.send(data)
        return [self.read_reply() for _ in range(n)]

    def send_behind(self, data: bytes, error):
        """Sends one command whose reply the next read takes (and keeps its
        error, mapped by ``error``, for raise_late)."""
        self.send(data)
        self.unread.append(error)

    def call_raw(self, *args):
        r = self.exchange(pack(args), 1)[0]
        if self.late_error is not None:
            self.raise_late()
        return r

    def call(self, *args):
        r = self.call_raw(*args)
        if type(r) is ErrorReply:
            raise to_exception(r)
        return r

    def call_many(self, commands: List[Sequence[Any]]) -> list:
        """Pipelined: one write, the replies in order (errors as ErrorReply)."""
        if not commands:
            return []
        replies = self.exchange(b"".join(pack(c) for c in commands), len(commands))
        if self.late_error is not None:
            self.raise_late()
        return replies

    # -- authentication ----------------------------------------------------
    def _handshake(self, authkey: Optional[bytes], client_name: Optional[str]):
        # The server takes HELLO only once authenticated (as Redis does), so:
        # AUTH.CHALLENGE, then AUTH.PROVE and HELLO 3 in one write.
        hello = ("HELLO", "3")
        if authkey is None:
            r = self.call_raw(*hello)
            if type(r) is ErrorReply:
                self.close()
                raise to_exception(r)
            self._hello(r)
            return
        if isinstance(authkey, str):
            authkey = authkey.encode("utf-8")
        ns = self.call_raw("AUTH.CHALLENGE")
        if type(ns) is ErrorReply:
            self.close()
            raise to_exception(ns)
        ns = bytes(ns)
        nc = os.urandom(32).hex().encode()
        proof = hmac.new(authkey, b"procshare-client" + ns + nc, hashlib.sha256).hexdigest()
        self.send(pack(("AUTH.PROVE", proof, nc)) + pack(hello))
        try:
            r = self.read_reply()
        except ProcshareConnectionError:
            raise AuthenticationError("the server closed the connection during authentication") from None
        if type(r) is ErrorReply:
            self.close()
            raise to_exception(r)
        want = hmac.new(authkey, b"procshare-server" + nc + ns, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(bytes(r), want.encode()):
            self.close()
            raise AuthenticationError("the server's proof is wrong: it does not know the authkey")
        r = self.read_reply()
        if type(r) is ErrorReply:
            self.close()
            raise to_exception(r)
        self._hello(r)

    def _hello(self, reply):
        for k, v in pairs(reply):
            if k == b"run_id":
                self.run_id = bytes(v).decode()


class _BeatingSocket:
    """The socket of a HeartbeatConnection: a read that waits longer than a
    third of the heartbeat sends a PING first (the server reads PINGs while
    a blocking command waits and answers them after its reply)."""

    __slots__ = ("sock", "conn", "poller", "every_ms", "tls")

    def __init__(self, sock, conn, every):
        self.sock = sock
        self.conn = conn
        self.tls = isinstance(sock, ssl.SSLSocket)
        self.poller = select.poll()
        self.poller.register(sock.fileno(), select.POLLIN)
        self.every_ms = max(1, int(every * 1000))

    def recv(self, n):
        s = self.sock
        if not (self.tls and s.pending()):
            while not self.poller.poll(self.every_ms):
                self.conn._ping()
        return s.recv(n)

    def readable(self):
        return (self.tls and self.sock.pending()) or bool(self.poller.poll(0))

    def sendall(self, data):
        self.sock.sendall(data)
        self.conn.last_sent = time.monotonic()

    def close(self):
        self.sock.close()


class HeartbeatConnection(Connection):
    """A connection with ``CLIENT HEARTBEAT s``: the server closes it (and
    releases what it holds) once it is silent for s seconds, so it is kept
    talking: a read that waits PINGs every s/3 by itself, and the process's
    pinger thread PINGs it while idle. Every exchange holds ``io`` so the
    pinger never writes between a command and its reply; PING replies are
    recognised by their place in the stream (sequence numbers) and skipped.
    """

    def __init__(self, address, authkey=None, connect_timeout=10.0, client_name=None,
                 heartbeat=5.0):
        heartbeat = float(heartbeat)
        if not heartbeat > 0:
            raise ValueError("heartbeat must be a positive number of seconds")
        self.io = threading.Lock()
        self.sent = 0          # commands sent (PINGs included) ...
        self.received = 0      # ... and replies read, since the handshake
        self.pings = collections.deque()  # sequence numbers of our PINGs
        self.heartbeat = heartbeat
        self.every = heartbeat / 3
        self.last_sent = time.monotonic()
        super().__init__(address, authkey, connect_timeout, client_name)
        self.sent = self.received = 0  # the handshake's raw sends were not counted
        self.sock = _BeatingSocket(self.sock, self, self.every)
        try:
            self.call("CLIENT", "HEARTBEAT", repr(heartbeat))
        except BaseException:
            self.close()
            raise
        _beating.add(self)
        _start_pinger()

    def _drop(self):
        _beating.discard(self)
        super()._drop()

    def _next(self):
        while True:
            r = self._read()
            seq = self.received
            self.received = seq + 1
            if self.pings and self.pings[0] == seq:
                self.pings.popleft()
                continue
            return r

    def _ping(self):
        self.sock.sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        self.last_sent = time.monotonic()
        self.pings.append(self.sent)
        self.sent += 1

    def roundtrip(self, data):
        with self.io:
            self.sent += 1
            self.send(data)
            return self.read_reply()

    def exchange(self, data, n):
        with self.io:
            self.sent += n
            self.send(data)
            return [self.read_reply() for _ in range(n)]

    def send_behind(self, data, error):
        with self.io:
            self.sent += 1
            self.send(data)
            self.unread.append(error)

    def beat(self):
        """From the pinger thread: PING if idle for a third of the heartbeat
        (skipped while a thread is in an exchange: its read PINGs itself);
        first reads the PONGs of earlier beats that have arrived."""
        if not self.io.acquire(blocking=False):
            return
        try:
            if self.sock is None or self.pid != _pid[0]:
                return
            while (self.pings and self.pings[0] == self.received and not self.unread
                   and (self._pos != len(self._buf) or self.sock.readable())):
                self._read()
                self.received += 1
                self.pings.popleft()
            if time.monotonic() - self.last_sent >= self.every:
                self._ping()
        except BaseException:
            self.close()  # the owner's next call reconnects
        finally:
            self.io.release()


_beating = weakref.WeakSet()
_pinger_pid = [None]
_pinger_lock = threading.Lock()


def _pinger():
    pid = _pid[0]
    while _pid[0] == pid:
        conns = [c for c in list(_beating) if c.pid == pid]
        for c in conns:
            c.beat()
        every = min((c.every for c in conns), default=1.0)
        time.sleep(min(max(every / 4, 0.005), 1.0))


def _start_pinger():
    """One daemon pinger per process (started again in a forked child)."""
    with _pinger_lock:
        if _pinger_pid[0] != _pid[0]:
            _pinger_pid[0] = _pid[0]
            threading.Thread(target=_pinger, name="procshare-heartbeat", daemon=True).start()


class MapReply(list):
    """A RESP3 map (or what RESP2 sends as a flat array), as (key, value) pairs."""


def pairs(reply) -> list:
    """Key/value pairs of a mapping reply, RESP2 (flat) or RESP3 (map)."""
    if isinstance(reply, MapReply):
        return reply
    return list(zip(reply[0::2], reply[1::2]))


class Pending:
    """The result of a command queued in a pipeline, known after it runs."""

    __slots__ = ("_decode", "_error", "_value", "_done", "_exc")

    def __init__(self, decode, error):
        self._decode = decode
        self._error = error
        self._done = False
        self._exc = None
        self._value = None

    def _resolve(self, reply):
        self._done = True
        if type(reply) is ErrorReply:
            exc = self._error(reply) if self._error else to_exception(reply)
            if getattr(exc, "_procshare_return", False):  # a default (d.get(k, x))
                self._value = exc.value
            else:
                self._exc = exc
            return
        try:
            self._value = self._decode(reply) if self._decode else reply
        except Exception as e:  # a decode failure is this result's error
            self._exc = e

    @property
    def done(self):
        return self._done

    def result(self):
        """The value, or raises the command's error."""
        if not self._done:
            raise RuntimeError("the pipeline has not run yet (leave the with block or call execute())")
        if self._exc is not None:
            raise self._exc
        return self._value

    value = property(result)

    def __repr__(self):
        if not self._done:
            return "<Pending>"
        return "<Pending %s>" % ("error %r" % self._exc if self._exc else repr(self._value))


class Pipeline:
    """Commands of one thread sent in one write (``with m.pipeline() as p:``).

    While the block runs, every proxy call this thread makes is queued and
    returns a :class:`Pending`; leaving the block sends them all, reads the
    replies, and raises the first error (if any). ``execute()`` flushes early
    and returns the results (exceptions in place of errors).
    """

    def __init__(self, client):
        self._client = client
        self._conn = None
        self._buf = []
        self._pending = []

    def __enter__(self):
        conn = self._client._conn()
        if conn.pipeline is not None:
            raise RuntimeError("a pipeline is already open on this thread")
        self._conn = conn
        conn.pipeline = self
        return self

    def __exit__(self, et, ev, tb):
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.pipeline = None
        if et is not None:
            self._buf.clear()
            self._pending.clear()
            return False
        self._run(conn, raise_first=True)
        return False

    def __len__(self):
        return len(self._pending)

    def add(self, args, decode=None, error=None) -> Pending:
        p = Pending(decode, error)
        self._buf.append(pack(args))
        self._pending.append(p)
        return p

    def add_packed(self, data, decode=None, error=None) -> Pending:
        """``add`` for a command packed already."""
        p = Pending(decode, error)
        self._buf.append(data)
        self._pending.append(p)
        return p

    def add_silent(self, args):
        """A command whose reply is checked for errors but not returned."""
        return self.add(args)

    def call(self, *args) -> Pending:
        """Queues a raw command (its reply as the server sent it)."""
        return self.add(args)

    def execute(self) -> list:
        """Sends what is queued now; returns the results, errors as exceptions."""
        conn = self._conn or self._client._conn()
        pend = self._run(conn, raise_first=False)
        return [p._exc if p._exc is not None else p._value for p in pend]

    def _run(self, conn, raise_first):
        buf, pend = self._buf, self._pending
        self._buf, self._pending = [], []
        if not pend:
            return pend
        try:
            replies = conn.exchange(b"".join(buf), len(pend))
        except ConnectionLost:
            raise
        except ProcshareConnectionError as e:
            raise ConnectionLost("the connection broke before the replies of a pipeline of %d "
                                 "commands came (%s): they may or may not have run" % (len(pend), e)) from None
        for p, r in zip(pend, replies):
            p._resolve(r)
        conn.raise_late()
        if raise_first:
            for p in pend:
                if p._exc is not None:
                    raise p._exc
        return pend
