"""Bot API object builders, checked against the Bot API's own type tables."""

from __future__ import annotations

import json

import pytest

from devtools.standin import objects

from .api_schema import API_JSON, _problems, assert_conforms


def test_utf16_length() -> None:
    assert objects.utf16_length("abc") == 3
    assert objects.utf16_length("😀") == 2
    assert objects.utf16_length("ñ") == 1


def test_user_and_chat_leave_out_unknown_fields() -> None:
    ana = objects.user(100000001, "Ana", language_code="es")
    assert ana == {"id": 100000001, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    assert objects.private_chat(ana) == {"id": 100000001, "type": "private", "first_name": "Ana"}
    assert_conforms(ana, "User")
    assert_conforms(objects.private_chat(ana), "Chat")


def test_bot_user_and_sender() -> None:
    bot = objects.bot_user(42, "Desk", "desk_bot")
    assert_conforms(bot, "User")
    assert objects.bot_sender(bot) == {"id": 42, "is_bot": True, "first_name": "Desk", "username": "desk_bot"}


def test_text_message_never_nests_replies_twice() -> None:
    ana = objects.user(1, "Ana")
    chat = objects.private_chat(ana)
    first = objects.text_message(1, ana, chat, 10, "one")
    second = objects.text_message(2, ana, chat, 11, "two", reply_to_message=first)
    third = objects.text_message(3, ana, chat, 12, "three", reply_to_message=second)
    assert "reply_to_message" not in third["reply_to_message"]
    assert list(third) == ["message_id", "from", "date", "chat", "reply_to_message", "text"]
    assert_conforms(third, "Message")


def test_chat_member_update_conforms() -> None:
    ana = objects.user(1, "Ana")
    bot = objects.bot_sender(objects.bot_user(2, "Bot", "b_bot"))
    member = objects.chat_member_update(objects.private_chat(ana), ana, bot, 5, blocked=True)
    assert_conforms({"update_id": 1, "my_chat_member": member}, "Update")


def test_update_type() -> None:
    assert objects.update_type({"update_id": 1, "callback_query": {}}) == "callback_query"
    assert objects.update_type({"update_id": 1}) is None


def test_the_schema_check_itself_catches_mistakes() -> None:
    assert_conforms({"id": 1, "is_bot": False, "first_name": "A"}, "User")  # skips without api.json
    assert _problems({"id": "1", "first_name": "A", "nickname": "x"}, "User", "User") == [
        "User.nickname: not a field of User",
        "User.is_bot: required",
        "User.id: expected Integer, got '1'",
    ]


def test_message_fields_follow_the_bot_api_order() -> None:
    if not API_JSON.is_file():
        pytest.skip(f"{API_JSON} not available")
    order = [f["name"] for f in json.loads(API_JSON.read_text(encoding="utf-8"))["types"]["Message"]["fields"]]
    assert list(objects.MESSAGE_FIELDS) == sorted(objects.MESSAGE_FIELDS, key=order.index)


def test_message_orders_fields_and_drops_none() -> None:
    ana = objects.user(1, "Ana")
    chat = objects.private_chat(ana)
    message = objects.message(
        3,
        ana,
        chat,
        10,
        caption="c",
        location=None,
        photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
        forward_origin=objects.forward_origin(5, sender_user=objects.user(2, "Bo")),
        edit_date=11,
    )
    assert list(message) == ["message_id", "from", "date", "chat", "forward_origin", "edit_date", "photo", "caption"]
    assert objects.message_kind(message) == "photo"
    assert_conforms(message, "Message")


def test_new_content_builders_conform() -> None:
    ana = objects.user(1, "Ana")
    chat = objects.private_chat(ana)
    assert_conforms(objects.location(40.4, -3.7, 12.5), "Location")
    assert_conforms(objects.contact("+34600", "Luis", last_name="P", user_id=7), "Contact")
    assert_conforms(objects.poll("1", "Q?", ["a", "b"]), "Poll")
    assert_conforms(objects.forward_origin(1, sender_user_name="Someone"), "MessageOrigin")
    reaction = objects.reaction_update(chat, 4, ana, 9, ["👍"], [])
    assert_conforms({"update_id": 1, "message_reaction": reaction}, "Update")
    assert reaction["old_reaction"] == [{"type": "emoji", "emoji": "👍"}] and reaction["new_reaction"] == []
