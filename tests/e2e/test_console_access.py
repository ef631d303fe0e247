"""Keyboard and assistive technology: every control named, the shortcuts sheet, Esc, Tab order."""

from __future__ import annotations

import pytest
from console_page import Customer, open_chat
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

UNNAMED_CONTROLS = """() => [...document.querySelectorAll('button, input, select, textarea, a[href], [role=tab]')]
  .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
  .filter((el) => {
    const labelled = el.getAttribute('aria-labelledby');
    const name = el.getAttribute('aria-label') || (labelled && document.getElementById(labelled)?.textContent)
      || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) || el.textContent
      || el.getAttribute('title') || el.getAttribute('placeholder') || el.querySelector('img')?.alt || '';
    return !name.trim();
  })
  .map((el) => el.outerHTML.slice(0, 160))"""


def test_every_visible_control_has_a_name(desk, console):
    ana = Customer(desk)
    ana.says("Hola")
    open_chat(console, ana)
    console.get_by_test_id("customer-info-button").click()
    expect(console.get_by_test_id("side-panel")).to_be_visible()
    assert console.evaluate(UNNAMED_CONTROLS) == []
    console.get_by_test_id("settings-button").click()
    expect(console.get_by_test_id("settings-panel")).to_be_visible()
    assert console.evaluate(UNNAMED_CONTROLS) == []


def test_question_mark_shows_the_shortcuts_and_esc_closes_panels_one_at_a_time(desk, console):
    ana = Customer(desk)
    ana.says("Hola")
    open_chat(console, ana)
    console.get_by_test_id("customer-info-button").click()
    console.locator("body").press("?")
    sheet = console.get_by_test_id("shortcuts-sheet")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("Alt")
    console.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(console.get_by_test_id("side-panel")).to_be_visible()
    console.keyboard.press("Escape")
    expect(console.get_by_test_id("side-panel")).to_be_hidden()


def test_the_login_form_is_used_with_the_keyboard_alone(desk, desk_settings, new_page):
    page = new_page()
    page.goto(desk.console_url)
    expect(page.locator("input[name=username]")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(desk_settings.desk_admin_password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected", timeout=15_000)


def test_a_chat_is_assigned_to_another_agent_and_a_new_conversation_started(desk, console, agent):
    ana = Customer(desk)
    ana.says("Hola")
    username = f"dani{ana.id % 10_000}"
    assert agent.post(f"{desk.console_url}api/agents", timeout=10, json={
        "username": username, "name": "Dani Pérez", "role": "agent", "password": "dani-password-1"}).status_code == 201
    console.reload()
    open_chat(console, ana)
    console.get_by_test_id("assign-select").select_option(username)
    expect(console.get_by_test_id("conversation-assignee-label")).to_contain_text("Dani Pérez")

    console.get_by_test_id("action-resolve").click()
    console.get_by_test_id("action-start").click()
    expect(console.get_by_test_id("conversation-assignee-label")).to_contain_text("Admin")
    expect(console.locator(f"[data-testid=conversation-item][data-chat-id='{ana.id}']")).to_have_attribute(
        "data-status", "open")
