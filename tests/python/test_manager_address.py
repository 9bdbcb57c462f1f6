"""SyncManager(address=...).start() serves on that address, as Python's
managers do, so another process can connect() there with the same key; an
address it cannot serve, or a key too short, fails clearly."""
import os
import pickle
import socket
import subprocess
import sys

import pytest

import procshare
from conftest import ROOT, server_binary

KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def _needs_server():
    if server_binary() is None:
        pytest.skip("no procshare-server (set PROCSHARE_SERVER)")


def free_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A second process: attaches with SyncManager(address, authkey).connect(),
# then unpickles the proxy it is given (a reference carrying the address) and
# writes through it.
CHILD = """
import pickle, sys
import procshare
m = procshare.SyncManager(address=eval(sys.argv[1]), authkey=bytes.fromhex(sys.argv[2]))
m.connect()
d = pickle.loads(bytes.fromhex(sys.argv[3]))
d["child"] = d["parent"] + 1
"""


def run_child(address, proxy):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "client", "python"))
    r = subprocess.run([sys.executable, "-c", CHILD, repr(address), KEY.hex(),
                        pickle.dumps(proxy).hex()], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr


def test_tcp_address_is_served_and_another_process_connects():
    port = free_loopback_port()
    m = procshare.SyncManager(address=("127.0.0.1", port), authkey=KEY)
    m.start()
    try:
        assert m.address == procshare.parse_address(("127.0.0.1", port))
        d = m.dict(parent=1)
        run_child(("127.0.0.1", port), d)
        assert d.copy() == {"parent": 1, "child": 2}
        # and a client in this process, by the address alone
        other = procshare.connect("127.0.0.1:%d" % port, authkey=KEY)
        assert other.get(d.name)["child"] == 2
    finally:
        m.shutdown()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_tcp_port_zero_reports_the_port_chosen():
    m = procshare.SyncManager(address=("127.0.0.1", 0), authkey=KEY)
    m.start()
    try:
        kind, (host, port) = m.address[:2]
        assert kind == "tcp" and host == "127.0.0.1" and port != 0
        d = m.dict(parent=5)
        run_child(("127.0.0.1", port), d)
        assert d["child"] == 6
    finally:
        m.shutdown()


def test_unix_path_is_served(tmp_path):
    path = str(tmp_path / "given.sock")
    m = procshare.Manager(address=path, authkey=KEY)
    try:
        assert m.address == procshare.parse_address("unix:" + path) and os.path.exists(path)
        d = m.dict(parent=10)
        run_child(path, d)
        assert d["child"] == 11
    finally:
        m.shutdown()
    assert not os.path.exists(path)


def test_addresses_it_cannot_serve():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        m = procshare.SyncManager(address=("127.0.0.1", port), authkey=KEY)
        with pytest.raises(procshare.RemoteError, match="cannot listen on 127.0.0.1:%d" % port):
            m.start()
    with pytest.raises(ValueError, match="cannot serve tls://"):
        procshare.SyncManager(address="tls://127.0.0.1:7380", authkey=KEY).start()
    with pytest.raises(ValueError, match="out of range"):
        procshare.SyncManager(address=("127.0.0.1", 70000), authkey=KEY).start()
    with pytest.raises(TypeError, match="address must be"):
        procshare.SyncManager(address=7380, authkey=KEY).start()


def test_a_second_manager_on_a_served_path_fails_and_leaves_the_first(tmp_path):
    path = str(tmp_path / "s.sock")
    m = procshare.SyncManager(address=path, authkey=KEY).start()
    try:
        with pytest.raises(procshare.RemoteError, match="another server is listening"):
            procshare.SyncManager(address=path, authkey=KEY).start()
        assert m.dict(a=1)["a"] == 1
    finally:
        m.shutdown()


@pytest.mark.parametrize("key", [b"abc", b"", b"fifteen bytes!!"])
def test_short_authkey_is_a_clear_value_error(key):
    msg = "at least 16 bytes"
    with pytest.raises(ValueError, match=msg):
        procshare.SyncManager(authkey=key).start()
    with pytest.raises(ValueError, match=msg):
        procshare.SyncManager(address=("127.0.0.1", 0), authkey=key).start()
    with pytest.raises(ValueError, match=msg):
        procshare.SyncManager(address="127.0.0.1:1", authkey=key).connect()
    with pytest.raises(ValueError, match=msg):
        procshare.connect("127.0.0.1:1", authkey=key)
