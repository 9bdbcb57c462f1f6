"""The package installs offline with pip and works from the install."""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import ROOT


def test_pip_install_offline():
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not installed for this python3")
    target = tempfile.mkdtemp()
    src = tempfile.mkdtemp()
    try:
        # Build from a copy, so that no build/ or egg-info is left in the checkout.
        shutil.copytree(os.path.join(ROOT, "client", "python"), os.path.join(src, "p"),
                        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                            "--no-deps", "--target", target, os.path.join(src, "p")],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        env = dict(os.environ, PYTHONPATH=target)
        r = subprocess.run([sys.executable, "-c", "import procshare, sys; print(procshare.__file__)"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=target)
        assert r.returncode == 0 and r.stdout.startswith(target), r.stderr
    finally:
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(src, ignore_errors=True)
