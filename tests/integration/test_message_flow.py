"""A customer's message reaches the console live; the agent's answer reaches Telegram."""

from __future__ import annotations

import uuid

import pytest
from support import text_update, wait_until

pytestmark = pytest.mark.integration


def test_update_reaches_console_and_answer_reaches_telegram(
    telegram_sends, console_events, agent, desk, customer, bot_api_calls
):
    update = text_update(customer, "Hola, ¿dónde está mi pedido?")
    telegram_sends(update)

    message = console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    assert message["type"] == "CLIENT"
    assert message["text"] == "Hola, ¿dónde está mi pedido?"
    assert message["customer"]["first_name"] == "Ana"
    assert message["customer"]["username"] == customer["username"]
    conversation = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer["id"])
    assert conversation["unread"] == 1 and conversation["status"] == "open"

    client_id = uuid.uuid4().hex
    answer = agent.post(f"{desk.console_url}api/conversations/{customer['id']}/messages",
                        json={"text": "Llega mañana.", "client_id": client_id}, timeout=10)
    assert answer.status_code == 202
    assert answer.json()["message"]["delivery"]["state"] == "queued"

    sent = wait_until(lambda: [c for c in bot_api_calls("sendMessage")
                               if str(c["params"]["chat_id"]) == str(customer["id"])])
    assert sent[0]["params"]["text"] == "Llega mañana."
    delivery = console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] != "queued")
    assert delivery == {"chat_id": customer["id"], "client_id": client_id, "message_id": f"agent-{client_id}",
                        "state": "sent", "reason": None}


def test_history_and_conversation_list_show_both_sides(telegram_sends, console_events, agent, desk, customer):
    telegram_sends(text_update(customer, "first"))
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    client_id = uuid.uuid4().hex
    agent.post(f"{desk.console_url}api/conversations/{customer['id']}/messages",
               json={"text": "second", "client_id": client_id}, timeout=10)
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")

    history = agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages", timeout=10).json()
    assert [(m["direction"], m["text"]) for m in history["messages"]] == [("in", "first"), ("out", "second")]
    assert history["messages"][1]["delivery"]["state"] == "sent"
    listed = agent.get(f"{desk.console_url}api/conversations", timeout=10).json()["conversations"]
    mine = next(c for c in listed if c["chat_id"] == customer["id"])
    assert mine["last_message"]["text"] == "second" and mine["unread"] == 0
    assert mine["first_response_at"] is not None


def test_assign_resolve_reopen(post_update, console_events, agent, desk, customer):
    post_update(text_update(customer, "help"))
    console_events.wait_for("conversation", lambda c: c["chat_id"] == customer["id"])
    base = f"{desk.console_url}api/conversations/{customer['id']}"
    assert agent.post(f"{base}/assign", timeout=10).json()["conversation"]["assignee"] == "admin"
    assert agent.post(f"{base}/resolve", timeout=10).json()["conversation"]["status"] == "resolved"
    console_events.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["status"] == "resolved")
    assert agent.post(f"{base}/reopen", timeout=10).json()["conversation"]["status"] == "open"
    nobody = customer["id"] + 1_000_000_000  # above every random customer's id: no conversation has it
    assert agent.post(f"{desk.console_url}api/conversations/{nobody}/resolve", timeout=10).status_code == 404
