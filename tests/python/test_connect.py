"""procshare.connect() and SyncManager.connect() to a server that already
runs: over Unix and TCP, with a key given, from a key file, or from
PROCSHARE_AUTHKEY; a Manager's children; finding the server."""
import os
import subprocess
import tempfile

import pytest

import procshare
from conftest import server_binary, wait_until

KEY = b"connect-tests-key"


@pytest.fixture(scope="module")
def external_server():
    binary = server_binary()
    if binary is None:
        pytest.skip("no procshare-server (set PROCSHARE_SERVER)")
    d = tempfile.mkdtemp()
    sock = os.path.join(d, "s.sock")
    keyfile = os.path.join(d, "key")
    with open(keyfile, "wb") as f:
        f.write(KEY + b"\n")
    os.chmod(keyfile, 0o600)
    log = open(os.path.join(d, "log"), "wb")
    proc = subprocess.Popen([binary, "--unix", sock, "--tcp", "127.0.0.1:0", "--authkey-file", keyfile],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def up():
        assert proc.poll() is None, open(os.path.join(d, "log")).read()
        try:
            procshare.connect("unix:" + sock, authkey=KEY).close()
            return True
        except (ConnectionError, OSError):
            return False

    assert wait_until(up, 20), open(os.path.join(d, "log")).read()
    c = procshare.connect("unix:" + sock, authkey=KEY)
    info = c.call("INFO", "server").decode()
    port = int(info.split("tcp_port:")[1].split()[0])
    yield {"unix": "unix:" + sock, "tcp": "tcp://127.0.0.1:%d" % port, "keyfile": keyfile}
    proc.terminate()
    proc.wait(20)
    log.close()


def test_connect_unix_and_tcp(external_server):
    a = procshare.connect(external_server["unix"], authkey=KEY)
    d = a.named("dict", "shared-by-name")
    d["x"] = 1
    b = procshare.connect(external_server["tcp"], authkey_file=external_server["keyfile"])
    assert b.named("dict", "shared-by-name")["x"] == 1


def test_connect_key_from_environment(external_server, monkeypatch):
    monkeypatch.setenv("PROCSHARE_AUTHKEY", KEY.decode())
    c = procshare.connect(external_server["unix"])
    assert c.call("PING") == "PONG"


def test_syncmanager_connect(external_server):
    m = procshare.SyncManager(address=external_server["unix"], authkey=KEY)
    m.connect()
    q = m.Queue()
    q.put((1, 2))
    assert q.get() == (1, 2)
    m.shutdown()  # closes its connections; the server it did not start keeps running
    assert procshare.connect(external_server["unix"], authkey=KEY).call("PING") == "PONG"


def test_manager_shutdown_stops_its_server():
    if server_binary() is None:
        pytest.skip("no procshare-server")
    m = procshare.Manager()
    pid = m.pid
    path = m.address[1]
    m.shutdown()
    assert not os.path.exists(path)
    assert wait_until(lambda: not os.path.exists("/proc/%d" % pid) or
                      open("/proc/%d/stat" % pid).read().split(") ")[1][0] == "Z", 10)


def test_find_server_errors(monkeypatch):
    monkeypatch.setenv("PROCSHARE_SERVER", "/nonexistent/procshare-server")
    with pytest.raises(procshare.RemoteError, match="PROCSHARE_SERVER"):
        procshare.find_server()
    with pytest.raises(procshare.RemoteError):
        procshare.find_server("/nonexistent/x")


def _append_pid(lst):
    lst.append(os.getpid())


def test_server_without_key_and_a_spawned_child():
    import multiprocessing as mp
    binary = server_binary()
    if binary is None:
        pytest.skip("no procshare-server")
    d = tempfile.mkdtemp()
    sock = os.path.join(d, "s.sock")
    env = {k: v for k, v in os.environ.items() if k != "PROCSHARE_AUTHKEY"}
    proc = subprocess.Popen([binary, "--unix", sock, "--no-tcp"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def up():
            assert proc.poll() is None
            try:
                procshare.connect("unix:" + sock).close()
                return True
            except (ConnectionError, OSError):
                return False
        assert wait_until(up, 20)
        c = procshare.connect("unix:" + sock)
        lst = c.list()
        p = mp.get_context("spawn").Process(target=_append_pid, args=(lst,))
        p.start()
        p.join(60)
        assert p.exitcode == 0 and list(lst) == [p.pid]
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.mark.parametrize("key", [b"ends in cr\r", b"ends in lf\n", b"\x00\r\n\xff", b"x\r\r"])
def test_any_key_bytes_reach_a_private_server(key):
    """The process authkey is 32 random bytes: any of them, at the end too."""
    key = b"sixteen bytes at least: " + key  # the server refuses shorter keys
    if server_binary() is None:
        pytest.skip("no procshare-server")
    m = procshare.Manager(authkey=key)
    try:
        assert m.dict(a=1)["a"] == 1
    finally:
        m.shutdown()


def test_manager_started_in_a_thread_outlives_the_thread():
    import threading
    if server_binary() is None:
        pytest.skip("no procshare-server")
    box = []
    t = threading.Thread(target=lambda: box.append(procshare.Manager()))
    t.start()
    t.join(30)
    m = box[0]
    try:
        assert m.dict(a=1)["a"] == 1  # the server did not go with the thread
    finally:
        m.shutdown()


def test_server_goes_when_its_python_process_is_killed():
    import signal
    import sys
    if server_binary() is None:
        pytest.skip("no procshare-server")
    code = ("import sys, procshare; m = procshare.Manager(); print(m.pid, flush=True); "
            "sys.stdin.read()")
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "..", "client", "python"))
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         env=env, text=True)
    server_pid = int(p.stdout.readline())
    p.send_signal(signal.SIGKILL)
    p.wait(20)

    def gone():
        try:
            with open("/proc/%d/stat" % server_pid) as f:
                return f.read().split(") ")[1][0] == "Z"
        except FileNotFoundError:
            return True
    assert wait_until(gone, 20)
