# A nested shared dict: with multiprocessing.Manager, d['inner']['x'] = 1
# changes a copy and is lost unless 'inner' is itself a managed dict. Here a
# managed dict stored in another is stored as a reference, so it just works.
from procshare import Manager

if __name__ == "__main__":
    with Manager() as manager:
        d = manager.dict()
        d['inner'] = manager.dict()
        d['inner']['x'] = 1
        print(d['inner'])
