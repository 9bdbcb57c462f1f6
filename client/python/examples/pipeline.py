# procshare's pipeline: 1000 writes in one round trip.
from procshare import Manager

if __name__ == "__main__":
    with Manager() as manager:
        squares = manager.dict()
        with manager.pipeline():
            for i in range(1000):
                squares[i] = i * i
        print(len(squares), squares[999])
