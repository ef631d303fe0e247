"""functions/enrich.py: fold each message into its conversation and attach the conversation."""

from __future__ import annotations

import pytest
from step_fakes import CHAT, envelope_event, push_event, text_update

from functions.enrich import enrich
from teledesk.envelope import Envelope, MessageType
from teledesk.pipeline import Services
from teledesk.telegram.updates import classify_update, envelope_from_update

OUT = "messages-enriched"


def classified(update: dict) -> Envelope:
    """What classify published for `update`."""
    envelope = envelope_from_update(update).stamp("ingest")
    envelope.type = classify_update(update)
    return envelope.stamp("classify")


def test_enrich_stores_the_message_attaches_its_conversation_and_publishes(svc: Services):
    update = text_update(text="hola", message_id=7)
    enrich(envelope_event(classified(update)))
    opening, (topic, envelope, attributes) = svc.publisher.published  # the first message opens the conversation
    assert topic == OUT == svc.manifest.step("enrich").topic_out
    assert opening[0] == "conversation-openings" and opening[1]["opened_at"] == envelope["conversation"]["opened_at"]
    assert envelope["conversation"]["chat_id"] == CHAT
    assert envelope["conversation"]["unread"] == 1
    assert envelope["conversation"]["last_message"]["text"] == "hola"
    assert envelope["conversation"] == svc.store.chats[CHAT]  # exactly what the store holds now
    assert f"tg-{CHAT}-7" in svc.store.chat_messages[CHAT]
    assert attributes["type"] == "CLIENT"


def test_enrich_adds_and_never_removes(svc: Services):
    update = text_update()
    before = classified(update)
    enrich(envelope_event(before))
    envelope = svc.publisher.on(OUT)[0]
    assert envelope["update"] == update  # kept for the relay's consumers and reprocessing
    assert {k: envelope[k] for k in ("id", "type", "chat_id", "text", "customer")} == {
        "id": before.id, "type": "CLIENT", "chat_id": CHAT, "text": before.text, "customer": before.customer}
    assert list(envelope["trace"]) == ["ingest", "classify", "enrich", "enrich:out"]


def test_a_redelivered_message_is_stored_once_and_still_passed_on(svc: Services):
    event = envelope_event(classified(text_update(message_id=7)))
    enrich(event)
    enrich(event)
    assert list(svc.store.chat_messages[CHAT]) == [f"tg-{CHAT}-7"]
    published = svc.publisher.on(OUT)
    assert len(published) == 2  # the relay drops the repeat; a lost first publish is made good
    assert published[1]["conversation"]["unread"] == 1


def test_every_type_is_passed_on_not_only_customer_messages(svc: Services):
    enrich(envelope_event(classified(text_update(text="/help"))))
    [envelope] = svc.publisher.on(OUT)
    assert envelope["type"] == MessageType.COMMAND
    assert envelope["conversation"]["unread"] == 0


def test_a_store_error_propagates_so_pubsub_retries(svc: Services, monkeypatch):
    def unavailable(envelope: Envelope, policy: str = "reopen", sla_s: float | None = None) -> None:
        raise ConnectionError("firestore unavailable")

    monkeypatch.setattr(svc.store.inbound, "record", unavailable)
    with pytest.raises(ConnectionError):
        enrich(envelope_event(classified(text_update())))
    assert svc.publisher.published == [] and svc.publisher.raw == []


def test_an_unreadable_message_is_parked_not_stored(svc: Services):
    enrich(push_event(b"{oops", {"type": "CLIENT"}))
    assert svc.store.chat_messages == {}
    assert [(topic, data) for topic, data, _ in svc.publisher.raw] == [("enrich-dead-letter", b"{oops")]


def test_a_staff_message_passes_through_untouched(svc: Services):
    staff = Envelope(id="tg--1009000000001-5", type=MessageType.STAFF, chat_id=-1009000000001, date=1, text="hola",
                     extra={"update": {"update_id": 9}})
    enrich(envelope_event(staff.stamp("classify")))
    [(topic, envelope, _attributes)] = svc.publisher.published
    assert topic == OUT and envelope["type"] == "STAFF" and "conversation" not in envelope
    assert svc.store.chats == {}  # no conversation for the group
