#!/usr/bin/python3
"""redis-py against procshare (issue 7).

Run by redis_tests with Debian's /usr/bin/python3 (python3-redis):

    redis_py_test.py --unix PATH --port N [--authkey KEY] [--tls-ca CA_FILE]

Checks strings, hashes, lists, sets, BLPOP with timeouts and a blocked
client woken by another, pipelines, SCAN, and that the keys are ordinary
procshare objects read through DICT.* / LIST.* with execute_command. RESP3
(protocol=3) is checked when the installed redis-py supports it (5.0 and
later); otherwise the script says so. Exits non-zero on the first mismatch.
"""
import argparse
import sys
import threading
import time

try:
    import redis
except ImportError:
    print("redis-py is missing: install the Debian package python3-redis")
    sys.exit(2)

DEADLINE = 10.0  # seconds, for anything that waits


def expect(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: want {want!r}, got {got!r}")


def expect_error(fn, text, what):
    try:
        fn()
    except redis.exceptions.ResponseError as e:
        if text not in str(e):
            raise AssertionError(f"{what}: want an error with {text!r}, got {e!r}")
        return
    raise AssertionError(f"{what}: want an error with {text!r}, got none")


def version_tuple():
    return tuple(int(p) for p in redis.__version__.split(".")[:2] if p.isdigit())


def wait_for(pred, what):
    deadline = time.monotonic() + DEADLINE
    pause = 0.001
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def check_strings(r):
    expect(r.set("s", "hello"), True, "SET")
    expect(r.get("s"), b"hello", "GET")
    expect(r.get("missing"), None, "GET missing")
    expect(r.append("s", " world"), 11, "APPEND")
    expect(r.strlen("s"), 11, "STRLEN")
    expect(r.getset("s", "x"), b"hello world", "GETSET")
    expect(r.set("s", "y", nx=True), None, "SET NX")
    expect(r.set("s", "y", xx=True), True, "SET XX")
    expect(r.incr("n"), 1, "INCR")
    expect(r.incrby("n", 41), 42, "INCRBY")
    expect(r.decr("n"), 41, "DECR")
    expect(r.incrbyfloat("f", 1.5), 1.5, "INCRBYFLOAT")
    expect(r.mset({"a": "1", "b": "2"}), True, "MSET")
    expect(r.mget("a", "zz", "b"), [b"1", None, b"2"], "MGET")
    expect(r.setnx("a", "9"), False, "SETNX")
    expect(r.ttl("a"), -1, "TTL")
    expect_error(lambda: r.set("k", "v", ex=10), "do not expire", "SET EX")
    expect_error(lambda: r.incr("s"), "not an integer", "INCR text")
    # A value made by procshare answers GET with its text.
    r.execute_command("VALUE.INCRBY", "iv", 7)
    expect(r.get("iv"), b"7", "GET of an int value")
    expect(r.type("s"), b"value", "TYPE of a string (procshare's name)")


def check_hashes(r):
    expect(r.hset("h", mapping={"a": "1", "b": "2"}), 2, "HSET mapping")
    expect(r.hset("h", "c", "3"), 1, "HSET")
    expect(r.hget("h", "a"), b"1", "HGET")
    expect(r.hmget("h", "a", "zz"), [b"1", None], "HMGET")
    expect(r.hgetall("h"), {b"a": b"1", b"b": b"2", b"c": b"3"}, "HGETALL")
    expect(r.hkeys("h"), [b"a", b"b", b"c"], "HKEYS")
    expect(r.hlen("h"), 3, "HLEN")
    expect(r.hexists("h", "b"), True, "HEXISTS")
    expect(r.hincrby("h", "a", 5), 6, "HINCRBY")
    expect(r.hincrbyfloat("h", "x", 0.5), 0.5, "HINCRBYFLOAT")
    expect(r.hsetnx("h", "a", "no"), False, "HSETNX")
    expect_error(lambda: r.get("h"), "WRONGTYPE Operation against a key holding the wrong kind "
                 "of value", "GET of a hash")
    expect(r.type("h"), b"dict", "TYPE of a hash (procshare's name)")
    expect(r.hdel("h", "a", "b", "c", "x"), 4, "HDEL")
    expect(r.exists("h"), 0, "an emptied hash is deleted")


def check_lists(r):
    expect(r.rpush("l", 1, 2, 3), 3, "RPUSH")
    expect(r.lpush("l", 0), 4, "LPUSH")
    expect(r.lrange("l", 0, -1), [b"0", b"1", b"2", b"3"], "LRANGE")
    expect(r.lindex("l", -1), b"3", "LINDEX")
    expect(r.llen("l"), 4, "LLEN")
    expect(r.lpop("l"), b"0", "LPOP")
    expect(r.rpop("l"), b"3", "RPOP")
    expect(r.lpop("l", 5), [b"1", b"2"], "LPOP count")
    expect(r.exists("l"), 0, "an emptied list is deleted")
    expect(r.lpop("l"), None, "LPOP missing")


def check_sets(r):
    expect(r.sadd("set", "a", "b", "a"), 2, "SADD")
    expect(r.smembers("set"), {b"a", b"b"}, "SMEMBERS")
    expect(r.sismember("set", "a"), True, "SISMEMBER")
    expect(r.scard("set"), 2, "SCARD")
    expect(r.srem("set", "a"), 1, "SREM")
    expect(r.spop("set"), b"b", "SPOP")
    expect(r.exists("set"), 0, "an emptied set is deleted")


def check_blpop(r, make_client):
    t0 = time.monotonic()
    expect(r.blpop(["q1", "q2"], timeout=1), None, "BLPOP timeout")
    elapsed = time.monotonic() - t0
    if not 0.9 <= elapsed < DEADLINE:
        raise AssertionError(f"BLPOP with timeout 1 took {elapsed:.3f} s")
    expect(r.exists("q1", "q2"), 0, "keys made for a wait are gone after it")
    r.rpush("q2", "ready")
    expect(r.blpop(["q1", "q2"], timeout=1), (b"q2", b"ready"), "BLPOP at once")

    # A client blocked in BLPOP is woken by another client's push.
    waiter = make_client()
    got = {}

    def wait():
        got["reply"] = waiter.blpop(["jobs", "other"], timeout=DEADLINE)

    thread = threading.Thread(target=wait)
    thread.start()
    wait_for(lambda: int(r.info("clients")["blocked_clients"]) >= 1, "the BLPOP client to block")
    expect(r.rpush("other", "job-1"), 1, "RPUSH to a blocked client's key")
    thread.join(DEADLINE)
    expect(thread.is_alive(), False, "the BLPOP thread ended")
    expect(got.get("reply"), (b"other", b"job-1"), "BLPOP woken by a push")
    expect(r.brpop("nothing", timeout=1), None, "BRPOP timeout")
    waiter.close()


def check_pipeline(r):
    # MULTI/EXEC are not supported: pipelines without a transaction are.
    p = r.pipeline(transaction=False)
    p.set("p1", "a").incr("pc").rpush("pl", "x", "y").get("p1").hset("ph", "k", "v")
    p.lrange("pl", 0, -1).hgetall("ph")
    expect(p.execute(), [True, 1, 2, b"a", 1, [b"x", b"y"], {b"k": b"v"}], "pipeline")
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.rpush("many", i)
    expect(p.execute()[-1], 1000, "a pipeline of 1000 commands")


def check_procshare_objects(r):
    # The keys are ordinary procshare objects.
    r.hset("shared", "alice", "3")
    expect(r.execute_command("DICT.GET", "shared", "alice"), b"3", "DICT.GET of HSET")
    r.execute_command("DICT.SET", "shared", "bob", "4")
    expect(r.hget("shared", "bob"), b"4", "HGET of DICT.SET")
    r.rpush("plist", "a", "b")
    expect(r.execute_command("LIST.RANGE", "plist", 0, 10), [b"a", b"b"], "LIST.RANGE of RPUSH")
    r.execute_command("LIST.APPEND", "plist", "c")
    expect(r.lrange("plist", 0, -1), [b"a", b"b", b"c"], "LRANGE of LIST.APPEND")
    expect(r.execute_command("LIST.LEN", "plist"), 3, "LIST.LEN")
    r.sadd("pset", "m")
    expect(r.execute_command("SET.HAS", "pset", "m"), 1, "SET.HAS of SADD")


def check_scan(r):
    names = {f"key:{i}" for i in range(250)}
    p = r.pipeline(transaction=False)
    for n in names:
        p.set(n, "v")
    p.execute()
    seen = [k.decode() for k in r.scan_iter(match="key:*", count=7)]
    expect(len(seen), len(names), "SCAN returns each key once")
    expect(set(seen), names, "SCAN returns every key")
    expect(len(r.keys("key:1*")), 111, "KEYS")
    expect(r.dbsize() >= 250, True, "DBSIZE")


def check_resp3(kwargs):
    if version_tuple() < (5, 0):
        print(f"redis-py {redis.__version__} has no RESP3 (protocol=3 came in redis-py 5.0): "
              "RESP3 not checked here (redis-cli -3 and the engine tests cover it)")
        return
    r3 = redis.Redis(protocol=3, **kwargs)
    r3.hset("h3", mapping={"a": "1"})
    expect(r3.hgetall("h3"), {b"a": b"1"}, "RESP3 HGETALL")
    expect(r3.blpop("nothing3", timeout=1), None, "RESP3 BLPOP timeout")
    expect(r3.smembers("nothing3"), set(), "RESP3 SMEMBERS")
    r3.close()
    print("redis-py: RESP3 checked")


def run(label, kwargs):
    def make_client():
        return redis.Redis(socket_timeout=DEADLINE + 5, **kwargs)

    r = make_client()
    expect(r.ping(), True, "PING")
    expect(r.flushall(), True, "FLUSHALL")
    for check in (check_strings, check_hashes, check_lists, check_sets, check_pipeline,
                  check_procshare_objects, check_scan):
        check(r)
    check_blpop(r, make_client)
    check_resp3(kwargs)
    r.flushall()
    r.close()
    print(f"redis-py over {label}: ok")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unix", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--authkey")
    parser.add_argument("--tls-ca", help="the port speaks TLS; verify it with this CA")
    args = parser.parse_args()
    auth = {"password": args.authkey} if args.authkey else {}
    print(f"redis-py {redis.__version__}")
    if args.authkey:
        bad = redis.Redis(unix_socket_path=args.unix, password="not the key")
        try:
            bad.ping()
            raise AssertionError("a wrong password was accepted")
        except redis.exceptions.AuthenticationError:
            pass
        except redis.exceptions.ResponseError as e:
            if "WRONGPASS" not in str(e):
                raise
        bad.close()
        try:
            redis.Redis(unix_socket_path=args.unix).get("k")
            raise AssertionError("a client without the key was served")
        except redis.exceptions.AuthenticationError:
            pass
    try:
        run("unix socket", dict(unix_socket_path=args.unix, **auth))
        if args.tls_ca:
            run("tls", dict(host="127.0.0.1", port=args.port, ssl=True, ssl_ca_certs=args.tls_ca,
                            **auth))
        else:
            run("tcp", dict(host="127.0.0.1", port=args.port, **auth))
    except AssertionError as e:
        print(f"redis-py check failed: {e}")
        return 1
    print("redis-py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
