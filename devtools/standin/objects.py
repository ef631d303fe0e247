"""Builders for the Bot API objects the stand-in hands out (User, Chat, Message, Update...).

Field names and their order follow the Bot API's own type tables (api.json), and optional
fields are left out rather than sent as null, as Telegram does: the desk's normaliser must be
able to trust that what it parses here is what it will parse in production.
"""

from __future__ import annotations

import re
from typing import Any

from .limits import BOT_COMMAND_MAX

JSONDict = dict[str, Any]

# "/start", "/help@teledesk_bot": a slash at the start of the text or after whitespace, then a
# command name (Telegram accepts letters, digits and underscores), optionally addressed to a bot.
_COMMAND = re.compile(rf"(?<!\S)/[A-Za-z0-9_]{{1,{BOT_COMMAND_MAX}}}(?:@[A-Za-z0-9_]{{3,32}})?(?![A-Za-z0-9_@])")


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: the unit of every MessageEntity offset and length."""
    return len(text.encode("utf-16-le")) // 2


def user(
    user_id: int,
    first_name: str,
    *,
    is_bot: bool = False,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> JSONDict:
    """A `User`, optional fields only when known."""
    result: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name:
        result["last_name"] = last_name
    if username:
        result["username"] = username
    if language_code:
        result["language_code"] = language_code
    return result


def bot_user(bot_id: int, first_name: str, username: str) -> JSONDict:
    """The bot's `User` as getMe returns it, with the capability flags Telegram adds there."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def bot_sender(bot: JSONDict) -> JSONDict:
    """The bot as the `from` of its own messages: Telegram drops the getMe-only flags there."""
    return {key: bot[key] for key in ("id", "is_bot", "first_name", "username")}


def private_chat(customer: JSONDict) -> JSONDict:
    """The private `Chat` with a customer: its id is the user's id, names copied from the user."""
    chat: JSONDict = {"id": customer["id"], "type": "private"}
    for key in ("username", "first_name", "last_name"):
        if customer.get(key):
            chat[key] = customer[key]
    return chat


def command_entities(text: str) -> list[JSONDict]:
    """`bot_command` entities for every /command in the text, offsets in UTF-16 units."""
    return [
        {"type": "bot_command", "offset": utf16_length(text[: match.start()]), "length": utf16_length(match.group())}
        for match in _COMMAND.finditer(text)
    ]


# Message fields the stand-in fills, in the Bot API's order (the type table in api.json).
MESSAGE_FIELDS = (
    "message_id",
    "from",
    "date",
    "chat",
    "forward_origin",
    "reply_to_message",
    "edit_date",
    "media_group_id",
    "text",
    "entities",
    "animation",
    "audio",
    "document",
    "photo",
    "sticker",
    "video",
    "voice",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
    "contact",
    "dice",
    "poll",
    "location",
    "reply_markup",
)
_POSITION = {name: index for index, name in enumerate(MESSAGE_FIELDS)}

# The Message fields that say what kind of message it is, for the page and the edit rules.
CONTENT_KINDS = (
    *("text", "photo", "document", "video", "voice", "audio", "animation", "sticker"),
    *("location", "contact", "dice", "poll"),
)
CAPTIONED_KINDS = frozenset({"photo", "document", "video", "voice", "audio", "animation"})
# Media whose caption may be shown above it and that can hide behind a spoiler.
VISUAL_KINDS = frozenset({"photo", "video", "animation"})


def ordered(message: JSONDict) -> JSONDict:
    """The same message with its keys in the Bot API's order (unknown keys last, as they came)."""
    return {key: message[key] for key in sorted(message, key=lambda k: _POSITION.get(k, len(_POSITION)))}


def message(message_id: int, sender: JSONDict, chat: JSONDict, date: int, **fields: Any) -> JSONDict:
    """Any `Message`: fields given as None are left out, a quoted reply is never nested twice."""
    body: JSONDict = {"message_id": message_id, "from": sender, "date": date, "chat": chat}
    body.update({name: value for name, value in fields.items() if value is not None})
    quoted = body.get("reply_to_message")
    if quoted is not None:
        # Telegram never nests replies more than one level deep.
        body["reply_to_message"] = {k: v for k, v in quoted.items() if k != "reply_to_message"}
    return ordered(body)


def message_kind(message: JSONDict) -> str:
    """ "text", "photo", "location"...: the content field a Message carries."""
    return next((kind for kind in CONTENT_KINDS if kind in message), "text")


def text_message(
    message_id: int,
    sender: JSONDict,
    chat: JSONDict,
    date: int,
    text: str,
    *,
    entities: list[JSONDict] | None = None,
    reply_to_message: JSONDict | None = None,
    reply_markup: JSONDict | None = None,
) -> JSONDict:
    """A text `Message`, keys in the Bot API's order."""
    return message(
        message_id,
        sender,
        chat,
        date,
        reply_to_message=reply_to_message,
        text=text,
        entities=entities or None,
        reply_markup=reply_markup,
    )


def forward_origin(date: int, *, sender_user: JSONDict | None = None, sender_user_name: str | None = None) -> JSONDict:
    """`MessageOriginUser`, or `MessageOriginHiddenUser` when the author hides their account."""
    if sender_user is not None:
        return {"type": "user", "date": date, "sender_user": sender_user}
    return {"type": "hidden_user", "date": date, "sender_user_name": sender_user_name or ""}


def location(latitude: float, longitude: float, horizontal_accuracy: float | None = None) -> JSONDict:
    result: JSONDict = {"latitude": latitude, "longitude": longitude}
    if horizontal_accuracy is not None:
        result["horizontal_accuracy"] = horizontal_accuracy
    return result


def contact(
    phone_number: str, first_name: str, *, last_name: str | None = None, user_id: int | None = None
) -> JSONDict:
    result: JSONDict = {"phone_number": phone_number, "first_name": first_name}
    if last_name:
        result["last_name"] = last_name
    if user_id is not None:
        result["user_id"] = user_id
    return result


def poll(
    poll_id: str,
    question: str,
    options: list[str],
    *,
    is_anonymous: bool = True,
    allows_multiple_answers: bool = False,
) -> JSONDict:
    """A new regular `Poll` nobody voted in yet, every required field of the Bot API's table."""
    return {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": str(index), "text": text, "voter_count": 0} for index, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": is_anonymous,
        "type": "regular",
        "allows_multiple_answers": allows_multiple_answers,
        "allows_revoting": True,
        "members_only": False,
    }


def reaction_update(
    chat: JSONDict, message_id: int, user: JSONDict, date: int, old: list[str], new: list[str]
) -> JSONDict:
    """`MessageReactionUpdated` for emoji reactions (`ReactionTypeEmoji`)."""
    return {
        "chat": chat,
        "message_id": message_id,
        "user": user,
        "date": date,
        "old_reaction": [{"type": "emoji", "emoji": emoji} for emoji in old],
        "new_reaction": [{"type": "emoji", "emoji": emoji} for emoji in new],
    }


def chat_member_update(chat: JSONDict, customer: JSONDict, bot: JSONDict, date: int, *, blocked: bool) -> JSONDict:
    """The `my_chat_member` payload Telegram sends when a customer blocks or unblocks the bot."""
    member = {"status": "member", "user": bot}
    kicked = {"status": "kicked", "user": bot, "until_date": 0}
    return {
        "chat": chat,
        "from": customer,
        "date": date,
        "old_chat_member": member if blocked else kicked,
        "new_chat_member": kicked if blocked else member,
    }


def update_type(update: JSONDict) -> str | None:
    """The kind of an Update: the name of its one field besides `update_id`."""
    return next((key for key in update if key != "update_id"), None)
