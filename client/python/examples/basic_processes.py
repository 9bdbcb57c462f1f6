# Two processes that each print one line: plain multiprocessing, no shared
# objects yet; the other examples add a Manager to this.
from multiprocessing import Process


def worker(name):
    print(f"Worker {name} is running", flush=True)


if __name__ == "__main__":
    p1 = Process(target=worker, args=("A",))
    p2 = Process(target=worker, args=("B",))
    p1.start()
    p2.start()
    p1.join()
    p2.join()
