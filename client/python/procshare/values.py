"""The typed value encoding of docs/values.md.

Plain ``int``, ``float``, ``str`` and ``bytes`` are stored as the bytes a
person would type, so netcat, redis-cli, the C++ client and the server's
numeric commands (``DICT.INCRBY``) see them as they are. Everything else is
*tagged*: ``\\x00`` + a format letter + a payload (typed JSON, escaped text,
raw bytes, or a Python pickle).

``encode(value)`` returns the bytes to store; ``decode(data, ref=None)``
reads them back. ``ref(typeid, name)`` turns a stored reference to a shared
object into a proxy; without it a :class:`Ref` is returned.
"""

import base64
import datetime
import json
import math
import pickle
import re
from typing import Any, Callable, List, NamedTuple, Optional

__all__ = ["encode", "decode", "Ref", "EncodingError", "PICKLE_PROTOCOL"]

PICKLE_PROTOCOL = 4

_INT = re.compile(rb"(?:0|-?[1-9][0-9]*)\Z")
_FLOAT = re.compile(
    rb"(?:-?[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|-?[0-9]+[eE][+-]?[0-9]+|inf|-inf|nan)\Z"
)

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class EncodingError(ValueError):
    """Bytes that are not a valid encoded value (unknown tag, bad JSON)."""


class Ref(NamedTuple):
    """A stored reference to a shared object, read without a client."""

    typeid: str
    name: bytes


class _NotJson(Exception):
    """Raised inside _to_json for a value typed JSON cannot hold."""


def _looks_plain(b: bytes) -> bool:
    """True when bytes would decode as something other than a string."""
    return b[:1] == b"\x00" or bool(_INT.match(b)) or bool(_FLOAT.match(b))


def encode(value: Any, refs: Optional[List[Any]] = None) -> bytes:
    """Encodes a value; proxies met on the way are appended to ``refs``."""
    t = type(value)
    if t is str:
        try:
            b = value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: only pickle keeps them
            return b"\x00p" + pickle.dumps(value, PICKLE_PROTOCOL)
        if b and (b[0] == 0 or b[0] in b"-0123456789" and _looks_plain(b)
                  or b[0] in b"in" and (b == b"inf" or b == b"nan")):
            return b"\x00s" + b
        return b
    if t is int:
        return b"%d" % value
    if t is float:
        return repr(value).encode()
    if t is bytes:
        if value[:1] == b"\x00":
            return b"\x00b" + value
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return value
        return b"\x00b" + value
    try:
        doc = _to_json(value, refs)
    except _NotJson:
        if refs is not None:
            del refs[:]  # a pickle holds no counted references
        return b"\x00p" + pickle.dumps(value, PICKLE_PROTOCOL)
    return b"\x00j" + json.dumps(doc, ensure_ascii=False, separators=(",", ":"),
                                 allow_nan=False).encode("utf-8")


def _sorted_if_simple(items):
    items = list(items)
    if all(type(x) in (int, float) for x in items) or all(type(x) is str for x in items):
        try:
            return sorted(items)
        except TypeError:  # pragma: no cover - nan and such
            return items
    return items


def _to_json(v: Any, refs):
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        return v
    if t is float:
        if math.isfinite(v):
            return v
        return {"$float": repr(v)}
    if t is list:
        return [_to_json(x, refs) for x in v]
    if t is tuple:
        return {"$tuple": [_to_json(x, refs) for x in v]}
    if t is dict:
        if all(type(k) is str for k in v) and not (len(v) == 1 and next(iter(v)).startswith("$")):
            return {k: _to_json(x, refs) for k, x in v.items()}
        return {"$map": [[_to_json(k, refs), _to_json(x, refs)] for k, x in v.items()]}
    if t is set:
        return {"$set": [_to_json(x, refs) for x in _sorted_if_simple(v)]}
    if t is frozenset:
        return {"$frozenset": [_to_json(x, refs) for x in _sorted_if_simple(v)]}
    if t is bytes:
        return {"$bytes": base64.b64encode(v).decode("ascii")}
    if t is datetime.timedelta:
        return {"$duration_ns": ((v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds) * 1000}
    if t is datetime.datetime and v.tzinfo is not None and v.utcoffset() == datetime.timedelta(0) \
            and v.tzinfo is datetime.timezone.utc:
        d = v - _EPOCH
        return {"$time_ns": ((d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds) * 1000}
    ref = getattr(v, "_procshare_ref", None)
    if ref is not None:
        typeid, name = ref()
        if refs is not None:
            refs.append(v)
        return {"$ref": [typeid, name.decode("utf-8", "surrogateescape")]}
    raise _NotJson()


def _from_json(o: Any, ref: Optional[Callable[[str, bytes], Any]]):
    if isinstance(o, list):
        return [_from_json(x, ref) for x in o]
    if not isinstance(o, dict):
        return o
    if len(o) == 1:
        (k, x), = o.items()
        if k.startswith("$"):
            if k == "$tuple":
                return tuple(_from_json(e, ref) for e in x)
            if k == "$set":
                return {_from_json(e, ref) for e in x}
            if k == "$frozenset":
                return frozenset(_from_json(e, ref) for e in x)
            if k == "$map":
                return {_from_json(a, ref): _from_json(b, ref) for a, b in x}
            if k == "$bytes":
                return base64.b64decode(x)
            if k == "$float":
                if x not in ("nan", "inf", "-inf"):
                    raise EncodingError("bad $float value %r" % (x,))
                return float(x)
            if k == "$duration_ns":
                return datetime.timedelta(microseconds=x // 1000)
            if k == "$time_ns":
                return _EPOCH + datetime.timedelta(microseconds=x // 1000)
            if k == "$ref":
                typeid, name = x
                name_b = name.encode("utf-8", "surrogateescape")
                return ref(typeid, name_b) if ref is not None else Ref(typeid, name_b)
            raise EncodingError("unknown typed-JSON key %r (a newer writer?)" % k)
    if "$struct" in o:
        raise EncodingError("typed-JSON $struct is reserved and not supported")
    return {k: _from_json(x, ref) for k, x in o.items()}


def decode(data: bytes, ref: Optional[Callable[[str, bytes], Any]] = None) -> Any:
    """Decodes stored bytes (the rules of docs/values.md, in order)."""
    if not data:
        return ""
    first = data[0]
    if first == 0:
        letter = data[1:2]
        if letter == b"j":
            try:
                doc = json.loads(data[2:].decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise EncodingError("bad typed JSON: %s" % e) from None
            return _from_json(doc, ref)
        if letter == b"s":
            return data[2:].decode("utf-8")
        if letter == b"b":
            return bytes(data[2:])
        if letter == b"p":
            return pickle.loads(data[2:])
        raise EncodingError("unknown value format letter %r" % (letter.decode("latin-1"),))
    if first in b"-0123456789":
        if first != 48 and data.isdigit():  # the common whole number, without the pattern
            return int(data)
        if _INT.match(data):
            return int(data)
        if _FLOAT.match(data):
            return float(data)
    elif first in b"in" and len(data) == 3 and _FLOAT.match(data):
        return float(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return bytes(data)
