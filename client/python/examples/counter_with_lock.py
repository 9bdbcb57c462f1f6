# The counter example (counter.py) without incr: the portable fix is a
# shared Lock around the read-modify-write, exactly as with
# multiprocessing.Manager.
from multiprocessing import Process
from procshare import Manager


def increment(shared_dict, lock, key):
    for _ in range(5):
        with lock:
            shared_dict[key] += 1


if __name__ == "__main__":
    with Manager() as manager:
        data = manager.dict({'count': 0})
        lock = manager.Lock()
        workers = [Process(target=increment, args=(data, lock, 'count')) for _ in range(3)]
        for w in workers: w.start()
        for w in workers: w.join()
        print(data)  # {'count': 15}
