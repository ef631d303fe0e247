"""The console in a Telegram Business chat: the account's badge, the 24-hour reply window counting
down and the composer refusing once it closed (and the relay refusing too), the owner's own typing
drawn as the company's, a connection turned off making the chat read-only: Updates posted to the
session desk's webhook as Telegram would send them (the Bot API's shapes), each test its own
connection. And an answer typed in the console going out as the account, shown once though Telegram
echoes it back: through the stand-in's business account."""

from __future__ import annotations

import itertools
import random
import re
import time
import uuid
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from console_page import ARRIVAL_TIMEOUT_MS, answer, bubbles, delivered, said, show_tab
from playwright.sync_api import Locator, Page, expect
from support import wait_until

from devtools.standin.business import CONNECTION_ID, DEFAULT_RIGHTS
from teledesk.business import WINDOW_CLOSED, conversation_key
from teledesk.telegram.limits import BUSINESS_REPLY_WINDOW_S

pytestmark = pytest.mark.e2e

ACCOUNT = {"id": 7000000001, "is_bot": False, "first_name": "Acme", "last_name": "Support", "username": "acme_support"}
ACCOUNT_NAME = "Acme Support"
RIGHTS = {"can_reply": True, "can_read_messages": True, "can_delete_sent_messages": True}
WINDOW_LEFT_S = 30  # what is left of the reply window when the customer's message is posted: the time to see it open


# Rising, as Telegram's are (a connection's older update changes nothing), and above the ids tests/support.py
# counts from (10 to 90 million), so no Update here repeats one of theirs.
_update_ids = itertools.count(random.randint(1_000_000_000, 1_500_000_000))


class BusinessChat:
    """A customer writing to the company's Telegram account, which has connected the bot: a connection
    of its own per test, and the Updates Telegram sends the bot about it."""

    def __init__(self, post_update: Any) -> None:
        self.post_update = post_update
        self.connection_id = f"e2e-{uuid.uuid4().hex[:12]}"
        self.customer = {"id": random.randint(100_000_000, 999_999_999), "is_bot": False,
                         "first_name": f"Marta {random.randint(100, 999)}", "language_code": "es"}
        self.key = conversation_key(self.connection_id, self.customer["id"])
        self._message_ids = iter(range(1, 10_000))

    def _post(self, update: dict[str, Any]) -> None:
        answer = self.post_update(update)
        assert answer.status_code == 200, answer.text

    def connect(self, *, enabled: bool = True, rights: dict[str, bool] = RIGHTS) -> None:
        """The account connects the bot (or changes the connection: `business_connection` each time)."""
        self._post({"update_id": next(_update_ids), "business_connection": {
            "id": self.connection_id, "user": ACCOUNT, "user_chat_id": ACCOUNT["id"], "date": int(time.time()),
            "rights": rights, "is_enabled": enabled}})

    def _message(self, sender: dict[str, Any], text: str, date: int) -> None:
        chat = {"id": self.customer["id"], "type": "private", "first_name": self.customer["first_name"]}
        self._post({"update_id": next(_update_ids), "business_message": {
            "business_connection_id": self.connection_id, "message_id": next(self._message_ids), "from": sender,
            "chat": chat, "date": date, "text": text}})

    def customer_writes(self, text: str, *, ago: int = 0) -> None:
        self._message(self.customer, text, int(time.time()) - ago)

    def owner_writes(self, text: str) -> None:
        """The account's owner types in the Telegram app, in this customer's chat."""
        self._message(ACCOUNT, text, int(time.time()))


@pytest.fixture
def business_chat(post_update) -> BusinessChat:
    chat = BusinessChat(post_update)
    chat.connect()
    return chat


def open_business_chat(page: Page, key: int, name: str) -> Locator:
    """Open the chat `key` (the desk's key of a business chat) from the All tab once it arrived; its list item."""
    show_tab(page, "all")
    item = page.locator(f"[data-testid=conversation-item][data-chat-id='{key}']")
    expect(item).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    item.click()
    expect(page.get_by_test_id("conversation-title")).to_contain_text(name)
    return item


def header_of(page: Page) -> Locator:
    return page.locator("header.header")


def test_the_reply_window_counts_down_and_the_composer_refuses_once_it_closed(desk, console, business_chat):
    business_chat.customer_writes("¿Seguís abiertos mañana?", ago=BUSINESS_REPLY_WINDOW_S - WINDOW_LEFT_S)
    item = open_business_chat(console, business_chat.key, business_chat.customer["first_name"])
    expect(item.get_by_test_id("business-badge")).to_have_text(ACCOUNT_NAME, timeout=ARRIVAL_TIMEOUT_MS)
    header = header_of(console)
    expect(header.get_by_test_id("business-badge")).to_have_text(ACCOUNT_NAME)

    window = header.get_by_test_id("reply-window")
    expect(window).to_have_attribute("data-state", "open")
    left = int(window.get_attribute("data-left") or 0)
    assert 0 < left <= WINDOW_LEFT_S
    expect(window).to_have_text(re.compile(r"0:\d\d$"))  # the last hour in minutes and seconds
    expect(window).not_to_have_attribute("data-left", str(left), timeout=3_000)  # ticking
    expect(item.get_by_test_id("reply-window")).to_have_attribute("data-state", "open")
    composer = console.get_by_test_id("composer-input")
    expect(composer).to_be_enabled()
    expect(console.get_by_test_id("composer-refused")).to_have_count(0)

    expect(window).to_have_attribute("data-state", "closed", timeout=(WINDOW_LEFT_S + 5) * 1000)
    expect(window).to_have_text(said("en", "business", "business.window.closed"))
    expect(item.get_by_test_id("reply-window")).to_have_attribute("data-state", "closed")
    refused = console.get_by_test_id("composer-refused")
    expect(refused).to_have_attribute("data-reason", "windowClosed")
    expect(refused).to_contain_text(said("en", "business", "business.refusal.windowClosed"))
    expect(composer).to_be_disabled()
    expect(console.get_by_test_id("composer-send")).to_be_disabled()

    # The relay refuses as the console does (the agent's session, another client): 409 with the reason, nothing stored.
    messages = urljoin(desk.console_url, f"/api/conversations/{business_chat.key}/messages")
    refusal = console.request.post(messages, data={"text": "Sí, de 9 a 14", "client_id": f"late-{uuid.uuid4().hex}"})
    assert (refusal.status, refusal.json()) == (409, {"error": WINDOW_CLOSED})
    stored = console.request.get(messages).json()["messages"]
    assert [m["text"] for m in stored] == ["¿Seguís abiertos mañana?"]


def test_what_the_owner_types_in_telegram_is_drawn_as_the_companys(console, business_chat, screenshot):
    business_chat.customer_writes("Hola, ¿me podéis mandar la factura?")
    business_chat.owner_writes("Hola Marta, te la mando ahora mismo")
    item = open_business_chat(console, business_chat.key, business_chat.customer["first_name"])

    owned = bubbles(console, "out").filter(has_text="te la mando ahora mismo")
    expect(owned).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    expect(owned).to_have_attribute("data-type", "OWNER")
    expect(owned.get_by_test_id("message-owner")).to_have_text(
        said("en", "business", "business.ownerBy").replace("{name}", ACCOUNT_NAME))
    expect(bubbles(console, "in").filter(has_text="la factura")).to_have_count(1)
    expect(bubbles(console, "in").filter(has_text="te la mando")).to_have_count(0)  # never the customer's
    expect(item.get_by_test_id("conversation-preview")).to_contain_text(
        f"{said('en', 'business', 'business.ownerPrefix')} Hola Marta")
    screenshot(console, "console-business")


def test_a_connection_turned_off_makes_its_chats_read_only_live_and_after_a_reload(console, business_chat):
    business_chat.customer_writes("¿Hay stock de la talla M?")
    item = open_business_chat(console, business_chat.key, business_chat.customer["first_name"])
    expect(item.get_by_test_id("business-badge")).to_have_attribute("data-enabled", "true",
                                                                    timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("composer-input")).to_be_enabled()

    business_chat.connect(enabled=False)
    banner = console.get_by_test_id("business-readonly")
    expect(banner).to_have_text(said("en", "business", "business.readOnly").replace("{name}", ACCOUNT_NAME),
                                timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("composer-refused")).to_have_attribute("data-reason", "disabled")
    expect(console.get_by_test_id("composer-input")).to_be_disabled()
    expect(item.get_by_test_id("business-badge")).to_have_attribute("data-enabled", "false")

    console.reload()  # the connection as stored, read again (GET /api/business/connections)
    item = open_business_chat(console, business_chat.key, business_chat.customer["first_name"])
    expect(item.get_by_test_id("business-badge")).to_have_text(
        said("en", "business", "business.badge.disabled").replace("{name}", ACCOUNT_NAME), timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("business-readonly")).to_be_visible()


def test_an_answer_goes_out_as_the_account_and_shows_once_though_telegram_echoes_it(desk, console, bot_api_calls):
    account = f"{desk.standin_url}standin/api/business"
    connected = requests.post(f"{account}/connection", json={"rights": DEFAULT_RIGHTS, "is_enabled": True}, timeout=10)
    assert connected.status_code == 201, connected.text
    customer = {"id": random.randint(100_000_000, 999_999_999), "first_name": f"Iker {random.randint(100, 999)}"}

    def customer_writes(text: str) -> None:
        wrote = requests.post(f"{account}/messages", json={"user_id": customer["id"],
                                                            "first_name": customer["first_name"], "text": text},
                              timeout=10)
        assert wrote.status_code == 201, wrote.text

    customer_writes("¿Me guardáis la talla 42?")
    open_business_chat(console, conversation_key(CONNECTION_ID, customer["id"]), customer["first_name"])
    expect(header_of(console).get_by_test_id("reply-window")).to_have_attribute("data-state", "open")

    delivered(answer(console, "Claro, hasta el viernes"))
    [call] = wait_until(lambda: [c for c in bot_api_calls("sendMessage")
                                 if str(c["params"].get("chat_id")) == str(customer["id"])])
    assert call["params"]["business_connection_id"] == CONNECTION_ID
    # The stand-in echoed the send back as a business_message before this one: once this one shows, so has the echo.
    customer_writes("¡Gracias!")
    expect(bubbles(console, "in").filter(has_text="¡Gracias!")).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    expect(bubbles(console).filter(has_text="Claro, hasta el viernes")).to_have_count(1)
    expect(bubbles(console, "out").filter(has_text="Claro, hasta el viernes")).to_have_attribute("data-type", "AGENT")
