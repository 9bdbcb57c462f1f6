"""Leased queue delivery, lock/permit leases, the news that an owner died and
heartbeats (docs/protocol.md §7a), through the real server, with real
SIGKILL and SIGSTOP."""
import multiprocessing as mp
import os
import queue
import signal
import time

import pytest

import procshare
from conftest import server_binary, wait_until

ctx = mp.get_context("fork")


def _stats(client):
    text = client.call("INFO", "stats").decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)


# ------------------------------------------------------------ queue leases
def test_job_ack_nack_extend(manager):
    q = manager.Queue()
    q.put("a")
    q.put("b")
    job = q.get_job(lease=30)
    assert isinstance(job, procshare.Job)
    assert job.item == "a" and isinstance(job.id, int)
    assert q.qsize() == 1  # in flight: not counted, not gone
    assert job.extend(60) is True
    assert job.nack() is True  # back to the head
    again = q.get(lease=30)
    assert again.item == "a" and again.id != job.id
    assert job.ack() is False  # a stale id settles nothing
    assert again.ack() is True
    assert again.ack() is False
    assert q.get(timeout=10) == "b"
    with pytest.raises(queue.Empty):
        q.get_job(block=False, lease=30)
    with pytest.raises(queue.Empty):
        q.get(timeout=0.05, lease=30)
    with pytest.raises(ValueError):
        q.get_job(lease=0)


def test_job_context_manager_acks_or_nacks(manager):
    q = manager.Queue()
    q.put(1)
    with q.get_job(lease=30) as job:
        assert job.item == 1
    assert job.settled and q.qsize() == 0 and q.describe()["inflight"] == 0
    q.put(2)
    with pytest.raises(ZeroDivisionError):
        with q.get_job(lease=30):
            1 / 0
    assert q.get(timeout=10) == 2  # nacked: back in the queue


def test_nack_with_delay(manager):
    q = manager.Queue()
    q.put("later")
    job = q.get_job(lease=30)
    start = time.monotonic()
    assert job.nack(delay=0.5) is True
    with pytest.raises(queue.Empty):
        q.get_nowait()  # waiting out its delay
    assert q.describe()["delayed"] == 1
    assert q.get(timeout=30) == "later"
    assert time.monotonic() - start >= 0.45


def test_dead_letter_after_max_deliveries(manager):
    dead = manager.Queue()
    q = manager.Queue(max_deliveries=2, dead_letter=dead)
    q.put("poison")
    q.get_job(lease=30).nack()
    q.get_job(lease=30).nack()  # second failed delivery: dead-lettered
    with pytest.raises(queue.Empty):
        q.get_nowait()
    assert dead.get(timeout=10) == "poison"
    assert q.describe()["deadlettered"] == 1
    with pytest.raises(ValueError):
        manager.Queue(max_deliveries=2)


def test_joinable_ack_is_task_done(manager):
    q = manager.JoinableQueue()
    q.put("x")
    job = q.get_job(lease=30)
    assert q.join(timeout=0) is False
    job.ack()
    assert q.join(timeout=10) is True
    with pytest.raises(ValueError):
        q.task_done()  # the ack was the task's done


def _take_and_hang(q, taken):
    job = q.get_job(lease=600)  # only the death of this process gives it back
    taken.put(job.item)
    signal.pause()


def _work_and_ack(q, done):
    while True:
        try:
            job = q.get_job(timeout=5, lease=600)
        except queue.Empty:
            return
        with job:
            done.append(job.item)


def test_killed_worker_job_is_redelivered_and_join_returns(manager):
    q = manager.JoinableQueue()
    taken = manager.Queue()
    done = manager.list()
    q.put("job-1")
    hung = ctx.Process(target=_take_and_hang, args=(q, taken))
    hung.start()
    assert taken.get(timeout=60) == "job-1"
    assert q.qsize() == 0
    os.kill(hung.pid, signal.SIGKILL)
    hung.join(30)
    worker = ctx.Process(target=_work_and_ack, args=(q, done))
    worker.start()
    assert q.join(timeout=60) is True
    worker.join(60)
    assert worker.exitcode == 0
    assert list(done) == ["job-1"]
    assert q.describe()["redelivered"] >= 1


# ------------------------------------------------------------ lock leases
def test_lock_lease_extend_and_lost():
    if server_binary() is None:
        pytest.skip("no procshare-server")
    with procshare.Manager() as m:
        lock = m.Lock()
        got = lock.acquire(lease=30, with_state=True)
        assert isinstance(got, procshare.Acquired) and got
        assert got.token == lock.token and got.previous_owner_died is False
        lock.extend(0.2)  # the lease now ends soon
        assert wait_until(lambda: not lock.locked(), 30)
        with pytest.raises(procshare.LockLost):
            lock.release()
        with pytest.raises(procshare.NotOwner) as e:
            lock.release()  # told once; now simply not held
        assert not isinstance(e.value, procshare.LockLost)
        assert isinstance(e.value, RuntimeError)
        with pytest.raises(procshare.NotOwner):
            lock.extend(5)
        again = lock.acquire(timeout=10, with_state=True)
        assert again and again.previous_owner_died is True and again.token > got.token
        assert lock.previous_owner_died is True
        lock.release()


def test_rlock_condition_semaphore_leases(manager):
    r = manager.RLock()
    assert r.acquire(lease=30) is True
    r.extend(30)
    r.release()
    c = manager.Condition()
    got = c.acquire(lease=30, with_state=True)
    assert got and got.token == 1 and not got.previous_owner_died
    c.extend(30)
    c.release()
    s = manager.Semaphore(1, owned=True)
    got = s.acquire(lease=0.2, with_state=True)
    assert got and not got.previous_owner_died
    assert wait_until(lambda: s.get_value() == 1, 30)  # the lease ran out
    with pytest.raises(procshare.LockLost):
        s.release()
    assert s.acquire(timeout=10, with_state=True).previous_owner_died is True
    s.release()
    with pytest.raises(ValueError):
        manager.Semaphore(1).acquire(lease=5)  # UNOWNED books no permits


def _hold_with_lease(lock, held, go, result):
    lock.acquire(lease=1.0)
    held.set()
    go.wait()
    try:
        lock.release()
        result.put("released")
    except procshare.LockLost:
        result.put("LockLost")


def test_stopped_holder_loses_leased_lock(manager):
    lock = manager.Lock()
    held, go = manager.Event(), manager.Event()
    result = manager.Queue()
    p = ctx.Process(target=_hold_with_lease, args=(lock, held, go, result))
    p.start()
    try:
        assert held.wait(60)
        os.kill(p.pid, signal.SIGSTOP)
        got = lock.acquire(timeout=60, with_state=True)
        assert got and got.previous_owner_died is True
        os.kill(p.pid, signal.SIGCONT)
        go.set()
        assert result.get(timeout=60) == "LockLost"
        lock.release()
    finally:
        os.kill(p.pid, signal.SIGCONT)
        p.join(60)
    assert p.exitcode == 0


# ------------------------------------------------------------ heartbeats
def _hold_and_idle(lock, held):
    lock.acquire()  # no lease: only the heartbeat can take it back
    held.set()
    signal.pause()


def test_heartbeat_closes_stopped_process_connection():
    if server_binary() is None:
        pytest.skip("no procshare-server")
    with procshare.Manager(heartbeat=1.0) as m:
        lock, held = m.Lock(), m.Event()
        p = ctx.Process(target=_hold_and_idle, args=(lock, held))
        p.start()
        try:
            assert held.wait(60)
            os.kill(p.pid, signal.SIGSTOP)
            got = lock.acquire(timeout=60, with_state=True)
            assert got and got.previous_owner_died is True
            assert int(_stats(m)["heartbeat_disconnects"]) >= 1
            lock.release()
        finally:
            os.kill(p.pid, signal.SIGKILL)
            p.join(60)


def test_heartbeat_keeps_idle_and_waiting_connections():
    if server_binary() is None:
        pytest.skip("no procshare-server")
    with procshare.Manager(heartbeat=1.0) as m:
        q, lock, d = m.Queue(), m.Lock(), m.dict()
        lock.acquire()
        with pytest.raises(queue.Empty):
            q.get(timeout=3.5)  # a wait longer than the heartbeat PINGs itself
        done = time.monotonic() + 3.5
        while time.monotonic() < done:  # idle: the pinger thread PINGs
            time.sleep(0.1)
        with m.pipeline() as pl:  # PONGs read at their place, not as replies
            n = q.qsize()
            d["k"] = "v"
        assert n.result() == 0 and d["k"] == "v"
        assert int(_stats(m)["heartbeat_disconnects"]) == 0
        assert lock.locked()
        lock.release()  # the same connection still holds it
