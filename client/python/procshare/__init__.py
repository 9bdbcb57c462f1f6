"""procshare: Python's multiprocessing managers on procshare-server.

Change one import::

    from procshare import Manager      # was: from multiprocessing import Manager

and the dicts, lists, queues, locks, ... live in procshare-server, where
C++ programs, redis-cli and netcat see them too. See docs/python.md.
"""

from .connection import TLS, Connection, Pending, Pipeline, parse_address
from .errors import ConnectionLost, LockLost, NotOwner, ProcshareConnectionError, RemoteError
from .managers import Client, Manager, SyncManager, connect, find_server
from .proxies import (ArrayProxy, BarrierProxy, BaseProxy, BoundedSemaphoreProxy, ConditionProxy,
                      DictProxy, EventProxy, JoinableQueueProxy, ListProxy, LockProxy,
                      NamespaceProxy, QueueProxy, RLockProxy, SemaphoreProxy, SetProxy,
                      ValueProxy, Job, Acquired)
from . import values

__version__ = "0.1.0"

__all__ = [
    "Manager", "SyncManager", "connect", "Client", "RemoteError", "ProcshareConnectionError",
    "NotOwner", "LockLost", "ConnectionLost", "Job", "Acquired",
    "Pipeline", "Pending", "Connection", "parse_address", "find_server", "values", "TLS",
    "BaseProxy", "DictProxy", "ListProxy", "SetProxy", "NamespaceProxy", "ValueProxy",
    "ArrayProxy", "QueueProxy", "JoinableQueueProxy", "LockProxy", "RLockProxy",
    "SemaphoreProxy", "BoundedSemaphoreProxy", "ConditionProxy", "EventProxy", "BarrierProxy",
]
