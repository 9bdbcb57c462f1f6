# What a proxy is: prints the type of m.dict(). procshare's DictProxy lives in
# procshare.proxies instead of multiprocessing.managers.
from procshare import Manager

if __name__ == "__main__":
    m = Manager()
    d = m.dict()
    print(type(d))
    m.shutdown()
