# Five processes fill one shared dict with i -> i*i. The only change from the
# multiprocessing version is the import of Manager.
from multiprocessing import Process
from procshare import Manager


def worker(shared_dict, key, value):
    shared_dict[key] = value


if __name__ == "__main__":
    with Manager() as manager:
        shared_dict = manager.dict()  # shared across processes
        processes = [
            Process(target=worker, args=(shared_dict, i, i*i))
            for i in range(5)
        ]
        for p in processes: p.start()
        for p in processes: p.join()
        print(shared_dict)
