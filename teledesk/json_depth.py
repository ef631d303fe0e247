"""How deep a JSON document nests, counted before it is parsed.

Python's JSON parser recurses once per level of nesting: a body of 200,000 `[` is a
`RecursionError` and a deep stack first. The webhook (teledesk.telegram.wire) and the agent API
(realtime.bodies) count the levels of a body first, without recursing, and refuse one nested
deeper than they take.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string: its brackets are text, not nesting
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(document: str | bytes) -> int:
    """How deep arrays and objects nest in `document` (for any text, JSON or not: the parser judges
    the rest). Bytes not in a JSON encoding raise UnicodeDecodeError, a ValueError as json's own are."""
    if isinstance(document, (bytes, bytearray)):
        document = document.decode(json.detect_encoding(document), "surrogatepass")
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", document))
    return max(accumulate(_STEP[c] for c in brackets), default=0)
