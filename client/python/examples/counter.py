# The counter example: three processes each add 1 five times to one shared
# value, d['count'].
#
# `shared_dict[key] += 1` is a read followed by a write, so with
# multiprocessing.Manager two workers can read the same value and one
# update is lost. procshare's atomic `incr` adds on the server: 15 every time.
from multiprocessing import Process
from procshare import Manager
import time


def increment(shared_dict, key):
    for _ in range(5):
        shared_dict.incr(key)  # was: shared_dict[key] += 1
        time.sleep(0.1)


if __name__ == "__main__":
    with Manager() as manager:
        data = manager.dict({'count': 0})
        workers = [Process(target=increment, args=(data, 'count')) for _ in range(3)]

        for w in workers: w.start()
        for w in workers: w.join()

        print(data)  # {'count': 15}
