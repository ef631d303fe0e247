"""Every status transition of the lifecycle as pure rules: what opens a conversation (and starts
its SLA), what a satisfaction press records (the first for its opening, never a forged one), and
the question a resolve asks (teledesk.inbound, teledesk.lifecycle.openings, .satisfaction)."""

from __future__ import annotations

from typing import Any

import pytest

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import NEW_CONVERSATION, RATING, REOPEN, fold
from teledesk.lifecycle.openings import opening_envelope, opening_fields, opening_key
from teledesk.lifecycle.rating import Rating, rate, read_press
from teledesk.lifecycle.satisfaction import question, stars_text
from teledesk.model import Conversation, ConversationStatus, Priority, Resolution, Satisfaction
from teledesk.telegram.updates import classify_update, envelope_from_update

CHAT = 42
USER = {"id": CHAT, "is_bot": False, "first_name": "Ana", "language_code": "es"}
SLA_S = 300.0
PENDING_S = 86_400.0
NOW = 1_800_000_000.0
SECRET = "webhook-secret-" + "z" * 20


def customer(text: str, n: int = 1) -> Envelope:
    update = {"update_id": n, "message": {"message_id": n, "from": USER, "chat": {"id": CHAT, "type": "private"},
                                          "date": 1_700_000_000, "text": text}}
    made = envelope_from_update(update)
    made.type = classify_update(update)
    return made


def press(data: str, press_id: str = "q1", rating: dict[str, Any] | None = None) -> Envelope:
    update = {"update_id": 99, "callback_query": {"id": press_id, "from": USER, "data": data, "chat_instance": "c",
                                                   "message": {"message_id": 5, "chat": {"id": CHAT, "type": "private"},
                                                               "date": 1}}}
    made = envelope_from_update(update)
    made.type = classify_update(update)
    if rating is not None:
        made.extra[RATING] = rating
    return made


def opened(now: float = NOW) -> Conversation:
    return fold(None, None, customer("hola"), now=now, sla_s=SLA_S).conversation


def test_a_customer_s_first_message_opens_the_conversation_and_starts_the_sla():
    conversation = opened()
    assert conversation.opened_at == NOW and conversation.sla_due_at == NOW + SLA_S
    assert conversation.opened_by == customer("hola").id
    assert (conversation.sla_breached, conversation.priority) == (False, Priority.NORMAL)


def test_a_command_does_not_open_and_the_next_customer_message_does():
    start = Envelope(id="tg-42-1", type=MessageType.COMMAND, chat_id=CHAT, date=1, extra={"command": {"name": "start"}})
    begun = fold(None, None, start, now=NOW, sla_s=SLA_S).conversation
    assert begun.opened_at is None and begun.sla_due_at is None
    folded = fold(begun, None, customer("tengo una duda", 2), now=NOW + 5, sla_s=SLA_S).conversation
    assert folded.opened_at == NOW + 5 and folded.sla_due_at == NOW + 5 + SLA_S


def test_writing_again_while_open_or_pending_is_not_a_new_opening():
    conversation = opened()
    again = fold(conversation, None, customer("¿hola?", 2), now=NOW + 10, sla_s=SLA_S).conversation
    assert (again.opened_at, again.sla_due_at) == (NOW, NOW + SLA_S)
    pending = again.assign(status=ConversationStatus.PENDING, pending_since=NOW + 20, sla_due_at=None)
    answered = fold(pending, None, customer("aquí está", 3), now=NOW + 30, sla_s=SLA_S).conversation
    assert answered.status == ConversationStatus.OPEN and answered.pending_since is None
    assert answered.opened_at == NOW and answered.sla_due_at is None  # the watch of that opening goes on


@pytest.mark.parametrize(("policy", "number"), [(REOPEN, 1), (NEW_CONVERSATION, 2)])
def test_writing_after_a_resolve_opens_again_and_restarts_the_sla(policy, number):
    breached = opened().assign(status=ConversationStatus.RESOLVED, sla_breached=True, priority=Priority.HIGH,
                               sla_due_at=None, first_response_at=NOW + 400, watch_run="run-1",
                               unannounced=["breach_sla"])
    folded = fold(breached, None, customer("otra cosa", 2), policy, now=NOW + 1000, sla_s=SLA_S).conversation
    assert folded.status == ConversationStatus.OPEN and folded.number == number
    assert (folded.opened_at, folded.sla_due_at) == (NOW + 1000, NOW + 1000 + SLA_S)
    assert (folded.sla_breached, folded.priority, folded.watch_run) == (False, Priority.NORMAL, None)
    assert folded.unannounced == ["breach_sla"]  # not yet published: the new watch's first look does it


def test_an_agent_s_opening_has_no_sla_and_the_opening_s_envelope_names_it():
    fields = opening_fields(NOW, "agent:maria:abc", None)
    assert fields["sla_due_at"] is None and fields["opened_by"] == "agent:maria:abc"
    conversation = Conversation(chat_id=CHAT, **fields)
    envelope = opening_envelope(conversation, PENDING_S, now=NOW)
    assert (envelope.type, envelope.chat_id, envelope.extra["opened_at"]) == (MessageType.CONVERSATION, CHAT, NOW)
    assert envelope.id == f"opening-{CHAT}-{opening_key(NOW)}"
    assert envelope.extra["wait_s"] == PENDING_S  # nothing can come due before a pending silence could end
    with pytest.raises(ValueError, match="no opening"):
        opening_envelope(Conversation(chat_id=CHAT), PENDING_S)


def test_the_watch_of_a_customer_s_opening_first_looks_when_its_sla_comes_due():
    envelope = opening_envelope(opened(), PENDING_S, now=NOW + 0.2)  # published a moment after the opening
    assert envelope.extra["wait_s"] == SLA_S  # whole seconds, never before the due time


def resolved_once() -> Conversation:
    conversation = opened()
    resolution = Resolution(number=1, opened_at=NOW, resolved_at=NOW + 600)
    return conversation.assign(status=ConversationStatus.RESOLVED, last_resolution=resolution, updated_at=NOW + 600)


def test_the_question_carries_five_signed_buttons_for_the_resolved_opening():
    asked = question(resolved_once(), SECRET, "es", trace_id=None)
    assert asked is not None and asked.type == MessageType.BOT and asked.text.startswith("¿Qué tal")
    buttons = asked.extra["buttons"]
    assert [read_press(b["callback_data"], CHAT, SECRET) for b in buttons] == [
        Rating(CHAT, opening_key(NOW), stars) for stars in range(1, 6)]
    assert buttons[-1]["text"] == stars_text(5) == "★★★★★"
    assert question(Conversation(chat_id=CHAT), SECRET, "es", None) is None  # nothing opened, nothing to rate


def test_a_genuine_press_records_its_rating_once_per_opening():
    conversation = resolved_once()
    rating = {"chat_id": CHAT, "opening": opening_key(NOW), "stars": 4}
    first = fold(conversation, None, press("csat:…", "q1", rating), now=NOW + 700).conversation
    assert first.csat == Satisfaction(rating=4, at=NOW + 700, opening=NOW, press="q1")
    second = fold(first, None, press("csat:…", "q2", {**rating, "stars": 1}), now=NOW + 701)
    assert second.conversation.csat == first.csat  # the first press counts; the second is kept as a message only


def test_a_press_for_the_last_resolved_opening_counts_after_the_customer_wrote_again():
    reopened = fold(resolved_once(), None, customer("gracias", 2), now=NOW + 650, sla_s=SLA_S).conversation
    assert reopened.opened_at == NOW + 650
    rated = rate(reopened, Rating(CHAT, opening_key(NOW), 5), "q1", NOW + 660)
    assert rated is not None and rated.opening == NOW


def test_a_press_for_an_opening_long_gone_or_without_a_checked_rating_rates_nothing():
    conversation = resolved_once()
    assert rate(conversation, Rating(CHAT, opening_key(NOW - 5000), 5), "q1", NOW + 700) is None
    # The fold trusts only the rating enrich attached after checking the signature (forged presses:
    # test_lifecycle_rating.py, and enrich's check: tests/unit/functions/test_lifecycle_steps.py).
    unchecked = fold(conversation, None, press("csat:42:1:5:forged"), now=NOW + 700)
    assert unchecked.conversation.csat is None
