"""The lifecycle in the console (issue 11), on a desk of this module's own with the timers shrunk
to seconds: the SLA countdown turns into the breach badge live, with the priority raised and the
chat in the Breached tab; the customer's rating shows with its stars."""

from __future__ import annotations

import pytest
import requests
from console_page import ARRIVAL_TIMEOUT_MS, Customer, chat_item, open_chat, show_tab
from lifecycle_support import SLA_S, lifecycle_desk_fixtures
from playwright.sync_api import expect
from support import reply, wait_until

pytestmark = pytest.mark.e2e


desk_settings, desk = lifecycle_desk_fixtures("teledesk-lifecycle-console")


def test_the_breach_badge_appears_live_with_the_priority_raised(desk, console):
    ana = Customer(desk, first_name="Ana SLA")
    ana.says("¿Hay alguien?")
    show_tab(console, "all")
    item = chat_item(console, ana)
    expect(item).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    badge = item.get_by_test_id("sla-badge")
    expect(badge).to_have_attribute("data-sla", "due")  # the countdown, before it is due
    open_chat(console, ana)
    header = console.get_by_test_id("conversation-title").locator("xpath=ancestor::header[1]")
    expect(header.get_by_test_id("sla-badge")).to_have_attribute("data-sla", "due")

    # No answer: the desk breaches it, and the console shows it without a reload.
    expect(badge).to_have_attribute("data-sla", "breached", timeout=(SLA_S + 15) * 1000)
    expect(header.get_by_test_id("sla-badge")).to_have_attribute("data-sla", "breached")
    expect(header.get_by_test_id("priority-badge")).to_have_attribute("data-priority", "high")
    show_tab(console, "breached")
    expect(chat_item(console, ana)).to_be_visible()


def test_the_customer_s_rating_shows_with_its_stars(desk, console, agent):
    bea = Customer(desk, first_name="Bea Rating")
    bea.says("Hola")
    open_chat(console, bea)
    reply(desk, agent, bea.id, "¡Resuelto!")
    agent.post(f"{desk.console_url}api/conversations/{bea.id}/resolve", timeout=10).raise_for_status()
    history = f"{desk.standin_url}customer/api/messages"
    question = wait_until(lambda: next((m for m in requests.get(history, params={"user_id": bea.id}, timeout=10)
                                        .json()["messages"] if (m.get("reply_markup") or {}).get("inline_keyboard")),
                                       None))
    five = question["reply_markup"]["inline_keyboard"][0][4]["callback_data"]
    pressed = requests.post(f"{desk.standin_url}customer/api/callbacks", timeout=10, json={
        "user_id": bea.id, "message_id": question["message_id"], "data": five})
    assert pressed.status_code == 201, pressed.text
    header = console.get_by_test_id("conversation-title").locator("xpath=ancestor::header[1]")
    stars = header.get_by_test_id("csat-stars")
    expect(stars).to_have_attribute("data-rating", "5", timeout=ARRIVAL_TIMEOUT_MS)
    expect(stars).to_contain_text("★★★★★")
    show_tab(console, "resolved")
    expect(chat_item(console, bea).get_by_test_id("csat-stars")).to_have_attribute("data-rating", "5")
