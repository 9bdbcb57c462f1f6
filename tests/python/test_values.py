"""Unit tests of the value encoding (docs/values.md), no server."""
import collections
import datetime
import json
import math
import os
import signal

import pytest

from procshare import values

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "value_encoding.json")


def load_fixture():
    with open(FIXTURE) as f:
        return json.load(f)["cases"]


@pytest.mark.parametrize("case", load_fixture(), ids=lambda c: c["python"])
def test_fixture_cases_encode_and_decode(case):
    value = eval(case["python"], {"datetime": datetime, "float": float})
    expected = bytes.fromhex(case["hex"])
    assert values.encode(value) == expected
    back = values.decode(expected)
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value and type(back) is type(value)


ROUND_TRIP = [
    0, 1, -7, 10**30, -(10**30), 0.0, -0.0, 1.5, 2.0, 1e100, 1e-300, 1e16, float("inf"),
    float("-inf"), "", "hello", "42", "-1", "1.5", "inf", "nan", "01", " 1", "\x00x", "héllo",
    b"", b"abc", b"\xff\x00", b"\x00\xff", b"\xffabc", None, True, False, [1, "a"], (1, 2),
    (), [], {}, {"a": 1}, {1: "x"}, {"$a": 1}, {"$a": 1, "b": 2}, {1, 2}, frozenset({"a"}),
    {(1, 2): [3]}, [[1.5, None], {"k": (b"\x00",)}], [float("inf")],
    datetime.timedelta(days=1, microseconds=5), datetime.datetime(2024, 1, 2, 3, 4, 5, 6,
                                                                    tzinfo=datetime.timezone.utc),
    bytearray(b"x"), datetime.datetime(2024, 1, 2), complex(1, 2), "\ud800",
    collections.OrderedDict(a=1), signal.SIGTERM, [1, collections.Counter("ab")],
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_round_trip_keeps_type(value):
    back = values.decode(values.encode(value))
    assert back == value
    assert type(back) is type(value)


def test_nan_round_trips():
    assert math.isnan(values.decode(values.encode(float("nan"))))
    assert math.isnan(values.decode(values.encode([float("nan")]))[0])


@pytest.mark.parametrize("text,value", [
    (b"42", 42), (b"-7", -7), (b"1.5", 1.5), (b"1e+100", 1e100), (b"1E5", 1e5), (b"hello", "hello"),
    (b"01", "01"), (b"+1", "+1"), (b"1_000", "1_000"), (b" 1", " 1"), (b"-0", "-0"), (b"1.", "1."),
    (b".5", ".5"), (b"", ""), (b"\xff", b"\xff"), (b"inf", float("inf")),
])
def test_plain_text_written_by_others(text, value):
    """Bytes from redis-cli, netcat or C++ read as the docs' table says."""
    got = values.decode(text)
    assert got == value and type(got) is type(value)


def test_plain_values_stay_plain():
    assert values.encode(42) == b"42"
    assert values.encode(1.0) == b"1.0"
    assert values.encode("hello") == b"hello"
    assert values.encode(b"\xff\xfe") == b"\xff\xfe"


def test_unknown_letter_and_key_are_errors():
    with pytest.raises(values.EncodingError, match="'z'"):
        values.decode(b"\x00zabc")
    with pytest.raises(values.EncodingError, match=r"\$nope"):
        values.decode(b'\x00j{"$nope":1}')
    with pytest.raises(values.EncodingError):
        values.decode(b'\x00j{"$struct":"P","fields":{}}')


def test_sets_sorted_so_equal_sets_are_equal_bytes():
    assert values.encode({3, 1, 2}) == b'\x00j{"$set":[1,2,3]}'
    assert values.encode({"b", "a"}) == b'\x00j{"$set":["a","b"]}'


def test_refs_decode_without_client():
    r = values.decode(b'\x00j{"$ref":["dict","jobs"]}')
    assert r == values.Ref("dict", b"jobs")


def test_pickle_for_other_objects():
    b = values.encode(complex(1, 2))
    assert b.startswith(b"\x00p")
