"""realtime/theme.py: the organisation's look from DESK_THEME, checked at start and on change, never fatal."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from realtime.app import create_app
from realtime.theme import BUILT_IN, ThemeError, load_theme
from teledesk.settings import ROOT, Settings

EXAMPLE = ROOT / "docs" / "theme.example.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def write_theme(folder: Path, theme: Any, logo: tuple[str, bytes] | None = None) -> Path:
    if logo:
        (folder / logo[0]).write_bytes(logo[1])
    path = folder / "theme.json"
    path.write_text(theme if isinstance(theme, str) else json.dumps(theme), encoding="utf-8")
    return path


def relay_with_theme(settings: Settings, store, publisher, path: Path | None) -> Flask:
    app, _ = create_app(dataclasses.replace(settings, desk_theme=path), store=store, publisher=publisher,
                        subscribe=False)
    return app


def test_without_a_theme_the_built_in_look_is_served_without_a_session(client: FlaskClient):
    response = client.get("/api/theme")
    assert response.status_code == 200
    assert response.get_json() == {"name": None, "logo": None, "radius": None, "colors": {}, "dark": {}}
    assert client.get("/api/theme/logo").status_code == 404


def test_the_example_theme_is_served_with_its_logo(settings, store, publisher):
    client = relay_with_theme(settings, store, publisher, EXAMPLE).test_client()
    theme = client.get("/api/theme").get_json()
    assert (theme["name"], theme["logo"], theme["radius"]) == ("Acme Soporte", "/api/theme/logo", "14px")
    assert theme["colors"]["accent"] == "#c2185b" and theme["dark"]["accent"] == "#f06292"
    logo = client.get(theme["logo"])
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    assert logo.data == (EXAMPLE.parent / "theme-example-logo.svg").read_bytes()
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo.headers["Content-Security-Policy"]  # an SVG opened on its own runs no script


def test_a_changed_theme_file_is_served_without_a_restart(tmp_path: Path, settings, store, publisher):
    path = write_theme(tmp_path, {"name": "Uno"})
    client = relay_with_theme(settings, store, publisher, path).test_client()
    assert client.get("/api/theme").get_json()["name"] == "Uno"
    write_theme(tmp_path, {"name": "Dos", "colors": {"accent": "#123456"}})
    assert client.get("/api/theme").get_json()["colors"] == {"accent": "#123456"}
    path.unlink()  # gone: the built-in look
    assert client.get("/api/theme").get_json() == BUILT_IN.document


@pytest.mark.parametrize(("filename", "content_type"), [
    ("logo.png", "image/png"), ("logo.JPG", "image/jpeg"), ("logo.jpeg", "image/jpeg"), ("logo.webp", "image/webp"),
])
def test_a_logo_is_served_with_the_content_type_of_its_kind(tmp_path: Path, filename: str, content_type: str):
    theme = load_theme(write_theme(tmp_path, {"logo": filename}, (filename, PNG)))
    assert (theme.logo, theme.logo_type, theme.document["logo"]) == (PNG, content_type, "/api/theme/logo")


def test_the_logo_path_is_relative_to_the_theme_file(tmp_path: Path):
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(PNG)
    assert load_theme(write_theme(tmp_path, {"logo": "brand/logo.png"})).logo == PNG


def test_colours_in_every_accepted_notation_are_kept(tmp_path: Path):
    colors = {"a": "#abc", "b": "#abcd", "c": "#AABBCC", "d": "#aabbcc80", "e": "rgb(1, 2, 3)",
              "f": "rgba(10,20,30,0.5)", "g": "rgb(10 20 30 / 50%)", "bubble-out-bg-2": " #fff "}
    theme = load_theme(write_theme(tmp_path, {"name": " Acme ", "radius": "0.75rem", "colors": colors}))
    assert theme.document["colors"] == {**colors, "bubble-out-bg-2": "#fff"}
    assert (theme.document["name"], theme.document["radius"], theme.document["dark"]) == ("Acme", "0.75rem", {})


@pytest.mark.parametrize(("theme", "why"), [
    ("{not json", "not JSON"),
    ("[]", "JSON object"),
    ({"colours": {}}, "unknown keys colours"),
    ({"colors": {"Accent": "#fff"}}, "'Accent'"),
    ({"colors": {"accent;x": "#fff"}}, "variable name"),
    ({"colors": {"-accent": "#fff"}}, "variable name"),
    ({"colors": {"a" * 41: "#fff"}}, "variable name"),
    ({"colors": {"accent": "red"}}, "not a colour"),
    ({"colors": {"accent": "#ggg"}}, "not a colour"),
    ({"colors": {"accent": "#fff; background: url(x)"}}, "not a colour"),
    ({"dark": {"accent": "rgb(1,2,3)) }"}}, "dark.accent"),
    ({"colors": {"accent": 5}}, "not a colour"),
    ({"colors": ["#fff"]}, "`colors` must be an object"),
    ({"radius": "12"}, "radius"),
    ({"radius": "12px;"}, "radius"),
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"logo": "missing.png"}, "cannot be read"),
    ({"logo": "logo.gif"}, "must be one of"),
    ({"logo": 3}, "must be a path"),
])
def test_a_bad_theme_is_refused_saying_why(tmp_path: Path, theme: Any, why: str):
    with pytest.raises(ThemeError, match=why.replace("(", r"\(").replace(")", r"\)")):
        load_theme(write_theme(tmp_path, theme))


def test_an_empty_or_oversized_logo_is_refused(tmp_path: Path):
    with pytest.raises(ThemeError, match="bytes"):
        load_theme(write_theme(tmp_path, {"logo": "logo.png"}, ("logo.png", b"")))
    with pytest.raises(ThemeError, match="bytes"):
        load_theme(write_theme(tmp_path, {"logo": "logo.png"}, ("logo.png", b"x" * 1_000_001)))


@pytest.mark.parametrize("path", ["missing.json", "bad.json"])
def test_a_bad_theme_file_logs_an_error_at_start_and_the_built_in_look_is_served(
    settings, store, publisher, tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str
):
    (tmp_path / "bad.json").write_text('{"colors": {"accent": "javascript:alert(1)"}}', encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="teledesk.relay.theme"):
        app = relay_with_theme(settings, store, publisher, tmp_path / path)
    [record] = [r for r in caplog.records if r.name == "teledesk.relay.theme"]
    assert record.levelno == logging.ERROR and path in record.getMessage() and "built-in" in record.getMessage()
    assert app.test_client().get("/api/theme").get_json() == BUILT_IN.document


def test_the_setting_reads_DESK_THEME_relative_to_the_project_root(tmp_path: Path):
    assert Settings.from_env({}, env_file=tmp_path / "none").desk_theme is None
    assert Settings.from_env({"DESK_THEME": " "}, env_file=tmp_path / "none").desk_theme is None
    relative = Settings.from_env({"DESK_THEME": "docs/theme.example.json"}, env_file=tmp_path / "none")
    assert relative.desk_theme == EXAMPLE
    absolute = Settings.from_env({"DESK_THEME": str(tmp_path / "t.json")}, env_file=tmp_path / "none")
    assert absolute.desk_theme == tmp_path / "t.json"
