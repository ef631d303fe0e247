"""enrich and autoreply in a Telegram Business chat: connections recorded, the owner's typing kept
as the company's answer and never answered by the bot, the desk's echo dropped, deletions marked,
the staff forum's messages passed on untouched."""

from __future__ import annotations

import dataclasses
from typing import Any

from step_fakes import envelope_event

from functions.autoreply import autoreply
from functions.enrich import enrich
from teledesk.business import conversation_key
from teledesk.envelope import Envelope, MessageType
from teledesk.pipeline import Services
from teledesk.telegram.updates import classify_update, envelope_from_update

OUT = "messages-enriched"
CONNECTION = "conn-1"
KEY = conversation_key(CONNECTION, 42)
CUSTOMER = {"id": 42, "is_bot": False, "first_name": "Ana"}
ACCOUNT = {"id": 7000000001, "is_bot": False, "first_name": "Acme"}
BOT = {"id": 123456, "is_bot": True, "first_name": "Desk"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana"}


def classified(update: dict[str, Any]) -> Envelope:
    envelope = envelope_from_update(update)
    envelope.type = classify_update(update)
    return envelope


def business(update_id: int, sender: dict = CUSTOMER, message_id: int | None = None, **fields: Any) -> Envelope:
    return classified({"update_id": update_id, "business_message": {
        "business_connection_id": CONNECTION, "message_id": message_id or update_id, "from": sender, "chat": CHAT,
        "date": 1_700_000_000, "text": "hola", **fields}})


def connection_update(update_id: int, is_enabled: bool) -> Envelope:
    return classified({"update_id": update_id, "business_connection": {
        "id": CONNECTION, "user": ACCOUNT, "user_chat_id": 7000000001, "date": 1_700_000_000,
        "rights": {"can_reply": True, "can_read_messages": True}, "is_enabled": is_enabled}})


def test_a_connection_is_recorded_passed_on_and_never_a_conversation(svc: Services):
    enrich(envelope_event(connection_update(20, True)))
    enrich(envelope_event(connection_update(19, False)))  # an older update, arriving late
    first, late = svc.publisher.on(OUT)
    assert first["type"] == "CONNECTION" and first["connection"]["is_enabled"] is True
    assert first["connection"]["user"]["first_name"] == "Acme" and first["connection"]["update_id"] == 20
    assert late["connection"]["is_enabled"] is True  # what is stored, not the older state
    assert svc.store.connections[CONNECTION]["rights"] == {"can_reply": True, "can_read_messages": True}
    assert svc.store.chats == {} and "conversation" not in first


def test_the_owners_message_is_stored_out_and_the_bot_never_answers_it(svc: Services):
    svc.settings = dataclasses.replace(svc.settings, business_hours="mon 00:00-00:01", timezone="Pacific/Kiritimati")
    enrich(envelope_event(business(1)))
    enrich(envelope_event(business(2, ACCOUNT, text="Hola, soy Marta")))
    customer, owner = svc.publisher.on(OUT)
    assert owner["type"] == "OWNER" and owner["stored"]["direction"] == "out"
    assert owner["conversation"]["first_response_at"] is not None and owner["conversation"]["unread"] == 0
    published = len(svc.publisher.published)
    for envelope in (customer, owner):
        autoreply(envelope_event(Envelope.from_dict(envelope)))
    assert len(svc.publisher.published) == published  # no out-of-hours note, nothing as the account


def test_the_desks_echo_stores_nothing_and_goes_no_further(svc: Services):
    enrich(envelope_event(business(1)))
    before = dict(svc.store.chats[KEY])
    enrich(envelope_event(business(2, ACCOUNT, sender_business_bot=BOT)))
    assert len(svc.publisher.on(OUT)) == 1
    assert list(svc.store.chat_messages[KEY]) == [f"tg-{KEY}-1"] and svc.store.chats[KEY] == before


def test_a_deletion_marks_the_messages_and_carries_them(svc: Services):
    enrich(envelope_event(business(1, text="mi tarjeta es 4000…")))
    enrich(envelope_event(classified({"update_id": 9, "deleted_business_messages": {
        "business_connection_id": CONNECTION, "chat": CHAT, "message_ids": [1, 77]}})))
    deletion = svc.publisher.on(OUT)[-1]
    [changed] = deletion["deleted_messages"]
    assert (changed["id"], changed["deleted"], changed["text"]) == (f"tg-{KEY}-1", True, "mi tarjeta es 4000…")
    assert svc.store.chat_messages[KEY][f"tg-{KEY}-1"]["deleted"] is True
    assert deletion["conversation"]["chat_id"] == KEY
    assert "tg-update-9" not in svc.store.chat_messages[KEY]  # a deletion is no message


def test_a_staff_message_is_passed_on_untouched(svc: Services):
    staff = Envelope(id="tg--1009-5", type=MessageType.STAFF, chat_id=-1009, date=0, text="hola",
                     extra={"event": "message"})
    enrich(envelope_event(staff))
    [passed] = svc.publisher.on(OUT)
    assert passed["type"] == "STAFF" and "conversation" not in passed and svc.store.chats == {}
