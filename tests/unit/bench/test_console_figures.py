"""bench/console.py: the bundle's figures and how they print."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from bench import console


def built(tmp_path: Path, files: dict[str, bytes]) -> Path:
    (tmp_path / "assets").mkdir()
    for name, data in files.items():
        (tmp_path / "assets" / name).write_bytes(data)
    return tmp_path


def test_the_bundle_counts_js_and_css_apart_raw_and_gzipped(tmp_path: Path):
    js, css = b"console.log('hola');" * 500, b"body{color:red}" * 100
    figures = console.bundle_figures(built(tmp_path, {"index-1.js": js, "index-1.css": css, "logo.svg": b"<svg/>"}))
    assert [f["file"] for f in figures["files"]] == ["index-1.css", "index-1.js"]
    assert figures["js_bytes"] == len(js)
    assert figures["js_gzip_bytes"] == len(gzip.compress(js, 9)) < len(js)
    assert figures["css_gzip_bytes"] == len(gzip.compress(css, 9))
    assert figures["within_budget"] is True


def test_a_bundle_over_budget_is_flagged_and_printed_so(tmp_path: Path):

    figures = console.bundle_figures(built(tmp_path, {"big.js": os.urandom(console.JS_BUDGET_GZIP_BYTES + 1)}))
    assert figures["within_budget"] is False
    assert "OVER the 300 kB budget" in console.render({"bundle": figures})


def test_no_build_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="make build"):
        console.bundle_figures(tmp_path)


def test_the_first_screen_prints_its_verdict():
    screen = {"runs": 5, "login_form_ms": {"p50": 180.0, "max": 240.0}, "signed_in_ms": {"p50": 300.0, "max": 410.0},
              "budget_ms": 1000, "within_budget": True}
    printed = console.render({"first_screen": screen})
    assert "login form p50 180.0 ms, max 240.0 ms (within 1000 ms)" in printed
