"""functions/autoreply.py: the bot answers /start and /help, notes closed hours once, answers buttons."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from step_fakes import CHAT, CUSTOMER, envelope_event

from functions.autoreply import autoreply
from teledesk.envelope import Envelope, MessageType
from teledesk.logs import update_trace_id
from teledesk.pipeline import Services
from teledesk.telegram.updates import classify_update, envelope_from_update


def enriched(update: dict[str, Any], conversation: dict[str, Any] | None = None) -> Envelope:
    envelope = envelope_from_update(update)
    envelope.type = classify_update(update)
    envelope.extra["conversation"] = conversation or {"chat_id": CHAT}
    return envelope


def text(body: str, language: str = "es", message_id: int = 7, **extra: Any) -> dict[str, Any]:
    sender = {**CUSTOMER, "language_code": language}
    return {"update_id": message_id, "message": {"message_id": message_id, "from": sender, "date": 1, "text": body,
                                                  "chat": {"id": CHAT, "type": "private"}, **extra}}


def command(name: str, language: str = "es") -> dict[str, Any]:
    return text(f"/{name}", language, entities=[{"type": "bot_command", "offset": 0, "length": len(name) + 1}])


def answers(svc: Services) -> list[dict[str, Any]]:
    return svc.publisher.on("agent-replies")


@pytest.mark.parametrize(("name", "language", "opening"), [("start", "es", "¡Hola, Ana!"), ("start", "en", "Hi Ana!"),
                                                            ("help", "en", "Write your question")])
def test_start_and_help_are_answered_by_the_bot_in_the_customers_language(svc, name, language, opening):
    autoreply(envelope_event(enriched(command(name, language))))
    [answer] = answers(svc)
    assert answer["type"] == MessageType.BOT and answer["text"].startswith(opening)
    stored = svc.store.chat_messages[CHAT][answer["id"]]
    assert stored["delivery"]["state"] == "queued"  # stored before published: deliver sends only what it knows


def test_a_redelivered_command_is_one_answer(svc):
    # Published again while still queued (the first publish may be what failed); deliver sends a
    # stored message once, so the customer gets one answer.
    event = envelope_event(enriched(command("start")))
    autoreply(event)
    autoreply(event)
    assert len({a["id"] for a in answers(svc)}) == 1
    assert [m for m in svc.store.chat_messages[CHAT].values() if m["type"] == MessageType.BOT] != []
    assert len(svc.store.chat_messages[CHAT]) == 1
    svc.store.answers.set_delivery(CHAT, answers(svc)[0]["id"], "sent")
    autoreply(event)
    assert len(answers(svc)) == 2  # once sent, a redelivery publishes nothing more


def test_customer_messages_in_hours_get_no_bot_answer(svc):
    autoreply(envelope_event(enriched(text("hola"))))
    assert answers(svc) == []


def test_out_of_hours_is_noted_once_per_closed_spell(svc):
    svc.settings = dataclasses.replace(svc.settings, business_hours="mon 00:00-00:01", timezone="Pacific/Kiritimati")
    autoreply(envelope_event(enriched(text("hola"))))
    [note] = answers(svc)
    assert "fuera de horario" in note["text"] and "mon 00:00-00:01" in note["text"]
    noted = svc.store.chats[CHAT]["out_of_hours_noted_at"]
    autoreply(envelope_event(enriched(text("¿hola?", message_id=8), {"chat_id": CHAT, "out_of_hours_noted_at": noted})))
    assert len(answers(svc)) == 1


def test_closed_hours_are_judged_by_when_the_customer_wrote_so_a_replay_answers_as_before(svc):
    svc.settings = dataclasses.replace(svc.settings, business_hours="mon 00:00-00:01", timezone="Pacific/Kiritimati")
    in_hours = text("hola", message_id=9)
    in_hours["message"]["date"] = int(datetime(2026, 11, 29, 10, 0, 30, tzinfo=UTC).timestamp())  # Monday there
    autoreply(envelope_event(enriched(in_hours)))  # handled (or replayed) now, when the desk is closed
    assert answers(svc) == []
    assert "out_of_hours_noted_at" not in svc.store.chats.get(CHAT, {})


def test_every_button_press_is_answered(svc):
    update = {"update_id": 9, "callback_query": {"id": "cb-1", "from": CUSTOMER, "chat_instance": "x", "data": "csat:5",
                                                 "message": {"message_id": 3, "date": 1, "chat": {"id": CHAT,
                                                                                                  "type": "private"}}}}
    autoreply(envelope_event(enriched(update)))
    [answer] = answers(svc)
    assert (answer["action"], answer["callback_query_id"]) == ("answer_callback", "cb-1")


def test_the_bots_answers_carry_the_trace_id_of_the_message_they_answer(svc):
    start = enriched(command("start"))
    start.extra["trace_id"] = update_trace_id(7)
    autoreply(envelope_event(start))
    press = enriched({"update_id": 9, "callback_query": {"id": "cb-1", "from": CUSTOMER, "chat_instance": "x",
                                                         "data": "csat:5"}})
    press.extra["trace_id"] = update_trace_id(9)
    autoreply(envelope_event(press))
    assert [answer["trace_id"] for answer in answers(svc)] == [update_trace_id(7), update_trace_id(9)]
