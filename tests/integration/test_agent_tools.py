"""The agents' tools on the emulators with the Telegram stand-in: private notes, retry of a failed
answer, search, canned responses, pending and a new conversation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
import test_outbound_flow as outbound
from support import reply, text_update, wait_until

pytestmark = pytest.mark.integration

# The outbound tests' helpers, shared rather than copied (`chat` and `failures` are tests/conftest.py's).
sends_to, settled = outbound.sends_to, outbound.settled


def api(desk, path: str) -> str:
    return f"{desk.console_url}api/{path}"


def stored_messages(desk, agent: requests.Session, chat_id: int) -> list[dict[str, Any]]:
    return agent.get(api(desk, f"conversations/{chat_id}/messages"), timeout=10).json()["messages"]


def test_a_note_is_stored_and_shown_but_never_reaches_telegram(desk, agent, chat, console_events, bot_api_calls):
    client_id = uuid.uuid4().hex
    text = f"nota interna {client_id}"
    answer = agent.post(api(desk, f"conversations/{chat}/notes"), json={"text": text, "client_id": client_id},
                        timeout=10)
    assert answer.status_code == 202, answer.text
    shown = console_events.wait_for("message", lambda m: m["id"] == f"note-{client_id}")
    assert (shown["direction"], shown["private"], shown["text"]) == ("note", True, text)
    # An answer after the note: deliver takes a chat's messages in order, so once this one is
    # sent, a published note would have been sent before it.
    assert settled(console_events, reply(desk, agent, chat, "después de la nota"))["state"] == "sent"
    texts = [c["params"].get("text") for c in sends_to(bot_api_calls, "sendMessage", chat, ok=None)]
    assert "después de la nota" in texts and text not in texts
    note = next(m for m in stored_messages(desk, agent, chat) if m["id"] == f"note-{client_id}")
    assert note["private"] is True and note["agent"]["username"] == "admin"


def test_a_failed_answer_is_retried_and_then_sent(desk, agent, chat, console_events, bot_api_calls, failures):
    failures("sendMessage", 400, description="Bad Request: chat not found", count=2)
    client_id = reply(desk, agent, chat, "reintentar")
    assert settled(console_events, client_id)["state"] == "failed"
    message_id = f"agent-{client_id}"
    url = api(desk, f"conversations/{chat}/messages/{message_id}/retry")

    def failed_events() -> list[Any]:
        return console_events.of("delivery", lambda d: d["client_id"] == client_id and d["state"] == "failed")

    again = agent.post(url, timeout=10)
    assert again.status_code == 202 and again.json()["message"]["delivery"]["state"] == "queued"
    assert len(wait_until(lambda: len(failed_events()) == 2 and failed_events())) == 2  # the retry's own outcome
    assert agent.post(url, timeout=10).status_code == 202
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")
    assert agent.post(url, timeout=10).status_code == 409  # sent: nothing to retry
    texts = [c["params"]["text"] for c in sends_to(bot_api_calls, "sendMessage", chat)]
    assert texts.count("reintentar") == 1
    queued = console_events.of("delivery", lambda d: d["client_id"] == client_id and d["state"] == "queued")
    assert len(queued) == 3  # the first attempt and each retry


def test_search_finds_a_customer_and_a_message(desk, agent, customer, telegram_sends, console_events):
    word = f"zanahoria{uuid.uuid4().hex[:8]}"
    telegram_sends(text_update(customer, f"Mi pedido de {word.upper()} no llegó"))
    console_events.wait_for("message", lambda m: word in m.get("text", "").lower())
    found = agent.get(api(desk, "search"), params={"q": word}, timeout=10).json()
    assert [m["chat_id"] for m in found["messages"]] == [customer["id"]]
    by_name = agent.get(api(desk, "search"), params={"q": customer["username"].upper()}, timeout=10).json()
    assert [c["chat_id"] for c in by_name["conversations"]] == [customer["id"]]
    assert agent.get(api(desk, "search"), params={"q": "x"}, timeout=10).status_code == 400


def test_canned_responses_are_added_changed_and_deleted(desk, agent):
    shortcut = f"t{uuid.uuid4().hex[:12]}"
    created = agent.post(api(desk, "canned"), json={"shortcut": shortcut.upper(), "text": "Hola"}, timeout=10)
    assert created.status_code == 201, created.text
    canned = created.json()["canned"]
    assert canned["shortcut"] == shortcut
    taken = agent.post(api(desk, "canned"), json={"shortcut": shortcut, "text": "otro"}, timeout=10)
    assert taken.status_code == 409
    changed = agent.put(api(desk, f"canned/{canned['id']}"), json={"shortcut": f"{shortcut}-b", "text": "Buenas"},
                        timeout=10)
    assert changed.json()["canned"] == {"id": canned["id"], "shortcut": f"{shortcut}-b", "text": "Buenas"}
    listed = agent.get(api(desk, "canned"), timeout=10).json()["canned"]
    assert {"id": canned["id"], "shortcut": f"{shortcut}-b", "text": "Buenas"} in listed
    assert [c["shortcut"] for c in listed] == sorted(c["shortcut"] for c in listed)
    assert agent.delete(api(desk, f"canned/{canned['id']}"), timeout=10).status_code == 204
    assert canned["id"] not in {c["id"] for c in agent.get(api(desk, "canned"), timeout=10).json()["canned"]}


def test_pending_then_a_new_conversation_assigned_to_me(desk, agent, chat, console_events):
    pending = agent.post(api(desk, f"conversations/{chat}/pending"), timeout=10)
    assert pending.status_code == 200 and pending.json()["conversation"]["status"] == "pending"
    console_events.wait_for("conversation", lambda c: c["chat_id"] == chat and c["status"] == "pending")
    resolved = agent.post(api(desk, f"conversations/{chat}/resolve"), timeout=10).json()["conversation"]
    again = agent.post(api(desk, f"conversations/{chat}/resolve"), timeout=10).json()["conversation"]
    assert resolved["status"] == again["status"] == "resolved"
    assert resolved["resolved_at"] == again["resolved_at"] > 0  # a repeated resolve keeps the first time
    assert resolved["last_resolution"] == {"number": 1, "opened_at": resolved["created_at"],
                                           "resolved_at": resolved["resolved_at"]}
    started = agent.post(api(desk, f"conversations/{chat}/start"), timeout=10).json()["conversation"]
    assert (started["number"], started["status"], started["assignee"], started["unread"], started["context"],
            started["resolved_at"]) == (2, "open", "admin", 0, {}, None)
    assert started["last_resolution"] == resolved["last_resolution"]  # kept for the metrics' census
    console_events.wait_for("conversation", lambda c: c["chat_id"] == chat and c.get("number") == 2)
    assert agent.post(api(desk, f"conversations/{chat}/start"), timeout=10).status_code == 409  # once only
    nobody = chat + 1_000_000_000  # above every random customer's id (the fuzz tests may have written to chat 1)
    assert agent.post(api(desk, f"conversations/{nobody}/start"), timeout=10).status_code == 404
