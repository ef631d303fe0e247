"""Reading a Telegram `Update` into an envelope, and deciding what kind of message it is.

Only the fields the desk needs are lifted into the envelope; the whole Update travels along
in `update`, so later steps (and reprocessing from the 7-day retention) lose nothing.
"""

from __future__ import annotations

from typing import Any

from teledesk.envelope import Envelope, MessageType

MESSAGE_KEYS = ("message", "edited_message")
MEDIA_KINDS = (
    "photo", "document", "video", "video_note", "voice", "audio", "animation", "sticker",
    "location", "venue", "contact", "poll", "dice",
)
CUSTOMER_FIELDS = ("id", "first_name", "last_name", "username", "language_code")


class UpdateError(ValueError):
    """The request body is not a Telegram Update."""


def _message_of(update: dict[str, Any]) -> dict[str, Any] | None:
    for key in MESSAGE_KEYS:
        if isinstance(update.get(key), dict):
            return update[key]
    return None


def _chat_and_user(update: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    """The chat an update belongs to, and the Telegram user behind it."""
    message = _message_of(update)
    if message is not None:
        return (message.get("chat") or {}).get("id"), message.get("from") or {}
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        chat = ((query.get("message") or {}).get("chat") or {}).get("id")
        user = query.get("from") or {}
        return chat if chat is not None else user.get("id"), user
    if isinstance(update.get("my_chat_member"), dict):
        member = update["my_chat_member"]
        return (member.get("chat") or {}).get("id"), member.get("from") or {}
    for value in update.values():
        if isinstance(value, dict):
            user = value.get("from") or value.get("user") or {}
            chat = (value.get("chat") or {}).get("id", user.get("id"))
            return chat, user
    return None, {}


def _media_of(message: dict[str, Any]) -> dict[str, Any] | None:
    for kind in MEDIA_KINDS:
        if kind not in message:
            continue
        value = message[kind]
        if kind == "photo" and isinstance(value, list) and value:
            value = value[-1]  # Telegram lists a photo's sizes smallest first
        media = {"kind": kind}
        if isinstance(value, dict):
            media.update({k: v for k, v in value.items() if k in {"file_id", "file_unique_id", "mime_type",
                                                                "file_name", "file_size", "duration"}})
        return media
    return None


def envelope_from_update(update: Any) -> Envelope:
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise UpdateError("an Update is a JSON object with an integer update_id")
    chat_id, user = _chat_and_user(update)
    if not isinstance(chat_id, int):
        raise UpdateError("the Update names no chat")
    message = _message_of(update)
    if message is not None and isinstance(message.get("message_id"), int):
        message_id = f"tg-{chat_id}-{message['message_id']}"
    else:
        message_id = f"tg-update-{update['update_id']}"
    message = message or {}
    return Envelope(
        id=message_id,
        type=MessageType.UPDATE,
        chat_id=chat_id,
        date=int(message.get("edit_date") or message.get("date") or 0),
        text=str(message.get("text") or message.get("caption") or ""),
        media=_media_of(message),
        customer={k: user[k] for k in CUSTOMER_FIELDS if k in user},
        extra={"update": update},
    )


def is_command(message: dict[str, Any]) -> bool:
    entities = message.get("entities") or []
    return any(e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities) or str(
        message.get("text", "")
    ).startswith("/")


def classify_update(update: dict[str, Any]) -> MessageType:
    """The message type of an update, as ARCHITECTURE.md defines the types."""
    message = _message_of(update)
    if message is not None:
        if "text" in message:
            return MessageType.COMMAND if is_command(message) else MessageType.CLIENT
        if "caption" in message or _media_of(message) is not None:
            return MessageType.CLIENT
        return MessageType.UNSUPPORTED
    if "callback_query" in update:
        return MessageType.CALLBACK
    if "my_chat_member" in update:
        return MessageType.MEMBER
    return MessageType.UNSUPPORTED
