"""Fixtures for the Python client's tests: the package from client/python,
the server from PROCSHARE_SERVER (CTest sets it to the build tree's binary)."""
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "client", "python"))

import procshare  # noqa: E402


def server_binary():
    try:
        return procshare.find_server()
    except procshare.RemoteError:
        return None


needs_server = pytest.mark.skipif(server_binary() is None,
                                   reason="no procshare-server (set PROCSHARE_SERVER)")


@pytest.fixture(scope="module")
def manager():
    if server_binary() is None:
        pytest.skip("no procshare-server (set PROCSHARE_SERVER)")
    m = procshare.Manager()
    yield m
    m.shutdown()


def wait_until(pred, timeout=10.0):
    """Polls observable state with a growing pause; False on timeout."""
    import time
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        if pred():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
