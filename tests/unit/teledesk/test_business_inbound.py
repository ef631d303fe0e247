"""The folding rules of a Telegram Business chat: the chat and the customer's last message kept,
the owner's typing as the company's answer, Telegram's deletions with the text kept."""

from __future__ import annotations

from typing import Any

from teledesk.business import conversation_key
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import deleted, fold
from teledesk.model import Delivery, Message
from teledesk.telegram.updates import classify_update, envelope_from_update

CONNECTION = "conn-1"
KEY = conversation_key(CONNECTION, 42)
CUSTOMER = {"id": 42, "is_bot": False, "first_name": "Ana", "language_code": "es"}
ACCOUNT = {"id": 7000000001, "is_bot": False, "first_name": "Acme", "username": "acme"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana", "username": "ana_l"}


def envelope(sender: dict = CUSTOMER, message_id: int = 1, date: int = 1_700_000_000, kind: str = "business_message",
             **fields: Any) -> Envelope:
    update = {"update_id": message_id, kind: {"business_connection_id": CONNECTION, "message_id": message_id,
                                              "from": sender, "chat": CHAT, "date": date, "text": "hola", **fields}}
    made = envelope_from_update(update)
    made.type = classify_update(update)
    return made


def test_a_customers_message_keeps_the_chat_and_when_they_wrote():
    folded = fold(None, None, envelope(date=1_700_000_000), now=1_700_000_005.0, sla_s=600)
    business = folded.conversation.business
    assert business is not None
    assert (business.connection_id, business.chat_id, business.customer_wrote_at) == (CONNECTION, 42, 1_700_000_000)
    assert folded.conversation.chat_id == KEY and folded.conversation.unread == 1
    assert folded.conversation.sla_due_at == 1_700_000_605.0
    assert folded.message.direction == "in" and folded.message.model_extra["business"] == {
        "connection_id": CONNECTION, "chat_id": 42}


def test_an_older_message_arriving_late_never_moves_the_window_back():
    newer = fold(None, None, envelope(message_id=2, date=1_700_000_500)).conversation
    folded = fold(newer, None, envelope(message_id=1, date=1_700_000_000))
    assert folded.conversation.business.customer_wrote_at == 1_700_000_500


def test_the_owners_typing_is_the_first_response_stored_out_and_never_a_customer_message():
    opened = fold(None, None, envelope(date=1_700_000_000), now=100.0, sla_s=600).conversation
    folded = fold(opened, None, envelope(ACCOUNT, message_id=2, date=1_700_000_050, text="Hola, ya lo miro"),
                  now=200.0)
    conversation, message = folded.conversation, folded.message
    assert message.type == MessageType.OWNER and message.direction == "out" and message.agent is None
    assert message.model_extra["owner"] == {"id": 7000000001, "first_name": "Acme", "username": "acme"}
    assert (conversation.first_response_at, conversation.sla_due_at, conversation.unread) == (200.0, None, 0)
    assert conversation.last_message.text == "Hola, ya lo miro" and conversation.last_message.direction == "out"
    assert conversation.business.customer_wrote_at == 1_700_000_000  # the owner's message opens no window
    assert conversation.customer.first_name == "Ana" and conversation.customer.username == "ana_l"
    assert conversation.customer.language_code == "es"  # the customer's own, kept


def test_the_owners_first_message_starts_a_conversation_with_the_customer_from_the_chat():
    folded = fold(None, None, envelope(ACCOUNT, text="¿Te llegó el pedido?"), now=50.0)
    assert folded.conversation.customer.id == 42 and folded.conversation.customer.first_name == "Ana"
    assert folded.conversation.business.customer_wrote_at is None  # nothing from the customer: no window
    assert folded.conversation.unread == 0


def test_an_owners_message_folded_again_changes_nothing():
    first = fold(None, None, envelope(ACCOUNT), now=1.0)
    again = fold(first.conversation, first.message, envelope(ACCOUNT), now=2.0)
    assert not again.changed and again.conversation.first_response_at == 1.0


def test_a_customers_edit_keeps_the_window_where_their_message_put_it():
    first = fold(None, None, envelope(date=1_700_000_000)).conversation
    edited = envelope(kind="edited_business_message", text="hola!", edit_date=1_700_009_000)
    assert fold(first, None, edited).conversation.business.customer_wrote_at == 1_700_000_000


def test_deleted_marks_each_message_once_and_keeps_its_text():
    customer = Message(id="tg-1", text="mi dirección es…", revision=None, telegram_message_id=5)
    answer = Message(id="agent-a", text="recibido", revision=2, delivery=Delivery(state="sent", telegram_message_id=6))
    gone = Message(id="tg-2", text="x", deleted=True, deleted_at=1.0)
    changed = deleted([customer, answer, gone], now=9.0)
    assert [(m.id, m.deleted, m.deleted_at, m.revision, m.text) for m in changed] == [
        ("tg-1", True, 9.0, 1, "mi dirección es…"), ("agent-a", True, 9.0, 3, "recibido")]
    assert customer.deleted is None  # the messages read are left as they were
    assert deleted(changed, now=10.0) == []
