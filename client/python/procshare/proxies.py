"""Proxies of the fifteen shared types, with the API of SyncManager's proxies.

Every proxy method is one server command (or a few, sent in one write),
made through ``BaseProxy._call`` on the calling thread's connection. Inside
``with m.pipeline():`` the one-command methods return a Pending instead.
"""

import array as _array
import os
import threading
import time
from typing import Any

from . import values
from .connection import ErrorReply, pack as _pack, pairs, _pid
from .errors import ConnectionLost, LockLost, ProcshareConnectionError, notowner, to_exception

__all__ = [
    "BaseProxy", "DictProxy", "ListProxy", "SetProxy", "NamespaceProxy", "ValueProxy",
    "ArrayProxy", "QueueProxy", "JoinableQueueProxy", "LockProxy", "RLockProxy",
    "SemaphoreProxy", "BoundedSemaphoreProxy", "ConditionProxy", "EventProxy", "BarrierProxy",
    "PROXY_TYPES", "Job", "Acquired",
]

_MAX = (1 << 63) - 1
_INT_CODES = "bBhHiIlLqQ"
_FLOAT_CODES = "fd"


def _as_bool(r):
    return bool(r)


def _ident(r):
    return r


# values.encode stores an ASCII str that starts with a character after "9"
# as its own bytes unless it is "inf" or "nan" (which read back as floats):
# the hot methods test ``x.isascii() and x >= ":" and x != "inf" and
# x != "nan"`` and encode such a str themselves.


def _prefix(cmd: bytes, nargs: int, name: bytes) -> bytes:
    """The packed start of ``cmd name`` plus nargs - 1 more arguments."""
    return b"*%d\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (nargs + 1, len(cmd), cmd, len(name), name)


def _dec_value(proxy, r):
    """Decodes a value reply: numbers as they came, bulk through values
    (plain text and whole numbers straight here: the common replies)."""
    if type(r) is not bytes:
        return r
    if not r:
        return ""
    c = r[0]
    if c > 57 and r != b"inf" and r != b"nan":  # after "9": text (values.decode's rules)
        try:
            return r.decode()
        except UnicodeDecodeError:
            return r
    if 48 < c <= 57 and r.isdigit():  # no leading zero: an int as values.decode reads it
        return int(r)
    return values.decode(r, proxy._client._make_ref)


def _dec_taken(proxy, r):
    """Decodes a value that was removed from its container (pop, get):
    the detached references it held are given back, once this process
    holds its own."""
    if type(r) is not bytes or not r or r[0] != 0 or b'"$ref"' not in r:
        return _dec_value(proxy, r)  # references live in tagged JSON only
    found = []
    client = proxy._client

    def ref(typeid, name):
        p = client._make_ref(typeid, name)
        found.append(p)
        return p
    v = values.decode(r, ref)
    client._take_detached(found)
    return v


def _key_error(e, key):
    return to_exception(e, key=key)


def _timeout_args(block=True, timeout=None):
    if not block:
        return (b"NOWAIT",)
    if timeout is None:
        return ()
    if timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    return (b"TIMEOUT", repr(float(timeout)).encode())


def _hkey(key):
    """values.encode(key) of a dict key or set member, after ``hash(key)``:
    an unhashable key raises TypeError before anything is sent, as a dict
    or set raises it (the server would store it, and the dict could then
    not be read back). str, int and bytes are always hashable: not hashed."""
    t = type(key)
    if t is not str and t is not int and t is not bytes:
        hash(key)
    return values.encode(key)


def _hmember(v):
    """_hkey for set lookups (in, remove, discard): a set is looked up as the
    frozenset of its members, as set's own methods do."""
    if isinstance(v, set):
        v = frozenset(v)
    return _hkey(v)


class BaseProxy:
    """What every proxy has: the object's name, its client, pickling."""

    _typeid = None
    # Packed command starts kept per proxy (attribute: (command, number of
    # arguments)), for the hot methods that send through _rt.
    _packed = {}

    def __init__(self, client, name: bytes, **state):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_anon", name.startswith(b"anon:"))
        object.__setattr__(self, "_tracked_pid", None)
        object.__setattr__(self, "_state", state)
        for attr, (cmd, nargs) in self._packed.items():
            object.__setattr__(self, attr, _prefix(cmd, nargs, name))

    # -- plumbing ----------------------------------------------------------
    def _procshare_ref(self):
        return self._typeid, self._name

    _dec = _dec_value
    _dec_taken = _dec_taken

    def _enc(self, v, pre):
        refs = []
        b = values.encode(v, refs)
        if refs:
            for p in refs:
                if p._anon:
                    pre.append(p)
        return b

    def _call(self, args, decode=None, error=None, pre=(), behind=False):
        """Runs one command; ``pre`` are proxies stored by it (refs to add).

        ``behind``: a write that may be sent without waiting for its reply
        while this thread is inside ``with lock:`` (its reply is read, and
        its error raised, by the next call that waits: at the latest the
        lock's release)."""
        client = self._client
        if self._tracked_pid != _pid[0] and self._anon:
            client._track(self)
        try:
            conn = client._local.conn
        except AttributeError:
            conn = None
        if conn is None or conn.sock is None or conn.pid != _pid[0]:
            conn = client._conn()
        if pre:
            client._detach_refs(conn, pre)
        pl = conn.pipeline
        if pl is not None:
            return pl.add(args, decode, error)
        if behind and conn.behind and not pre:
            try:
                conn.send_behind(_pack(args), error)
            except ProcshareConnectionError as e:
                client._after_break((args,), e)  # a write: raises ConnectionLost
            return None
        try:
            r = conn.roundtrip(_pack(args))
        except ProcshareConnectionError as e:
            r = client._after_break((args,), e)
        if conn.late_error is not None:
            conn.raise_late()
        if type(r) is ErrorReply:
            raise (error(r) if error else to_exception(r))
        return decode(r) if decode else r

    def _rt(self, data, cmd, decode=None, error=None, arg=None, behind=False):
        """_call for a command packed already, that stores no proxy: the
        path of the hot methods. ``data`` is the packed command, ``cmd`` its
        name (a read runs again after a broken connection, by _READS);
        ``decode(proxy, reply)`` gives the result (None: no result) and
        ``error(reply, arg)`` maps an error, so that no closure is made per
        call. Same steps as _call."""
        client = self._client
        if self._tracked_pid != _pid[0] and self._anon:
            client._track(self)
        try:
            conn = client._local.conn
        except AttributeError:
            conn = None
        if conn is None or conn.sock is None or conn.pid != _pid[0]:
            conn = client._conn()
        if conn.pipeline is not None or behind and conn.behind:
            return self._rt_later(conn, data, cmd, decode, error, arg)
        try:
            r = conn.roundtrip(data)
        except ProcshareConnectionError as e:
            r = client._after_break(((cmd,),), e, data)
        if conn.late_error is not None:
            conn.raise_late()
        if type(r) is ErrorReply:
            raise error(r, arg) if error is not None else to_exception(r)
        return decode(self, r) if decode is not None else None

    def _rt_later(self, conn, data, cmd, decode, error, arg):
        """_rt's command queued in a pipeline or sent without waiting."""
        dec = _none if decode is None else (lambda r: decode(self, r))
        err = None if error is None else (lambda e: error(e, arg))
        if conn.pipeline is not None:
            return conn.pipeline.add_packed(data, dec, err)
        try:
            conn.send_behind(data, err)
        except ProcshareConnectionError as e:
            self._client._after_break(((cmd,),), e)  # a write: raises ConnectionLost
        return None

    def _call_many(self, commands, pre=()):
        """Several commands in one write, not pipelinable; raises the first error."""
        client = self._client
        if self._tracked_pid != _pid[0] and self._anon:
            client._track(self)
        conn = client._conn()
        if conn.pipeline is not None:
            raise RuntimeError("%s does this in several steps; it cannot run in a pipeline"
                               % type(self).__name__)
        if pre:
            client._detach_refs(conn, pre)
        try:
            replies = conn.call_many(commands)
        except ProcshareConnectionError as e:
            replies = client._after_break(commands, e)
        for r in replies:
            if type(r) is ErrorReply:
                raise to_exception(r)
        return replies

    def __reduce__(self):
        return (self._client._rebuild_args(self))

    def __repr__(self):
        return "<%s object, typeid %r, name %r at %#x>" % (
            type(self).__name__, self._typeid, self._name.decode("utf-8", "replace"), id(self))

    def __str__(self):
        try:
            return str(self._getvalue())
        except Exception as e:
            return repr(self)[:-1] + "; '__str__()' failed: %r>" % e

    def _getvalue(self):
        """A local copy of the referent (SyncManager's _getvalue)."""
        return self

    # copy.deepcopy(proxy) is a local copy of the referent, as SyncManager's
    # BaseProxy.__deepcopy__ gives; copy.copy(proxy) goes through
    # __reduce__ and gives another proxy of the same object, as there too.
    def __deepcopy__(self, memo):
        return self._local_copy()

    def _local_copy(self):
        if type(self)._getvalue is BaseProxy._getvalue:
            # SyncManager raises RemoteError here: the referent (a lock, a
            # queue ...) cannot be pickled. Locally deepcopy raises TypeError.
            raise TypeError("cannot deepcopy a %s: a %s has no local copy (copy.copy(proxy) "
                            "gives another proxy of the same object)"
                            % (type(self).__name__, self._typeid))
        return self._getvalue()

    @property
    def name(self) -> str:
        """The object's name on the server (what C++ and netcat use)."""
        return self._name.decode("utf-8", "replace")

    def describe(self) -> dict:
        """The server's DESCRIBE of this object, as a dict of str to value."""
        r = self._call((b"DESCRIBE", self._name))
        return {k.decode() if isinstance(k, bytes) else k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
                for k, v in pairs(r)}

    def __eq__(self, other):
        if isinstance(other, BaseProxy):
            return self._name == other._name and self._client is other._client
        return NotImplemented

    def __hash__(self):
        return hash(self._name)


# ---------------------------------------------------------------- dict
class DictProxy(BaseProxy):
    """A shared dict. Values keep their Python types (docs/values.md)."""

    _typeid = "dict"
    _packed = {"_p_get": (b"DICT.GET", 2), "_p_set": (b"DICT.SET", 3)}

    # The hot methods encode plain str and int values here (what
    # values.encode would give) and send through _rt.
    def __getitem__(self, key):
        if type(key) is str and key.isascii() and key >= ":" and key != "inf" and key != "nan":
            k = key.encode()
        else:
            t = type(key)
            if t is not int and t is not str and t is not bytes:
                hash(key)  # TypeError for an unhashable key, as dict raises it
            k = values.encode(key)
        return self._rt(self._p_get + b"$%d\r\n%b\r\n" % (len(k), k), b"DICT.GET", _dec_value,
                        _key_error, key)

    def __setitem__(self, key, value):
        if type(key) is str and key.isascii() and key >= ":" and key != "inf" and key != "nan":
            k = key.encode()
        else:
            t = type(key)
            if t is not int and t is not str and t is not bytes:
                hash(key)  # TypeError for an unhashable key, as dict raises it
            k = values.encode(key)
        t = type(value)
        if t is int:
            v = b"%d" % value
        elif t is str and value.isascii() and value >= ":" and value != "inf" and value != "nan":
            v = value.encode()
        else:
            pre = []
            v = self._enc(value, pre)
            if pre:
                self._call((b"DICT.SET", self._name, k, v), _none, None, pre, True)
                return
        self._rt(self._p_set + b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(k), k, len(v), v),
                 b"DICT.SET", None, None, None, True)

    def __delitem__(self, key):
        self._call((b"DICT.DEL", self._name, _hkey(key)), None,
                   lambda e: to_exception(e, key=key))

    def __contains__(self, key):
        return self._call((b"DICT.HAS", self._name, _hkey(key)), _as_bool)

    def __len__(self):
        return self._call((b"DICT.LEN", self._name))

    def __iter__(self):
        return iter(self.keys())

    def __reversed__(self):
        return reversed(self.keys())

    def keys(self):
        return self._call((b"DICT.KEYS", self._name), self._dec_list)

    def values(self):
        return self._call((b"DICT.VALUES", self._name), self._dec_list)

    def items(self):
        return self._call((b"DICT.ITEMS", self._name),
                          lambda r: [(self._dec(k), self._dec(v)) for k, v in pairs(r)])

    def _dec_list(self, r):
        d = self._dec
        return [d(x) for x in r]

    def copy(self):
        return self._call((b"DICT.ITEMS", self._name),
                          lambda r: {self._dec(k): self._dec(v) for k, v in pairs(r)})

    _getvalue = copy

    def get(self, key, default=None):
        if type(key) is str and key.isascii() and key >= ":" and key != "inf" and key != "nan":
            k = key.encode()
        else:
            t = type(key)
            if t is not int and t is not str and t is not bytes:
                hash(key)  # TypeError for an unhashable key, as dict raises it
            k = values.encode(key)
        try:
            return self._rt(self._p_get + b"$%d\r\n%b\r\n" % (len(k), k), b"DICT.GET", _dec_value,
                            _default_error, default)
        except _Return as r:
            return r.value

    def setdefault(self, key, default=None):
        pre = []
        v = self._enc(default, pre)
        return self._call((b"DICT.SETDEFAULT", self._name, _hkey(key), v), self._dec,
                          None, pre)

    _nodefault = object()

    def pop(self, key, default=_nodefault):
        def err(e):
            if e.code == "KEYERROR" and default is not DictProxy._nodefault:
                return _Return(default)
            return to_exception(e, key=key)
        try:
            return self._call((b"DICT.POP", self._name, _hkey(key)), self._dec_taken, err)
        except _Return as r:
            return r.value

    def popitem(self):
        return self._call((b"DICT.POPITEM", self._name),
                          lambda r: (self._dec(r[0]), self._dec_taken(r[1])),
                          lambda e: to_exception(e, key="popitem(): dictionary is empty"))

    def update(self, other=(), **kwargs):
        if isinstance(other, DictProxy):
            other = other.copy()
        items = other.items() if hasattr(other, "keys") and hasattr(other, "items") else other
        pre = []
        args = [b"DICT.UPDATE", self._name]
        for k, v in items:
            args.append(_hkey(k))
            args.append(self._enc(v, pre))
        for k, v in kwargs.items():
            args.append(values.encode(k))
            args.append(self._enc(v, pre))
        if len(args) > 2:
            self._call(tuple(args), None, None, pre, True)

    def clear(self):
        self._call((b"DICT.CLEAR", self._name))

    def incr(self, key, n=1):
        """Atomically adds n to d[key] (0 when missing); returns the new value."""
        if type(n) is float:
            return self._call((b"DICT.INCRBYFLOAT", self._name, _hkey(key), repr(n).encode()))
        return self._call((b"DICT.INCRBY", self._name, _hkey(key), str(int(n)).encode()))

    def __or__(self, other):
        if not isinstance(other, (dict, DictProxy)):
            return NotImplemented
        d = self.copy()
        d.update(other.copy() if isinstance(other, DictProxy) else other)
        return d

    def __ror__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        d = dict(other)
        d.update(self.copy())
        return d

    def __ior__(self, other):
        self.update(other)
        return self

    def __eq__(self, other):
        if isinstance(other, DictProxy):
            return self.copy() == other.copy()
        if isinstance(other, dict):
            return self.copy() == other
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = None


class _Return(Exception):
    """Carries a default value out of an error mapper."""

    _procshare_return = True

    def __init__(self, value):
        super().__init__()
        self.value = value


def _default_error(e, default):
    if e.code == "KEYERROR":
        return _Return(default)
    return to_exception(e)


# ---------------------------------------------------------------- list
def _norm_index(i):
    try:
        return i.__index__()
    except AttributeError:
        raise TypeError("list indices must be integers or slices, not %s" % type(i).__name__) from None


class ListProxy(BaseProxy):
    """A shared list."""

    _typeid = "list"

    def _dec_list(self, r):
        d = self._dec
        return [d(x) for x in r]

    def _all(self):
        return self._call((b"LIST.RANGE", self._name, b"0", str(_MAX).encode()), self._dec_list)

    _getvalue = _all
    copy = _all

    def __getitem__(self, i):
        if isinstance(i, slice):
            if i.step in (None, 1):
                start = 0 if i.start is None else _norm_index(i.start)
                stop = _MAX if i.stop is None else _norm_index(i.stop)
                return self._call((b"LIST.RANGE", self._name, str(start).encode(), str(stop).encode()),
                                  self._dec_list)
            return self._all()[i]
        return self._call((b"LIST.GET", self._name, str(_norm_index(i)).encode()), self._dec,
                          lambda e: to_exception(e, default_message="list index out of range"))

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            cur = self._all()
            cur[i] = value
            self._rewrite(cur)
            return
        pre = []
        v = self._enc(value, pre)
        self._call((b"LIST.SET", self._name, str(_norm_index(i)).encode(), v), None,
                   lambda e: to_exception(e, default_message="list assignment index out of range"), pre)

    def __delitem__(self, i):
        if isinstance(i, slice):
            cur = self._all()
            del cur[i]
            self._rewrite(cur)
            return
        self._call((b"LIST.DEL", self._name, str(_norm_index(i)).encode()), None,
                   lambda e: to_exception(e, default_message="list assignment index out of range"))

    def _rewrite(self, items):
        pre = []
        enc = [self._enc(v, pre) for v in items]
        cmds = [(b"LIST.CLEAR", self._name)]
        if enc:
            cmds.append((b"LIST.EXTEND", self._name) + tuple(enc))
        self._call_many(cmds, pre)

    def __len__(self):
        return self._call((b"LIST.LEN", self._name))

    def __contains__(self, value):
        return self._call((b"LIST.COUNT", self._name, values.encode(value)), _as_bool)

    def __iter__(self):
        return iter(self._all())

    def __reversed__(self):
        return reversed(self._all())

    def append(self, value):
        pre = []
        v = self._enc(value, pre)
        self._call((b"LIST.APPEND", self._name, v), _none, None, pre, True)

    def extend(self, iterable):
        if isinstance(iterable, ListProxy):
            iterable = iterable._all()
        pre = []
        enc = [self._enc(v, pre) for v in iterable]
        if enc:
            self._call((b"LIST.EXTEND", self._name) + tuple(enc), _none, None, pre, True)

    def insert(self, i, value):
        pre = []
        v = self._enc(value, pre)
        self._call((b"LIST.INSERT", self._name, str(_norm_index(i)).encode(), v), _none, None, pre)

    def pop(self, i=-1):
        def err(e):
            if e.code == "INDEXERROR":
                return IndexError("pop from empty list" if "empty" in e.message else "pop index out of range")
            return to_exception(e)
        return self._call((b"LIST.POP", self._name, str(_norm_index(i)).encode()), self._dec_taken, err)

    def remove(self, value):
        self._call((b"LIST.REMOVE", self._name, values.encode(value)), _none,
                   lambda e: to_exception(e, default_message="list.remove(x): x not in list"))

    def index(self, value, start=0, stop=None):
        if start == 0 and stop is None:
            return self._call((b"LIST.INDEX", self._name, values.encode(value)), None,
                              lambda e: to_exception(e, default_message="%r is not in list" % (value,)))
        cur = self._all()
        return cur.index(value, start, len(cur) if stop is None else stop)

    def count(self, value):
        return self._call((b"LIST.COUNT", self._name, values.encode(value)))

    def reverse(self):
        self._call((b"LIST.REVERSE", self._name), _none)

    def sort(self, *, key=None, reverse=False):
        """Sorts in place: on the server (atomic) when every item is a plain
        int or float and there is no key; otherwise locally, then rewritten."""
        cur = self._all()
        if key is None and all(type(x) in (int, float) for x in cur):
            args = (b"LIST.SORT", self._name, b"NUMERIC") + ((b"REVERSE",) if reverse else ())
            self._call(args, _none)
            return
        cur.sort(key=key, reverse=reverse)
        self._rewrite(cur)

    def clear(self):
        self._call((b"LIST.CLEAR", self._name), _none)

    def __add__(self, other):
        if isinstance(other, ListProxy):
            other = other._all()
        if not isinstance(other, list):
            return NotImplemented
        return self._all() + other

    def __radd__(self, other):
        if not isinstance(other, list):
            return NotImplemented
        return other + self._all()

    def __iadd__(self, other):
        self.extend(other)
        return self

    def __mul__(self, n):
        return self._all() * n

    __rmul__ = __mul__

    def __imul__(self, n):
        n = _norm_index(n)
        if n <= 0:
            self.clear()
        elif n > 1:
            self.extend(self._all() * (n - 1))
        return self

    def _cmp_other(self, other):
        if isinstance(other, ListProxy):
            return other._all()
        if isinstance(other, list):
            return other
        return None

    def __eq__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() == o

    def __ne__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() != o

    def __lt__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() < o

    def __le__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() <= o

    def __gt__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() > o

    def __ge__(self, other):
        o = self._cmp_other(other)
        return NotImplemented if o is None else self._all() >= o

    __hash__ = None


def _none(r):
    return None


# ---------------------------------------------------------------- set
class SetProxy(BaseProxy):
    """A shared set (not in SyncManager; Python's set API)."""

    _typeid = "set"

    def _members(self):
        return self._call((b"SET.MEMBERS", self._name), lambda r: {self._dec(x) for x in r})

    _getvalue = _members
    copy = _members

    def add(self, value):
        self._call((b"SET.ADD", self._name, _hkey(value)), _none, None, (), True)

    def discard(self, value):
        self._call((b"SET.DISCARD", self._name, _hmember(value)), _none)

    def remove(self, value):
        self._call((b"SET.REMOVE", self._name, _hmember(value)), _none,
                   lambda e: to_exception(e, key=value))

    def pop(self):
        return self._call((b"SET.POP", self._name), self._dec,
                          lambda e: to_exception(e, key="pop from an empty set"))

    def clear(self):
        self._call((b"SET.CLEAR", self._name), _none)

    def __contains__(self, value):
        return self._call((b"SET.HAS", self._name, _hmember(value)), _as_bool)

    def __len__(self):
        return self._call((b"SET.LEN", self._name))

    def __iter__(self):
        return iter(self._members())

    def update(self, *others):
        enc = [_hkey(v) for o in others for v in (o._members() if isinstance(o, SetProxy) else o)]
        if enc:
            self._call((b"SET.ADD", self._name) + tuple(enc), _none)

    def difference_update(self, *others):
        enc = [_hkey(v) for o in others for v in (o._members() if isinstance(o, SetProxy) else o)]
        if enc:
            self._call((b"SET.DISCARD", self._name) + tuple(enc), _none)

    def intersection_update(self, *others):
        keep = self._members().intersection(*[_plain(o) for o in others])
        drop = [values.encode(v) for v in self._members() - keep]
        if drop:
            self._call((b"SET.DISCARD", self._name) + tuple(drop), _none)

    def symmetric_difference_update(self, other):
        other = _plain(other)
        mine = self._members()
        drop = [values.encode(v) for v in mine & other]
        add = [values.encode(v) for v in other - mine]
        cmds = []
        if drop:
            cmds.append((b"SET.DISCARD", self._name) + tuple(drop))
        if add:
            cmds.append((b"SET.ADD", self._name) + tuple(add))
        self._call_many(cmds)

    def __ior__(self, other):
        self.update(other)
        return self

    def __isub__(self, other):
        self.difference_update(other)
        return self

    def __iand__(self, other):
        self.intersection_update(other)
        return self

    def __ixor__(self, other):
        self.symmetric_difference_update(other)
        return self

    def union(self, *o):
        return self._members().union(*[_plain(x) for x in o])

    def intersection(self, *o):
        return self._members().intersection(*[_plain(x) for x in o])

    def difference(self, *o):
        return self._members().difference(*[_plain(x) for x in o])

    def symmetric_difference(self, o):
        return self._members().symmetric_difference(_plain(o))

    def isdisjoint(self, o):
        return self._members().isdisjoint(_plain(o))

    def issubset(self, o):
        return self._members().issubset(_plain(o))

    def issuperset(self, o):
        return self._members().issuperset(_plain(o))

    def __or__(self, o):
        return self._members() | _plain(o)

    def __and__(self, o):
        return self._members() & _plain(o)

    def __sub__(self, o):
        return self._members() - _plain(o)

    def __xor__(self, o):
        return self._members() ^ _plain(o)

    def __rsub__(self, o):
        return _plain(o) - self._members()

    __ror__ = __or__
    __rand__ = __and__
    __rxor__ = __xor__

    def __eq__(self, o):
        if isinstance(o, (set, frozenset, SetProxy)):
            return self._members() == _plain(o)
        return NotImplemented

    def __ne__(self, o):
        r = self.__eq__(o)
        return r if r is NotImplemented else not r

    def __le__(self, o):
        return self._members() <= _plain(o)

    def __lt__(self, o):
        return self._members() < _plain(o)

    def __ge__(self, o):
        return self._members() >= _plain(o)

    def __gt__(self, o):
        return self._members() > _plain(o)

    __hash__ = None


def _plain(o):
    if isinstance(o, SetProxy):
        return o._members()
    if isinstance(o, (set, frozenset)):
        return o
    return set(o)


# ---------------------------------------------------------------- namespace
class NamespaceProxy(BaseProxy):
    """Attributes not starting with '_' live on the server."""

    _typeid = "namespace"

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._call((b"NS.GET", self._name, attr.encode()), self._dec,
                          lambda e: AttributeError("'Namespace' object has no attribute %r" % attr)
                          if e.code == "KEYERROR" else to_exception(e))

    def __setattr__(self, attr, value):
        if attr.startswith("_"):
            return object.__setattr__(self, attr, value)
        pre = []
        v = self._enc(value, pre)
        self._call((b"NS.SET", self._name, attr.encode(), v), _none, None, pre, True)

    def __delattr__(self, attr):
        if attr.startswith("_"):
            return object.__delattr__(self, attr)
        self._call((b"NS.DEL", self._name, attr.encode()), _none,
                   lambda e: AttributeError(attr) if e.code == "KEYERROR" else to_exception(e))

    def _items(self):
        return self._call((b"NS.ITEMS", self._name),
                          lambda r: {k.decode("utf-8"): self._dec(v) for k, v in pairs(r)})

    def __str__(self):
        items = sorted("%s=%r" % kv for kv in self._items().items() if not kv[0].startswith("_"))
        return "Namespace(%s)" % ", ".join(items)

    def _getvalue(self):
        """A local multiprocessing.managers.Namespace, as SyncManager's."""
        from multiprocessing.managers import Namespace
        return Namespace(**self._items())

    def __repr__(self):
        return BaseProxy.__repr__(self)


# ---------------------------------------------------------------- value
class ValueProxy(BaseProxy):
    """Manager.Value: ``.value`` plus atomic incr and compare_and_set."""

    _typeid = "value"

    def get(self):
        return self._call((b"VALUE.GET", self._name), self._dec)

    def set(self, value):
        pre = []
        v = self._enc(value, pre)
        # Sent without waiting inside ``with lock:`` only when the server
        # cannot refuse it: the value's kind is known here and matches.
        tc = self._state.get("typecode")
        t = type(value)
        sure = (tc in _INT_CODES and t is int and -(1 << 63) <= value < (1 << 63)) or (
            tc in _FLOAT_CODES and t in (int, float)) or (
            isinstance(tc, str) and tc not in _INT_CODES and tc not in _FLOAT_CODES)
        self._call((b"VALUE.SET", self._name, v), _none, None, pre, sure)

    value = property(get, set)
    _getvalue = get

    def _local_copy(self):
        # deepcopy as SyncManager's: a local multiprocessing.managers.Value
        # (_getvalue here has always given the plain value; it stays so).
        from multiprocessing.managers import Value
        return Value(self._state.get("typecode"), self.get())

    def incr(self, n=1):
        """Atomically adds n; returns the new value."""
        if type(n) is float:
            return self._call((b"VALUE.INCRBYFLOAT", self._name, repr(n).encode()))
        return self._call((b"VALUE.INCRBY", self._name, str(int(n)).encode()))

    def compare_and_set(self, expected, new) -> bool:
        """Stores new if the value equals expected (atomically); True if swapped."""
        return self._call((b"VALUE.CAS", self._name, values.encode(expected), values.encode(new)),
                          _as_bool)

    def __str__(self):
        return "Value(%r, %r)" % (self._state.get("typecode", "?"), self.get())


# ---------------------------------------------------------------- array
class ArrayProxy(BaseProxy):
    """Manager.Array: fixed length, int, float or text/bytes elements."""

    _typeid = "array"

    def _typecode(self):
        return self._state.get("typecode")

    def _wrap(self, items):
        tc = self._typecode()
        if tc is None:
            return items
        return _array.array(tc, items)

    def _dec_list(self, r):
        d = self._dec
        return [d(x) for x in r]

    def tolist(self):
        return self._call((b"ARRAY.RANGE", self._name, b"0", str(_MAX).encode()), self._dec_list)

    def _getvalue(self):
        return self._wrap(self.tolist())

    def __str__(self):
        return str(self._getvalue())

    def __len__(self):
        n = self._state.get("len")
        if n is None:
            n = self._call((b"ARRAY.LEN", self._name))
            if type(n) is int:
                self._state["len"] = n
        return n

    def __iter__(self):
        return iter(self.tolist())

    def __getitem__(self, i):
        if isinstance(i, slice):
            if i.step in (None, 1):
                start = 0 if i.start is None else _norm_index(i.start)
                stop = _MAX if i.stop is None else _norm_index(i.stop)
                return self._call((b"ARRAY.RANGE", self._name, str(start).encode(),
                                   str(stop).encode()), lambda r: self._wrap(self._dec_list(r)))
            return self._wrap(self.tolist()[i])
        return self._call((b"ARRAY.GET", self._name, str(_norm_index(i)).encode()), self._dec,
                          lambda e: to_exception(e, default_message="array index out of range"))

    def _check(self, v):
        tc = self._typecode()
        if tc is not None:
            _array.array(tc, [v])  # TypeError/OverflowError as array.array raises them
        return values.encode(v)

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            idx = range(*i.indices(len(self)))
            vals = list(value)
            if len(vals) != len(idx):
                raise ValueError("attempt to assign array of size %d to extended slice of size %d"
                                 % (len(vals), len(idx)) if i.step not in (None, 1) else
                                 "can only assign an array of the same length to an array slice")
            cmds = [(b"ARRAY.SET", self._name, str(j).encode(), self._check(v)) for j, v in zip(idx, vals)]
            self._call_many(cmds)
            return
        self._call((b"ARRAY.SET", self._name, str(_norm_index(i)).encode(), self._check(value)), _none,
                   lambda e: to_exception(e, default_message="array assignment index out of range"))

    def incr(self, i, n=1):
        """Atomically adds n to a[i]; returns the new element."""
        return self._call((b"ARRAY.INCRBY", self._name, str(_norm_index(i)).encode(),
                           repr(n).encode()))

    def __eq__(self, other):
        if isinstance(other, (list, _array.array)):
            return self.tolist() == list(other)
        if isinstance(other, ArrayProxy):
            return self.tolist() == other.tolist()
        return NotImplemented

    __hash__ = None


# ---------------------------------------------------------------- queues
class QueueProxy(BaseProxy):
    """Manager.Queue: queue.Queue's API, raising queue.Empty / queue.Full."""

    _typeid = "queue"
    _packed = {"_p_put": (b"QUEUE.PUT", 2), "_p_get": (b"QUEUE.GET", 1)}

    def put(self, item, block=True, timeout=None):
        t = type(item)
        if t is str and item.isascii() and item >= ":" and item != "inf" and item != "nan":
            v = item.encode()  # what values.encode gives, the common case
        elif t is int:
            v = b"%d" % item
        else:
            pre = []
            v = self._enc(item, pre)
            if pre:
                self._call((b"QUEUE.PUT", self._name, v) + _timeout_args(block, timeout), _none,
                           None, pre)
                return
        if block and timeout is None:
            self._rt(self._p_put + b"$%d\r\n%b\r\n" % (len(v), v), b"QUEUE.PUT")
        else:
            self._call((b"QUEUE.PUT", self._name, v) + _timeout_args(block, timeout), _none)

    def get(self, block=True, timeout=None, *, lease=None):
        """queue.Queue.get. With ``lease`` (seconds): a :class:`Job` that
        stays the server's until ``ack()``ed, and comes back to the queue
        if it is nacked, its lease runs out or this process dies."""
        if lease is not None:
            return self.get_job(block, timeout, lease=lease)
        if block and timeout is None:
            return self._rt(self._p_get, b"QUEUE.GET", _dec_taken)
        return self._call((b"QUEUE.GET", self._name) + _timeout_args(block, timeout), self._dec_taken)

    def get_job(self, block=True, timeout=None, lease=30.0):
        """The next item on a lease of ``lease`` seconds, as a :class:`Job`
        (``QUEUE.GET … LEASE``); raises queue.Empty as get() does."""
        lease = float(lease)
        if not lease > 0:
            raise ValueError("lease must be a positive number of seconds")
        args = (b"QUEUE.GET", self._name) + _timeout_args(block, timeout) + (
            b"LEASE", repr(lease).encode())
        return self._call(args, self._job)

    def _job(self, r):
        return Job(self, self._dec_taken(r[0]), r[1])

    def put_nowait(self, item):
        return self.put(item, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return self._call((b"QUEUE.SIZE", self._name))

    def empty(self):
        return self._call((b"QUEUE.EMPTY", self._name), _as_bool)

    def full(self):
        return self._call((b"QUEUE.FULL", self._name), _as_bool)


class Job:
    """An item delivered on a lease (``q.get_job()``, ``q.get(lease=…)``).

    ``item`` is the value, ``id`` the server's delivery id. ``ack()``
    settles it (on a JoinableQueue it is also the item's task_done: do not
    call ``task_done()`` for it), ``nack(delay=None)`` puts it back at the
    head of the queue (now, or after ``delay`` seconds), ``extend(s)``
    renews the lease to end s seconds from now. Each returns False when the
    job had already gone back (its lease ran out, it was settled). As a
    context manager it acks on normal exit and nacks on an exception. Any
    process may settle a job (a forked helper may ack its parent's).
    """

    __slots__ = ("queue", "item", "id", "settled")

    def __init__(self, queue, item, id):
        self.queue = queue
        self.item = item
        self.id = id
        self.settled = False

    def _settle(self, *args):
        q = self.queue
        r = q._call(args, _as_bool)
        self.settled = True
        return r

    def ack(self) -> bool:
        return self._settle(b"QUEUE.ACK", self.queue._name, str(self.id).encode())

    def nack(self, delay=None) -> bool:
        args = (b"QUEUE.NACK", self.queue._name, str(self.id).encode())
        if delay is not None:
            if delay < 0:
                raise ValueError("delay must be a non-negative number of seconds")
            args += (b"DELAY", repr(float(delay)).encode())
        return self._settle(*args)

    def extend(self, seconds) -> bool:
        seconds = float(seconds)
        if not seconds > 0:
            raise ValueError("the lease must be a positive number of seconds")
        return self.queue._call((b"QUEUE.EXTEND", self.queue._name, str(self.id).encode(),
                                 repr(seconds).encode()), _as_bool)

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if not self.settled:
            if et is None:
                self.ack()
            else:
                self.nack()
        return False

    def __repr__(self):
        return "<Job id=%d item=%r%s>" % (self.id, self.item, " settled" if self.settled else "")


class JoinableQueueProxy(QueueProxy):
    """Manager.JoinableQueue. A leased job's ``ack()`` is its task_done."""

    _typeid = "joinablequeue"

    def task_done(self):
        self._call((b"QUEUE.TASKDONE", self._name), _none,
                   lambda e: ValueError("task_done() called too many times")
                   if e.code == "VALUEERROR" else to_exception(e))

    def join(self, timeout=None):
        """Waits until every item was marked done. (timeout is procshare's
        addition: returns False when it ran out.)"""
        args = (b"QUEUE.JOIN", self._name)
        if timeout is not None:
            args += (b"TIMEOUT", repr(float(timeout)).encode())
        r = self._call(args, _as_bool)
        return None if timeout is None else r


# ---------------------------------------------------------------- locks
class Acquired:
    """What ``acquire(..., with_state=True)`` returns: true when acquired;
    ``token`` (the fencing token; 1 for a semaphore or condition, 0 when
    it timed out) and ``previous_owner_died`` (the previous holder vanished
    holding it: the data it guards may be half-updated)."""

    __slots__ = ("token", "previous_owner_died")

    def __init__(self, token, previous_owner_died):
        self.token = token
        self.previous_owner_died = previous_owner_died

    def __bool__(self):
        return self.token != 0

    def __repr__(self):
        return "Acquired(token=%d, previous_owner_died=%r)" % (self.token, self.previous_owner_died)


def _lease_args(lease, with_state):
    args = ()
    if lease is not None:
        lease = float(lease)
        if not lease > 0:
            raise ValueError("lease must be a positive number of seconds")
        args = (b"LEASE", repr(lease).encode())
    if with_state:
        args += (b"WITHSTATE",)
    return args


def _extend_args(cmd, name, seconds):
    seconds = float(seconds)
    if not seconds > 0:
        raise ValueError("the lease must be a positive number of seconds")
    return (cmd, name, repr(seconds).encode())


class _Holdable(BaseProxy):
    """What locks, semaphores and conditions share: leases and WITHSTATE."""

    # Whether a hold belongs to the connection that took it (locks and
    # conditions; not a semaphore, UNOWNED by default).
    _conn_hold = False

    def _got(self, r):
        if self._conn_hold and r:
            self._state["held_by"] = self._client._conn()
        return self._got_state(r)

    def _check_held(self):
        """Raises LockLost when the connection that took the hold broke
        since: the server released it then (or restarted)."""
        c = self._state.get("held_by")
        if c is not None and c.sock is None and c.pid == _pid[0]:
            del self._state["held_by"]
            raise LockLost("the connection that acquired %s broke, so the server released it%s"
                           % (self._name.decode("utf-8", "replace"),
                              " (the server restarted)" if self._client.server_restarted
                              and c.run_id != self._client.run_id else ""))

    def _got_state(self, r):
        if type(r) is list:  # WITHSTATE: [token, previous_owner_died]
            token, died = r
            self._state["token"] = token
            self._state["previous_owner_died"] = bool(died)
            return Acquired(token, bool(died))
        if r:
            self._state["token"] = r
            return True
        return False

    @property
    def token(self):
        """The fencing token of this proxy's last successful acquire."""
        return self._state.get("token", 0)

    @property
    def previous_owner_died(self):
        """Of this proxy's last ``acquire(..., with_state=True)``: whether
        the previous holder vanished holding it."""
        return self._state.get("previous_owner_died", False)

    def _release_error(self, msg):
        return lambda e: notowner(e, msg) if e.code == "NOTOWNER" else to_exception(e)


class LockProxy(_Holdable):
    """Manager.Lock. ``acquire`` keeps the fencing token in ``.token``.

    ``acquire(lease=s)``: the server releases the lock s seconds later if
    this client still holds it (then ``release()``/``extend()`` raise
    :class:`procshare.LockLost`); ``extend(s)`` renews the lease.
    ``with_state=True`` returns an :class:`Acquired`.
    """

    _typeid = "lock"
    _release_msg = "release unlocked lock"
    _conn_hold = True

    def acquire(self, blocking=True, timeout=-1, *, lease=None, with_state=False):
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if blocking and timeout is not None and timeout != -1 and timeout < 0:
            raise ValueError("timeout value must be a non-negative number")
        args = (b"LOCK.ACQUIRE", self._name)
        if not blocking:
            args += (b"NOWAIT",)
        elif timeout is not None and timeout != -1:
            args += (b"TIMEOUT", repr(float(timeout)).encode())
        if lease is not None or with_state:
            args += _lease_args(lease, with_state)
        return self._call(args, self._got)

    def extend(self, seconds):
        """Renews this client's lease: it now ends ``seconds`` from now.
        NotOwner when it does not hold the lock, LockLost when the lease
        already ran out."""
        self._check_held()
        self._call(_extend_args(b"LOCK.EXTEND", self._name, seconds), _none,
                   self._release_error(None))

    def acquire_token(self, blocking=True, timeout=-1) -> int:
        """Like acquire, but returns the fencing token (0: not acquired)."""
        return self._state["token"] if self.acquire(blocking, timeout) else 0

    def release(self):
        self._check_held()
        try:
            self._call((b"LOCK.RELEASE", self._name), _none, self._release_error(self._release_msg))
        except ConnectionLost:
            self._check_held()  # the hold went with the connection: LockLost
            raise

    def locked(self):
        return self._call((b"LOCK.LOCKED", self._name), _as_bool)

    # Inside ``with lock:`` this thread's writes (d[k] = v, v.value = x,
    # l.append(x), ns.attr = x, s.add(x)) are sent without waiting for their
    # replies: the server runs them in order before the release, so whoever
    # takes the lock next sees them, and the release reads their replies and
    # raises the first error. One round trip less per write in the
    # critical section.
    def __enter__(self):
        got = self.acquire()
        if got is True:
            self._client._conn().behind += 1
        return got

    def __exit__(self, *exc):
        conn = self._client._conn()
        if conn.behind > 0:
            conn.behind -= 1
        self.release()


class RLockProxy(LockProxy):
    _typeid = "rlock"
    _release_msg = "cannot release un-acquired lock"


class SemaphoreProxy(_Holdable):
    """Manager.Semaphore. ``lease`` and ``extend`` need an owned semaphore
    (``Semaphore(n, owned=True)``): the lease covers every permit this
    client holds."""

    _typeid = "semaphore"

    def acquire(self, blocking=True, timeout=None, *, lease=None, with_state=False):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        args = (b"SEM.ACQUIRE", self._name)
        if not blocking:
            args += (b"NOWAIT",)
        elif timeout is not None:
            args += (b"TIMEOUT", repr(max(0.0, float(timeout))).encode())
        if lease is not None or with_state:
            return self._call(args + _lease_args(lease, with_state), self._got)
        return self._call(args, _as_bool)

    def extend(self, seconds):
        """Renews the lease on every permit this client holds."""
        self._call(_extend_args(b"SEM.EXTEND", self._name, seconds), _none,
                   self._release_error(None))

    def release(self, n=1):
        if n < 1:
            raise ValueError("n must be one or more")
        self._call((b"SEM.RELEASE", self._name, str(int(n)).encode()), _none,
                   lambda e: ValueError("Semaphore released too many times")
                   if e.code == "VALUEERROR" else notowner(e) if e.code == "NOTOWNER"
                   else to_exception(e))

    def get_value(self):
        """The free permits now."""
        return self._call((b"SEM.VALUE", self._name))

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class BoundedSemaphoreProxy(SemaphoreProxy):
    _typeid = "boundedsemaphore"


class ConditionProxy(_Holdable):
    _typeid = "condition"
    _conn_hold = True

    def acquire(self, blocking=True, timeout=None, *, lease=None, with_state=False):
        args = (b"COND.ACQUIRE", self._name)
        if not blocking:
            args += (b"TIMEOUT", b"0")
        elif timeout is not None and timeout >= 0:
            args += (b"TIMEOUT", repr(float(timeout)).encode())
        if lease is not None or with_state:
            args += _lease_args(lease, with_state)
        return self._call(args, self._got)

    def extend(self, seconds):
        """Renews this client's lease on the condition's lock."""
        self._check_held()
        self._call(_extend_args(b"COND.EXTEND", self._name, seconds), _none,
                   self._release_error(None))

    def release(self):
        self._check_held()
        try:
            self._call((b"COND.RELEASE", self._name), _none,
                       self._release_error("cannot release un-acquired lock"))
        except ConnectionLost:
            self._check_held()  # the hold went with the connection: LockLost
            raise

    def wait(self, timeout=None):
        args = (b"COND.WAIT", self._name)
        if timeout is not None:
            args += (b"TIMEOUT", repr(max(0.0, float(timeout))).encode())
        return self._call(args, _as_bool, self._release_error("cannot wait on un-acquired lock"))

    def wait_for(self, predicate, timeout=None):
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = time.monotonic() + waittime
                else:
                    waittime = endtime - time.monotonic()
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    def notify(self, n=1):
        self._call((b"COND.NOTIFY", self._name, str(int(n)).encode()), _none,
                   self._release_error("cannot notify on un-acquired lock"))

    def notify_all(self):
        self._call((b"COND.NOTIFYALL", self._name), _none,
                   self._release_error("cannot notify on un-acquired lock"))

    notifyAll = notify_all

    def __enter__(self):  # writes inside are sent without waiting, as for a Lock
        got = self.acquire()
        if got is True:
            self._client._conn().behind += 1
        return got

    def __exit__(self, *exc):
        conn = self._client._conn()
        if conn.behind > 0:
            conn.behind -= 1
        self.release()


class EventProxy(BaseProxy):
    _typeid = "event"

    def set(self):
        self._call((b"EVENT.SET", self._name), _none)

    def clear(self):
        self._call((b"EVENT.CLEAR", self._name), _none)

    def is_set(self):
        return self._call((b"EVENT.ISSET", self._name), _as_bool)

    isSet = is_set

    def wait(self, timeout=None):
        args = (b"EVENT.WAIT", self._name)
        if timeout is not None:
            args += (b"TIMEOUT", repr(max(0.0, float(timeout))).encode())
        return self._call(args, _as_bool)


class BarrierProxy(BaseProxy):
    """Manager.Barrier. ``action`` runs in the process that arrives last,
    after the others are released (on the manager it runs before)."""

    _typeid = "barrier"

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._state.get("timeout")
        args = (b"BARRIER.WAIT", self._name)
        if timeout is not None:
            args += (b"TIMEOUT", repr(max(0.0, float(timeout))).encode())
        index = self._call(args)
        action = self._state.get("action")
        if action is not None and isinstance(index, int) and index == self.parties - 1:
            try:
                action()
            except BaseException:
                self.abort()
                raise
        return index

    def reset(self):
        self._call((b"BARRIER.RESET", self._name), _none)

    def abort(self):
        self._call((b"BARRIER.ABORT", self._name), _none)

    @property
    def parties(self):
        n = self._state.get("parties")
        if n is None:
            n = self._state["parties"] = self._call((b"BARRIER.PARTIES", self._name))
        return n

    @property
    def n_waiting(self):
        return self._call((b"BARRIER.WAITING", self._name))

    @property
    def broken(self):
        return self._call((b"BARRIER.BROKEN", self._name), _as_bool)


PROXY_TYPES = {
    cls._typeid: cls
    for cls in (DictProxy, ListProxy, SetProxy, NamespaceProxy, ValueProxy, ArrayProxy,
                QueueProxy, JoinableQueueProxy, LockProxy, RLockProxy, SemaphoreProxy,
                BoundedSemaphoreProxy, ConditionProxy, EventProxy, BarrierProxy)
}
