"""The stand-in's customer page plays a Telegram Business account's customer and its owner; what
they write reaches the desk's consoles (a real Socket.IO client) through the whole pipeline."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from devtools.standin.business import CONNECTION_ID
from teledesk.business import conversation_key

pytestmark = pytest.mark.e2e


def test_the_page_plays_the_business_customer_and_the_owner(desk, new_page, console_events):
    name = f"Lucía {random.randint(1000, 9999)}"
    page = new_page(locale="es-ES")
    page.goto(desk.standin_url)
    page.get_by_test_id("customer-name").fill(name)
    page.get_by_test_id("business-toggle").click()
    expect(page.get_by_test_id("business-view")).to_be_visible()
    expect(page.get_by_test_id("customer-input")).to_be_hidden()  # the chat with the bot is another chat

    page.get_by_test_id("business-customer-input").fill("<b>¿Abrís el sábado?</b>")
    page.get_by_test_id("business-customer-input").press("Enter")
    page.get_by_test_id("business-owner-input").fill("Sí, de 10 a 14")
    page.get_by_test_id("business-owner-send").click()

    bubbles = page.get_by_test_id("business-bubble")
    expect(bubbles).to_have_count(2)
    expect(bubbles.nth(0)).to_have_attribute("data-from", "customer")
    expect(bubbles.nth(0)).to_contain_text("<b>¿Abrís el sábado?</b>")  # text, never markup
    expect(bubbles.nth(1)).to_have_attribute("data-from", "owner")
    expect(bubbles.nth(1)).to_contain_text("titular")

    user_id = page.evaluate("JSON.parse(localStorage.getItem('devtools.standin.customer')).user_id")
    key = conversation_key(CONNECTION_ID, user_id)
    customer = console_events.wait_for("message", lambda m: m["chat_id"] == key and m["type"] == "CLIENT")
    assert (customer["text"], customer["customer"]["first_name"]) == ("<b>¿Abrís el sábado?</b>", name)
    owner = console_events.wait_for("message", lambda m: m["chat_id"] == key and m["type"] == "OWNER")
    assert owner["text"] == "Sí, de 10 a 14"
