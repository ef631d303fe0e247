"""Telegram and Pub/Sub deliver at least once: repeats are stored once, shown once, sent once."""

from __future__ import annotations

import time
import uuid

import pytest
from support import text_update

pytestmark = pytest.mark.integration


def test_same_update_twice_is_stored_once_and_shown_once(post_update, console_events, agent, desk, customer):
    update = text_update(customer, "only once")
    first, retry = post_update(update), post_update(update)
    assert first.status_code == 200 and retry.status_code == 200
    assert retry.json().get("duplicate") is True

    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    # A second, later message in the same chat proves the pipeline drained past the repeat.
    post_update(text_update(customer, "after"))
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"] and m["text"] == "after")

    shown = console_events.of("message", lambda m: m["chat_id"] == customer["id"] and m["text"] == "only once")
    assert len(shown) == 1
    stored = agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages", timeout=10).json()
    assert [m["text"] for m in stored["messages"]] == ["only once", "after"]
    conversation = next(c for c in agent.get(f"{desk.console_url}api/conversations", timeout=10).json()
                        ["conversations"] if c["chat_id"] == customer["id"])
    assert conversation["unread"] == 2


def test_same_client_id_twice_is_sent_once(telegram_sends, console_events, agent, desk, customer, bot_api_calls):
    telegram_sends(text_update(customer, "hello"))
    console_events.wait_for("conversation", lambda c: c["chat_id"] == customer["id"])
    client_id = uuid.uuid4().hex
    url = f"{desk.console_url}api/conversations/{customer['id']}/messages"
    body = {"text": "sent exactly once", "client_id": client_id}
    assert agent.post(url, json=body, timeout=10).status_code == 202
    assert agent.post(url, json=body, timeout=10).status_code == 202
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")
    # After it was sent, a third repeat is announced, never sent.
    assert agent.post(url, json=body, timeout=10).json()["message"]["delivery"]["state"] == "sent"

    later = uuid.uuid4().hex
    agent.post(url, json={"text": "a later answer", "client_id": later}, timeout=10)
    console_events.wait_for("delivery", lambda d: d["client_id"] == later and d["state"] == "sent")
    time.sleep(0.5)
    texts = [c["params"]["text"] for c in bot_api_calls("sendMessage")
             if str(c["params"]["chat_id"]) == str(customer["id"])]
    assert texts == ["sent exactly once", "a later answer"]
    history = agent.get(url, timeout=10).json()["messages"]
    assert [m["text"] for m in history if m["direction"] == "out"] == ["sent exactly once", "a later answer"]
