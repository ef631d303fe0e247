"""How the console looks: Spanish from the browser, dark from the system, the organisation's theme;
the screenshots in docs/ come from here (`make screenshots`)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
import samples
from console_page import ARRIVAL_TIMEOUT_MS, Customer, delivered, open_chat, said, sign_in
from playwright.sync_api import expect
from support import wait_until

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def showcase(desk, desk_settings) -> Customer:
    """A desk worth a screenshot: a few customers, one with a photo and an agent's answer."""
    for name, text in (("Marco", "¿Hacen envíos a Italia?"), ("Sofía", "¡Muchas gracias por la ayuda!"),
                       ("Jun", "Can I change my delivery address?")):
        Customer(desk, first_name=name).says(text)
    lucia = Customer(desk, first_name="Lucía", last_name="Fernández", username="luciaf")
    lucia.says("Hola, mi pedido 4411 llegó con la caja rota")
    lucia.sends_files(("caja.png", samples.png(480, 360), "image/png"), caption="Así llegó")
    agent = requests.Session()
    login = {"username": "admin", "password": desk_settings.desk_admin_password}
    agent.post(f"{desk.console_url}api/login", json=login, timeout=10).raise_for_status()
    wait_until(lambda: len(agent.get(f"{desk.console_url}api/conversations/{lucia.id}/messages",
                                     timeout=10).json()["messages"]) == 2)
    agent.post(f"{desk.console_url}api/conversations/{lucia.id}/messages", timeout=10,
               json={"text": "Lo siento mucho, Lucía. Le enviamos otra hoy mismo.", "client_id": uuid.uuid4().hex})
    return lucia


def a_busy_chat(page, lucia: Customer) -> None:
    open_chat(page, lucia)
    expect(page.get_by_test_id("media-photo")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    delivered(page.locator("[data-testid=message-bubble][data-direction=out]").first)


def test_light_by_default_and_dark_when_the_system_is(desk, desk_settings, new_page, screenshot, showcase):
    light = sign_in(new_page(color_scheme="light"), desk.console_url, "admin", desk_settings.desk_admin_password)
    a_busy_chat(light, showcase)
    screenshot(light, "console-light")
    dark = sign_in(new_page(color_scheme="dark"), desk.console_url, "admin", desk_settings.desk_admin_password)
    a_busy_chat(dark, showcase)
    screenshot(dark, "console-dark")

    def background(page) -> str:
        return page.evaluate("getComputedStyle(document.querySelector('.desk__sidebar') || document.body)"
                             ".backgroundColor")
    assert background(light) != background(dark)


def test_the_console_speaks_spanish_from_the_browser_and_switches_to_english(desk, desk_settings, new_page,
                                                                          screenshot, showcase):
    page = new_page(locale="es-ES")
    page.goto(desk.console_url)
    expect(page.locator("[data-testid=login-form] button[type=submit]")).to_have_text(said("es", "core",
                                                                                           "login.submit"))
    sign_in(page, desk.console_url, "admin", desk_settings.desk_admin_password)
    expect(page.get_by_test_id("connection-state")).to_contain_text(said("es", "core", "connection.connected"))
    a_busy_chat(page, showcase)
    placeholder = said("es", "composer", "composer.placeholder.normal")
    expect(page.get_by_test_id("composer-input")).to_have_attribute("placeholder", placeholder)
    screenshot(page, "console-es")

    page.get_by_test_id("settings-button").click()
    page.get_by_test_id("settings-language").select_option("en")
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
                                                          screenshot, showcase):
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
    a_busy_chat(page, showcase)
    screenshot(page, "console-theme")
