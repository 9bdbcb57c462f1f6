"""The Python client over TLS (issue 17): CA verification and host-name
checking on by default, a client certificate that stands in for the key, and
clear refusals. Certificates are made here with the openssl command line."""
import copy
import multiprocessing as mp
import os
import pickle
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


def _client_tls(d):
    return procshare.TLS(cafile=os.path.join(d, "ca.crt"), certfile=os.path.join(d, "client.crt"),
                         keyfile=os.path.join(d, "client.key"))


def _write_from_child(d):
    d["child"] = os.getpid()


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_proxy_reaches_a_child_with_its_tls_settings(tls_server, method):
    """The child connects with the parent's private CA and client
    certificate: with the system's CAs it could not verify the server."""
    c = procshare.connect("tls://localhost:%d" % tls_server["port"],
                          tls=_client_tls(tls_server["dir"]))
    shared = c.dict()
    p = mp.get_context(method).Process(target=_write_from_child, args=(shared,))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    assert shared["child"] == p.pid


def test_the_pickle_carries_paths_never_key_material(tls_server):
    d = tls_server["dir"]
    c = procshare.connect("tls://localhost:%d" % tls_server["port"], tls=_client_tls(d))
    data = pickle.dumps(c.list())
    assert os.path.join(d, "client.key").encode() in data
    for name in ("client.key", "ca.crt", "client.crt"):
        with open(os.path.join(d, name), "rb") as f:
            body = b"".join(f.read().splitlines()[1:-1])  # the base64 between the PEM markers
        assert body[:64] not in data


def test_a_copy_of_a_tls_proxy_works(tls_server):
    c = procshare.connect("tls://localhost:%d" % tls_server["port"],
                          tls=_client_tls(tls_server["dir"]))
    d1 = c.dict()
    d2 = copy.copy(d1)
    assert d2._client is c  # the same client, so the same TLS settings
    d2["from"] = "copy"
    assert d1["from"] == "copy"


def test_tls_settings_pickle_as_themselves():
    tls = procshare.TLS(cafile="ca.crt", certfile="c.crt", keyfile="c.key",
                        server_hostname="db.example.com")
    assert pickle.loads(pickle.dumps(tls)) == tls
    a = procshare.parse_address("tls://db.example.com:7380", tls)
    assert pickle.loads(pickle.dumps(a)) == a
