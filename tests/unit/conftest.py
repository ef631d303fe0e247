"""What the unit tests of every part share: the JSON lines a part writes, read back."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from teledesk.logs.structured import DeskLogHandler

PROJECT = "teledesk-unit"


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The JSON lines this test's records make, as a part's log file would hold them (INFO and up)."""
    stream = io.StringIO()
    handler = DeskLogHandler("unit", PROJECT, stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)
