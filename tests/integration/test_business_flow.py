"""Telegram Business end to end, on the emulators against the stand-in's business account: the
connection, a customer's message to the console, the answer as the account, the owner's own typing,
the desk's echo, edits and deletions, the 24-hour window and a disabled connection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from support import EventRecorder, connect_console, wait_until

from devtools.runner.desk import Desk
from devtools.standin.business import ACCOUNT_ID, CONNECTION_ID, DEFAULT_RIGHTS
from teledesk.business import CONNECTION_DISABLED, WINDOW_CLOSED, conversation_key
from teledesk.store import Store

pytestmark = pytest.mark.integration


class Business:
    """The stand-in's business account, through its hooks."""

    def __init__(self, desk: Desk) -> None:
        self.url = f"{desk.standin_url}standin/api/business"

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        answer = requests.post(f"{self.url}/{path}", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def customer_writes(self, customer: dict[str, Any], text: str, **fields: Any) -> dict[str, Any]:
        return self.post("messages", user_id=customer["id"], first_name=customer["first_name"],
                         username=customer["username"], text=text, **fields)["message"]

    def chat(self, customer_id: int) -> dict[str, Any]:
        chats = requests.get(f"{self.url}/chats", timeout=10).json()["chats"]
        return next(c for c in chats if c["customer"]["id"] == customer_id)


@pytest.fixture
def business(desk: Desk) -> Iterator[Business]:
    """The account connected with its usual rights, as it is again after the test."""
    account = Business(desk)
    account.post("connection", rights=DEFAULT_RIGHTS, is_enabled=True)
    yield account
    account.post("connection", rights=DEFAULT_RIGHTS, is_enabled=True)


@pytest.fixture
def consoles(desk: Desk, agent: requests.Session) -> Iterator[EventRecorder]:
    recorder = connect_console(EventRecorder("business_connection"), desk.console_url, agent)
    yield recorder
    recorder.client.disconnect()


def answer(desk: Desk, agent: requests.Session, key: int, text: str) -> requests.Response:
    return agent.post(f"{desk.console_url}api/conversations/{key}/messages",
                      json={"text": text, "client_id": uuid.uuid4().hex}, timeout=10)


def sends_to(bot_api_calls: Callable[[str], list[dict[str, Any]]], customer_id: int,
             method: str = "sendMessage") -> list[dict[str, Any]]:
    return [c for c in bot_api_calls(method) if str(c["params"].get("chat_id")) == str(customer_id)]


def test_a_connection_is_kept_and_shown_to_the_consoles(business: Business, consoles: EventRecorder,
                                                        desk_store: Store):
    changed = business.post("connection", rights={"can_delete_all_messages": True})
    shown = consoles.wait_for("business_connection", lambda c: c["update_id"] == changed["update_id"])
    assert (shown["id"], shown["user"]["id"], shown["is_enabled"]) == (CONNECTION_ID, ACCOUNT_ID, True)
    assert shown["rights"]["can_delete_all_messages"] is True
    stored = desk_store.business_connections.get(CONNECTION_ID)
    assert stored is not None and stored.rights == shown["rights"]


def test_a_customers_message_reaches_the_console_and_the_answer_goes_as_the_account(
        business: Business, consoles: EventRecorder, desk: Desk, agent: requests.Session, customer: dict[str, Any],
        bot_api_calls: Callable[[str], list[dict[str, Any]]], desk_store: Store):
    key = conversation_key(CONNECTION_ID, customer["id"])
    written = business.customer_writes(customer, "¿Tenéis la talla M?")
    message = consoles.wait_for("message", lambda m: m["chat_id"] == key)
    assert (message["type"], message["direction"], message["text"]) == ("CLIENT", "in", "¿Tenéis la talla M?")
    conversation = consoles.wait_for("conversation", lambda c: c["chat_id"] == key)
    assert conversation["business"]["connection_id"] == CONNECTION_ID
    assert conversation["business"]["window_closes_at"] == written["date"] + 24 * 3600
    assert conversation["customer"]["first_name"] == "Ana"

    sent = answer(desk, agent, key, "Sí, mañana llega")
    assert sent.status_code == 202, sent.text
    answer_id = sent.json()["message"]["id"]
    assert sent.json()["message"]["business"] == {"connection_id": CONNECTION_ID, "chat_id": customer["id"]}
    [call] = wait_until(lambda: sends_to(bot_api_calls, customer["id"]))
    assert call["params"]["business_connection_id"] == CONNECTION_ID and call["params"]["text"] == "Sí, mañana llega"
    consoles.wait_for("delivery", lambda d: d["message_id"] == answer_id and d["state"] == "sent")

    # The stand-in echoed the send back as a business_message; a later customer message comes after it.
    business.customer_writes(customer, "¡Gracias!")
    consoles.wait_for("message", lambda m: m["chat_id"] == key and m["text"] == "¡Gracias!")
    history = desk_store.messages.history(key)
    assert [(m.direction, m.type, m.text) for m in history] == [
        ("in", "CLIENT", "¿Tenéis la talla M?"), ("out", "AGENT", "Sí, mañana llega"), ("in", "CLIENT", "¡Gracias!")]
    assert [m["id"] for m in consoles.of("message", lambda m: m["chat_id"] == key and m["direction"] == "out")] == [
        answer_id]
    bot_chat = business.chat(customer["id"])
    assert [m["from"] for m in bot_chat["messages"]] == ["customer", "bot", "customer"]

    assert agent.post(f"{desk.console_url}api/conversations/{key}/read", timeout=10).status_code == 200
    [read] = wait_until(lambda: sends_to(bot_api_calls, customer["id"], "readBusinessMessage"))
    assert int(read["params"]["message_id"]) == bot_chat["messages"][-1]["message_id"]


def test_the_owners_own_message_is_the_companys_and_never_answered_by_the_bot(
        business: Business, consoles: EventRecorder, customer: dict[str, Any],
        bot_api_calls: Callable[[str], list[dict[str, Any]]]):
    key = conversation_key(CONNECTION_ID, customer["id"])
    business.customer_writes(customer, "/start")
    consoles.wait_for("message", lambda m: m["chat_id"] == key)
    business.post("owner", user_id=customer["id"], text="Hola Ana, soy Marta")
    owner = consoles.wait_for("message", lambda m: m["chat_id"] == key and m["type"] == "OWNER")
    assert (owner["direction"], owner["text"], owner["owner"]["id"]) == ("out", "Hola Ana, soy Marta", ACCOUNT_ID)
    assert "agent" not in owner
    answered = consoles.wait_for("conversation", lambda c: c["chat_id"] == key and c["first_response_at"])
    assert answered["unread"] == 0 and answered["customer"]["first_name"] == "Ana"
    business.customer_writes(customer, "vale")  # behind the owner's message in the pipeline
    consoles.wait_for("message", lambda m: m["chat_id"] == key and m["text"] == "vale")
    assert sends_to(bot_api_calls, customer["id"]) == []  # neither /start nor the owner's typing got the bot


def test_an_edit_and_a_deletion_show_in_the_history(business: Business, consoles: EventRecorder, desk: Desk,
                                                    agent: requests.Session, customer: dict[str, Any]):
    key = conversation_key(CONNECTION_ID, customer["id"])
    written = business.customer_writes(customer, "mi dirección es Calle Mayor 1")
    business.post("edit", user_id=customer["id"], message_id=written["message_id"], text="Calle Mayor 2")
    edited = consoles.wait_for("message", lambda m: m["chat_id"] == key and m.get("edited"))
    assert edited["text"] == "Calle Mayor 2" and edited["edit_history"][0]["text"] == "mi dirección es Calle Mayor 1"
    business.post("delete", user_id=customer["id"], message_ids=[written["message_id"]])
    deleted = consoles.wait_for("message", lambda m: m["chat_id"] == key and m.get("deleted"))
    assert (deleted["id"], deleted["text"]) == (edited["id"], "Calle Mayor 2")
    history = agent.get(f"{desk.console_url}api/conversations/{key}/messages", timeout=10).json()["messages"]
    assert [(m["text"], m.get("deleted")) for m in history] == [("Calle Mayor 2", True)]


@pytest.mark.parametrize(("written_ago_s", "change", "reason"), [
    (25 * 3600, {}, WINDOW_CLOSED),  # the customer's last message is older than Telegram's 24 hours
    (0, {"is_enabled": False}, CONNECTION_DISABLED),  # its conversations are read-only
], ids=["window_closed", "connection_disabled"])
def test_an_answer_telegram_would_refuse_is_409_with_the_reason_and_nothing_is_sent(
        business: Business, consoles: EventRecorder, desk: Desk, agent: requests.Session, customer: dict[str, Any],
        bot_api_calls: Callable[[str], list[dict[str, Any]]], written_ago_s: int, change: dict[str, Any],
        reason: str):
    key = conversation_key(CONNECTION_ID, customer["id"])
    written = business.customer_writes(customer, "hola", date=int(time.time()) - written_ago_s)
    conversation = consoles.wait_for("conversation", lambda c: c["chat_id"] == key)
    assert conversation["business"]["window_closes_at"] == written["date"] + 24 * 3600
    if change:
        changed = business.post("connection", **change)
        consoles.wait_for("business_connection", lambda c: c["update_id"] == changed["update_id"])
    refused = answer(desk, agent, key, "Perdona la demora")
    assert (refused.status_code, refused.json()) == (409, {"error": reason})
    history = agent.get(f"{desk.console_url}api/conversations/{key}/messages", timeout=10).json()["messages"]
    assert [m["direction"] for m in history] == ["in"]
    assert sends_to(bot_api_calls, customer["id"]) == []


def test_an_agents_edit_and_delete_go_through_the_connection_as_its_rights_allow(
        business: Business, consoles: EventRecorder, desk: Desk, agent: requests.Session, customer: dict[str, Any],
        bot_api_calls: Callable[[str], list[dict[str, Any]]]):
    key = conversation_key(CONNECTION_ID, customer["id"])
    business.customer_writes(customer, "hola")
    consoles.wait_for("message", lambda m: m["chat_id"] == key)
    answer_id = answer(desk, agent, key, "Hola, Ana").json()["message"]["id"]
    consoles.wait_for("delivery", lambda d: d["message_id"] == answer_id and d["state"] == "sent")
    url = f"{desk.console_url}api/conversations/{key}/messages/{answer_id}"
    assert agent.post(f"{url}/edit", json={"text": "Hola, Ana:"}, timeout=10).status_code == 202
    consoles.wait_for("message", lambda m: m["id"] == answer_id and m["text"] == "Hola, Ana:")
    [edit] = sends_to(bot_api_calls, customer["id"], "editMessageText")
    assert edit["params"]["business_connection_id"] == CONNECTION_ID

    no_delete = business.post("connection", rights={"can_delete_sent_messages": False})
    consoles.wait_for("business_connection", lambda c: c["update_id"] == no_delete["update_id"])
    refused = agent.delete(url, timeout=10)
    assert refused.status_code == 409 and "can_delete_sent_messages" in refused.json()["error"]
    allowed = business.post("connection", rights={"can_delete_sent_messages": True})
    consoles.wait_for("business_connection", lambda c: c["update_id"] == allowed["update_id"])
    assert agent.delete(url, timeout=10).status_code == 202
    consoles.wait_for("message", lambda m: m["id"] == answer_id and m.get("deleted"))
    _hola, sent = business.chat(customer["id"])["messages"]
    assert sent["from"] == "bot" and sent["deleted"] is True
    assert [c["params"]["business_connection_id"] for c in bot_api_calls("deleteBusinessMessages")
            if c["ok"] and c["params"]["message_ids"] == [sent["message_id"]]] == [CONNECTION_ID]
