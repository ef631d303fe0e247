"""The private chats customers have opened with the bot, and every message in them.

Telegram only lets a bot write to a user who wrote to it first, so `sendMessage` to a chat this
directory has never seen is "chat not found". In a private chat Telegram numbers the messages
of both sides from one counter, which is what lets the customer page ask for "everything after
message K" in one sequence.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard
from urllib.parse import quote

from . import objects

Sender = Literal["customer", "bot"]


@dataclass
class StoredMessage:
    sender: Sender
    message: dict[str, Any]
    revision: int = 0  # the chat's change counter when this message last changed (sent, edited, deleted...)
    deleted: bool = False
    reaction: list[str] = field(default_factory=list)  # the customer's emoji reactions to it

    def for_page(self) -> dict[str, Any]:
        """What the customer page shows: who, id, kind, text or caption, media and buttons."""
        message = self.message
        kind = objects.message_kind(message)
        item: dict[str, Any] = {
            "from": self.sender,
            "message_id": message["message_id"],
            "kind": kind,
            "text": message.get("text", message.get("caption", "")),
            "date": message.get("date"),
        }
        entities = message.get("entities", message.get("caption_entities"))
        if entities:
            item["entities"] = entities
        reply_to = message.get("reply_to_message")
        if reply_to:
            item["reply_to_message_id"] = reply_to.get("message_id")
        markup = message.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            item["reply_markup"] = markup
        if message.get("edit_date"):
            item["edit_date"] = message["edit_date"]
        if message.get("media_group_id"):
            item["media_group_id"] = message["media_group_id"]
        origin = message.get("forward_origin")
        if isinstance(origin, dict):
            sender = origin.get("sender_user") or {}
            item["forward_from"] = " ".join(
                part for part in (sender.get("first_name"), sender.get("last_name")) if part
            ) or origin.get("sender_user_name", "")
        media = _page_file(kind, message.get(kind))
        if media:
            item["file"] = media
        if kind in ("location", "contact", "dice", "poll"):
            item[kind] = message[kind]
        if self.reaction:
            item["reaction"] = list(self.reaction)
        return item


def _page_file(kind: str, content: Any) -> dict[str, Any] | None:
    """The file the page can show or download for a media message (a photo's largest size)."""
    if isinstance(content, list):  # photo sizes, largest last
        content = content[-1] if content else None
    if not isinstance(content, dict) or not isinstance(content.get("file_id"), str):
        return None
    info = {"file_id": content["file_id"], "url": f"customer/api/files/{quote(content['file_id'], safe='')}"}
    for key in ("file_name", "mime_type", "file_size", "width", "height", "duration", "emoji"):
        if key in content:
            info[key] = content[key]
    return info


@dataclass
class ChatRecord:
    customer: dict[str, Any]
    chat: dict[str, Any]
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(63)))
    last_message_id: int = 0
    messages: list[StoredMessage] = field(default_factory=list)
    blocked: bool = False
    action: str | None = None  # sendChatAction's "typing"..., shown by the page until action_until
    action_until: float = 0.0
    revision: int = 0  # bumped by every change the page must redraw

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def touch(self, stored: StoredMessage) -> None:
        self.revision += 1
        stored.revision = self.revision

    def store(self, sender: Sender, message: dict[str, Any]) -> StoredMessage:
        self.last_message_id = max(self.last_message_id, message["message_id"])
        stored = StoredMessage(sender, message)
        self.touch(stored)
        self.messages.append(stored)
        return stored

    def find(self, message_id: int) -> StoredMessage | None:
        return next((m for m in self.messages if m.message["message_id"] == message_id and not m.deleted), None)


class ChatDirectory:
    """Thread-safe registry of chats, their messages, and callback queries awaiting an answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chats: dict[int, ChatRecord] = {}
        self._open_callbacks: set[str] = set()

    def _register(self, customer: dict[str, Any]) -> ChatRecord:
        """Create the chat, or refresh the names if the customer changed them."""
        record = self._chats.get(customer["id"])
        if record is None:
            record = ChatRecord(customer, objects.private_chat(customer))
            self._chats[customer["id"]] = record
        else:
            record.customer = customer
            record.chat = objects.private_chat(customer)
        return record

    def customer_message(self, customer: dict[str, Any], text: str, date: int) -> dict[str, Any]:
        """A new text message from the customer, numbered in the chat's sequence."""
        return self.customer_post(
            customer,
            lambda message_id, chat: objects.text_message(
                message_id, customer, chat, date, text, entities=objects.command_entities(text)
            ),
        )

    def customer_post(
        self, customer: dict[str, Any], build: Callable[[int, dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        """Number and store any message from the customer; `build(message_id, chat)` makes it."""
        with self._lock:
            record = self._register(customer)
            message = build(record.next_message_id(), record.chat)
            record.store("customer", message)
            return message

    def edit(
        self, chat_id: int, message_id: int, change: Callable[[StoredMessage], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Replace a message by `change(stored)` (which may raise to refuse); None if there is no such message."""
        with self._lock:
            record = self._chats.get(chat_id)
            stored = record.find(message_id) if record else None
            if record is None or stored is None:
                return None
            stored.message = change(stored)
            record.touch(stored)
            return stored.message

    def delete(self, chat_id: int, message_id: int) -> bool:
        """Forget a message (the page removes it); False if there was no such message."""
        with self._lock:
            record = self._chats.get(chat_id)
            stored = record.find(message_id) if record else None
            if record is None or stored is None:
                return False
            stored.deleted = True
            record.touch(stored)
            return True

    def react(self, chat_id: int, message_id: int, emoji: list[str]) -> tuple[list[str], dict[str, Any]] | None:
        """Set the customer's reaction to a message; (old reaction, message), or None if no such message."""
        with self._lock:
            record = self._chats.get(chat_id)
            stored = record.find(message_id) if record else None
            if record is None or stored is None:
                return None
            old, stored.reaction = stored.reaction, list(emoji)
            record.touch(stored)
            return old, stored.message

    def bot_message(self, chat_id: int, build: Callable[[int, dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Number and store a message from the bot; `build(message_id, chat)` makes it."""
        with self._lock:
            record = self._chats[chat_id]
            message = build(record.next_message_id(), record.chat)
            record.store("bot", message)
            record.action = None  # a message ends the "typing..." indicator, as in Telegram
            return message

    def observe_update(self, update: dict[str, Any]) -> None:
        """Learn chats, messages, blocks and callback ids from an Update injected by a test."""
        message = update.get("message")
        with self._lock:
            if _is_private_user_message(message):
                record = self._register(message["from"])
                if isinstance(message.get("message_id"), int):
                    record.store("customer", message)
            edited = update.get("edited_message")
            if _is_private_user_message(edited) and isinstance(edited.get("message_id"), int):
                record = self._register(edited["from"])
                stored = record.find(edited["message_id"])
                if stored is not None and stored.sender == "customer":
                    stored.message = edited
                    record.touch(stored)
            member = update.get("my_chat_member")
            if isinstance(member, dict) and isinstance(member.get("from"), dict) and "id" in member["from"]:
                record = self._register(member["from"])
                record.blocked = (member.get("new_chat_member") or {}).get("status") == "kicked"
            query = update.get("callback_query")
            if isinstance(query, dict) and isinstance(query.get("id"), str):
                self._open_callbacks.add(query["id"])

    def get(self, chat_id: int) -> ChatRecord | None:
        with self._lock:
            return self._chats.get(chat_id)

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message still in the chat (deleted ones are gone, as in Telegram)."""
        with self._lock:
            record = self._chats.get(chat_id)
            return record.find(message_id) if record else None

    def history(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        """Messages after message id `after`, as the page shows them."""
        with self._lock:
            record = self._chats.get(chat_id)
            if record is None:
                return []
            return [m.for_page() for m in record.messages if m.message["message_id"] > after and not m.deleted]

    def changes(self, chat_id: int, since: int = 0) -> tuple[list[dict[str, Any]], list[int], int]:
        """What changed after revision `since`: (new or edited messages, deleted ids, current revision)."""
        with self._lock:
            record = self._chats.get(chat_id)
            if record is None:
                return [], [], 0
            changed = [m for m in record.messages if m.revision > since]
            return (
                [m.for_page() for m in changed if not m.deleted],
                [m.message["message_id"] for m in changed if m.deleted],
                record.revision,
            )

    def show_action(self, chat_id: int, action: str, until: float) -> None:
        with self._lock:
            record = self._chats[chat_id]
            record.action, record.action_until = action, until

    def current_action(self, chat_id: int, now: float) -> str | None:
        """The bot's chat action still showing in this chat, if any."""
        with self._lock:
            record = self._chats.get(chat_id)
            if record is None or record.action is None or record.action_until <= now:
                return None
            return record.action

    def set_blocked(self, chat_id: int, blocked: bool) -> bool:
        """Returns whether anything changed (blocking twice sends one update, as in Telegram)."""
        with self._lock:
            record = self._chats[chat_id]
            changed = record.blocked != blocked
            record.blocked = blocked
            return changed

    def open_callback(self) -> str:
        """A new callback query id that answerCallbackQuery will accept once."""
        query_id = str(secrets.randbits(63))
        with self._lock:
            self._open_callbacks.add(query_id)
        return query_id

    def answer_callback(self, query_id: str) -> bool:
        with self._lock:
            if query_id in self._open_callbacks:
                self._open_callbacks.remove(query_id)
                return True
            return False


def _is_private_user_message(message: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(message, dict)
        and isinstance(message.get("from"), dict)
        and isinstance(message["from"].get("id"), int)
        and not message["from"].get("is_bot", False)
        and isinstance(message.get("chat"), dict)
        and message["chat"].get("type") == "private"
        and message["chat"].get("id") == message["from"]["id"]
    )
