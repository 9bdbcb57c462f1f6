"""Values shared between Python and C++ (tests/client/interop/value_interop.cpp),
both ways, for the cases of tests/fixtures/value_encoding.json that C++ can
hold; and the bytes of every case as netcat sees them (a raw connection)."""
import datetime
import json
import os
import shutil
import subprocess

import pytest

import procshare
from conftest import ROOT

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "value_encoding.json")


def interop_binary():
    p = os.environ.get("PROCSHARE_VALUE_INTEROP")
    if p and os.access(p, os.X_OK):
        return p
    for build in ("build", "build-release"):
        q = os.path.join(ROOT, build, "tests", "value_interop")
        if os.access(q, os.X_OK):
            return q
    return shutil.which("value_interop")


def cases():
    with open(FIXTURE) as f:
        out = json.load(f)["cases"]
    for c in out:
        c["value"] = eval(c["python"], {"datetime": datetime, "float": float})
    return out




@pytest.fixture(scope="module")
def hexkey_manager():
    """A manager whose key is printable, so it can travel in an environment
    variable to the C++ program."""
    if interop_binary() is None:
        pytest.skip("value_interop not built (set PROCSHARE_VALUE_INTEROP)")
    try:
        procshare.find_server()
    except procshare.RemoteError:
        pytest.skip("no procshare-server")
    key = os.urandom(16)
    m = procshare.Manager(authkey=key.hex().encode())
    m.authkey_hex = key.hex()
    yield m
    m.shutdown()


def _key(m):
    return m.authkey.decode()


def cpp_run(m, *args):
    env = dict(os.environ, PROCSHARE_AUTHKEY=_key(m))
    proc = subprocess.run([interop_binary(), *args], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


CPP_CASES = [c for c in cases() if c["cpp"]]


@pytest.mark.parametrize("case", CPP_CASES, ids=lambda c: c["python"])
def test_python_writes_cpp_reads(hexkey_manager, case):
    m = hexkey_manager
    d = m.named("dict", "interop-py-to-cpp")
    d["k"] = case["value"]
    ctype, _, want = case["cpp"].partition(" ")
    got = cpp_run(m, "read", str(m.address), "interop-py-to-cpp", ctype, "k")
    if ctype == "double":
        assert float(got.split(" ", 1)[1]) == float(want)
    else:
        assert got == "%s %s" % (ctype, want) or (want == "" and got == ctype)


@pytest.mark.parametrize("case", CPP_CASES, ids=lambda c: c["python"])
def test_cpp_writes_python_reads(hexkey_manager, case):
    m = hexkey_manager
    ctype, _, text = case["cpp"].partition(" ")
    cpp_run(m, "write", str(m.address), "interop-cpp-to-py", ctype, text, "k")
    d = m.named("dict", "interop-cpp-to-py")
    got = d["k"]
    assert got == case["value"] and type(got) is type(case["value"])
    raw = m.call("DICT.GET", "interop-cpp-to-py", "k")
    assert raw == bytes.fromhex(case["hex"])  # the same bytes as Python writes


def test_python_int_incremented_by_cpp(hexkey_manager):
    m = hexkey_manager
    d = m.named("dict", "interop-incr")
    d["n"] = 41
    assert cpp_run(m, "read", str(m.address), "interop-incr", "incr", "n") == "incr 42"
    assert d["n"] == 42


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["python"])
def test_every_case_is_stored_as_the_fixture_bytes(hexkey_manager, case):
    """What netcat and redis-cli see: exactly the fixture's bytes."""
    m = hexkey_manager
    d = m.named("dict", "interop-raw")
    d["k"] = case["value"]
    assert m.call("DICT.GET", "interop-raw", "k") == bytes.fromhex(case["hex"])
