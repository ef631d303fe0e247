"""The conversation lifecycle through the whole desk (issue 11): the real workflows/conversation.yaml
on the workflows-emulator (devtools/runner/workflows_emulator_app.py), started by each opening through the
trigger topic's push subscription, calling the timers step, against the desk on the Pub/Sub and
Firestore emulators and the Telegram stand-in, with the timers shrunk to seconds.

This module runs a desk of its own (its own project on the shared emulators), so its breaches
and ratings do not mix with the session desk's.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from lifecycle_support import PENDING_S, SLA_S, lifecycle_desk_fixtures
from support import reply, wait_until

from devtools.runner.desk import Desk

pytestmark = pytest.mark.integration

CLOSING = {"es": "Como no hemos vuelto a saber de ti", "en": "As we have not heard back from you"}
QUESTION = {"es": "¿Qué tal te hemos atendido?", "en": "How did we do?"}


desk_settings, desk = lifecycle_desk_fixtures("teledesk-lifecycle")


def customer_writes(desk: Desk, customer: int, text: str, language: str = "es") -> None:
    requests.post(f"{desk.standin_url}customer/api/messages", timeout=10, json={
        "user_id": customer, "first_name": "Ana", "language_code": language, "text": text}).raise_for_status()


def listed(desk: Desk, agent: requests.Session, customer: int) -> dict[str, Any] | None:
    """The customer's conversation as the console lists it, once it is there."""
    conversations = agent.get(f"{desk.console_url}api/conversations", timeout=10).json()["conversations"]
    return next((c for c in conversations if c["chat_id"] == customer), None)


def conversation(desk: Desk, agent: requests.Session, customer: int) -> dict[str, Any]:
    found = listed(desk, agent, customer)
    assert found is not None
    return found


def sent_to(bot_api_calls: Callable[[str], list[dict[str, Any]]], customer: int,
            method: str = "sendMessage") -> list[dict[str, Any]]:
    return [c["params"] for c in bot_api_calls(method) if str(c["params"].get("chat_id")) == str(customer)]


def new_customer() -> int:
    return random.randint(100_000_000, 999_999_999)


def stats(desk: Desk, agent: requests.Session) -> dict[str, Any]:
    return agent.get(f"{desk.console_url}api/stats?window=1h", timeout=10).json()


def test_no_answer_breaches_the_sla_live_with_the_priority_raised(desk, agent, console_events):
    customer, before = new_customer(), stats(desk, agent)["sla_breaches"]
    customer_writes(desk, customer, "Hola, ¿me ayudáis?")
    opened = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer)
    assert opened["sla_due_at"] == pytest.approx(opened["opened_at"] + SLA_S)
    assert opened["sla_breached"] is False and opened["priority"] == "normal"
    breached = console_events.wait_for(
        "conversation", lambda c: c["chat_id"] == customer and c["sla_breached"], timeout=SLA_S + 15)
    assert breached["priority"] == "high" and breached["first_response_at"] is None
    assert time.time() >= opened["sla_due_at"]  # not before it was due
    stored = conversation(desk, agent, customer)
    assert stored["sla_breached"] is True and stored["priority"] == "high"
    assert wait_until(lambda: stats(desk, agent)["sla_breaches"] == before + 1)  # counted once


def test_an_answer_in_time_means_no_breach_and_one_first_response_time(desk, agent, console_events):
    customer = new_customer()
    customer_writes(desk, customer, "Hola")
    wait_until(lambda: listed(desk, agent, customer))
    reply(desk, agent, customer, "¡Hola! Ahora mismo lo miro.")
    first = wait_until(lambda: conversation(desk, agent, customer)["first_response_at"])
    assert conversation(desk, agent, customer)["sla_due_at"] is None
    reply(desk, agent, customer, "Ya está.")
    time.sleep(SLA_S + 3)  # well past the due time: the watch woke and found it answered
    after = conversation(desk, agent, customer)
    assert after["sla_breached"] is False and after["priority"] == "normal"
    assert after["first_response_at"] == first  # recorded once
    assert not console_events.of("conversation", lambda c: c["chat_id"] == customer and c["sla_breached"])


def test_a_silent_pending_conversation_is_resolved_with_a_closing_message_and_the_question(
        desk, agent, console_events, bot_api_calls):
    customer = new_customer()
    customer_writes(desk, customer, "Hi, my order has not arrived", language="en")
    wait_until(lambda: listed(desk, agent, customer))
    reply(desk, agent, customer, "Could you send me the order number?")
    answer = agent.post(f"{desk.console_url}api/conversations/{customer}/pending", timeout=10)
    assert answer.status_code == 200 and answer.json()["conversation"]["pending_since"]
    resolved = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer
                                       and c["status"] == "resolved", timeout=PENDING_S + 15)
    assert resolved["resolved_at"] >= answer.json()["conversation"]["pending_since"] + PENDING_S
    texts = wait_until(lambda: (lambda t: t if len(t) >= 3 else None)(
        [p["text"] for p in sent_to(bot_api_calls, customer)]))
    closing, question = texts[1], texts[2]
    assert closing.startswith(CLOSING["en"]) and question.startswith(QUESTION["en"])  # the customer's language
    [asked] = [p for p in sent_to(bot_api_calls, customer) if p["text"].startswith(QUESTION["en"])]
    assert len(asked["reply_markup"]["inline_keyboard"][0]) == 5
    time.sleep(2)
    assert len([t for t in (p["text"] for p in sent_to(bot_api_calls, customer)) if t.startswith(CLOSING["en"])]) == 1


def test_a_customer_message_before_the_deadline_reopens_and_cancels_the_auto_resolve(desk, agent, bot_api_calls):
    customer = new_customer()
    customer_writes(desk, customer, "Hola")
    wait_until(lambda: listed(desk, agent, customer))
    reply(desk, agent, customer, "¿Me pasas el número de pedido?")
    agent.post(f"{desk.console_url}api/conversations/{customer}/pending", timeout=10).raise_for_status()
    customer_writes(desk, customer, "Es el 1234")
    assert wait_until(lambda: conversation(desk, agent, customer)["status"] == "open")
    time.sleep(PENDING_S + 3)
    assert conversation(desk, agent, customer)["status"] == "open"
    assert not [p for p in sent_to(bot_api_calls, customer) if p["text"].startswith(CLOSING["es"])]


def test_the_rating_round_trip(desk, agent, console_events, bot_api_calls, telegram_sends):
    customer = new_customer()
    customer_writes(desk, customer, "Hola")
    wait_until(lambda: listed(desk, agent, customer))
    reply(desk, agent, customer, "Hecho, ¡gracias!")
    agent.post(f"{desk.console_url}api/conversations/{customer}/resolve", timeout=10).raise_for_status()
    asked = wait_until(lambda: [p for p in sent_to(bot_api_calls, customer) if p["text"].startswith(QUESTION["es"])])
    assert len(asked) == 1
    buttons = asked[0]["reply_markup"]["inline_keyboard"][0]
    history = requests.get(f"{desk.standin_url}customer/api/messages", params={"user_id": customer}, timeout=10).json()
    [question] = [m for m in history["messages"] if (m.get("text") or "").startswith(QUESTION["es"])]
    press = requests.post(f"{desk.standin_url}customer/api/callbacks", timeout=10, json={
        "user_id": customer, "message_id": question["message_id"], "data": buttons[3]["callback_data"]})
    assert press.status_code == 201, press.text
    first_press = press.json()["callback_query"]

    rated = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer and c["csat"])
    assert rated["csat"]["rating"] == 4
    answered = wait_until(lambda: [p for p in bot_api_calls("answerCallbackQuery")
                                   if p["params"]["callback_query_id"] == first_press["id"]])
    assert len(answered) == 1
    edited = wait_until(lambda: sent_to(bot_api_calls, customer, "editMessageText"))
    assert int(edited[0]["message_id"]) == question["message_id"] and "★★★★☆" in edited[0]["text"]
    assert "reply_markup" not in edited[0]  # the buttons are gone
    thanks = wait_until(lambda: [p for p in sent_to(bot_api_calls, customer)
                                 if p["text"].startswith("¡Gracias por tu valoración")])
    assert len(thanks) == 1

    # A second press (another device still showing the buttons) changes nothing but is answered.
    second = {"update_id": random.randint(10**9, 2 * 10**9), "callback_query": {
        **first_press, "id": f"second-{customer}", "data": buttons[0]["callback_data"]}}
    telegram_sends(second)
    wait_until(lambda: [p for p in bot_api_calls("answerCallbackQuery")
                        if p["params"]["callback_query_id"] == f"second-{customer}"])
    time.sleep(1)
    assert conversation(desk, agent, customer)["csat"]["rating"] == 4
    assert len(sent_to(bot_api_calls, customer, "editMessageText")) == 1
    assert len([p for p in sent_to(bot_api_calls, customer) if p["text"].startswith("¡Gracias por tu valoración")]) == 1
    assert wait_until(lambda: stats(desk, agent)["csat"]["count"] >= 1)


def test_a_customer_writing_after_a_resolve_reopens_and_the_sla_starts_again(desk, agent, console_events):
    customer = new_customer()
    customer_writes(desk, customer, "Hola")
    wait_until(lambda: listed(desk, agent, customer))
    reply(desk, agent, customer, "Listo.")
    resolved = agent.post(f"{desk.console_url}api/conversations/{customer}/resolve", timeout=10).json()
    first_opening = resolved["conversation"]["opened_at"]
    customer_writes(desk, customer, "Otra pregunta")
    reopened = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer and c["status"] == "open"
                                       and c["opened_at"] > first_opening)
    assert reopened["sla_due_at"] == pytest.approx(reopened["opened_at"] + SLA_S)
    breached = console_events.wait_for("conversation", lambda c: c["chat_id"] == customer and c["sla_breached"],
                                       timeout=SLA_S + 15)
    assert breached["opened_at"] == reopened["opened_at"] and breached["priority"] == "high"

