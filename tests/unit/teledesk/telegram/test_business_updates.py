"""Telegram Business Updates read into envelopes: keyed by (connection, chat), who wrote each
message, the customer's profile, deletions and connections; and what the webhook's wire check takes."""

from __future__ import annotations

import json

import pytest
from support import SHARED

from teledesk.business import conversation_key
from teledesk.envelope import MessageType
from teledesk.telegram.updates import ChatlessUpdate, Event, classify_update, envelope_from_update
from teledesk.telegram.wire import WireError, parse_update

CONNECTION = "conn-1"
ACCOUNT = {"id": 7000000001, "is_bot": False, "first_name": "Acme", "last_name": "Support", "username": "acme"}
CUSTOMER = {"id": 42, "is_bot": False, "first_name": "Ana", "username": "ana", "language_code": "es"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana", "last_name": "López", "username": "ana"}
BOT = {"id": 1000000001, "is_bot": True, "first_name": "Teledesk Bot", "username": "teledesk_bot"}
KEY = conversation_key(CONNECTION, 42)
REAL_BUSINESS = SHARED / "telegram-updates-real"


def business(kind: str = "business_message", sender: dict = CUSTOMER, **fields) -> dict:
    return {"update_id": 9, kind: {"business_connection_id": CONNECTION, "message_id": 5, "from": sender,
                                   "chat": CHAT, "date": 1700000000, "text": "hola", **fields}}


def test_a_customers_business_message_is_keyed_by_connection_and_chat():
    envelope = envelope_from_update(business())
    assert (envelope.id, envelope.chat_id, envelope.text) == (f"tg-{KEY}-5", KEY, "hola")
    assert envelope.extra["business"] == {"connection_id": CONNECTION, "chat_id": 42}
    assert envelope.extra["event"] == Event.MESSAGE
    assert envelope.customer == {"id": 42, "first_name": "Ana", "username": "ana", "language_code": "es"}
    assert "owner" not in envelope.extra and "echo" not in envelope.extra
    assert classify_update(envelope.extra["update"]) == MessageType.CLIENT


def test_a_slash_from_the_customer_is_their_message_not_a_command():
    update = business(text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    assert classify_update(update) == MessageType.CLIENT


def test_the_owner_typing_is_owner_and_the_customer_profile_comes_from_the_chat():
    envelope = envelope_from_update(business(sender=ACCOUNT, text="Hola Ana, ya lo miro"))
    assert classify_update(envelope.extra["update"]) == MessageType.OWNER
    assert envelope.chat_id == KEY
    assert envelope.customer == {"id": 42, "first_name": "Ana", "last_name": "López", "username": "ana"}
    assert envelope.extra["owner"] == {"id": 7000000001, "first_name": "Acme", "last_name": "Support",
                                       "username": "acme"}


def test_the_desks_own_send_echoed_back_is_an_agent_echo():
    envelope = envelope_from_update(business(sender=ACCOUNT, sender_business_bot=BOT))
    assert classify_update(envelope.extra["update"]) == MessageType.AGENT
    assert envelope.extra["echo"] is True and "owner" not in envelope.extra
    assert envelope.customer["id"] == 42


def test_an_edited_business_message_is_an_edit_of_the_same_id():
    envelope = envelope_from_update(business("edited_business_message", text="hola!", edit_date=1700000100))
    assert (envelope.id, envelope.extra["event"], envelope.extra["revision"]) == (f"tg-{KEY}-5", Event.EDIT,
                                                                                 1700000100)
    assert classify_update(envelope.extra["update"]) == MessageType.CLIENT


def test_deleted_business_messages_name_the_telegram_ids():
    update = {"update_id": 11, "deleted_business_messages": {"business_connection_id": CONNECTION, "chat": CHAT,
                                                             "message_ids": [5, 6]}}
    envelope = envelope_from_update(update)
    assert (envelope.id, envelope.chat_id, envelope.extra["event"]) == ("tg-update-11", KEY, Event.DELETE)
    assert envelope.extra["deleted"] == {"telegram_message_ids": [5, 6]}
    assert envelope.customer == {"id": 42, "first_name": "Ana", "last_name": "López", "username": "ana"}
    assert classify_update(update) == MessageType.CLIENT


def test_a_business_connection_is_a_connection_event_of_the_accounts_chat():
    connection = {"id": CONNECTION, "user": ACCOUNT, "user_chat_id": 7000000001, "date": 1700000000,
                  "rights": {"can_reply": True}, "is_enabled": True}
    envelope = envelope_from_update({"update_id": 12, "business_connection": connection})
    assert (envelope.id, envelope.chat_id, envelope.extra["event"]) == ("tg-update-12", 7000000001, Event.CONNECTION)
    assert envelope.extra["connection"] == {**connection, "update_id": 12}
    assert "business" not in envelope.extra
    assert classify_update(envelope.extra["update"]) == MessageType.CONNECTION


def test_a_business_message_without_its_connection_is_chatless():
    update = business()
    del update["business_message"]["business_connection_id"]
    with pytest.raises(ChatlessUpdate):
        envelope_from_update(update)


@pytest.mark.parametrize("connection_id", ["", "a/b", "..", "__name__", "x" * 257])
def test_a_connection_id_firestore_could_not_keep_names_no_connection(connection_id: str):
    with pytest.raises(ChatlessUpdate):
        envelope_from_update(business(business_connection_id=connection_id))
    base = {"id": connection_id, "user": ACCOUNT, "user_chat_id": 1, "date": 0, "is_enabled": True}
    with pytest.raises(ChatlessUpdate):
        envelope_from_update({"update_id": 1, "business_connection": base})


@pytest.mark.parametrize(("change", "field"), [
    ({"business_connection_id": 5}, "business_message.business_connection_id"),
    ({"sender_business_bot": {"id": "x"}}, "business_message.sender_business_bot.id"),
])
def test_the_wire_refuses_a_business_field_the_desk_reads_with_the_wrong_type(change: dict, field: str):
    with pytest.raises(WireError, match=field.replace(".", r"\.")):
        parse_update(json.dumps(business(**change)).encode())


@pytest.mark.parametrize(("connection", "field"), [
    ({"rights": {"can_reply": "yes"}}, "business_connection.rights.can_reply"),
    ({"id": 7}, "business_connection.id"),
    ({"is_enabled": None}, "business_connection.is_enabled"),
])
def test_the_wire_refuses_a_connection_the_desk_could_not_store(connection: dict, field: str):
    base = {"id": CONNECTION, "user": ACCOUNT, "user_chat_id": 1, "date": 0, "is_enabled": True}
    with pytest.raises(WireError, match=field.replace(".", r"\.")):
        parse_update(json.dumps({"update_id": 1, "business_connection": {**base, **connection}}).encode())


def test_the_real_world_business_updates_are_taken():
    """The business Updates of ../shared/telegram-updates-real: a serializer's, without a connection id on
    the messages (taken, chatless: nothing to key them by), and a connection and a deletion read in full."""
    found = {}
    for path in sorted(REAL_BUSINESS.glob("*business*.json")):
        update = parse_update(path.read_bytes())
        try:
            found[path.name] = envelope_from_update(update)
        except ChatlessUpdate:
            found[path.name] = None
    assert len(found) == 4
    by_kind = {name.split("_tgbot_", 1)[1].removesuffix(".json"): envelope for name, envelope in found.items()}
    assert by_kind["business_message"] is None and by_kind["edited_business_message"] is None
    connection = by_kind["business_connection"]
    assert connection is not None and connection.chat_id == 2 and connection.extra["connection"]["is_enabled"] is False
    deleted = by_kind["deleted_business_messages"]
    assert deleted is not None and deleted.chat_id == conversation_key("id", 1)
    assert deleted.extra["deleted"] == {"telegram_message_ids": [2]}
