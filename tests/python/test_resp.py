"""Unit tests of the RESP layer against a scripted fake server: framing of
requests, every reply type (also when it arrives a byte at a time),
pipelines, error mapping, and the authkey handshake's checks."""
import hashlib
import hmac
import os
import queue
import socket
import tempfile
import threading

import pytest

from procshare import connection
from procshare.connection import Connection, Pipeline, pack, parse_address
from procshare.errors import ErrorReply, RemoteError, to_exception


class FakeServer:
    """Accepts one connection; for each request read, sends the next canned
    reply (bytes, or a function of the request's args)."""

    def __init__(self, replies, trickle=False):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "s.sock")
        self.lsock = socket.socket(socket.AF_UNIX)
        self.lsock.bind(self.path)
        self.lsock.listen(1)
        self.replies = list(replies)
        self.trickle = trickle
        self.requests = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def read_request(self, f):
        line = f.readline()
        if not line:
            return None
        assert line[:1] == b"*"
        args = []
        for _ in range(int(line[1:])):
            n = int(f.readline()[1:])
            args.append(f.read(n + 2)[:-2])
        return args

    def run(self):
        s, _ = self.lsock.accept()
        f = s.makefile("rb")
        for reply in self.replies:
            args = self.read_request(f)
            if args is None:
                return
            self.requests.append(args)
            data = reply(args) if callable(reply) else reply
            try:
                if self.trickle:
                    for i in range(len(data)):
                        s.sendall(data[i:i + 1])
                else:
                    s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                break  # the client hung up first (it refused the server's proof)
        s.close()

    def close(self):
        self.lsock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


HELLO = b"%1\r\n$5\r\nproto\r\n:3\r\n"


@pytest.mark.parametrize("trickle", [False, True])
def test_reply_types(trickle):
    replies = [
        HELLO,
        b"+OK\r\n",
        b":-42\r\n",
        b"$5\r\nhe\r\no\r\n",
        b"$-1\r\n",
        b"*3\r\n:1\r\n$1\r\na\r\n*1\r\n_\r\n",
        b"%2\r\n$1\r\nk\r\n:1\r\n$1\r\nj\r\n,1.5\r\n",
        b"#t\r\n",
        b"#f\r\n",
        b",inf\r\n",
        b"(12345678901234567890\r\n",
        b"=7\r\ntxt:abc\r\n",
        b"-KEYERROR no such key\r\n",
        b"~2\r\n:1\r\n:2\r\n",
        b"|1\r\n+a\r\n+b\r\n:7\r\n",
        b"$0\r\n\r\n",
        b"$200000\r\n" + b"x" * 200000 + b"\r\n",
    ]
    srv = FakeServer(replies, trickle=trickle)
    try:
        c = Connection("unix:" + srv.path)
        assert c.call("X") == "OK"
        assert c.call("X") == -42
        assert c.call("X") == b"he\r\no"
        assert c.call("X") is None
        assert c.call("X") == [1, b"a", [None]]
        assert list(c.call("X")) == [(b"k", 1), (b"j", 1.5)]
        assert c.call("X") is True
        assert c.call("X") is False
        assert c.call("X") == float("inf")
        assert c.call("X") == 12345678901234567890
        assert c.call("X") == b"abc"
        with pytest.raises(KeyError):
            c.call("X")
        assert c.call("X") == [1, 2]
        assert c.call("X") == 7
        assert c.call("X") == b""
        assert c.call("X") == b"x" * 200000
        assert srv.requests[0] == [b"HELLO", b"3"]
    finally:
        srv.close()


def test_pack_bulk_strings():
    assert pack(("DICT.SET", b"d", "k\u00e9", 5)) == (
        b"*4\r\n$8\r\nDICT.SET\r\n$1\r\nd\r\n$3\r\nk\xc3\xa9\r\n$1\r\n5\r\n")
    assert pack((b"", b"\r\n")) == b"*2\r\n$0\r\n\r\n$2\r\n\r\n\r\n"


def test_pipeline_sends_one_write_and_keeps_order():
    srv = FakeServer([HELLO, b":1\r\n", b"-ERR boom\r\n", b"$1\r\nz\r\n"])
    try:
        c = Connection("unix:" + srv.path)
        r = c.call_many([("A",), ("B",), ("C",)])
        assert r[0] == 1 and isinstance(r[1], ErrorReply) and r[1].code == "ERR" and r[2] == b"z"
        assert [a[0] for a in srv.requests[1:]] == [b"A", b"B", b"C"]
    finally:
        srv.close()


def test_closed_connection_raises():
    srv = FakeServer([HELLO])
    try:
        c = Connection("unix:" + srv.path)
        srv.thread.join(5)
        with pytest.raises(ConnectionError):
            c.call("PING")
        assert c.closed
    finally:
        srv.close()


def _challenge_server(key, lie=False):
    ns = os.urandom(32).hex().encode()

    def prove(args):
        assert args[0] == b"AUTH.PROVE"
        proof, nc = args[1], args[2]
        want = hmac.new(key, b"procshare-client" + ns + nc, hashlib.sha256).hexdigest().encode()
        if proof != want:
            return b"-WRONGPASS invalid\r\n"
        answer = hmac.new(b"not the key" if lie else key, b"procshare-server" + nc + ns,
                          hashlib.sha256).hexdigest().encode()
        return b"$64\r\n" + answer + b"\r\n"

    return FakeServer([b"$64\r\n" + ns + b"\r\n", prove, HELLO])


def test_challenge_response_and_server_proof():
    from multiprocessing import AuthenticationError
    srv = _challenge_server(b"k3y-0123456789abcdef")
    try:
        Connection("unix:" + srv.path, authkey=b"k3y-0123456789abcdef").close()
    finally:
        srv.close()
    srv = _challenge_server(b"k3y-0123456789abcdef", lie=True)
    try:
        with pytest.raises(AuthenticationError, match="proof"):
            Connection("unix:" + srv.path, authkey=b"k3y-0123456789abcdef")
    finally:
        srv.close()
    srv = _challenge_server(b"k3y-0123456789abcdef")
    try:
        with pytest.raises(AuthenticationError):
            Connection("unix:" + srv.path, authkey=b"wrong")
    finally:
        srv.close()


def test_error_mapping():
    def err(line):
        return to_exception(ErrorReply(line))
    assert isinstance(err(b"KEYERROR no such key"), KeyError)
    assert isinstance(err(b"INDEXERROR out of range"), IndexError)
    assert isinstance(err(b"VALUEERROR not a number"), ValueError)
    assert isinstance(err(b"EMPTY queue is empty"), queue.Empty)
    assert isinstance(err(b"FULL queue is full"), queue.Full)
    assert isinstance(err(b"NOTOWNER not yours"), RuntimeError)
    assert isinstance(err(b"BROKEN barrier"), threading.BrokenBarrierError)
    e = err(b"LIMIT too many objects")
    assert isinstance(e, RemoteError) and e.code == "LIMIT" and e.message == "too many objects"


def test_addresses():
    assert parse_address("unix:/tmp/x.sock") == ("unix", "/tmp/x.sock")
    assert parse_address("/tmp/x.sock") == ("unix", "/tmp/x.sock")
    assert parse_address("tcp://127.0.0.1:7379") == ("tcp", ("127.0.0.1", 7379))
    assert parse_address("localhost:1") == ("tcp", ("localhost", 1))
    assert parse_address("tcp://[::1]:5") == ("tcp", ("::1", 5))
    assert parse_address(("h", 2)) == ("tcp", ("h", 2))
    assert str(parse_address("tcp://[::1]:5")) == "tcp://[::1]:5"
    assert parse_address(None) == ("unix", "/tmp/procshare.sock")
