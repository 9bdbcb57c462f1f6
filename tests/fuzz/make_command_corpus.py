#!/usr/bin/env python3
"""Writes the seed corpus of command_fuzz (tests/fuzz/corpus/command/).

Each seed is what command_fuzz.cpp reads: a config byte (bit 0 authkey "k",
bit 1 RESP3, bit 2 tiny limits), then segments separated by 0xFE, each a
selector byte (session in bits 0-1; bits 2-3: 0 send, 1 deadline passes,
2 disconnect) and, for "send", the bytes the client sends.

    python3 tests/fuzz/make_command_corpus.py
"""
import os

SEP = b"\xfe"


def resp(*words):
    out = b"*%d\r\n" % len(words)
    for w in words:
        w = w if isinstance(w, bytes) else str(w).encode()
        out += b"$%d\r\n%s\r\n" % (len(w), w)
    return out


def send(session, *commands):
    """One segment: `session` sends the commands (lists of words, or raw bytes)."""
    body = b"".join(c if isinstance(c, bytes) else resp(*c) for c in commands)
    return bytes([session]) + body


def expire(session):
    return bytes([session | 4])


def disconnect(session):
    return bytes([session | 8])


def seed(config, *segments):
    return bytes([config]) + SEP + SEP.join(segments)


SEEDS = {
    "dict": seed(0, send(0, ["DICT.SET", "d", "a", "1"], ["DICT.SET", "d", "b", "2"],
                         ["DICT.GET", "d", "a"], ["DICT.GET", "d", "zz", "DEFAULT", "x"],
                         ["DICT.INCRBY", "d", "n", "5"], ["DICT.INCRBYFLOAT", "d", "f", "1.5"],
                         ["DICT.KEYS", "d"], ["DICT.ITEMS", "d"], ["DICT.POPITEM", "d"],
                         ["DICT.UPDATE", "d", "x", "1", "y", "2"], ["DICT.SETDEFAULT", "d", "x", "9"],
                         ["DICT.POP", "d", "nope"], ["DICT.LEN", "d"], ["DICT.SCAN", "d", "0", "COUNT", "2"],
                         ["DICT.SCAN", "d", "2"], ["DICT.CLEAR", "d"])),
    "list": seed(0, send(0, ["LIST.EXTEND", "l", "3", "1", "2"], ["LIST.APPEND", "l", "-7"],
                         ["LIST.INSERT", "l", "-1", "x"], ["LIST.GET", "l", "-2"],
                         ["LIST.SET", "l", "0", "9"], ["LIST.RANGE", "l", "-3", "100"],
                         ["LIST.SORT", "l", "NUMERIC", "REVERSE"], ["LIST.INDEX", "l", "x"],
                         ["LIST.COUNT", "l", "1"], ["LIST.REMOVE", "l", "nope"],
                         ["LIST.REVERSE", "l"], ["LIST.POP", "l", "0"], ["LIST.DEL", "l", "-1"],
                         ["LIST.POP", "l", "99"], ["LIST.LEN", "l"], ["LIST.CLEAR", "l"],
                         ["LIST.POP", "l"])),
    "set": seed(0, send(0, ["SET.ADD", "s", "a", "b", "a"], ["SET.HAS", "s", "a"],
                        ["SET.DISCARD", "s", "a", "z"], ["SET.REMOVE", "s", "z"],
                        ["SET.MEMBERS", "s"], ["SET.POP", "s"], ["SET.POP", "s"], ["SET.LEN", "s"],
                        ["SET.SCAN", "s", "0", "COUNT", "1"], ["SET.CLEAR", "s"])),
    "namespace": seed(0, send(0, ["NS.SET", "n", "x", "1"], ["NS.GET", "n", "x"],
                              ["NS.GET", "n", "y"], ["NS.HAS", "n", "x"], ["NS.ATTRS", "n"],
                              ["NS.ITEMS", "n"], ["NS.SCAN", "n", "0"], ["NS.DEL", "n", "x"],
                              ["NS.DEL", "n", "x"])),
    "value": seed(0, send(0, ["CREATE", "value", "i", "TYPE", "int", "INIT", "5"],
                          ["VALUE.INCRBY", "i", "-9223372036854775807"],
                          ["VALUE.INCRBY", "i", "-100"], ["VALUE.GET", "i"],
                          ["CREATE", "value", "f", "TYPE", "float"],
                          ["VALUE.INCRBYFLOAT", "f", "1e308"], ["VALUE.INCRBYFLOAT", "f", "1e308"],
                          ["VALUE.SET", "b", "bytes"], ["VALUE.CAS", "b", "bytes", "new"],
                          ["VALUE.CAS", "b", "old", "x"], ["VALUE.SET", "i", "notanumber"],
                          ["VALUE.INCRBY", "fresh", "1"], ["VALUE.INCRBYFLOAT", "freshf", "0.5"])),
    "array": seed(0, send(0, ["CREATE", "array", "a", "TYPE", "int", "LEN", "4"],
                          ["ARRAY.SET", "a", "-1", "7"], ["ARRAY.INCRBY", "a", "0", "3"],
                          ["ARRAY.GET", "a", "-4"], ["ARRAY.GET", "a", "4"],
                          ["ARRAY.RANGE", "a", "1", "-1"], ["ARRAY.LEN", "a"],
                          ["CREATE", "array", "fa", "TYPE", "float", "INIT", "1.5", "2", "-0"],
                          ["ARRAY.SET", "fa", "0", "nan"], ["ARRAY.RANGE", "fa", "0", "9"],
                          ["CREATE", "array", "ba", "TYPE", "bytes", "LEN", "2"],
                          ["ARRAY.SET", "ba", "1", "xyz"], ["DESCRIBE", "ba"])),
    "queue_wake": seed(0, send(0, ["QUEUE.GET", "q"]), send(1, ["QUEUE.PUT", "q", "item"]),
                       send(0, ["QUEUE.SIZE", "q"], ["QUEUE.EMPTY", "q"])),
    "queue_timeout": seed(0, send(0, ["QUEUE.GET", "q", "TIMEOUT", "0.01"], ["PING"]),
                          expire(0), send(0, ["QUEUE.GET", "q", "NOWAIT"])),
    "queue_full": seed(0, send(0, ["CREATE", "queue", "q", "MAXSIZE", "1"],
                               ["QUEUE.PUT", "q", "a"], ["QUEUE.FULL", "q"], ["QUEUE.PUT", "q", "b"]),
                       send(1, ["QUEUE.GET", "q"], ["QUEUE.PUT", "q", "c", "NOWAIT"]),
                       send(2, ["QUEUE.GET", "q"], ["QUEUE.GET", "q"])),
    "queue_lifo_disconnect": seed(0, send(0, ["CREATE", "queue", "q", "LIFO"], ["QUEUE.GET", "q"]),
                                  send(1, ["QUEUE.GET", "q", "TIMEOUT", "5"]), disconnect(0),
                                  send(2, ["QUEUE.PUT", "q", "1"], ["QUEUE.PUT", "q", "2"],
                                       ["QUEUE.GET", "q"])),
    "joinable": seed(0, send(0, ["CREATE", "joinablequeue", "j"], ["QUEUE.PUT", "j", "t"]),
                     send(1, ["QUEUE.JOIN", "j"]), send(2, ["QUEUE.GET", "j"],
                                                        ["QUEUE.TASKDONE", "j"],
                                                        ["QUEUE.TASKDONE", "j"]),
                     send(1, ["QUEUE.JOIN", "j", "TIMEOUT", "1"])),
    "lock_owner_dies": seed(0, send(0, ["LOCK.ACQUIRE", "l"]), send(1, ["LOCK.ACQUIRE", "l"]),
                            send(2, ["LOCK.ACQUIRE", "l", "TIMEOUT", "0.5"]), disconnect(0),
                            expire(2), send(1, ["LOCK.LOCKED", "l"], ["DESCRIBE", "l"],
                                            ["LOCK.RELEASE", "l"], ["LOCK.RELEASE", "l"])),
    "rlock": seed(0, send(0, ["CREATE", "rlock", "r"], ["LOCK.ACQUIRE", "r"], ["LOCK.ACQUIRE", "r"]),
                  send(1, ["LOCK.RELEASE", "r"], ["LOCK.ACQUIRE", "r", "NOWAIT"],
                       ["LOCK.ACQUIRE", "r"]),
                  send(0, ["LOCK.RELEASE", "r"], ["DESCRIBE", "r"], ["LOCK.RELEASE", "r"])),
    "semaphore": seed(0, send(0, ["CREATE", "boundedsemaphore", "s", "VALUE", "2"],
                              ["SEM.ACQUIRE", "s"], ["SEM.ACQUIRE", "s"]),
                      send(1, ["SEM.ACQUIRE", "s", "TIMEOUT", "3"]),
                      send(0, ["SEM.RELEASE", "s"], ["SEM.RELEASE", "s", "2"], ["SEM.VALUE", "s"]),
                      disconnect(1), send(2, ["SEM.ACQUIRE", "t"], ["SEM.RELEASE", "t", "5"])),
    "condition": seed(0, send(0, ["COND.ACQUIRE", "c"], ["COND.WAIT", "c", "TIMEOUT", "2"]),
                      send(1, ["COND.NOTIFY", "c"], ["COND.ACQUIRE", "c"], ["COND.NOTIFYALL", "c"],
                           ["COND.RELEASE", "c"]),
                      send(0, ["COND.RELEASE", "c"], ["COND.WAIT", "c"])),
    "condition_lock": seed(0, send(0, ["CREATE", "lock", "m"], ["CREATE", "condition", "c", "LOCK", "m"],
                                   ["COND.ACQUIRE", "c"], ["COND.WAIT", "c", "TIMEOUT", "0.1"]),
                           expire(0), send(1, ["LOCK.ACQUIRE", "m", "TIMEOUT", "1"]), expire(1),
                           send(0, ["COND.RELEASE", "c"], ["LOCK.LOCKED", "m"])),
    "event": seed(0, send(0, ["EVENT.WAIT", "e"]), send(1, ["EVENT.WAIT", "e", "TIMEOUT", "1"]),
                  send(2, ["EVENT.ISSET", "e"], ["EVENT.SET", "e"], ["EVENT.CLEAR", "e"]),
                  send(1, ["EVENT.WAIT", "e", "TIMEOUT", "0"])),
    "barrier": seed(0, send(0, ["CREATE", "barrier", "b", "PARTIES", "3"], ["BARRIER.WAIT", "b"]),
                    send(1, ["BARRIER.WAIT", "b", "TIMEOUT", "9"]),
                    send(2, ["BARRIER.WAITING", "b"], ["BARRIER.WAIT", "b"]),
                    send(3, ["BARRIER.PARTIES", "b"], ["BARRIER.BROKEN", "b"])),
    "barrier_break": seed(0, send(0, ["CREATE", "barrier", "b", "PARTIES", "3"],
                                  ["BARRIER.WAIT", "b", "TIMEOUT", "1"]),
                          send(1, ["BARRIER.WAIT", "b"]), expire(0),
                          send(2, ["BARRIER.BROKEN", "b"], ["BARRIER.RESET", "b"],
                               ["BARRIER.WAIT", "b"]), send(3, ["BARRIER.ABORT", "b"]),
                          disconnect(1)),
    "objects": seed(0, send(0, ["CREATE", "dict", "*"], ["CREATE", "list", "named"],
                            ["CREATE", "list", "named", "EXISTOK"], ["CREATE", "set", "named"],
                            ["OBJECTS"], ["OBJECTS", "n*[a-e]?"], ["TYPE", "named"],
                            ["EXISTS", "named", "x"], ["REF.INC", "named"], ["REF.DEC", "named"],
                            ["REF.DEC", "named"], ["DESCRIBE", "named"], ["METHODS", "queue"],
                            ["DEL", "named", "nope"])),
    "anonymous_refs": seed(0, send(0, ["CREATE", "queue", "*", "MAXSIZE", "3"]),
                           send(1, ["OBJECTS"]), disconnect(0), send(1, ["OBJECTS"])),
    "del_while_blocked": seed(0, send(0, ["QUEUE.GET", "q"], ["PING"]),
                              send(1, ["EVENT.WAIT", "e"]),
                              send(2, ["DEL", "q", "e"], ["EXISTS", "q"])),
    "resp3": seed(2, send(0, ["HELLO"], ["DICT.SET", "d", "k", "v"], ["DICT.ITEMS", "d"],
                          ["DESCRIBE", "d"], ["SET.HAS", "s", "x"], ["VALUE.INCRBYFLOAT", "f", "2.5"],
                          ["DICT.GET", "d", "nope", "DEFAULT", "z"], ["HELLO", "2"],
                          ["DESCRIBE", "d"], ["HELLO", "4"])),
    "auth": seed(1, send(0, ["OBJECTS"], ["PING"], ["AUTH", "bad"], ["AUTH", "k"], ["OBJECTS"]),
                 send(1, ["HELLO", "3", "AUTH", "default", "k", "SETNAME", "me"], ["CLIENT", "GETNAME"]),
                 send(2, ["AUTH.CHALLENGE"], ["AUTH.PROVE", "0" * 64, "a" * 64], ["PING"]),
                 send(3, ["AUTH.PROVE", "x", "y"])),
    "auth_preauth_limits": seed(1, send(0, ["PING", "a" * 20000]),
                                send(1, ["PING"] * 11), send(2, b"PING " + b"x" * 17000)),
    "inline": seed(0, send(0, b"DICT.SET d \"a b\\x41\\n\" 'it\\'s'\r\n\r\nDICT.ITEMS d\n",
                           b"LIST.EXTEND l \"\" '' x\r\nLIST.RANGE l 0 -1\r\n",
                           b"ECHO \"unterminated\r\n")),
    "pipelined": seed(0, send(0, *([["VALUE.INCRBY", "n", "1"]] * 20 + [["QUEUE.GET", "q"]] +
                                   [["VALUE.GET", "n"]])),
                      send(1, ["QUEUE.PUT", "q", "x"], ["VALUE.GET", "n"])),
    "client": seed(0, send(0, ["CLIENT", "SETNAME", "a"], ["CLIENT", "ID"], ["CLIENT", "LIST"],
                           ["CLIENT", "INFO"], ["CLIENT", "SETNAME", "bad name"]),
                   send(1, ["QUEUE.GET", "q"]), send(0, ["CLIENT", "LIST"], ["CLIENT", "KILL", "ID", "2"],
                                                     ["CLIENT", "KILL", "ID", "1"], ["PING"]),
                   send(2, ["QUIT"], ["PING"])),
    "server": seed(0, send(0, ["INFO"], ["INFO", "stats"], ["COMMAND", "COUNT"],
                           ["COMMAND", "DOCS", "dict.set"], ["COMMAND"], ["ECHO", ""],
                           ["SHUTDOWN"], ["NOSUCH", "x"], ["DICT.SET"], ["TYPE"])),
    "protocol_errors": seed(0, send(0, b"*2\r\n$4\r\nECHO\r\n$9999999999\r\n"),
                            send(1, b"*1\r\n*1\r\n"), send(2, b"*-1\r\n*0\r\n*1\r\n$-1\r\n"),
                            send(3, b"*2\r\n$4\r\nECHO\r\n$2\r\nabXY")),
    "tiny_limits": seed(4, send(0, ["DICT.SET", "d", "k", "v" * 70]),
                        send(1, ["SET.ADD", "s"] + ["m"] * 7),
                        send(2, ["LIST.EXTEND", "l"] + ["x"] * 6, ["LIST.LEN", "l"])),
    "wrongtype": seed(0, send(0, ["DICT.SET", "x", "k", "v"], ["LIST.APPEND", "x", "1"],
                              ["LOCK.ACQUIRE", "x"], ["CREATE", "array", "arr"],
                              ["CREATE", "barrier", "bb"], ["ARRAY.GET", "nope", "0"],
                              ["BARRIER.WAIT", "nope"], ["CREATE", "semaphore", "s", "VALUE", "-1"],
                              ["CREATE", "queue", "q", "MAXSIZE", "x"])),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "command")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
