"""What the browser tests do over and over: a customer writes (through the stand-in, as Telegram would
deliver it), an agent signs in and opens that customer's chat."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, Locator, Page, expect

CONNECTED_TIMEOUT_MS = 15_000
ARRIVAL_TIMEOUT_MS = 20_000
LOCALES = Path(__file__).resolve().parents[2] / "frontend" / "src" / "i18n" / "locale"


def said(locale: str, area: str, key: str) -> str:
    """A console string as its locale file has it: `key` dotted, e.g. `connection.connected`."""
    value = json.loads((LOCALES / locale / f"{area}.json").read_text(encoding="utf-8"))
    for part in key.split("."):
        value = value[part]
    return value


class Customer:
    """A Telegram user of the stand-in, with their own private chat (same id)."""

    def __init__(self, desk: Any, first_name: str | None = None, **profile: Any):
        self.desk, self.id = desk, random.randint(100_000_000, 999_999_999)
        self.first_name = first_name or f"Cliente {self.id % 100_000}"
        self.identity = {"user_id": self.id, "first_name": self.first_name, **profile}

    def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = requests.post(f"{self.desk.standin_url}customer/api/{path}", timeout=10, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()

    def says(self, text: str) -> dict[str, Any]:
        return self._post("messages", json={**self.identity, "text": text})

    def sends_files(self, *files: tuple[str, bytes, str], caption: str = "", kind: str = "") -> dict[str, Any]:
        data = {**self.identity, "caption": caption, **({"kind": kind} if kind else {})}
        return self._post("media", data=data, files=[("file", f) for f in files])

    def sends(self, what: str, **body: Any) -> dict[str, Any]:
        """location, contact, dice, sticker or poll, with the stand-in's body for it."""
        return self._post(what, json={**self.identity, **body})


def sign_in(page: Page, console_url: str, username: str, password: str) -> Page:
    page.goto(console_url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected",
                                                                      timeout=CONNECTED_TIMEOUT_MS)
    return page


def new_console(browser: Browser, console_url: str, username: str, password: str, **context: Any) -> Page:
    return sign_in(browser.new_context(**context).new_page(), console_url, username, password)


def chat_item(page: Page, customer: Customer) -> Locator:
    return page.locator(f"[data-testid=conversation-item][data-chat-id='{customer.id}']")


def show_tab(page: Page, tab: str) -> None:
    page.locator(f"[data-testid=chat-tab][data-tab={tab}]").click()
    expect(page.locator(f"[data-testid=chat-tab][data-tab={tab}]")).to_have_attribute("aria-selected", "true")


def open_chat(page: Page, customer: Customer) -> None:
    """Open the customer's chat from the All tab, once it has arrived."""
    show_tab(page, "all")
    item = chat_item(page, customer)
    expect(item).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    item.click()
    expect(page.get_by_test_id("conversation-title")).to_contain_text(customer.first_name)


def bubbles(page: Page, direction: str | None = None) -> Locator:
    selector = "[data-testid=message-bubble]" + (f"[data-direction={direction}]" if direction else "")
    return page.locator(selector)


def answer(page: Page, text: str) -> Locator:
    """Type an answer, send it with Enter; the agent's bubble for it."""
    composer = page.get_by_test_id("composer-input")
    composer.fill(text)
    composer.press("Enter")
    return bubbles(page, "out").filter(has_text=text)


def delivered(bubble: Locator, state: str = "sent") -> None:
    expect(bubble.get_by_test_id("delivery-state")).to_have_attribute("data-state", state, timeout=ARRIVAL_TIMEOUT_MS)
