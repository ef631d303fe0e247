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
    message: JSONDict = {"message_id": message_id, "from": sender, "date": date, "chat": chat}
    if reply_to_message is not None:
        # Telegram never nests replies more than one level deep.
        message["reply_to_message"] = {k: v for k, v in reply_to_message.items() if k != "reply_to_message"}
    message["text"] = text
    if entities:
        message["entities"] = entities
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return message


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
