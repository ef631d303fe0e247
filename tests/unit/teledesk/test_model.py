"""The typed model: documents keep what they do not name, and write back only what they had or got."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from teledesk.model import (
    Agent,
    Conversation,
    ConversationStatus,
    Delivery,
    DeliveryState,
    Message,
    MessageType,
    Preview,
)


def stored_message(**fields: object) -> dict[str, object]:
    return {"id": "tg-1-2", "type": "CLIENT", "chat_id": 1, "date": 5, "direction": "in", "schema": 1,
            "entities": [{"type": "bold", "offset": 0, "length": 2}], **fields}


def test_a_document_read_and_written_back_is_what_was_stored_with_nothing_added():
    stored = stored_message(text="hola", media={"kind": "photo", "file_id": "F", "width": 90})
    message = Message.from_firestore(stored)
    assert message.to_firestore() == stored
    assert message.media is not None and message.media.kind == "photo" and message.media.file_id == "F"


def test_a_change_is_written_and_validated_as_it_is_made():
    conversation = Conversation.from_firestore({"chat_id": 7, "status": "open"})
    conversation.assign(status=ConversationStatus.PENDING, out_of_hours_noted_at=3.0)
    assert conversation.to_firestore() == {"chat_id": 7, "status": "pending", "out_of_hours_noted_at": 3.0}
    with pytest.raises(ValidationError):
        conversation.status = "closed"  # type: ignore[assignment]
    with pytest.raises(ValidationError):
        Delivery(state="lost")  # type: ignore[arg-type]


def test_a_new_document_is_written_whole():
    assert Conversation(chat_id=7).to_firestore() == {"chat_id": 7}
    whole = Conversation(chat_id=7).complete().to_firestore()
    assert whole["status"] == "open" and whole["priority"] == "normal" and whole["unread"] == 0
    assert whole["first_response_at"] is None and whole["customer"] == {}


def test_statuses_are_the_strings_the_contract_names():
    assert [s.value for s in ConversationStatus] == ["open", "pending", "resolved"]
    assert [s.value for s in DeliveryState] == ["queued", "sent", "failed"]
    preview = Preview(type=MessageType.AGENT, date=5, direction="out")  # type: ignore[arg-type]
    assert preview.wire() == {"type": "AGENT", "date": 5, "direction": "out"}


def test_the_telegram_id_a_message_is_known_by():
    assert Message.from_firestore(stored_message(telegram_message_id=2)).sent_as == 2
    sent = Message.from_firestore(stored_message(direction="out", delivery={"state": "sent", "telegram_message_id": 9}))
    assert sent.sent_as == 9
    assert Message.from_firestore(stored_message(direction="out")).sent_as is None


def test_an_agent_shows_no_password_hash():
    agent = Agent(username="bea", name="", role="admin", password_hash="scrypt$…")  # type: ignore[arg-type]
    assert agent.public() == {"username": "bea", "name": "bea", "role": "admin"}
