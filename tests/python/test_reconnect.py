"""A server that restarts under a connected client: reads run again on a new
connection, writes raise ConnectionLost, held locks raise LockLost, and the
new run_id shows as server_restarted."""
import os
import signal
import subprocess
import tempfile

import pytest

import procshare
from procshare.managers import _READS
from conftest import server_binary, wait_until


class Server:
    """A procshare-server on a private Unix socket, restartable at the same path."""

    def __init__(self):
        self.binary = server_binary()
        if self.binary is None:
            pytest.skip("no procshare-server")
        self.sock = os.path.join(tempfile.mkdtemp(prefix="procshare-reconnect-"), "s.sock")
        self.proc = None
        self.env = {k: v for k, v in os.environ.items() if k != "PROCSHARE_AUTHKEY"}
        self.start()

    def start(self):
        self.proc = subprocess.Popen([self.binary, "--unix", self.sock, "--no-tcp"], env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def up():
            assert self.proc.poll() is None
            try:
                procshare.connect("unix:" + self.sock).close()
                return True
            except (ConnectionError, OSError):
                return False
        assert wait_until(up, 30)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def restart(self):
        self.kill()
        self.start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


def test_reads_are_the_servers_readonly_commands(server):
    c = procshare.connect("unix:" + server.sock)
    info = {r[0].upper(): {bytes(f) if not isinstance(f, str) else f.encode() for f in r[2]}
            for r in c.call("COMMAND")}
    for name in _READS:
        assert b"readonly" in info[name], name


def test_restart_reads_retry_writes_lost_locks_lost(server):
    c = procshare.connect("unix:" + server.sock, connect_timeout=30)
    seen = []
    c.on_restart = lambda old, new: seen.append((old, new))
    first = c.run_id
    assert first and len(first) == 40 and not c.server_restarted
    d = c.named("dict", "d")
    d["a"] = 1
    lock = c.named("lock", "l")
    assert lock.acquire(timeout=10)

    server.restart()
    procshare.connect("unix:" + server.sock).named("dict", "d")["a"] = 2
    assert d["a"] == 2  # a read: run again on a new connection
    assert c.server_restarted and c.run_id != first and seen == [(first, c.run_id)]
    with pytest.raises(procshare.LockLost, match="restarted"):
        lock.release()  # its connection (and the server it held it on) is gone
    assert lock.acquire(timeout=10)

    server.restart()
    with pytest.raises(procshare.ConnectionLost, match="may or may not"):
        d["b"] = 3  # a write whose reply never came
    with pytest.raises(procshare.LockLost):
        lock.release()
    c.named("dict", "d")["b"] = 3  # the next call reconnects
    assert d.copy() == {"b": 3}
    assert lock.acquire(timeout=10)

    server.restart()
    with pytest.raises(procshare.LockLost):
        lock.release()  # the release itself finds the connection broken
    assert len(c.named("dict", "d")) == 0  # a new server: nothing restored
    assert len(seen) == 3


def test_write_inside_lock_block_after_break(server):
    c = procshare.connect("unix:" + server.sock, connect_timeout=30)
    d, lock = c.named("dict", "d"), c.named("lock", "l")
    with pytest.raises((procshare.ConnectionLost, procshare.LockLost)):
        with lock:
            server.restart()
            d["x"] = 1  # sent without waiting; the release reads or finds the break
            d["y"] = 2
    assert c.server_restarted


def test_read_gives_up_after_connect_timeout(server):
    c = procshare.connect("unix:" + server.sock, connect_timeout=0.5)
    d = c.named("dict", "d")
    server.kill()
    with pytest.raises(procshare.ProcshareConnectionError) as e:
        len(d)
    assert not isinstance(e.value, procshare.ConnectionLost)


def test_manager_shut_down_is_not_waited_for():
    if server_binary() is None:
        pytest.skip("no procshare-server")
    m = procshare.Manager()
    d = m.dict()
    m.shutdown()
    with pytest.raises(procshare.ProcshareConnectionError):
        len(d)
