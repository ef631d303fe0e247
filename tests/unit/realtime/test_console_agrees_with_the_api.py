"""The console applies the relay's limits and rules before asking it (so the agent sees a reason at
once, not a refused request); they are the relay's, declared once in realtime/schemas.py and stated
in the OpenAPI document at /api/openapi.json. The console writes its copy once, in
frontend/src/api/rules.js: each constant there is held here to the document (the few the document
does not state, to the relay's code), and the theme's and the search's rules to one table of cases,
tests/fixtures/theme_and_search_cases.json, that the relay answers here and the console in
frontend/src/api/rules.spec.js. A limit or a rule changed on one side only fails here or there."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from realtime.schemas import SHORTCUT_PATTERN
from realtime.search import MARKS, matcher
from realtime.theme import ThemeError, load_theme
from teledesk.settings import ROOT
from teledesk.telegram.limits import BUSINESS_REPLY_WINDOW_S, MAX_UPLOAD_BYTES

CONSOLE = ROOT / "frontend" / "src"
RULES = CONSOLE / "api" / "rules.js"
RULES_SPEC = CONSOLE / "api" / "rules.spec.js"
CASES_FILE = ROOT / "tests" / "fixtures" / "theme_and_search_cases.json"
CASES: dict[str, Any] = json.loads(CASES_FILE.read_text(encoding="utf-8"))


Rule = int | str | list[str]


def _string(literal: str) -> str:
    return str(json.loads(f'"{literal}"'))  # its \uXXXX escapes read as JavaScript reads them


def console_rules() -> dict[str, Rule]:
    """rules.js's `export const NAME = value;` lines: a number, a /pattern/ (its text), a '…' string
    or a list of them."""
    found: dict[str, Rule] = {}
    text = RULES.read_text(encoding="utf-8")
    for name, literal in re.findall(r"^export const (\w+) = (.+?);(?:\s*//.*)?$", text, re.MULTILINE):
        if re.fullmatch(r"\d[\d_]*", literal):
            found[name] = int(literal)
        elif pattern := re.fullmatch(r"/(.+)/", literal):
            found[name] = pattern.group(1)
        elif string := re.fullmatch(r"'([^'\"]*)'", literal):
            found[name] = _string(string.group(1))
        elif re.fullmatch(r"\[(?:'[^'\"]*'(?:, '[^'\"]*')*)?\]", literal):
            found[name] = [_string(item) for item in re.findall(r"'([^'\"]*)'", literal)]
        else:
            raise AssertionError(f"rules.js: {name} = {literal} is not a number, a /pattern/, a '…' string or a list")
    return found


def the_relays_rules(document: dict[str, Any]) -> dict[str, Rule]:
    """What each constant of rules.js must be: the document's figure or pattern for it."""
    schemas = document["components"]["schemas"]

    def field(model: str, name: str) -> dict[str, Any]:
        declared: dict[str, Any] = schemas[model]["properties"][name]
        return declared.get("anyOf", [declared])[0]  # an optional field: its value's schema

    def parameter(path: str, name: str) -> dict[str, Any]:
        return next(p["schema"] for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)

    search = parameter("/api/search", "q")
    window = parameter("/api/stats", "window")
    [(colour_key, colour)] = field("Theme", "colors")["patternProperties"].items()
    return {
        "MAX_TEXT": field("Reply", "text")["maxLength"],
        "MAX_NOTE_TEXT": field("NewNote", "text")["maxLength"],
        "MAX_EDIT_TEXT": field("Edit", "text")["maxLength"],
        "MAX_CAPTION": field("Upload", "caption")["maxLength"],
        "MAX_CANNED_TEXT": field("CannedFields", "text")["maxLength"],
        "SEARCH_MIN": search["minLength"],
        "SEARCH_MAX": search["maxLength"],
        "MIN_PASSWORD_LENGTH": field("NewAgent", "password")["minLength"],
        "MAX_THEME_NAME_LENGTH": field("Theme", "name")["maxLength"],
        "STATS_WINDOWS": window["enum"],
        "STATS_DEFAULT_WINDOW": window["default"],
        "PAGE_SIZE": parameter("/api/conversations/{chat_id}/messages", "limit")["default"],
        "CLIENT_ID_PATTERN": field("Reply", "client_id")["pattern"],
        # The document does not state the shortcut's pattern (Pydantic leaves a pattern out of the
        # schema when a BeforeValidator comes first, as the lower-casing does): the declaration's.
        "SHORTCUT_PATTERN": SHORTCUT_PATTERN,
        "MAX_SHORTCUT_LENGTH": int(re.fullmatch(r"\^\[[^\]]+\]\{1,(\d+)\}\$", SHORTCUT_PATTERN)[1]),
        "COLOUR_KEY_PATTERN": colour_key,
        "COLOUR_PATTERN": colour["pattern"],
        "RADIUS_PATTERN": field("Theme", "radius")["pattern"],
        # Not in the document: the upload limit is checked in the handler (a 413), the marks in the search.
        "MAX_UPLOAD_BYTES": MAX_UPLOAD_BYTES,
        "MARKS": MARKS,
        # Not in the document: the business reply window is Telegram's, the relay's refusal applies it.
        "BUSINESS_REPLY_WINDOW_S": BUSINESS_REPLY_WINDOW_S,
    }


# -- the limits: the console's constants are the document's ------------------------------------------

def test_every_constant_of_the_console_is_the_relays(document: dict[str, Any]):
    assert console_rules() == the_relays_rules(document)


def test_the_other_limits_the_console_applies_are_the_ones_the_document_says(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    rules = console_rules()
    # An edit of a file's caption: the caption's limit, which the document states in words.
    assert f"at most {rules['MAX_CAPTION']} characters" in schemas["Edit"]["properties"]["text"]["description"]
    assert schemas["NewPassword"]["properties"]["password"]["minLength"] == rules["MIN_PASSWORD_LENGTH"]
    assert schemas["NewNote"]["properties"]["client_id"]["pattern"] == rules["CLIENT_ID_PATTERN"]


def _no_copies(source: Path, rules: dict[str, Rule]) -> list[str]:
    text = source.read_text(encoding="utf-8")
    copies = [name for name, value in rules.items() if isinstance(value, str) and value in text]
    # a list's items are short ('1h'): written again is written as a string of the code
    copies += [name for name, value in rules.items() if isinstance(value, list)
               and any(re.search(rf"""['"`]{re.escape(item)}['"`]""", text) for item in value)]
    # every figure of four digits or more (1024 is also the binary unit of file sizes)
    copies += [name for name, value in rules.items() if isinstance(value, int) and value >= 1000
               and value != 1024 and re.search(rf"(?<![\w.]){value:_}(?![\w.])|(?<![\w.]){value}(?![\w.])", text)]
    return copies


def test_no_other_module_of_the_console_writes_a_limit_again():
    rules = console_rules()
    sources = [path for path in sorted(CONSOLE.rglob("*")) if path.suffix in (".js", ".vue")
               and path != RULES and not path.name.endswith(".spec.js") and "/test/" not in path.as_posix()]
    assert len(sources) > 50  # the walk found the console
    copies = {path.relative_to(CONSOLE).as_posix(): found for path in sources if (found := _no_copies(path, rules))}
    assert copies == {}, "import these from api/rules.js"


# -- the rules: one table of cases, the relay's answers here, the console's in rules.spec.js -----------

def test_the_console_runs_the_same_table():
    assert CASES_FILE.name in RULES_SPEC.read_text(encoding="utf-8")
    for kind in ("colour", "radius", "colour_key"):
        assert {ok for _, ok in CASES[kind]} == {True, False}, kind
    assert {case["found"] for case in CASES["search"]} == {True, False}


def _the_relay_takes(tmp_path: Path, theme: dict[str, Any]) -> bool:
    path = tmp_path / "theme.json"
    path.write_text(json.dumps(theme), encoding="utf-8")
    try:
        load_theme(path)
    except ThemeError:
        return False
    return True


@pytest.mark.parametrize(("value", "ok"), CASES["colour"], ids=[repr(v) for v, _ in CASES["colour"]])
def test_a_colour_is_what_the_relay_takes(tmp_path: Path, value: Any, ok: bool):
    assert _the_relay_takes(tmp_path, {"colors": {"accent": value}}) is ok
    assert _the_relay_takes(tmp_path, {"dark": {"accent": value}}) is ok


@pytest.mark.parametrize(("value", "ok"), CASES["radius"], ids=[repr(v) for v, _ in CASES["radius"]])
def test_a_radius_is_what_the_relay_takes(tmp_path: Path, value: Any, ok: bool):
    assert _the_relay_takes(tmp_path, {"radius": value}) is ok


@pytest.mark.parametrize(("key", "ok"), CASES["colour_key"], ids=[repr(k) for k, _ in CASES["colour_key"]])
def test_a_colour_key_is_what_the_relay_takes(tmp_path: Path, key: str, ok: bool):
    assert _the_relay_takes(tmp_path, {"colors": {key: "#fff"}}) is ok


@pytest.mark.parametrize("case", CASES["search"], ids=[f"{c['query']!r} in {c['text']!r}" for c in CASES["search"]])
def test_a_search_finds_what_the_relay_finds(case: dict[str, Any]):
    assert matcher(case["query"])(case["text"]) is case["found"], case.get("why")
