"""The lifecycle in the steps (issue 11): autoreply answers a resolve with the closing message and
the satisfaction question, and a press with its callback answered, the question edited and a
thank-you (only the press that counted); enrich keeps only a press whose signature holds."""

from __future__ import annotations

from typing import Any

import pytest
from step_fakes import CHAT, CUSTOMER, SECRET, envelope_event

from functions.autoreply import autoreply
from functions.enrich import enrich
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import RATING
from teledesk.lifecycle.changes import change_envelope
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.rating import Rating, button_data
from teledesk.lifecycle.satisfaction import question_id
from teledesk.model import Conversation, ConversationStatus, Resolution, Satisfaction
from teledesk.pipeline import Services
from teledesk.telegram.updates import classify_update, envelope_from_update

OPENED = 1_800_000_000.0


def resolved(language: str = "es", **fields: Any) -> Conversation:
    return Conversation(chat_id=CHAT, customer={**CUSTOMER, "language_code": language}, opened_at=OPENED,
                        status=ConversationStatus.RESOLVED, updated_at=OPENED + 700,
                        last_resolution=Resolution(number=1, opened_at=OPENED, resolved_at=OPENED + 700), **fields)


def answers(svc: Services) -> list[dict[str, Any]]:
    return svc.publisher.on("agent-replies")


def test_an_auto_resolve_gets_the_closing_message_then_the_question_in_the_customer_s_language(svc: Services):
    autoreply(envelope_event(change_envelope(resolved("en"), "resolve_idle", "lifecycle")))
    closing, asked = answers(svc)
    assert closing["id"] == f"bot-closing-{CHAT}-{opening_key(OPENED)}" and closing["text"].startswith("As we have")
    assert asked["id"] == question_id(CHAT, opening_key(OPENED)) and asked["text"].startswith("How did we do?")
    assert len(asked["buttons"]) == 5
    assert all(svc.store.chat_messages[CHAT][a["id"]]["delivery"]["state"] == "queued" for a in (closing, asked))


def test_an_agent_s_resolve_gets_the_question_only_and_other_changes_nothing(svc: Services):
    autoreply(envelope_event(change_envelope(resolved(), "resolved", "agent:maria")))
    [asked] = answers(svc)
    assert asked["text"].startswith("¿Qué tal te hemos atendido?")
    for change in ("pending", "open", "breach_sla"):
        autoreply(envelope_event(change_envelope(resolved(), change, "lifecycle")))
    assert len(answers(svc)) == 1


def test_a_repeated_resolve_asks_once(svc: Services):
    change = change_envelope(resolved(), "resolved", "agent:maria")
    autoreply(envelope_event(change))
    svc.store.chat_messages[CHAT][question_id(CHAT, opening_key(OPENED))]["delivery"]["state"] = "sent"
    autoreply(envelope_event(change))  # redelivered, or the agent resolved twice
    assert len(answers(svc)) == 1


def test_no_question_with_csat_off_or_to_a_customer_who_blocked_the_bot(svc: Services, monkeypatch):
    autoreply(envelope_event(change_envelope(resolved(blocked=True), "resolve_idle", "lifecycle")))
    assert answers(svc) == []
    monkeypatch.setattr(svc, "settings", svc.settings.__class__(**{**svc.settings.__dict__, "desk_csat": False}))
    autoreply(envelope_event(change_envelope(resolved(), "resolve_idle", "lifecycle")))
    [closing] = answers(svc)
    assert closing["bot"] == "closing"


def pressed(stars: int, press_id: str, conversation: Conversation, secret: str = SECRET) -> Envelope:
    data = button_data(Rating(CHAT, opening_key(OPENED), stars), secret)
    update = {"update_id": 77, "callback_query": {
        "id": press_id, "from": CUSTOMER, "data": data, "chat_instance": "c",
        "message": {"message_id": 55, "chat": {"id": CHAT, "type": "private"}, "date": 1}}}
    envelope = envelope_from_update(update)
    envelope.type = classify_update(update)
    envelope.extra["conversation"] = conversation.wire()
    return envelope


def test_the_press_that_counted_is_answered_its_question_edited_and_the_customer_thanked(svc: Services):
    rated = resolved(csat=Satisfaction(rating=4, at=OPENED + 800, opening=OPENED, press="q1"))
    autoreply(envelope_event(pressed(4, "q1", rated)))
    answered, edit, thanks = answers(svc)
    assert (answered["action"], answered["callback_query_id"]) == ("answer_callback", "q1")
    assert answered["text"] == "¡Gracias por tu valoración!"
    assert (edit["action"], edit["target"], edit["revision"]) == ("edit", question_id(CHAT, opening_key(OPENED)), 1)
    assert edit["text"].endswith("★★★★☆") and "buttons" not in edit
    assert thanks["text"] == "¡Gracias por tu valoración!" and thanks["id"] in svc.store.chat_messages[CHAT]


def test_a_press_that_did_not_count_is_only_answered(svc: Services):
    rated = resolved(csat=Satisfaction(rating=4, at=OPENED + 800, opening=OPENED, press="q1"))
    autoreply(envelope_event(pressed(1, "q2", rated)))
    [answered] = answers(svc)
    assert answered["action"] == "answer_callback" and answered["text"].startswith("Esta valoración no se ha guardado")


@pytest.mark.parametrize("secret", [SECRET, "another-desk-secret-" + "q" * 20])
def test_enrich_keeps_a_press_s_rating_only_when_its_signature_holds(svc: Services, secret: str):
    envelope = pressed(5, "q9", resolved())
    envelope.extra.pop("conversation")
    envelope.extra[RATING] = {"chat_id": CHAT, "opening": opening_key(OPENED), "stars": 1}  # never trusted as sent
    if secret != SECRET:
        envelope.extra["callback"]["data"] = button_data(Rating(CHAT, opening_key(OPENED), 5), secret)
    svc.store.chats[CHAT] = resolved().to_firestore()
    enrich(envelope_event(envelope))
    [passed] = svc.publisher.on("messages-enriched")
    if secret == SECRET:
        assert passed[RATING] == {"chat_id": CHAT, "opening": opening_key(OPENED), "stars": 5}
        assert passed["conversation"]["csat"]["rating"] == 5
    else:
        assert RATING not in passed and passed["conversation"].get("csat") is None
    assert passed["type"] == MessageType.CALLBACK
