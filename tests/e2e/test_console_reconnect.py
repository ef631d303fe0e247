"""The relay restarts under an agent's open console: it reconnects and refetches, nothing missing or doubled."""

from __future__ import annotations

import pytest
from console_page import ARRIVAL_TIMEOUT_MS, Customer, answer, bubbles, chat_item, delivered, open_chat
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_after_a_relay_restart_the_console_has_every_message_once(desk, console):
    ana, other = Customer(desk), Customer(desk)
    ana.says("antes del corte")
    open_chat(console, ana)
    delivered(answer(console, "respuesta antes del corte"))

    desk.child("relay").stop()
    expect(console.get_by_test_id("connection-state")).not_to_have_attribute("data-state", "connected",
                                                                              timeout=ARRIVAL_TIMEOUT_MS)
    ana.says("durante el corte")
    other.says("otro cliente durante el corte")
    desk.restart("relay", wait_for_port=desk.settings.desk_port)
    expect(console.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected",
                                                                          timeout=30_000)

    for text in ("antes del corte", "durante el corte"):
        expect(bubbles(console, "in").filter(has_text=text)).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    expect(bubbles(console, "out").filter(has_text="respuesta antes del corte")).to_have_count(1)
    expect(chat_item(console, other)).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    expect(chat_item(console, ana)).to_have_count(1)
    expect(bubbles(console)).to_have_count(3)
