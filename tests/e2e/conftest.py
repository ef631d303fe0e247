"""Headless Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API holds an event loop on this thread while it runs."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


CSP_REFUSAL = "Content Security Policy"  # what Chromium's console says when the policy blocks something


@pytest.fixture
def new_page(browser: Browser) -> Iterator:
    """A page of its own; whatever the relay's Content-Security-Policy blocks on it fails the test
    (realtime/security_headers.py: the console must work under it)."""
    contexts = []
    refused: list[str] = []

    def make(locale: str = "en-US", **options: Any) -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 760}, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: refused.append(message.text) if CSP_REFUSAL in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not refused, f"the Content-Security-Policy blocked: {refused}"


@pytest.fixture
def console(desk, desk_settings, new_page) -> Page:
    """The console, logged in as admin, connected."""
    page = new_page()
    page.goto(desk.console_url)
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", desk_settings.desk_admin_password)
    page.press("input[name=password]", "Enter")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected", timeout=15_000)
    return page


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshot(tmp_path: Path):
    """Save a view as PNG: into docs/screenshots with UPDATE_SCREENSHOTS=1 (`make screenshots`), else
    into the test's temp dir, so a plain test run leaves the working tree as it was."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.read_bytes().startswith(b"\x89PNG")
        return path

    return take
