"""Server errors and how they become Python's exceptions (PROTOCOL.md §3)."""

import queue
import threading
from multiprocessing import AuthenticationError

__all__ = ["RemoteError", "ErrorReply", "ProcshareConnectionError", "ConnectionLost", "NotOwner",
           "LockLost",
           "to_exception", "notowner"]


class RemoteError(Exception):
    """A server error with no closer Python counterpart.

    ``code`` is the error code (``ERR``, ``NOTFOUND``, ``WRONGTYPE``, ``LIMIT``,
    ...), ``message`` the rest of the server's line.
    """

    def __init__(self, code: str, message: str):
        super().__init__("%s %s" % (code, message))
        self.code = code
        self.message = message


class ProcshareConnectionError(ConnectionError):
    """The connection to the server failed or closed."""


class ConnectionLost(ProcshareConnectionError):
    """The connection broke after a command that changes something was sent
    and before its reply came: it may or may not have happened. (Reads are
    run again on a new connection instead.)"""


class NotOwner(RuntimeError):
    """-NOTOWNER: releasing (or extending, waiting on, notifying) a lock or
    permit this client does not hold. A RuntimeError, as Python raises for
    releasing an unlocked lock (the C++ client's ``NotOwner``)."""


class LockLost(NotOwner):
    """-NOTOWNER because the hold's lease ran out: the server released the
    lock (or gave the permits back) and another client may hold it now, so
    whatever was done under it may have overlapped with the next holder."""


def notowner(err: "ErrorReply", default_message=None) -> NotOwner:
    """NOTOWNER as LockLost when a lease ran out, else NotOwner (with
    Python's wording, ``default_message``, where it has one)."""
    if "lease ran out" in err.message:
        return LockLost(err.message)
    return NotOwner(default_message or err.message)


class ErrorReply:
    """An error reply as read off the wire (not raised: pipelines keep them)."""

    __slots__ = ("code", "message")

    def __init__(self, line: bytes):
        text = line.decode("utf-8", "replace")
        code, _, message = text.partition(" ")
        self.code = code
        self.message = message

    def __repr__(self):
        return "ErrorReply(%r, %r)" % (self.code, self.message)


def to_exception(err: ErrorReply, key=None, default_message=None) -> BaseException:
    """The Python exception for an error reply.

    ``key`` is the argument Python would put in a KeyError/AttributeError;
    ``default_message`` replaces the server's message where Python's own
    wording is known.
    """
    code, msg = err.code, err.message
    if default_message is not None:
        msg = default_message
    if code == "KEYERROR":
        return KeyError(key if key is not None else msg)
    if code == "INDEXERROR":
        return IndexError(msg)
    if code == "VALUEERROR":
        return ValueError(msg)
    if code == "EMPTY":
        return queue.Empty()
    if code == "FULL":
        return queue.Full()
    if code == "NOTOWNER":
        return notowner(err, default_message)
    if code == "BROKEN":
        return threading.BrokenBarrierError()
    if code in ("NOAUTH", "WRONGPASS"):
        return AuthenticationError("%s %s" % (code, err.message))
    return RemoteError(code, err.message)
