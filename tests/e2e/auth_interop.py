#!/usr/bin/env python3
"""The authkey handshake of PROTOCOL.md section 4, written from the text alone.

An interoperability check for procshare-server: it shares no code with the
C++ implementation, only the wire contract. Standard library only.

    PROCSHARE_AUTHKEY=... auth_interop.py HOST PORT [--bad-server-proof]

Exit status 0 and "ok" on stdout when the server accepted our proof, its own
proof checked out, and an object command then worked. With --bad-server-proof
the script corrupts the server proof it received before checking it and must
then refuse the server (exit status 3), as every client must.
"""
import hashlib
import hmac
import os
import secrets
import socket
import ssl
import sys


class Conn:
    def __init__(self, host, port, tls_ca=None):
        self.sock = socket.create_connection((host, port), timeout=10)
        if tls_ca:  # --tls-ca FILE: the same exchange inside TLS (docs/tls.md)
            ctx = ssl.create_default_context(cafile=tls_ca)
            self.sock = ctx.wrap_socket(self.sock, server_hostname=host)
        self.buf = b""

    def send(self, *words):
        frame = b"*%d\r\n" % len(words)
        for w in words:
            w = w if isinstance(w, bytes) else w.encode()
            frame += b"$%d\r\n%s\r\n" % (len(w), w)
        self.sock.sendall(frame)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        """One RESP2 reply: str for simple, int, bytes for bulk, Exception for errors."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def call(self, *words):
        self.send(*words)
        return self.reply()


def mac(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    corrupt = "--bad-server-proof" in sys.argv[3:]
    tls_ca = sys.argv[sys.argv.index("--tls-ca") + 1] if "--tls-ca" in sys.argv else None
    key = os.environb[b"PROCSHARE_AUTHKEY"]
    c = Conn(host, port, tls_ca)

    r = c.call("DICT.SET", "interop", "k", "v")
    if not (isinstance(r, Exception) and str(r).startswith("NOAUTH")):
        print("expected NOAUTH before authenticating, got %r" % (r,))
        return 1

    # 1. the server's nonce: 64 lowercase hex characters
    ns = c.call("AUTH.CHALLENGE")
    if not isinstance(ns, bytes) or len(ns) != 64 or ns.strip(b"0123456789abcdef"):
        print("bad server nonce %r" % (ns,))
        return 1
    # 2. our nonce and proof; nonces enter the MAC as their hex text
    nc = secrets.token_hex(32).encode()
    proof = mac(key, b"procshare-client", ns, nc)
    server_proof = c.call("AUTH.PROVE", proof, nc)
    if isinstance(server_proof, Exception) or not isinstance(server_proof, bytes):
        print("server refused our proof: %r" % (server_proof,))
        return 1
    # 3. mutual: trust the server only if it knows the key too
    if corrupt:
        server_proof = bytes([server_proof[0] ^ 1]) + server_proof[1:]
    expected = mac(key, b"procshare-server", nc, ns)
    if not hmac.compare_digest(server_proof, expected):
        print("server proof does not verify: refusing the server")
        return 3

    if c.call("DICT.SET", "interop", "k", "v") not in (0, 1):
        print("DICT.SET after authenticating failed")
        return 1
    if c.call("DICT.GET", "interop", "k") != b"v":
        print("DICT.GET after authenticating failed")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
