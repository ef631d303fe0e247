"""The chat directory: numbering, history, raw updates, callback ids."""

from __future__ import annotations

from devtools.standin import objects
from devtools.standin.chats import ChatDirectory

ANA = objects.user(100000001, "Ana")


def test_one_sequence_for_both_sides_of_a_chat() -> None:
    chats = ChatDirectory()
    first = chats.customer_message(ANA, "hi", 1)
    reply = chats.bot_message(100000001, lambda mid, chat: {"message_id": mid, "chat": chat, "text": "hello"})
    second = chats.customer_message(ANA, "thanks", 2)
    assert [first["message_id"], reply["message_id"], second["message_id"]] == [1, 2, 3]
    assert [m["from"] for m in chats.history(100000001)] == ["customer", "bot", "customer"]
    assert [m["message_id"] for m in chats.history(100000001, after=2)] == [3]
    assert chats.history(5) == []


def test_renamed_customer_updates_the_chat() -> None:
    chats = ChatDirectory()
    chats.customer_message(ANA, "hi", 1)
    message = chats.customer_message(objects.user(100000001, "Ana María"), "hi again", 2)
    assert message["chat"]["first_name"] == "Ana María"
    record = chats.get(100000001)
    assert record is not None and record.customer["first_name"] == "Ana María"


def test_observe_update_learns_chats_blocks_and_callbacks() -> None:
    chats = ChatDirectory()
    user = {"id": 5, "is_bot": False, "first_name": "Raw"}
    chats.observe_update(
        {"message": {"message_id": 9, "from": user, "chat": {"id": 5, "type": "private"}, "date": 1, "text": "x"}}
    )
    record = chats.get(5)
    assert record is not None and record.last_message_id == 9
    chats.observe_update({"my_chat_member": {"from": user, "new_chat_member": {"status": "kicked"}}})
    assert record.blocked
    chats.observe_update({"callback_query": {"id": "abc"}})
    assert chats.answer_callback("abc")
    assert not chats.answer_callback("abc")


def test_group_messages_do_not_open_a_private_chat() -> None:
    chats = ChatDirectory()
    user = {"id": 5, "is_bot": False, "first_name": "Raw"}
    chats.observe_update({"message": {"message_id": 1, "from": user, "chat": {"id": -100, "type": "group"}}})
    assert chats.get(5) is None and chats.get(-100) is None


def test_callback_ids_are_unique() -> None:
    chats = ChatDirectory()
    assert len({chats.open_callback() for _ in range(50)}) == 50


def test_edits_deletions_and_reactions_bump_the_revision() -> None:
    chats = ChatDirectory()
    chats.customer_message(ANA, "one", 1)
    chats.customer_message(ANA, "two", 2)
    messages, deleted, revision = chats.changes(100000001)
    assert ([m["text"] for m in messages], deleted, revision) == (["one", "two"], [], 2)

    chats.edit(100000001, 1, lambda stored: {**stored.message, "text": "uno", "edit_date": 3})
    assert chats.react(100000001, 2, ["👍"]) == ([], chats.find_message(100000001, 2).message)  # type: ignore[union-attr]
    messages, deleted, revision = chats.changes(100000001, 2)
    assert [(m["message_id"], m["text"], m.get("reaction")) for m in messages] == [(1, "uno", None), (2, "two", ["👍"])]
    assert revision == 4

    assert chats.delete(100000001, 2) is True
    assert chats.delete(100000001, 2) is False
    assert chats.find_message(100000001, 2) is None
    assert chats.edit(100000001, 2, lambda stored: stored.message) is None
    assert chats.react(100000001, 2, []) is None
    messages, deleted, revision = chats.changes(100000001, 4)
    assert (messages, deleted, revision) == ([], [2], 5)
    assert [m["message_id"] for m in chats.history(100000001)] == [1]
    assert chats.changes(5) == ([], [], 0)


def test_page_items_describe_media() -> None:
    chats = ChatDirectory()
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 60},
        {"file_id": "big", "file_unique_id": "b", "width": 900, "height": 600, "file_size": 5},
    ]
    chats.customer_post(
        ANA,
        lambda mid, chat: objects.message(mid, ANA, chat, 1, photo=photo, caption="look", media_group_id="7"),
    )
    item = chats.history(100000001)[0]
    assert item["kind"] == "photo" and item["text"] == "look" and item["media_group_id"] == "7"
    assert item["file"] == {
        "file_id": "big",
        "url": "customer/api/files/big",
        "file_size": 5,
        "width": 900,
        "height": 600,
    }


def test_injected_edits_replace_the_stored_message() -> None:
    chats = ChatDirectory()
    user = {"id": 5, "is_bot": False, "first_name": "Raw"}
    chat = {"id": 5, "type": "private"}
    chats.observe_update({"message": {"message_id": 1, "from": user, "chat": chat, "date": 1, "text": "a"}})
    chats.observe_update(
        {"edited_message": {"message_id": 1, "from": user, "chat": chat, "date": 1, "edit_date": 2, "text": "b"}}
    )
    stored = chats.find_message(5, 1)
    assert stored is not None and stored.message["text"] == "b"
