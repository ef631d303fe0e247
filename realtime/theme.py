"""The organisation's look: `GET /api/theme` and `GET /api/theme/logo`, no session needed
(the login page wears it too).

`DESK_THEME` names a JSON file (docs/theme.example.json); without one the console keeps its
built-in look. The file is read and checked when the relay starts, and again whenever it changes
(so a new look needs a browser reload, not a relay restart): a theme that cannot be read or
breaks a rule is logged as an error and the built-in look is served, so a typo in the branding
never keeps the desk down. Everything in it ends up in CSS custom properties, so
the values are held to what CSS colours and lengths look like, nothing that could close a
declaration.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify

from realtime.apispec import PUBLIC, answers, declare
from realtime.errors import ApiError
from realtime.relay import current_relay
from realtime.schemas import (
    COLOR_KEY_PATTERN,
    COLOR_PATTERN,
    LOGO_URL,
    MAX_COLORS,
    MAX_THEME_NAME_LENGTH,
    RADIUS_PATTERN,
)
from realtime.schemas import Theme as ThemeAnswer
from teledesk.open_data import JSONObject

LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp"}
MAX_LOGO_BYTES = 1_000_000
KEYS = tuple(ThemeAnswer.model_fields)  # name, logo, radius, colors, dark
# The rules of realtime/schemas.py, which the document's `Theme` states: one declaration.
COLOR_KEY = re.compile(COLOR_KEY_PATTERN, re.ASCII)  # \d and \w as the document and the console read them
COLOR = re.compile(COLOR_PATTERN, re.ASCII)
RADIUS = re.compile(RADIUS_PATTERN, re.ASCII)

log = logging.getLogger("teledesk.relay.theme")


class ThemeError(ValueError):
    """Why a theme file was not used."""


@dataclass(frozen=True)
class Theme:
    """What the two endpoints serve: the JSON the console reads, and the logo's bytes."""

    document: JSONObject = field(default_factory=lambda: {"name": None, "logo": None, "radius": None,
                                                               "colors": {}, "dark": {}})
    logo: bytes | None = None
    logo_type: str | None = None


BUILT_IN = Theme()


def _colors(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_COLORS:
        raise ThemeError(f"`{where}` must be an object of at most {MAX_COLORS} colours")
    for key, colour in value.items():
        if not COLOR_KEY.fullmatch(key):
            raise ThemeError(f"`{where}` key {key!r} is not a variable name (a letter, then a-z, 0-9, '-'; 40 at most)")
        if not isinstance(colour, str) or not COLOR.fullmatch(colour.strip()):
            raise ThemeError(f"`{where}.{key}` is {colour!r}, not a colour like #abc, #aabbcc or rgb(1, 2, 3)")
    return {key: colour.strip() for key, colour in value.items()}


def _logo(value: Any, base: Path) -> tuple[bytes | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str) or not value.strip():
        raise ThemeError("`logo` must be a path, relative to the theme file")
    path = (base / value.strip()).resolve()
    content_type = LOGO_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise ThemeError(f"`logo` {value!r} must be one of {', '.join(sorted(LOGO_TYPES))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ThemeError(f"`logo` {str(path)!r} cannot be read: {exc.strerror or exc}") from exc
    if not data or len(data) > MAX_LOGO_BYTES:
        raise ThemeError(f"`logo` must be 1 to {MAX_LOGO_BYTES} bytes; {str(path)!r} has {len(data)}")
    return data, content_type


def load_theme(path: Path) -> Theme:
    """Read and check a theme file; ThemeError says what is wrong with it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"cannot be read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ThemeError(f"is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ThemeError("must be a JSON object")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ThemeError(f"has unknown keys {', '.join(unknown)} (known: {', '.join(KEYS)})")
    name, radius = raw.get("name"), raw.get("radius")
    if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_THEME_NAME_LENGTH):
        raise ThemeError(f"`name` must be 1 to {MAX_THEME_NAME_LENGTH} characters")
    if radius is not None and (not isinstance(radius, str) or not RADIUS.fullmatch(radius.strip())):
        raise ThemeError(f"`radius` is {radius!r}, not a length like 12px or 0.75rem")
    logo, logo_type = _logo(raw.get("logo"), path.parent)
    document = {"name": name.strip() if name else None, "logo": LOGO_URL if logo else None,
                "radius": radius.strip() if radius else None,
                "colors": _colors(raw.get("colors"), "colors"), "dark": _colors(raw.get("dark"), "dark")}
    return Theme(document, logo, logo_type)


def theme_or_built_in(path: Path | None) -> Theme:
    """The theme `DESK_THEME` names, or the built-in look (with an error in the log) when it is unusable."""
    if path is None:
        return BUILT_IN
    try:
        theme = load_theme(path)
    except ThemeError as exc:
        log.error("DESK_THEME %s %s; serving the built-in look instead", path, exc)
        return BUILT_IN
    log.info("theme %r from %s", theme.document["name"], path)
    return theme


class ThemeFile:
    """The theme file and what was last read from it, read again when its size or mtime changes."""

    def __init__(self, path: Path | None):
        self.path = path
        self._stamp: tuple[int, int] | None = (-1, -1)  # never read
        self._theme = BUILT_IN
        self._lock = threading.Lock()

    def current(self) -> Theme:
        if self.path is None:
            return BUILT_IN
        try:
            found = self.path.stat()
            stamp: tuple[int, int] | None = (found.st_mtime_ns, found.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:  # a missing file is reported once, not on every request
                self._stamp = stamp
                self._theme = theme_or_built_in(self.path)
            return self._theme


theme = Blueprint("theme", __name__)


def current_theme() -> Theme:
    return current_relay().theme.current()


@theme.get("/theme")
@declare(answers(200, ThemeAnswer), security=PUBLIC)
def get_theme() -> Response:
    """The organisation's look (DESK_THEME); the built-in one: nulls and {}"""
    response = jsonify(current_theme().document)
    response.headers["Cache-Control"] = "no-cache"
    return response


@theme.get("/theme/logo")
@declare(answers(200, None, 404, description="the image (svg, png, jpeg or webp)"), security=PUBLIC)
def get_logo() -> Response:
    """The theme's logo"""
    found = current_theme()
    if found.logo is None:
        raise ApiError(404, "the theme has no logo")
    response = Response(found.logo, mimetype=found.logo_type)
    # An SVG is a document that could carry script: opened on its own, it runs none.
    response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache",
                             "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})
    return response
