"""What a broken or hostile sender makes of an Update: the mutations the webhook is fuzzed with.

Each mutation takes one spot of a generated Update (any object member or array item, found by
walking it) and breaks it in one way, giving the body's bytes and the answers the webhook may
give. What JSON cannot say through `json.dumps` (bytes that are not UTF-8, nesting past Python's
recursion limit, NaN, integers past 64 bits, lone surrogates) is spliced into the serialized text
at a marker put in the spot.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from functions.ingest import MAX_UPDATE_BYTES
from teledesk.telegram.wire import MAX_UPDATE_DEPTH

TAKEN = frozenset({200})
TAKEN_OR_REFUSED = frozenset({200, 400})
REFUSED = frozenset({400})
TOO_LARGE = frozenset({413})

HOLE = "\x00fuzz-hole\x00"  # a string no generated Update holds: where raw text is spliced in
DEEP_NESTING = (MAX_UPDATE_DEPTH + 1, 64, 1_000, 5_000, 100_000)  # levels; Python's json recurses to ~1,000
OVER_THE_LIMIT = 64  # bytes past MAX_UPDATE_BYTES in an oversized body

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Body:
    mutation: str
    data: bytes
    allowed: frozenset[int]


def spots(document: Any, path: Path = ()) -> list[Path]:
    """Every member and item of `document`, as the keys leading to it."""
    found: list[Path] = []
    if isinstance(document, dict):
        items: Any = document.items()
    else:
        items = enumerate(document) if isinstance(document, list) else ()
    for key, value in items:
        found.append((*path, key))
        found += spots(value, (*path, key))
    return found


def depth(document: Any) -> int:
    """How many objects and arrays are nested in `document`, itself included."""
    if isinstance(document, dict | list):
        values = document.values() if isinstance(document, dict) else document
        return 1 + max((depth(value) for value in values), default=0)
    return 0


def as_generated(update: dict[str, Any]) -> Body:
    """A generated Update as it is: the Bot API describes it, so it is taken, unless it nests
    deeper than the desk keeps (api.json's RichText can), which is refused."""
    return Body("none", _dumped(update), TAKEN if depth(update) <= MAX_UPDATE_DEPTH else REFUSED)


def _set(document: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


def _delete(document: Any, path: Path) -> None:
    for key in path[:-1]:
        document = document[key]
    del document[path[-1]]


def _at(document: Any, path: Path) -> Any:
    for key in path:
        document = document[key]
    return document


def _dumped(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _spliced(update: dict[str, Any], path: Path, raw: bytes) -> bytes:
    holed = copy.deepcopy(update)
    _set(holed, path, HOLE)
    return _dumped(holed).replace(_dumped(HOLE), raw, 1)


JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=20),
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                                 max_size=3))


@st.composite
def mutated(draw: st.DrawFn, update: dict[str, Any]) -> Body:
    """`update` broken in one way, at one spot."""
    places = spots(update) or [("update_id",)]
    path = draw(st.sampled_from(places), label="spot")
    kind = draw(st.sampled_from(MUTATIONS), label="mutation")
    broken = copy.deepcopy(update)
    if kind == "wrong_type":
        value = draw(JSON_VALUES.filter(lambda v: type(v) is not type(_at(update, path))))
        _set(broken, path, value)
        return Body(kind, _dumped(broken), TAKEN_OR_REFUSED)
    if kind == "missing":
        _delete(broken, path)
        return Body(kind, _dumped(broken), TAKEN_OR_REFUSED)
    if kind == "null":
        _set(broken, path, None)
        return Body(kind, _dumped(broken), TAKEN_OR_REFUSED)
    if kind == "huge_string":
        room = MAX_UPDATE_BYTES - len(_dumped(broken)) - 2  # what the spot may grow by and still fit
        over = draw(st.booleans(), label="over the limit")
        size = room + OVER_THE_LIMIT if over else draw(st.integers(max(room // 2, 0), max(room, 0)))
        data = _spliced(update, path, _dumped("é" * (size // 2) + "x" * (size % 2)))
        return Body(kind, data, TOO_LARGE if len(data) > MAX_UPDATE_BYTES else TAKEN_OR_REFUSED)
    if kind == "deep_nesting":
        levels = draw(st.sampled_from(DEEP_NESTING))
        opener = draw(st.sampled_from([b"[", b'{"a":']), label="nested in")
        closer = b"]" if opener == b"[" else b"}"
        data = _spliced(update, path, opener * levels + b"1" + closer * levels)
        return Body(kind, data, TOO_LARGE if len(data) > MAX_UPDATE_BYTES else REFUSED)
    raw = draw(st.sampled_from(RAW[kind]), label=kind)
    return Body(kind, _spliced(update, path, raw), REFUSED)


RAW: dict[str, list[bytes]] = {
    "not_utf8": [b'"\xff\xfe"', b'"\xc3\x28"', b'"\xed\xa0\x80"', b'"caf\xe9"'],
    "lone_surrogate": [b'"\\ud800"', b'"x\\udfff"', b'"\\udc00\\ud800"'],
    "not_a_number": [b"NaN", b"Infinity", b"-Infinity", b"1e400"],
    "beyond_64_bits": [str(2**64).encode(), str(-(2**63) - 1).encode(), b"9" * 400, b"9" * 5_000],
}
MUTATIONS = ["wrong_type", "missing", "null", "huge_string", "deep_nesting", *RAW]

NOT_AN_UPDATE: list[bytes] = [
    b"", b" ", b"[]", b"[1, 2]", b'"update"', b"42", b"null", b"true", b"{", b'{"update_id": 1', b"\xff\xfe{}",
    b'{"update_id": 1}garbage', b"{'update_id': 1}", b'{"update_id": 1, "update_id": "x"}',
]
