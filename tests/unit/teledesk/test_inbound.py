"""The folding rules: what each customer-side event does to the conversation and the message."""

from __future__ import annotations

from typing import Any

import pytest

from teledesk.envelope import MessageType
from teledesk.inbound import NEW_CONVERSATION, REOPEN, fold, preview
from teledesk.model import Conversation, ConversationStatus, Message
from teledesk.telegram.updates import classify_update, envelope_from_update

USER = {"id": 42, "is_bot": False, "first_name": "Ana", "language_code": "es"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana"}
BOT = {"id": 987654321, "is_bot": True, "first_name": "Desk"}


def envelope(update: dict[str, Any]):
    made = envelope_from_update(update)
    made.type = classify_update(update)
    return made


def message(message_id: int = 1, update_id: int = 1, **fields: Any) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": message_id, "from": USER, "chat": CHAT,
                                                "date": 1_700_000_000, **fields}}


def edit(text: str, edit_date: int, message_id: int = 1) -> dict[str, Any]:
    return {"update_id": edit_date, "edited_message": {"message_id": message_id, "from": USER, "chat": CHAT,
                                                       "date": 1_700_000_000, "edit_date": edit_date, "text": text}}


def test_a_new_message_opens_a_conversation_counts_unread_and_previews():
    folded = fold(None, None, envelope(message(text="hola")), now=10.0)
    assert folded.changed
    assert folded.conversation.unread == 1 and folded.conversation.status == "open"
    assert folded.conversation.last_message.text == "hola"
    assert folded.message.id == "tg-42-1" and folded.message.direction == "in"
    assert "update" not in folded.message.to_firestore() and folded.message.telegram_message_id == 1


def test_an_answers_preview_names_its_agent_and_a_customers_names_nobody():
    answer = {"id": "agent-1", "chat_id": 42, "type": "AGENT", "date": 5, "text": "Ya está", "direction": "out",
              "agent": {"username": "bea", "name": "Bea", "password_hash": "never copied"}}
    assert preview(Message.from_firestore(answer)).wire()["agent"] == {"username": "bea", "name": "Bea"}
    customers = Message.from_firestore({**answer, "type": "CLIENT", "direction": "in", "agent": None})
    assert preview(customers).agent is None


def test_the_same_message_again_changes_nothing():
    first = fold(None, None, envelope(message(text="hola")))
    again = fold(first.conversation, first.message, envelope(message(text="hola")))
    assert not again.changed and again.conversation.unread == 1


def test_an_edit_keeps_the_earlier_text_as_history_and_is_idempotent():
    first = fold(None, None, envelope(message(text="I ordered 2")))
    edited = fold(first.conversation, first.message, envelope(edit("I ordered 3", 1_700_000_060)))
    assert edited.changed
    assert edited.message.text == "I ordered 3" and edited.message.edited is True
    assert [h.text for h in edited.message.edit_history] == ["I ordered 2"]
    assert edited.message.revision == 1_700_000_060
    assert edited.conversation.last_message.text == "I ordered 3"
    assert edited.conversation.unread == 1  # an edit is not a new message
    again = fold(edited.conversation, edited.message, envelope(edit("I ordered 3", 1_700_000_060)))
    assert not again.changed
    older = fold(edited.conversation, edited.message, envelope(edit("stale", 1_700_000_030)))
    assert not older.changed  # an edit that arrives late does not undo a newer one


def test_an_edit_of_an_unknown_message_is_kept_as_it_is_now():
    folded = fold(None, None, envelope(edit("seen only edited", 1_700_000_060, message_id=9)))
    assert folded.message.text == "seen only edited" and folded.message.edited is True


def test_a_reaction_marks_the_message_it_is_about():
    target = Message.from_firestore({"id": "agent-abc", "chat_id": 42, "date": 1, "type": "AGENT", "direction": "out",
                                     "text": "Llega mañana", "delivery": {"state": "sent", "telegram_message_id": 5}})
    update = {"update_id": 3, "message_reaction": {"chat": CHAT, "message_id": 5, "user": USER, "date": 1,
                                                   "old_reaction": [],
                                                   "new_reaction": [{"type": "emoji", "emoji": "👍"}]}}
    reacted = envelope(update)
    assert reacted.type == MessageType.CLIENT
    folded = fold(Conversation(chat_id=42, status=ConversationStatus.OPEN, unread=0), target, reacted)
    assert folded.message.reactions == {"customer": ["👍"]} and folded.message.revision == 1
    assert not fold(folded.conversation, folded.message, reacted).changed


def test_a_reaction_retried_after_a_newer_one_changes_nothing():
    """ingest republishes Telegram's retry of an update, behind whatever came after it."""
    target = Message.from_firestore({"id": "tg-42-5", "chat_id": 42, "date": 1, "type": "CLIENT", "direction": "in",
                                     "text": "hola", "telegram_message_id": 5})

    def reaction(update_id: int, emoji: str):
        return envelope({"update_id": update_id, "message_reaction": {
            "chat": CHAT, "message_id": 5, "user": USER, "date": 1, "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": emoji}]}})

    conversation = Conversation(chat_id=42, status=ConversationStatus.OPEN, unread=0)
    first = fold(conversation, target, reaction(3, "👍"))
    newer = fold(first.conversation, first.message, reaction(4, "👎"))
    assert newer.changed and newer.message.reactions == {"customer": ["👎"]}
    retried = fold(newer.conversation, newer.message, reaction(3, "👍"))
    assert not retried.changed and retried.message.reactions == {"customer": ["👎"]}


def test_block_and_unblock_flag_the_conversation():
    def member(status: str, update_id: int) -> dict[str, Any]:
        return {"update_id": update_id, "my_chat_member": {
            "chat": CHAT, "from": USER, "date": 1, "old_chat_member": {"status": "member", "user": BOT},
            "new_chat_member": {"status": status, "user": BOT, **({"until_date": 0} if status == "kicked" else {})}}}

    blocked = fold(None, None, envelope(member("kicked", 5)))
    assert blocked.conversation.blocked is True and blocked.message.type == MessageType.MEMBER
    unblocked = fold(blocked.conversation, None, envelope(member("member", 6)))
    assert unblocked.conversation.blocked is False


def test_a_deep_link_start_keeps_its_payload_as_context():
    start = message(text="/start order_1234", entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    folded = fold(None, None, envelope(start))
    assert folded.conversation.context == {"start": "order_1234"}
    assert folded.conversation.unread == 0  # the bot answers /start; it is not an agent's to read


@pytest.mark.parametrize(("policy", "number", "assignee"), [(REOPEN, 1, "maria"), (NEW_CONVERSATION, 2, None)])
def test_writing_to_a_resolved_conversation_reopens_it_or_starts_the_next(policy, number, assignee):
    resolved = fold(None, None, envelope(message(text="hola"))).conversation.assign(
        status=ConversationStatus.RESOLVED, assignee="maria", first_response_at=5.0)
    folded = fold(resolved, None, envelope(message(message_id=2, update_id=2, text="otra vez")), policy)
    assert folded.conversation.status == "open"
    assert (folded.conversation.number, folded.conversation.assignee) == (number, assignee)
    assert folded.message.conversation_number == number


def test_a_customer_answering_a_pending_conversation_opens_it_in_the_same_conversation():
    first = fold(None, None, envelope(message(text="hola"))).conversation
    pending = first.assign(status=ConversationStatus.PENDING, assignee="maria")
    folded = fold(pending, None, envelope(message(message_id=2, update_id=2, text="aquí está el número")),
                  NEW_CONVERSATION)
    assert folded.conversation.status == "open"
    assert (folded.conversation.number, folded.conversation.assignee) == (1, "maria")


def test_unsupported_is_stored_not_counted_as_unread():
    folded = fold(None, None, envelope(message(new_chat_title="x")))
    assert folded.message.type == MessageType.UNSUPPORTED and folded.conversation.unread == 0


def test_albums_forwards_and_replies_keep_what_agents_need():
    photo = [{"file_id": "s", "file_unique_id": "s1", "width": 90, "height": 90}]
    album = envelope(message(photo=photo, media_group_id="album-1"))
    assert album.extra["media_group_id"] == "album-1"
    origin = {"type": "user", "date": 1, "sender_user": {"id": 7, "is_bot": False, "first_name": "Luis"}}
    assert envelope(message(text="fw", forward_origin=origin)).extra["forward_origin"] == origin
    quoted = {"message_id": 9, "from": BOT, "chat": CHAT, "date": 1, "text": "¿Algo más?"}
    reply = envelope(message(text="no", reply_to_message=quoted)).extra["reply_to"]
    assert reply == {"id": "tg-42-9", "telegram_message_id": 9, "from_bot": True, "text": "¿Algo más?",
                     "media_kind": None}
