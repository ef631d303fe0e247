"""teledesk.json_depth: the nesting of a body, counted before it is parsed and without recursing."""

from __future__ import annotations

import json

import pytest

from teledesk.json_depth import json_depth


@pytest.mark.parametrize(("document", "depth"), [
    ("1", 0),
    ('"[[[["', 0),  # brackets in a string are text
    ('{"a": [1, {"b": []}]}', 4),
    ('[[], [[]], []]', 3),
    (r'{"say \"[[[\"": [{}]}', 3),  # an escaped quote does not end the string
    ("[[[ not json", 3),  # counted all the same: the parser judges the rest
])
def test_depth_is_the_deepest_open_bracket_outside_strings(document: str, depth: int) -> None:
    assert json_depth(document) == depth
    assert json_depth(document.encode("utf-8")) == depth


def test_a_body_too_deep_for_the_parser_is_counted_without_recursing() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(RecursionError):
        json.loads(deep)
    assert json_depth(deep) == 200_000


def test_bytes_in_any_json_encoding_and_bytes_in_none() -> None:
    assert json_depth('{"a": [[]]}'.encode("utf-16")) == 3
    with pytest.raises(ValueError):
        json_depth(b'{"a": "\xff\xfe\xfd"}')
