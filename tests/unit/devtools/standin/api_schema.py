"""Checks a JSON object against the Bot API's own type tables (api.json).

The path comes from TELEGRAM_API_JSON or the shared copy; tests that need it skip without it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from support import SHARED

API_JSON = Path(os.environ.get("TELEGRAM_API_JSON") or SHARED / "telegram-bot-api" / "api.json")


@cache
def _types() -> dict[str, Any]:
    return json.loads(API_JSON.read_text(encoding="utf-8"))["types"]


def _problems(value: Any, type_name: str, where: str) -> list[str]:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{where}: expected an array"]
        return [p for i, item in enumerate(value) for p in _problems(item, type_name[9:], f"{where}[{i}]")]
    primitive = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "True": lambda v: v is True,
        "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }
    if type_name in primitive:
        return [] if primitive[type_name](value) else [f"{where}: expected {type_name}, got {value!r}"]
    spec = _types()[type_name]
    if "subtypes" in spec:
        attempts = [_problems(value, sub, where) for sub in spec["subtypes"]]
        return [] if any(not a for a in attempts) else [f"{where}: matches no subtype of {type_name}"]
    if not isinstance(value, dict):
        return [f"{where}: expected a {type_name} object"]
    fields = {f["name"]: f for f in spec.get("fields", [])}
    problems = [f"{where}.{key}: not a field of {type_name}" for key in value if key not in fields]
    problems += [f"{where}.{name}: required" for name, f in fields.items() if f["required"] and name not in value]
    for name, item in value.items():
        if name in fields:
            attempts = [_problems(item, t, f"{where}.{name}") for t in fields[name]["types"]]
            if all(attempts):
                problems += attempts[0]
    return problems


def assert_conforms(value: Any, type_name: str) -> None:
    """Every key a field of the type, every required field present, every value of a listed type."""
    if not API_JSON.is_file():
        pytest.skip(f"{API_JSON} not available")
    problems = _problems(value, type_name, type_name)
    assert not problems, "\n".join(problems)
