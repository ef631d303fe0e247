"""The bot's own answers through the whole desk: /start and /help in the customer's language, and
every button press answered."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import requests
from support import wait_until

pytestmark = pytest.mark.integration

CALLBACK = Path(__file__).resolve().parent.parent / "fixtures" / "updates" / "callback_query.json"


@pytest.mark.parametrize(("language", "greeting"), [("es", "¡Hola, Ana!"), ("en", "Hi Ana!")])
def test_start_with_a_deep_link_is_answered_by_the_bot_and_kept_as_context(
    desk, agent, bot_api_calls, console_events, language, greeting
):
    customer = random.randint(100_000_000, 999_999_999)
    requests.post(f"{desk.standin_url}customer/api/messages", timeout=10, json={
        "user_id": customer, "first_name": "Ana", "language_code": language, "text": "/start order_1234"},
                  ).raise_for_status()
    sent = wait_until(lambda: [c for c in bot_api_calls("sendMessage") if str(c["params"]["chat_id"]) == str(customer)])
    assert sent[0]["params"]["text"].startswith(greeting)
    history = wait_until(lambda: (lambda m: m if len(m) == 2 else None)(
        agent.get(f"{desk.console_url}api/conversations/{customer}/messages", timeout=10).json()["messages"]))
    assert [m["type"] for m in history] == ["COMMAND", "BOT"]
    assert wait_until(lambda: (agent.get(f"{desk.console_url}api/conversations/{customer}/messages", timeout=10)
                               .json()["messages"][1]["delivery"]["state"] == "sent"))
    conversation = next(c for c in agent.get(f"{desk.console_url}api/conversations", timeout=10).json()
                        ["conversations"] if c["chat_id"] == customer)
    assert conversation["context"] == {"start": "order_1234"}
    assert conversation["first_response_at"] is None  # the bot's answer is not an agent's response
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == customer and m["type"] == "BOT")
    assert shown["text"].startswith(greeting) and shown["delivery"]["state"] == "sent"  # the consoles see it live


def test_every_button_press_is_answered(telegram_sends, bot_api_calls):
    customer = random.randint(100_000_000, 999_999_999)
    update = json.loads(CALLBACK.read_text().replace("111111111", str(customer)))
    update["update_id"] = random.randint(10**9, 2 * 10**9)
    update["callback_query"]["id"] = f"cb{update['update_id']}"
    telegram_sends(update)
    answered = wait_until(lambda: [c for c in bot_api_calls("answerCallbackQuery")
                                   if c["params"].get("callback_query_id") == update["callback_query"]["id"]])
    assert len(answered) == 1
