"""client/python/examples run and print what each one's comment says (and
what Python's own Manager prints, where the program runs on both)."""
import ast
import os
import subprocess
import sys

import pytest

from conftest import ROOT, server_binary

EXAMPLES = os.path.join(ROOT, "client", "python", "examples")

EXPECTED = {
    "basic_processes.py": ["Worker A is running", "Worker B is running"],
    "shared_dict.py": ["{0: 0, 1: 1, 2: 4, 3: 9, 4: 16}"],
    "proxy_type.py": ["<class 'procshare.proxies.DictProxy'>"],
    "common_types.py": ["[1, 2, 3]", "{'a': 1, 'b': (2, 'two')}", "message", "Namespace(x=10)",
                        "Value('i', 42)", "array('d', [0.5, 1.5])"],
    "counter.py": ["{'count': 15}"],
    "counter_with_lock.py": ["{'count': 15}"],
    "nested.py": ["{'x': 1}"],
    "pipeline.py": ["1000 998001"],
    "worker_pool.py": ["killed a worker holding job 0", "20 jobs done, each exactly once: True",
                       "jobs redelivered: 1"],
}
# Programs that run unchanged on multiprocessing.Manager: its output is the oracle.
SAME_AS_PYTHON = ["shared_dict.py", "common_types.py", "counter_with_lock.py"]


def run(path, source=None):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "client", "python"))
    if source is not None:
        proc = subprocess.run([sys.executable, "-"], input=source, env=env, capture_output=True,
                              text=True, timeout=120, cwd=EXAMPLES)
    else:
        proc = subprocess.run([sys.executable, path], env=env, capture_output=True, text=True,
                              timeout=120, cwd=EXAMPLES)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def normal(lines):
    out = []
    for line in lines:
        try:
            out.append(ast.literal_eval(line))  # dicts compare regardless of order
        except (ValueError, SyntaxError):
            out.append(line)
    return out


def test_every_example_is_checked():
    assert sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py")) == sorted(EXPECTED)


@pytest.mark.skipif(server_binary() is None, reason="no procshare-server (set PROCSHARE_SERVER)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_output(name):
    got = run(os.path.join(EXAMPLES, name))
    if name == "basic_processes.py":
        # Two processes print at once, in either order, and their writes may
        # interleave: each line must appear once, whatever lies between.
        text = "\n".join(got)
        for line in EXPECTED[name]:
            assert text.count(line) == 1, (line, got)
        return
    assert normal(got) == normal(EXPECTED[name])


@pytest.mark.skipif(server_binary() is None, reason="no procshare-server (set PROCSHARE_SERVER)")
@pytest.mark.parametrize("name", SAME_AS_PYTHON)
def test_example_prints_what_python_prints(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        source = f.read()
    python_source = source.replace("from procshare import Manager", "from multiprocessing import Manager")
    assert python_source != source
    assert normal(run(None, python_source)) == normal(run(os.path.join(EXAMPLES, name)))
