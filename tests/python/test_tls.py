"""The Python client over TLS (issue 17): CA verification and host-name
checking on by default, a client certificate that stands in for the key, and
clear refusals. Certificates are made here with the openssl command line."""
import os
import shutil
import subprocess
import tempfile

import pytest

import procshare
from conftest import server_binary, wait_until

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(d):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "2", "-subj", "/CN=procshare test CA", cwd=d)
    for name, cn in (("server", "localhost"), ("client", "python client")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + cn, cwd=d)
        ext = os.path.join(d, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n" if name == "server" else
                    "extendedKeyUsage=clientAuth\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", ext, cwd=d)
    for key in ("server.key", "client.key"):
        os.chmod(os.path.join(d, key), 0o600)


@pytest.fixture(scope="module")
def tls_server():
    binary = server_binary()
    if binary is None:
        pytest.skip("no procshare-server (set PROCSHARE_SERVER)")
    d = tempfile.mkdtemp()
    make_certs(d)
    sock = os.path.join(d, "s.sock")
    log = open(os.path.join(d, "log"), "wb")
    proc = subprocess.Popen(
        [binary, "--unix", sock, "--no-tcp", "--tls-port", "0", "--tls-cert-file",
         os.path.join(d, "server.crt"), "--tls-key-file", os.path.join(d, "server.key"),
         "--tls-ca-cert-file", os.path.join(d, "ca.crt")],
        stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def up():
        assert proc.poll() is None, open(os.path.join(d, "log")).read()
        try:
            procshare.connect("unix:" + sock).close()
            return True
        except OSError:
            return False

    assert wait_until(up, 20), open(os.path.join(d, "log")).read()
    c = procshare.connect("unix:" + sock)
    info = c.call("INFO", "server").decode()
    c.close()
    port = int(info.split("tls_port:")[1].split()[0])
    yield {"dir": d, "port": port, "unix": sock}
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(d, ignore_errors=True)


def test_a_client_certificate_connects_and_shares_objects(tls_server):
    d = tls_server["dir"]
    tls = procshare.TLS(cafile=os.path.join(d, "ca.crt"), certfile=os.path.join(d, "client.crt"),
                        keyfile=os.path.join(d, "client.key"))
    c = procshare.connect("tls://localhost:%d" % tls_server["port"], tls=tls)
    d1 = c.dict()
    d1["over"] = "tls"
    assert d1["over"] == "tls"
    # the same object seen over the Unix socket
    u = procshare.connect("unix:" + tls_server["unix"])
    assert u.call("DICT.GET", d1._name, "over") == b"tls"


def test_a_wrong_host_name_is_refused(tls_server):
    d = tls_server["dir"]
    tls = procshare.TLS(cafile=os.path.join(d, "ca.crt"), certfile=os.path.join(d, "client.crt"),
                        keyfile=os.path.join(d, "client.key"), server_hostname="db.example.com")
    with pytest.raises(procshare.ProcshareConnectionError, match="(?i)hostname|certificate"):
        procshare.connect("tls://127.0.0.1:%d" % tls_server["port"], tls=tls)


def test_an_unknown_ca_is_refused(tls_server):
    # The system's CAs never signed the test server's certificate.
    with pytest.raises(procshare.ProcshareConnectionError, match="(?i)certificate"):
        procshare.connect("tls://localhost:%d" % tls_server["port"])
