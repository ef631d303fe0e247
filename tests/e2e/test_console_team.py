"""Two agents at once: the collision warning, and an admin disabling an agent who is signed in;
one agent in two tabs, logging out of one."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from console_page import ARRIVAL_TIMEOUT_MS, Customer, new_console, open_chat, said, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "bea-password-1"


@pytest.fixture
def bea(desk, agent, browser) -> Iterator[tuple[str, Page]]:
    """A second agent, created by the admin through the API, signed in in her own browser context."""
    username = f"bea{random.randint(1000, 9999)}"
    created = agent.post(f"{desk.console_url}api/agents", timeout=10,
                         json={"username": username, "name": "Bea Ruiz", "role": "agent", "password": PASSWORD})
    assert created.status_code == 201, created.text
    page = new_console(browser, desk.console_url, username, PASSWORD)
    yield username, page
    page.context.close()


def test_two_agents_in_one_chat_see_each_other_viewing_and_typing(desk, console, bea):
    _, bea_page = bea
    ana = Customer(desk)
    ana.says("¿Hay alguien?")
    open_chat(console, ana)
    open_chat(bea_page, ana)

    expect(console.get_by_test_id("collision-warning")).to_contain_text("Bea Ruiz", timeout=ARRIVAL_TIMEOUT_MS)
    expect(bea_page.get_by_test_id("collision-warning")).to_contain_text("Admin", timeout=ARRIVAL_TIMEOUT_MS)
    bea_page.get_by_test_id("composer-input").type("Ya le atiendo", delay=40)
    expect(console.get_by_test_id("collision-warning")).to_have_attribute("data-typing", "true",
                                                                          timeout=ARRIVAL_TIMEOUT_MS)
    bea_page.get_by_test_id("composer-input").fill("")
    bea_page.goto("about:blank")  # Bea leaves
    expect(console.get_by_test_id("collision-warning")).to_be_hidden(timeout=ARRIVAL_TIMEOUT_MS)


def test_an_agent_disabled_on_the_admin_page_is_signed_out_at_once(desk, console, bea, desk_settings):
    username, bea_page = bea
    console.get_by_test_id("admin-button").click()
    row = console.locator(f"[data-testid=agent-row][data-username='{username}']")
    expect(row).to_be_visible()
    row.get_by_test_id("agent-disable").click()
    expect(row).to_have_attribute("data-disabled", "true")

    expect(bea_page.get_by_test_id("login-form")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(bea_page.get_by_test_id("session-ended")).to_be_visible()
    bea_page.fill("input[name=username]", username)
    bea_page.fill("input[name=password]", PASSWORD)
    bea_page.press("input[name=password]", "Enter")
    expect(bea_page.get_by_test_id("login-error")).to_have_text(said("en", "core", "login.invalid"))

    row.get_by_test_id("agent-enable").click()
    expect(row).to_have_attribute("data-disabled", "false")
    sign_in(bea_page, desk.console_url, username, PASSWORD)


def test_a_logout_in_one_tab_returns_the_other_tab_to_the_login_form_saying_why(desk, bea):
    """Tabs of one browser share the session: the relay closes the other tab's socket (session_ended,
    logout), and it does not stay on a console whose every call now answers 401."""
    _, first_tab = bea
    second_tab = first_tab.context.new_page()
    second_tab.goto(desk.console_url)
    expect(second_tab.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected",
                                                                             timeout=ARRIVAL_TIMEOUT_MS)
    first_tab.get_by_test_id("logout").click()
    expect(first_tab.get_by_test_id("login-form")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(first_tab.get_by_test_id("session-ended")).to_have_count(0)
    expect(second_tab.get_by_test_id("login-form")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(second_tab.get_by_test_id("session-ended")).to_have_text(said("en", "core", "login.loggedOut"))


def test_the_admin_adds_an_agent_and_resets_a_password(desk, console, browser):
    username = f"carla{random.randint(1000, 9999)}"
    console.get_by_test_id("admin-button").click()
    page = console.get_by_test_id("admin-page")
    page.get_by_test_id("agent-add-username").fill(username)
    page.get_by_test_id("agent-add-name").fill("Carla Gómez")
    page.get_by_test_id("agent-add-role").select_option("agent")
    page.get_by_test_id("agent-add-password").fill("first-password-1")
    page.get_by_test_id("agent-add-submit").click()
    row = console.locator(f"[data-testid=agent-row][data-username='{username}']")
    expect(row).to_contain_text("Carla Gómez")
    row.get_by_test_id("agent-reset").click()
    row.get_by_test_id("agent-reset-password").fill("second-password-2")
    row.get_by_test_id("agent-reset-submit").click()
    # The relay has the new password once the page says so (signing in before that raced it).
    expect(page).to_contain_text(said("en", "team", "admin.resetDone").replace("{name}", "Carla Gómez"))
    expect(console.get_by_test_id("admin-error")).to_have_count(0)

    carla = new_console(browser, desk.console_url, username, "second-password-2")
    expect(carla.get_by_test_id("admin-button")).to_have_count(0)  # not an admin
    carla.context.close()
