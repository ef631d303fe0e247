"""An agent in the console and a customer on the stand-in's page, side by side."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def customer_page(desk, new_page, name: str):
    page = new_page()
    page.goto(desk.standin_url)
    page.get_by_test_id("customer-name").fill(name)
    return page


def say(page, text: str) -> None:
    page.get_by_test_id("customer-input").fill(text)
    page.get_by_test_id("customer-input").press("Enter")


def test_customer_message_arrives_live_and_the_answer_reaches_the_customer(desk, console, new_page):
    name = f"Lucía {random.randint(1000, 9999)}"
    customer = customer_page(desk, new_page, name)
    say(customer, "¿Tienen envío a Lima?")

    item = console.get_by_test_id("conversation-item").filter(has_text=name)
    expect(item).to_be_visible(timeout=20_000)
    expect(item.get_by_test_id("unread-badge")).to_have_text("1")
    expect(item.get_by_test_id("conversation-preview")).to_have_text("¿Tienen envío a Lima?")
    item.click()
    expect(console.get_by_test_id("message-text").filter(has_text="¿Tienen envío a Lima?")).to_be_visible()

    composer = console.get_by_test_id("composer-input")
    composer.fill("Sí, llega en 3 días.")
    composer.press("Enter")
    bubble = console.locator("[data-testid=message-bubble][data-direction=out]").filter(
        has_text="Sí, llega en 3 días.")
    expect(bubble.get_by_test_id("delivery-state")).to_have_attribute("data-state", "sent", timeout=20_000)

    answer = customer.locator("[data-testid=customer-bubble][data-from=bot]").filter(has_text="Sí, llega en 3 días.")
    expect(answer).to_be_visible(timeout=20_000)


def test_hostile_name_and_text_show_as_typed_and_run_nothing(desk, console, new_page):
    dialogs: list[str] = []
    console.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = f"<img src=x onerror=alert({random.randint(1, 999)})>"
    customer = customer_page(desk, new_page, hostile)
    say(customer, "<script>alert('x')</script><b>bold?</b>")

    item = console.get_by_test_id("conversation-item").filter(has_text=hostile)
    expect(item.get_by_test_id("conversation-name")).to_have_text(hostile, timeout=20_000)
    item.click()
    expect(console.get_by_test_id("message-text").filter(has_text="<b>bold?</b>")).to_have_text(
        "<script>alert('x')</script><b>bold?</b>")
    assert console.locator("img[src=x]").count() == 0
    assert dialogs == []
