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

from flask import Blueprint, Response, current_app, jsonify
from flask.blueprints import BlueprintSetupState

from realtime.api import api

LOGO_URL = "/api/theme/logo"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp"}
MAX_LOGO_BYTES = 1_000_000
MAX_NAME_LENGTH = 80
MAX_COLORS = 64
KEYS = ("name", "logo", "radius", "colors", "dark")
COLOR_KEY = re.compile(r"[a-z][a-z0-9-]{0,39}")  # the console (stores/theme.js) takes the same
_NUMBER = r"\d{1,3}(?:\.\d+)?%?"
COLOR = re.compile(rf"#(?:[0-9a-fA-F]{{3,4}}|[0-9a-fA-F]{{6}}|[0-9a-fA-F]{{8}})"
                   rf"|rgba?\(\s*{_NUMBER}(?:\s*,?\s*{_NUMBER}){{2}}(?:\s*[,/]\s*{_NUMBER})?\s*\)")
RADIUS = re.compile(r"\d{1,2}(?:\.\d{1,2})?(?:px|rem)")

log = logging.getLogger("teledesk.relay.theme")


class ThemeError(ValueError):
    """Why a theme file was not used."""


@dataclass(frozen=True)
class Theme:
    """What the two endpoints serve: the JSON the console reads, and the logo's bytes."""

    document: dict[str, Any] = field(default_factory=lambda: {"name": None, "logo": None, "radius": None,
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
    if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME_LENGTH):
        raise ThemeError(f"`name` must be 1 to {MAX_NAME_LENGTH} characters")
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
api.register_blueprint(theme)  # under /api, its endpoints named api.theme.*


@theme.record_once
def _load(state: BlueprintSetupState) -> None:
    """Read the theme when the relay starts, so a bad file is reported then, not at first use."""
    holder = ThemeFile(state.app.extensions["teledesk"].settings.desk_theme)
    holder.current()
    state.app.extensions["teledesk_theme"] = holder


def current_theme() -> Theme:
    holder = current_app.extensions.get("teledesk_theme")
    return holder.current() if holder is not None else BUILT_IN


@theme.get("/theme")
def get_theme() -> Response:
    response = jsonify(current_theme().document)
    response.headers["Cache-Control"] = "no-cache"
    return response


@theme.get("/theme/logo")
def get_logo() -> Response | tuple[Response, int]:
    found = current_theme()
    if found.logo is None:
        return jsonify(error="the theme has no logo"), 404
    response = Response(found.logo, mimetype=found.logo_type)
    # An SVG is a document that could carry script: opened on its own, it runs none.
    response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache",
                             "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})
    return response
