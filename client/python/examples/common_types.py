# The common shared types of a Manager, one line each: list, dict, Queue,
# Namespace, Value and Array, each changed and printed.
from procshare import Manager

if __name__ == "__main__":
    with Manager() as manager:
        lst = manager.list([1, 2])
        lst.append(3)
        d = manager.dict(a=1)
        d["b"] = (2, "two")
        q = manager.Queue()
        q.put("message")
        ns = manager.Namespace()
        ns.x = 10
        v = manager.Value("i", 41)
        v.value += 1
        arr = manager.Array("d", [0.5, 1.5])
        print(lst)
        print(d)
        print(q.get())
        print(ns)
        print(v)
        print(arr)
