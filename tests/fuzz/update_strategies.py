"""Hypothesis strategies for Telegram Updates, built from the Bot API's own description.

`api.json` (../shared/telegram-bot-api, the Bot API as published, one entry per type and field)
declares each field's type (Integer, String, Boolean, Float, True, arrays of them, other types,
unions of subtypes) and whether it is required. An object draws all its required fields and a few
of its optional ones (Message alone has well over a hundred), each per its declared type; a String
whose description lists its values ("always \"emoji\"", "can be either \"private\", \"group\"…")
draws one of those, so chats are private, groups or channels as Telegram sends them. Nesting past
`NESTED_OPTIONAL_DEPTH` draws only required fields, which keeps recursive types (a Message quoting a
Message) finite. An Update carries `update_id` and at most one of its optional fields, as the Bot API
says.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from hypothesis import strategies as st
from support import SHARED

from teledesk.manifest import load_manifest

API_JSON = SHARED / "telegram-bot-api" / "api.json"

OPTIONAL_FIELDS_PER_OBJECT = 4  # drawn from an object's optional fields, besides all its required ones
NESTED_OPTIONAL_DEPTH = 3  # deeper objects draw their required fields only
TELEGRAM_ID_BITS = 52  # "at most 52 significant bits": chat and user ids as Telegram documents them
MAX_TEXT = 64  # characters in a drawn String; the mutations make the huge ones
TELEGRAM_STRING_ID = r"[0-9]{1,20}"
TELEGRAM_CONNECTION_ID = r"[A-Za-z0-9-][A-Za-z0-9_-]{0,63}"  # a business connection's: opaque, URL-safe base64
MAX_ARRAY = 3
EMPTY_ARRAYS_DEPTH = 8  # arrays this deep are empty: RichText holds arrays of RichText

_ALWAYS = re.compile(r'always "([^"]+)"')
_QUOTED = re.compile(r'"([^"]+)"')


@functools.cache
def bot_api_types() -> dict[str, Any]:
    types: dict[str, Any] = json.loads(API_JSON.read_text())["types"]
    return types


def update_kinds() -> list[str]:
    """The Update's optional fields: the kinds of update Telegram can send."""
    return [field["name"] for field in bot_api_types()["Update"]["fields"] if not field["required"]]


def _listed_values(description: str) -> list[str]:
    if always := _ALWAYS.findall(description):
        return always[:1]
    if "can be" in description or "one of" in description:
        return _QUOTED.findall(description)
    return []


def _string(name: str, description: str) -> st.SearchStrategy[str]:
    listed = _listed_values(description)
    if listed:
        return st.sampled_from(listed)
    if name == "id":  # a callback query's, an inline query's, a poll's: Telegram's are digit strings
        return st.from_regex(TELEGRAM_STRING_ID, fullmatch=True)
    if name == "business_connection_id":
        return st.from_regex(TELEGRAM_CONNECTION_ID, fullmatch=True)
    return st.text(max_size=MAX_TEXT)


def _integer(name: str) -> st.SearchStrategy[int]:
    if name.endswith("id") or name == "id":
        return st.integers(-(2**TELEGRAM_ID_BITS), 2**TELEGRAM_ID_BITS)
    return st.integers(0, 2**31 - 1)


def _value(declared: str, name: str, description: str, depth: int) -> st.SearchStrategy[Any]:
    if declared.startswith("Array of "):
        if depth >= EMPTY_ARRAYS_DEPTH:
            return st.just([])
        return st.lists(_value(declared.removeprefix("Array of "), name, description, depth + 1), max_size=MAX_ARRAY)
    scalars: dict[str, st.SearchStrategy[Any]] = {
        "Integer": _integer(name), "String": _string(name, description), "Boolean": st.booleans(),
        "True": st.just(True), "Float": st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    }
    if declared in scalars:
        return scalars[declared]
    return st.deferred(lambda: bot_api_object(declared, depth))  # drawn lazily: types nest in one another


def _field(field: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    description = field.get("description", "")
    return st.one_of(*(_value(declared, field["name"], description, depth) for declared in field["types"]))


@functools.cache
def bot_api_object(name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An object of Bot API type `name`, as Telegram would send it (`depth`: how deep it sits)."""
    declared = bot_api_types()[name]
    if "subtypes" in declared:  # MessageOrigin, ReactionType, ChatMember, MaybeInaccessibleMessage…
        return st.one_of(*(_value(sub, name, "", depth) for sub in declared["subtypes"]))
    fields = declared.get("fields", [])
    required = {f["name"]: _field(f, depth + 1) for f in fields if f["required"]}
    optional = {f["name"]: _field(f, depth + 1) for f in fields if not f["required"]}
    if depth >= NESTED_OPTIONAL_DEPTH or not optional:
        return st.fixed_dictionaries(required)
    chosen = st.lists(st.sampled_from(sorted(optional)), max_size=OPTIONAL_FIELDS_PER_OBJECT, unique=True)
    some_optional = chosen.flatmap(lambda names: st.fixed_dictionaries({n: optional[n] for n in names}))
    return st.tuples(st.fixed_dictionaries(required), some_optional).map(lambda both: {**both[0], **both[1]})


@functools.cache
def updates() -> st.SearchStrategy[dict[str, Any]]:
    """An Update: its id, and one of its kinds (or none), each drawn per the Bot API. Half of them
    are of the kinds the desk asks Telegram for (pipeline.yaml's allowed_updates)."""
    kinds = {f["name"]: f for f in bot_api_types()["Update"]["fields"] if not f["required"]}

    def one_of_kinds(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        return st.sampled_from(names).flatmap(lambda kind: _field(kinds[kind], 1).map(lambda value: {kind: value}))

    asked_for = one_of_kinds(sorted(load_manifest().allowed_updates))
    any_kind = st.one_of(one_of_kinds(sorted(kinds)), st.just({}))
    return st.tuples(st.integers(1, 2**31 - 1), st.one_of(asked_for, any_kind)).map(
        lambda drawn: {"update_id": drawn[0], **drawn[1]})
