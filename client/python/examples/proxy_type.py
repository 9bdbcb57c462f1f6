# Tutorial §6: what a proxy is. procshare's DictProxy lives in
# procshare.proxies instead of multiprocessing.managers.
from procshare import Manager

if __name__ == "__main__":
    m = Manager()
    d = m.dict()
    print(type(d))
    m.shutdown()
