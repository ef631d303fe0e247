"""How the console looks: Spanish from the browser, dark from the system, the organisation's theme;
the screenshots in docs/ come from here (`make screenshots`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import samples
from console_page import ARRIVAL_TIMEOUT_MS, Customer, answer, delivered, open_chat, said, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

def a_busy_chat(desk, page) -> Customer:
    """A conversation worth a screenshot: text, a photo, an answer."""
    lucia = Customer(desk, first_name="Lucía", last_name="Fernández", username="luciaf")
    lucia.says("Hola, mi pedido 4411 llegó con la caja rota")
    lucia.sends_files(("caja.png", samples.png(480, 360), "image/png"), caption="Así llegó")
    open_chat(page, lucia)
    expect(page.get_by_test_id("media-photo")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    delivered(answer(page, "Lo siento mucho, Lucía. Le enviamos otra hoy mismo."))
    return lucia


def test_light_by_default_and_dark_when_the_system_is(desk, desk_settings, new_page, screenshot):
    light = sign_in(new_page(color_scheme="light"), desk.console_url, "admin", desk_settings.desk_admin_password)
    a_busy_chat(desk, light)
    screenshot(light, "console-light")
    dark = sign_in(new_page(color_scheme="dark"), desk.console_url, "admin", desk_settings.desk_admin_password)
    a_busy_chat(desk, dark)
    screenshot(dark, "console-dark")

    def background(page) -> str:
        return page.evaluate("getComputedStyle(document.querySelector('.desk__sidebar') || document.body)"
                             ".backgroundColor")
    assert background(light) != background(dark)


def test_the_console_speaks_spanish_from_the_browser_and_switches_to_english(desk, desk_settings, new_page,
                                                                          screenshot):
    page = new_page(locale="es-ES")
    page.goto(desk.console_url)
    expect(page.locator("[data-testid=login-form] button[type=submit]")).to_have_text(said("es", "core",
                                                                                           "login.submit"))
    sign_in(page, desk.console_url, "admin", desk_settings.desk_admin_password)
    expect(page.get_by_test_id("connection-state")).to_contain_text(said("es", "core", "connection.connected"))
    a_busy_chat(desk, page)
    placeholder = said("es", "composer", "composer.placeholder.normal")
    expect(page.get_by_test_id("composer-input")).to_have_attribute("placeholder", placeholder)
    screenshot(page, "console-es")

    if not page.get_by_test_id("language-switch").is_visible():
        page.get_by_test_id("settings-button").click()
    page.get_by_test_id("language-switch").select_option("en")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("connection-state")).to_contain_text(said("en", "core", "connection.connected"))
    placeholder = said("en", "composer", "composer.placeholder.normal")
    expect(page.get_by_test_id("composer-input")).to_have_attribute("placeholder", placeholder)


@pytest.fixture
def organisation_theme(desk_settings):
    """The example theme (docs/theme.example.json) in the desk's DESK_THEME file, for this test only."""
    example = Path(__file__).resolve().parents[2] / "docs" / "theme.example.json"
    theme = json.loads(example.read_text(encoding="utf-8"))
    theme["logo"] = str(example.parent / theme["logo"])
    desk_settings.desk_theme.write_text(json.dumps(theme), encoding="utf-8")
    yield theme
    desk_settings.desk_theme.unlink()


def test_the_organisations_theme_file_dresses_the_console(desk, desk_settings, new_page, organisation_theme,
                                                          screenshot):
    page = new_page(color_scheme="light")
    page.goto(desk.console_url)
    expect(page.get_by_test_id("brand-name")).to_have_text(organisation_theme["name"])
    screenshot(page, "login-theme")
    sign_in(page, desk.console_url, "admin", desk_settings.desk_admin_password)
    expect(page.get_by_test_id("brand-name")).to_have_text(organisation_theme["name"])
    page.wait_for_function("() => { const logo = document.querySelector('[data-testid=brand-logo]');"
                           " return logo && logo.complete && logo.naturalWidth > 0; }")
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--td-accent').trim()")
    assert accent.lower() == organisation_theme["colors"]["accent"].lower()
    a_busy_chat(desk, page)
    screenshot(page, "console-theme")
