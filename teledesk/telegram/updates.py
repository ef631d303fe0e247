"""Reading a Telegram `Update` into an envelope, and deciding what kind of message it is.

What the desk shows is lifted into the envelope (text, entities, the media object whole,
album, forward origin, quoted reply, edit, reaction, callback, membership); the whole Update
travels along in `update`, so later steps (and reprocessing from the 7-day retention) lose
nothing. `event` says what happened: a new message, an edit of one, a reaction to one, a
button press, a block or unblock, or something else.

Telegram Business (teledesk/business.py): a business chat's Update is keyed by (connection, chat)
(`conversation_key`) and carries `extra["business"]` = {connection_id, chat_id: Telegram's}. Its
sender is the customer, the account's owner typing in the Telegram app (`extra["owner"]`), or the
desk's own send echoed back (`sender_business_bot`: `extra["echo"]`); the customer's profile is
then read from the chat, whose id is the customer's. A `business_connection` Update is the
connection's state (`extra["connection"]`), a `deleted_business_messages` one the ids Telegram
deleted (`extra["deleted"]`).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from teledesk.business import conversation_key
from teledesk.envelope import Envelope, MessageType
from teledesk.open_data import JSONObject

MEDIA_KINDS = (
    # Order matters: Telegram sets `document` beside `animation`, and `location` beside `venue`.
    "animation", "photo", "video", "video_note", "voice", "audio", "sticker", "document",
    "venue", "location", "contact", "poll", "dice",
)
CUSTOMER_FIELDS = ("id", "first_name", "last_name", "username", "language_code")
CHAT_PROFILE_FIELDS = ("id", "first_name", "last_name", "username")  # a private chat's own, of the customer
MESSAGE_KINDS = ("message", "edited_message", "business_message", "edited_business_message")
BUSINESS_MESSAGE_KINDS = ("business_message", "edited_business_message")
# A connection's id names its document (`business_connections/<id>`): an id Firestore would refuse
# (empty, "/", "." or "..", `__…__`, longer than Telegram's ever are) names no connection the desk can keep.
MAX_CONNECTION_ID_CHARS = 256
DESK_MEDIA_FIELDS = frozenset({"blob", "filename"})  # teledesk.model.Media's own, never Telegram's
PRIVATE = "private"
BLOCKED_STATUSES = ("kicked",)


class UpdateError(ValueError):
    """The request body is not a Telegram Update."""


class ChatlessUpdate(UpdateError):
    """An Update that names no chat and no user (a poll's new state, an Update with no kind): no
    conversation's, so nothing for the desk to show; the webhook takes it and counts it UNSUPPORTED."""


class Event:
    MESSAGE = "message"
    EDIT = "edit"
    REACTION = "reaction"
    CALLBACK = "callback"
    MEMBER = "member"
    CONNECTION = "connection"  # a business account connected, changed or disconnected the bot
    DELETE = "delete"  # Telegram deleted messages of a business chat
    OTHER = "other"


def _first_dict(update: JSONObject, *keys: str) -> tuple[str, JSONObject] | None:
    for key in keys:
        if isinstance(update.get(key), dict):
            return key, update[key]
    return None


def _message_of(update: JSONObject) -> JSONObject | None:
    found = _first_dict(update, *MESSAGE_KINDS)
    return found[1] if found else None


def _business_message_of(update: JSONObject) -> JSONObject | None:
    found = _first_dict(update, *BUSINESS_MESSAGE_KINDS)
    return found[1] if found else None


def _business_chat(update: JSONObject) -> tuple[str, JSONObject] | None:
    """(connection id, chat) of a business chat's Update; None for any other Update."""
    found = _first_dict(update, *BUSINESS_MESSAGE_KINDS, "deleted_business_messages")
    if found is None:
        return None
    connection_id, chat = found[1].get("business_connection_id"), found[1].get("chat")
    if not is_connection_id(connection_id) or not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        raise ChatlessUpdate(f"a {found[0]} that names no business connection")
    return connection_id, chat


def is_connection_id(value: Any) -> TypeGuard[str]:
    return (isinstance(value, str) and 0 < len(value) <= MAX_CONNECTION_ID_CHARS and "/" not in value
            and value not in (".", "..") and not (value.startswith("__") and value.endswith("__")))


def _chat_and_user(update: JSONObject) -> tuple[JSONObject, JSONObject]:
    """The chat an update belongs to, and the Telegram user behind it."""
    message = _message_of(update)
    if message is not None:
        return message.get("chat") or {}, message.get("from") or {}
    if isinstance(update.get("business_connection"), dict):
        connection = update["business_connection"]
        if not is_connection_id(connection.get("id")):
            raise ChatlessUpdate("a business_connection whose id the desk cannot keep")
        return {"id": connection.get("user_chat_id"), "type": PRIVATE}, connection.get("user") or {}
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        user = query.get("from") or {}
        chat = (query.get("message") or {}).get("chat") or {"id": user.get("id"), "type": PRIVATE}
        return chat, user
    for value in update.values():
        if isinstance(value, dict):
            user = value.get("from") or value.get("user") or {}
            chat = value.get("chat") or ({"id": user["id"], "type": PRIVATE} if "id" in user else {})
            return chat, user
    return {}, {}


def media_of(message: JSONObject) -> JSONObject | None:
    """The message's content object, whole, with its kind; a photo keeps every size. The fields
    the desk writes itself on an agent's upload (`DESK_MEDIA_FIELDS`) are never taken from an Update."""
    for kind in MEDIA_KINDS:
        if kind not in message:
            continue
        value = message[kind]
        if kind == "photo" and isinstance(value, list) and value:
            # Telegram lists a photo's sizes smallest first; the largest is what agents open.
            return {**_telegrams(value[-1]), "kind": kind, "sizes": value}
        return {**_telegrams(value), "kind": kind} if isinstance(value, dict) else {"kind": kind, "value": value}
    return None


def _telegrams(content: Any) -> JSONObject:
    return {k: v for k, v in content.items() if k not in DESK_MEDIA_FIELDS} if isinstance(content, dict) else {}


def _quoted(message: JSONObject, chat_id: int) -> JSONObject | None:
    quoted = message.get("reply_to_message")
    if not isinstance(quoted, dict) or "message_id" not in quoted:
        return None
    media = media_of(quoted)
    return {
        "id": f"tg-{chat_id}-{quoted['message_id']}",
        "telegram_message_id": quoted["message_id"],
        "from_bot": bool((quoted.get("from") or {}).get("is_bot")),
        "text": str(quoted.get("text") or quoted.get("caption") or ""),
        "media_kind": media["kind"] if media else None,
    }


def _command(message: JSONObject) -> dict[str, str] | None:
    """`/start order_1234` → {"name": "start", "payload": "order_1234"}."""
    text = str(message.get("text") or "")
    entities = message.get("entities") or []
    if not text.startswith("/") and not any(e.get("type") == "bot_command" and e.get("offset") == 0
                                            for e in entities):
        return None
    word, _, payload = text.partition(" ")
    return {"name": word[1:].split("@", 1)[0].lower(), "payload": payload.strip()}


def _message_details(message: JSONObject, chat_id: int) -> JSONObject:
    details: JSONObject = {
        "telegram_message_id": message.get("message_id"),
        "entities": message.get("entities") or message.get("caption_entities") or [],
    }
    optional = {
        "media_group_id": message.get("media_group_id"),
        "forward_origin": message.get("forward_origin"),
        "reply_to": _quoted(message, chat_id),
        "command": _command(message),
    }
    details.update({k: v for k, v in optional.items() if v})
    return details


def _event_details(update: JSONObject, chat_id: int) -> tuple[str, str, JSONObject]:
    """(event, envelope id, what the envelope carries about it)."""
    update_id = update["update_id"]
    for kind in ("message", "business_message"):
        if isinstance(update.get(kind), dict) and "message_id" in update[kind]:
            message = update[kind]
            return Event.MESSAGE, f"tg-{chat_id}-{message['message_id']}", _message_details(message, chat_id)
    for kind in ("edited_message", "edited_business_message"):
        if isinstance(update.get(kind), dict) and "message_id" in update[kind]:
            message = update[kind]
            details = _message_details(message, chat_id)
            details["revision"] = int(message.get("edit_date") or 0)
            return Event.EDIT, f"tg-{chat_id}-{message['message_id']}", details
    if isinstance(update.get("business_connection"), dict):
        return Event.CONNECTION, f"tg-update-{update_id}", {
            "connection": {**update["business_connection"], "update_id": update_id}}
    if isinstance(update.get("deleted_business_messages"), dict):
        deleted = update["deleted_business_messages"]
        return Event.DELETE, f"tg-update-{update_id}", {
            "deleted": {"telegram_message_ids": list(deleted.get("message_ids") or [])}}
    if isinstance(update.get("message_reaction"), dict):
        reaction = update["message_reaction"]
        emojis = [r.get("emoji") or r.get("custom_emoji_id") or r.get("type")
                  for r in reaction.get("new_reaction") or []]
        return Event.REACTION, f"tg-update-{update_id}", {
            "reaction": {"telegram_message_id": reaction.get("message_id"), "emojis": emojis,
                         "date": reaction.get("date")}}
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        return Event.CALLBACK, f"tg-callback-{query.get('id', update_id)}", {
            "callback": {"id": query.get("id"), "data": query.get("data"),
                         "telegram_message_id": (query.get("message") or {}).get("message_id")}}
    if isinstance(update.get("my_chat_member"), dict):
        member = update["my_chat_member"]
        status = (member.get("new_chat_member") or {}).get("status")
        return Event.MEMBER, f"tg-update-{update_id}", {
            "member": {"status": status, "blocked": status in BLOCKED_STATUSES}}
    return Event.OTHER, f"tg-update-{update_id}", {}


def envelope_from_update(update: Any) -> Envelope:
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise UpdateError("an Update is a JSON object with an integer update_id")
    chat, user = _chat_and_user(update)
    chat_id = chat.get("id")
    if not isinstance(chat_id, int):
        raise ChatlessUpdate("the Update names no chat")
    customer = {k: user[k] for k in CUSTOMER_FIELDS if k in user}
    business: JSONObject = {}
    if (found := _business_chat(update)) is not None:
        connection_id, chat = found
        chat_id = conversation_key(connection_id, chat["id"])
        business = _business_details(update, connection_id, chat, user)
        if user.get("id") != chat["id"]:  # the account wrote it: the customer is the chat's other side
            customer = {k: chat[k] for k in CHAT_PROFILE_FIELDS if k in chat}
    event, envelope_id, details = _event_details(update, chat_id)
    message = _message_of(update) or {}
    return Envelope(
        id=envelope_id,
        type=MessageType.UPDATE,
        chat_id=chat_id,
        date=int(message.get("edit_date") or message.get("date") or _any_date(update)),
        text=str(message.get("text") or message.get("caption") or ""),
        media=media_of(message),
        customer=customer,
        extra={"update": update, "event": event, "chat_type": chat.get("type", PRIVATE), **details, **business},
    )


def _business_details(update: JSONObject, connection_id: str, chat: JSONObject, user: JSONObject) -> JSONObject:
    """What a business chat's envelope carries: the chat, and who wrote the message when the
    customer did not (the desk's own send echoed back, or the account's owner)."""
    details: JSONObject = {"business": {"connection_id": connection_id, "chat_id": chat["id"]}}
    message = _business_message_of(update)
    if message is None or user.get("id") == chat["id"]:
        return details
    if message.get("sender_business_bot"):
        details["echo"] = True
    else:
        details["owner"] = {k: user[k] for k in CHAT_PROFILE_FIELDS if k in user}
    return details


def _any_date(update: JSONObject) -> int:
    for value in update.values():
        if isinstance(value, dict) and isinstance(date := value.get("date"), int):
            return date
    return 0


def classify_update(update: JSONObject) -> MessageType:
    """The message type of an update, as ARCHITECTURE.md defines the types.

    In a business chat the customer writes to a person, not to the bot: a text starting with "/" is
    the customer's message (CLIENT), never a command the bot would answer. What the account sent is
    the desk's own answer echoed back (AGENT) or the owner's typing (OWNER)."""
    business = _business_message_of(update)
    if business is not None:
        if business.get("sender_business_bot"):
            return MessageType.AGENT
        if "text" not in business and "caption" not in business and media_of(business) is None:
            return MessageType.UNSUPPORTED
        sender, chat = business.get("from") or {}, business.get("chat") or {}
        return MessageType.OWNER if sender.get("id") != chat.get("id") else MessageType.CLIENT
    message = _message_of(update)
    if message is not None:
        if "text" in message:
            return MessageType.COMMAND if _command(message) else MessageType.CLIENT
        if "caption" in message or media_of(message) is not None:
            return MessageType.CLIENT
        return MessageType.UNSUPPORTED
    if "business_connection" in update:
        return MessageType.CONNECTION
    if "deleted_business_messages" in update:
        return MessageType.CLIENT  # the customer (or the account) deleted messages of the conversation
    if "message_reaction" in update:
        return MessageType.CLIENT  # the customer's reaction to a message: part of the conversation
    if "callback_query" in update:
        return MessageType.CALLBACK
    if "my_chat_member" in update:
        return MessageType.MEMBER
    return MessageType.UNSUPPORTED
