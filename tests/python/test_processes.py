"""Proxies across processes: fork, spawn and forkserver children, many
workers incrementing, and a killed holder freeing its lock."""
import multiprocessing as mp
import os
import signal

import pytest

from conftest import wait_until


def _add_squares(d, lo, hi):
    for i in range(lo, hi):
        d[i] = i * i


def _incr_many(d, n):
    for _ in range(n):
        d.incr("count")


def _hold_lock_forever(lock, ready):
    lock.acquire()
    ready.set()
    signal.pause()


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_children_share_a_dict(manager, method):
    ctx = mp.get_context(method)
    d = manager.dict()
    ps = [ctx.Process(target=_add_squares, args=(d, i * 5, i * 5 + 5)) for i in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(60)
        assert p.exitcode == 0
    assert d.copy() == {i: i * i for i in range(15)}


def test_eight_processes_thousand_incr(manager):
    ctx = mp.get_context("fork")
    d = manager.dict({"count": 0})
    ps = [ctx.Process(target=_incr_many, args=(d, 1000)) for _ in range(8)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(120)
        assert p.exitcode == 0
    assert d["count"] == 8000


def test_killed_child_frees_its_lock(manager):
    ctx = mp.get_context("fork")
    lock = manager.Lock()
    ready = manager.Event()
    p = ctx.Process(target=_hold_lock_forever, args=(lock, ready))
    p.start()
    assert ready.wait(30)
    assert lock.locked()
    os.kill(p.pid, signal.SIGKILL)
    p.join(30)
    assert lock.acquire(timeout=10) is True  # the server released the dead holder's lock
    assert lock.describe().get("abandoned", 1) >= 1
    lock.release()


def test_parent_connection_not_kept_by_child(manager):
    """A forked child closes its copies of the parent's sockets at once."""
    d = manager.dict()
    d["x"] = 1
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            from procshare import connection
            os.write(w, b"%d" % len(connection._live_connections))
        finally:
            os._exit(0)
    os.close(w)
    assert os.read(r, 10) == b"0"
    os.waitpid(pid, 0)
    os.close(r)


def _read_and_write(d, lst):
    d["from_child"] = d["from_parent"] + 1
    lst.append(os.getpid())


def test_spawned_child_gets_key_not_in_pickle(manager):
    import pickle
    d = manager.dict({"from_parent": 41})
    data = pickle.dumps(d)
    assert manager.authkey not in data  # only a spawned child's own process data carries it
    lst = manager.list()
    p = mp.get_context("spawn").Process(target=_read_and_write, args=(d, lst))
    p.start()
    p.join(60)
    assert p.exitcode == 0 and d["from_child"] == 42 and len(lst) == 1


def test_spawn_with_an_explicit_key():
    """A manager whose key is not the process's authkey: the key reaches a
    spawned child with its process data, never through a plain pickle."""
    import procshare
    m = procshare.Manager(authkey=b"an explicit key, 16+ bytes")
    try:
        d = m.dict({"from_parent": 1})
        lst = m.list()
        p = mp.get_context("spawn").Process(target=_read_and_write, args=(d, lst))
        p.start()
        p.join(60)
        assert p.exitcode == 0 and d["from_child"] == 2
    finally:
        m.shutdown()


def test_unreferenced_manager_is_stopped_by_gc():
    import gc
    import procshare
    m = procshare.Manager()
    proc = m._proc
    del m
    gc.collect()
    assert wait_until(lambda: proc.poll() is not None, 20)


def test_sigkilled_owner_leaves_no_server_and_no_directory():
    """A program killed with SIGKILL cannot clean up: its server gets SIGTERM
    from the kernel (parent-death signal), exits, and removes the Manager's
    private directory with the socket, key and log in it."""
    import subprocess
    import sys
    from conftest import ROOT
    code = ("import sys, time; sys.path.insert(0, %r); import procshare; "
            "m = procshare.Manager(); d = m.dict(a=1); print(m._dir, m._proc.pid, flush=True); "
            "time.sleep(120)" % os.path.join(ROOT, "client", "python"))
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        directory, pid = owner.stdout.readline().decode().split()
        assert os.path.isdir(directory)
        owner.send_signal(signal.SIGKILL)
        owner.wait(30)

        def server_gone():
            try:  # gone, or a zombie that nobody reaped yet
                with open("/proc/%s/stat" % pid) as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except FileNotFoundError:
                return True
        assert wait_until(server_gone, 30)
        assert wait_until(lambda: not os.path.exists(directory), 30), os.listdir(directory)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_threads_each_their_own_connection(manager):
    import threading
    d = manager.dict()
    lock = manager.RLock()
    v = manager.Value("i", 0)

    def work():
        for _ in range(200):
            d.incr("n")
            with lock:
                v.value += 1

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert d["n"] == 800 and v.value == 800
