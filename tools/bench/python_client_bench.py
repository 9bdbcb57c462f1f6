#!/usr/bin/python3
"""procshare's Python client vs multiprocessing.Manager, side by side.

The same worker code runs on proxies from procshare.Manager() and from
multiprocessing.Manager(): N forked workers (8) start together, run for
--duration seconds, and their operations are added up.

  dict          d[k] = i; d[k]              (two ops, one round trip each)
  queue         q.put(x); q.get()           (one pair)
  lock          with lock: v.value += 1     (one cycle)
  dict.pipe     procshare only: d[k] = i in pipelines of --batch; compared
                with the Manager's unpipelined dict ops
  dict.raw      procshare only, for reference: the commands of "dict"
                pre-encoded on a bare socket, no client code: the floor the
                kernel and the server set for "dict" on this machine
  queue.raw     the same floor for "queue"

  PROCSHARE_SERVER=build/server/procshare-server \\
      python3 tools/bench/python_client_bench.py [--workers 8] [--duration 2] [--rounds 3]

Standard library only. Prints a table and, with --json, one JSON object.
"""
import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "client", "python"))


def work(test, wid, objs, go, duration, batch, results, pipeline):
    d, q, lock, v = objs
    d.get("warm-up")  # connect before the clock starts
    q.qsize()
    lock.acquire(); lock.release()
    v.value
    go.wait()
    deadline = time.monotonic() + duration
    ops = 0
    key = "w%d" % wid
    if test == "dict":
        while time.monotonic() < deadline:
            d[key] = ops
            d[key]
            ops += 2
    elif test == "queue":
        while time.monotonic() < deadline:
            q.put("item")
            q.get()
            ops += 1
    elif test == "lock":
        while time.monotonic() < deadline:
            with lock:
                v.value += 1
            ops += 1
    elif test == "dict.raw":
        # The floor: the same two commands as "dict", pre-encoded, on a bare
        # socket: what the kernel and the server cost without any client code.
        from procshare.connection import Connection, pack
        c = Connection(d._client.address, d._client.authkey)
        s = c.sock
        set_cmd = pack((b"DICT.SET", d._name, key.encode(), b"1"))
        get_cmd = pack((b"DICT.GET", d._name, key.encode()))
        while time.monotonic() < deadline:
            s.sendall(set_cmd)
            s.recv(256)
            s.sendall(get_cmd)
            s.recv(256)
            ops += 2
    elif test == "queue.raw":
        from procshare.connection import Connection, pack
        c = Connection(q._client.address, q._client.authkey)
        s = c.sock
        put_cmd = pack((b"QUEUE.PUT", q._name, b"item"))
        get_cmd = pack((b"QUEUE.GET", q._name))
        while time.monotonic() < deadline:
            s.sendall(put_cmd)
            s.recv(256)
            s.sendall(get_cmd)
            s.recv(256)
            ops += 1
    elif test == "dict.pipe":
        keys = ["%s:%d" % (key, i) for i in range(batch)]
        while time.monotonic() < deadline:
            with pipeline():
                for i, k in enumerate(keys):
                    d[k] = i
            ops += batch
    results.put(ops)


def run(test, objs, workers, duration, batch, pipeline=None):
    ctx = mp.get_context("fork")
    go = ctx.Event()
    results = ctx.Queue()
    ps = [ctx.Process(target=work, args=(test, w, objs, go, duration, batch, results, pipeline))
          for w in range(workers)]
    for p in ps:
        p.start()
    time.sleep(0.3)  # let every worker connect and warm up before the common start
    t0 = time.monotonic()
    go.set()
    total = sum(results.get(timeout=duration + 60) for _ in ps)
    elapsed = time.monotonic() - t0
    for p in ps:
        p.join(30)
    return total / max(elapsed, duration)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import procshare
    from multiprocessing import Manager as PyManager

    # Both managers live through the whole run and the tests alternate
    # between them, --rounds times, so that a change in the machine's load
    # (other builds on a shared machine) falls on both sides alike; each
    # figure is the median of its rounds.
    rows = {}
    with PyManager() as pm, procshare.Manager() as m:
        py_objs = (pm.dict(), pm.Queue(), pm.Lock(), pm.Value("i", 0))
        ps_objs = (m.dict(), m.Queue(), m.Lock(), m.Value("i", 0))
        for test in ("dict", "queue", "lock", "dict.pipe", "dict.raw", "queue.raw"):
            py, ps = [], []
            for _ in range(args.rounds):
                if test not in ("dict.pipe", "dict.raw", "queue.raw"):
                    py.append(run(test, py_objs, args.workers, args.duration, args.batch))
                ps.append(run(test, ps_objs, args.workers, args.duration, args.batch, m.pipeline))
            rows[test] = {"python": statistics.median(py) if py else None,
                          "procshare": statistics.median(ps)}
    rows["dict.pipe"]["python"] = rows["dict"]["python"]  # the Manager has no pipeline
    rows["dict.raw"]["python"] = rows["dict"]["python"]
    rows["queue.raw"]["python"] = rows["queue"]["python"]

    targets = {"dict": 2.0, "queue": 2.0, "lock": 1.5, "dict.pipe": 20.0, "dict.raw": None, "queue.raw": None}
    print("%d forked workers, %.1f s per test, median of %d alternating rounds, %d CPUs"
          % (args.workers, args.duration, args.rounds, os.cpu_count()))
    print("%-10s %16s %16s %8s %8s" % ("test", "Manager ops/s", "procshare ops/s", "speedup", "target"))
    ok = True
    for test, r in rows.items():
        speedup = r["procshare"] / r["python"]
        target = targets[test]
        if target is None:  # informational: no client code at all
            print("%-10s %16.0f %16.0f %7.1fx %8s  (bare socket: the floor of '%s')"
                  % (test, r["python"], r["procshare"], speedup, "-", test.split(".")[0]))
            continue
        ok &= speedup >= target
        print("%-10s %16.0f %16.0f %7.1fx %7.1fx%s" % (test, r["python"], r["procshare"], speedup,
                                                     target, "" if speedup >= target else "  MISSED"))
    if args.json:
        print(json.dumps({"workers": args.workers, "duration": args.duration, "batch": args.batch,
                          "results": rows}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
