"""docs/protocol.md is the contract other clients implement against: its
command index must list every command the server registers, with the arity
and flags COMMAND reports, and state the right count."""
import os
import re

from conftest import ROOT


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _documented():
    with open(os.path.join(ROOT, "docs", "protocol.md"), encoding="utf-8") as f:
        doc = f.read()
    index = doc[doc.index("## 12. Command index"):]
    count = int(re.search(r"`COMMAND COUNT` is (\d+)", index).group(1))
    rows = {}
    for line in index.splitlines():
        m = re.match(r"\| `([A-Z][A-Z0-9.]*)` \| (-?\d+) \| ([a-z_ ]*) \|", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), sorted(m.group(3).split()))
    return count, rows


def test_command_index_matches_the_server(manager):
    count, rows = _documented()
    registered = {}
    for c in manager.call("COMMAND"):
        registered[_text(c[0]).upper()] = (c[1], sorted(_text(f) for f in c[2]))
    assert count == len(registered), "docs/protocol.md states a stale COMMAND COUNT"
    assert sorted(set(registered) - set(rows)) == [], "commands missing from the index"
    assert sorted(set(rows) - set(registered)) == [], "index rows for no command"
    wrong = {n: (rows[n], registered[n]) for n in registered if rows[n] != registered[n]}
    assert wrong == {}, "arity or flags differ (docs, server)"
