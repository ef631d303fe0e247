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
from typing import Any, Literal

from . import objects

Sender = Literal["customer", "bot"]


@dataclass
class StoredMessage:
    sender: Sender
    message: dict[str, Any]

    def for_page(self) -> dict[str, Any]:
        """What the customer page shows: who, id, text, date, and buttons it can press."""
        item: dict[str, Any] = {
            "from": self.sender,
            "message_id": self.message["message_id"],
            "text": self.message.get("text", self.message.get("caption", "")),
            "date": self.message.get("date"),
        }
        entities = self.message.get("entities", self.message.get("caption_entities"))
        if entities:
            item["entities"] = entities
        reply_to = self.message.get("reply_to_message")
        if reply_to:
            item["reply_to_message_id"] = reply_to.get("message_id")
        markup = self.message.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            item["reply_markup"] = markup
        return item


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

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def store(self, sender: Sender, message: dict[str, Any]) -> None:
        self.last_message_id = max(self.last_message_id, message["message_id"])
        self.messages.append(StoredMessage(sender, message))


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
        with self._lock:
            record = self._register(customer)
            message = objects.text_message(
                record.next_message_id(), customer, record.chat, date, text, entities=objects.command_entities(text)
            )
            record.store("customer", message)
            return message

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
        with self._lock:
            record = self._chats.get(chat_id)
            if record is None:
                return None
            return next((m for m in record.messages if m.message["message_id"] == message_id), None)

    def history(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            record = self._chats.get(chat_id)
            if record is None:
                return []
            return [m.for_page() for m in record.messages if m.message["message_id"] > after]

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


def _is_private_user_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and isinstance(message.get("from"), dict)
        and isinstance(message["from"].get("id"), int)
        and not message["from"].get("is_bot", False)
        and isinstance(message.get("chat"), dict)
        and message["chat"].get("type") == "private"
        and message["chat"].get("id") == message["from"]["id"]
    )
