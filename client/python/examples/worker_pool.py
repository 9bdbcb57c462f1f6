# A worker pool that loses nothing when a worker dies: jobs are taken on a
# lease and acknowledged when done. One worker is killed holding a job; the
# server gives the job to another worker, and join() returns once every job
# was acknowledged. Each job is done exactly once.
import multiprocessing
import os
import signal

from procshare import Manager

JOBS = 20
WORKERS = 3


def doomed(jobs, taken):
    job = jobs.get_job(lease=600)  # a long lease: only its death gives it back
    taken.put(job.item)
    signal.pause()                 # hangs until killed, never acks


def worker(jobs, done):
    while True:
        with jobs.get_job(lease=60) as job:  # acked on leaving the block
            if job.item is None:
                return
            done.append(job.item * job.item)


if __name__ == "__main__":
    fork = multiprocessing.get_context("fork")
    with Manager() as manager:
        jobs = manager.JoinableQueue()
        done, taken = manager.list(), manager.Queue()
        for i in range(JOBS):
            jobs.put(i)

        victim = fork.Process(target=doomed, args=(jobs, taken))
        victim.start()
        held = taken.get(timeout=60)
        os.kill(victim.pid, signal.SIGKILL)
        victim.join()
        print("killed a worker holding job", held)

        pool = [fork.Process(target=worker, args=(jobs, done)) for _ in range(WORKERS)]
        for p in pool:
            p.start()
        jobs.join()  # every job acknowledged, the killed worker's too
        print(JOBS, "jobs done, each exactly once:",
              sorted(done) == [i * i for i in range(JOBS)])
        print("jobs redelivered:", jobs.describe()["redelivered"])

        for _ in pool:
            jobs.put(None)
        for p in pool:
            p.join()
