#!/usr/bin/python3
"""Python's multiprocessing.Manager on the workloads of proxy_bench.cpp.

The reference procshare's C++ proxies are compared with (tools/bench/compare):
forked workers share proxies made by the parent, start together, run for
--duration seconds, and the ops they did are added up. The manager's server
CPU time comes from /proc/<its pid>/stat around the run.

  dict.incr     d[key] = i             (DictProxy.__setitem__, one round trip;
                                        a DictProxy has no atomic increment)
  queue.putget  q.put(x); q.get()      (a pair: two round trips)
  lock.cycle    with lock: v.value += 1 (four round trips)
  dict.memory   1,000,000 entries "key:NNNNNNN" -> "xxx" added with update();
                RSS growth of the manager's server per entry

Standard library only. Prints one JSON object per test.
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def worker(test, wid, objs, go, duration, results):
    d, q, lock, v = objs
    # Connect before the clock starts (each forked process opens its own).
    d.get("warm-up")
    go.wait()
    deadline = time.monotonic() + duration
    ops = 0
    if test == "dict.incr":
        base = f"w{wid}:"
        while time.monotonic() < deadline:
            d[base + str(ops % 1000)] = ops
            ops += 1
    elif test == "queue.putget":
        while time.monotonic() < deadline:
            q.put("item")
            q.get()
            ops += 1
    elif test == "lock.cycle":
        while time.monotonic() < deadline:
            with lock:
                v.value += 1
            ops += 1
    results.put(ops)


def run_workers(manager, test, workers, duration):
    ctx = mp.get_context("fork")
    objs = (manager.dict(), manager.Queue(), manager.Lock(), manager.Value("i", 0))
    go = ctx.Event()
    results = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(test, w, objs, go, duration, results))
             for w in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.3)  # let every worker connect
    pid = manager._process.pid
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    go.set()
    ops = sum(results.get(timeout=duration + 60) for _ in procs)
    t1, cpu1 = time.monotonic(), cpu_seconds(pid)
    failed = 0
    for p in procs:
        p.join(timeout=30)
        failed += p.exitcode != 0
    seconds = t1 - t0
    cpu = cpu1 - cpu0
    return {"test": test, "workers": workers, "ops": ops, "seconds": round(seconds, 3),
            "ops_per_s": round(ops / seconds), "server_cpu_us_per_op":
            round(cpu * 1e6 / ops, 3) if ops else None,
            "server_cpu_pct": round(100 * cpu / seconds, 1), "failed_workers": failed}


def dict_memory(manager, entries):
    pid = manager._process.pid
    d = manager.dict()
    before = rss_bytes(pid)
    chunk = 10000
    for start in range(0, entries, chunk):
        d.update({"key:%07d" % i: "xxx" for i in range(start, min(entries, start + chunk))})
    after = rss_bytes(pid)
    assert len(d) == entries
    return {"test": "dict.memory", "entries": entries, "rss_delta": after - before,
            "bytes_per_entry": round((after - before) / entries, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-w", "--workers", type=int, default=8)
    ap.add_argument("-d", "--duration", type=float, default=2.0)
    ap.add_argument("-t", "--tests", default="dict.incr,queue.putget,lock.cycle")
    ap.add_argument("--entries", type=int, default=1000000)
    args = ap.parse_args()
    with mp.get_context("fork").Manager() as manager:
        for test in args.tests.split(","):
            if test == "dict.memory":
                out = dict_memory(manager, args.entries)
            else:
                out = run_workers(manager, test, args.workers, args.duration)
            print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
