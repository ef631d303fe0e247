"""Headless Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

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


@pytest.fixture
def new_page(browser: Browser) -> Iterator:
    contexts = []

    def make(locale: str = "en-US") -> Page:
        context = browser.new_context(locale=locale)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


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
