"""A Telegram Business account connected to the bot: the company's own account, its private chats
with customers, and what it lets the bot do in them.

Telegram Business lets an account connect a bot that receives the account's private chats
(`business_message`, `edited_business_message`, `deleted_business_messages`) and writes in them
as the account (every request with `business_connection_id`). A business chat is independent of
the customer's chat with the bot, though both have the customer's id. As in any user account,
the messages of all its private chats are numbered from one counter, both sides, the owner's and
the bot's included; so deleteBusinessMessages names messages by their ids alone.

The rules the stand-in keeps (business_api.py answers them as 400s with a description): the
connection must be known and enabled; sending and editing need `can_reply` and a message from
the customer in the last 24 hours; deleting needs `can_delete_sent_messages` (what the bot or
the account sent) or `can_delete_all_messages`; marking read needs `can_read_messages`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from teledesk.telegram.limits import BUSINESS_REPLY_WINDOW_S

from . import objects
from .chats import StoredMessage

BusinessSender = Literal["customer", "owner", "bot"]

ACCOUNT_ID = 7_000_000_001
ACCOUNT_FIRST_NAME = "Acme Support"
ACCOUNT_USERNAME = "acme_support"
CONNECTION_ID = "standin-business-1"
# What the account grants the bot when it connects it (BusinessBotRights); tests change them.
DEFAULT_RIGHTS: dict[str, bool] = {
    "can_reply": True,
    "can_read_messages": True,
    "can_delete_sent_messages": True,
    "can_delete_all_messages": False,
}
RIGHTS = (
    "can_reply", "can_read_messages", "can_delete_sent_messages", "can_delete_all_messages",
    "can_edit_name", "can_edit_bio", "can_edit_profile_photo", "can_edit_username", "can_change_gift_settings",
    "can_view_gifts_and_stars", "can_convert_gifts_to_stars", "can_transfer_and_upgrade_gifts",
    "can_transfer_stars", "can_manage_stories",
)


@dataclass
class BusinessMessage:
    """A message of a business chat: who wrote it (the customer, the account's owner, or the bot as
    the account), the Message as Telegram would send it, and what the page shows of it."""

    sender: BusinessSender
    message: dict[str, Any]
    revision: int = 0
    deleted: bool = False

    def for_page(self) -> dict[str, Any]:
        shown = StoredMessage("customer", self.message).for_page()
        return {**shown, "from": self.sender}


@dataclass
class BusinessChat:
    customer: dict[str, Any]
    chat: dict[str, Any]
    messages: list[BusinessMessage] = field(default_factory=list)
    customer_wrote_at: int | None = None  # the date of the customer's last message: the reply window runs from it
    read_up_to: int = 0  # the last message the bot marked read (readBusinessMessage)
    revision: int = 0

    def add(self, sender: BusinessSender, message_id: int,
            build: Callable[[int, dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        message = build(message_id, self.chat)
        self.revision += 1
        self.messages.append(BusinessMessage(sender, message, self.revision))
        return message

    def find(self, message_id: int) -> BusinessMessage | None:
        return next((m for m in self.messages if m.message["message_id"] == message_id and not m.deleted), None)

    def touch(self, stored: BusinessMessage) -> None:
        self.revision += 1
        stored.revision = self.revision

    def window_open(self, now: int) -> bool:
        return self.customer_wrote_at is not None and now - self.customer_wrote_at < BUSINESS_REPLY_WINDOW_S


class BusinessAccount:
    """The account, its connection with the bot, and its chats (by the customer's id). Thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.user = objects.user(ACCOUNT_ID, ACCOUNT_FIRST_NAME, username=ACCOUNT_USERNAME)
        self.connection_id = CONNECTION_ID
        self.rights = dict(DEFAULT_RIGHTS)
        self.is_enabled = True
        self.connected_at = 0
        self.chats: dict[int, BusinessChat] = {}
        self.last_message_id = 0  # of every chat of the account

    def connection(self) -> dict[str, Any]:
        """The `BusinessConnection` as Telegram describes it (only the rights granted are listed)."""
        return {
            "id": self.connection_id,
            "user": self.user,
            "user_chat_id": self.user["id"],
            "date": self.connected_at,
            "rights": {name: True for name, granted in self.rights.items() if granted},
            "is_enabled": self.is_enabled,
        }

    def change(self, now: int, *, rights: dict[str, bool] | None = None, is_enabled: bool | None = None) -> None:
        with self.lock:
            if rights is not None:
                self.rights = {**self.rights, **rights}
            if is_enabled is not None:
                self.is_enabled = is_enabled
            self.connected_at = self.connected_at or now

    def chat(self, customer_id: int) -> BusinessChat | None:
        with self.lock:
            return self.chats.get(customer_id)

    def customer_chat(self, customer: dict[str, Any]) -> BusinessChat:
        """The customer's chat with the account, made on their first message; names refreshed."""
        with self.lock:
            found = self.chats.get(customer["id"])
            if found is None:
                found = self.chats[customer["id"]] = BusinessChat(customer, objects.private_chat(customer))
            else:
                found.customer, found.chat = customer, objects.private_chat(customer)
            return found

    def business_message(self, chat: BusinessChat, sender: BusinessSender, date: int,
                         sent_by_bot: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
        """A new message in `chat`, as the Update's `business_message` carries it."""
        author = chat.customer if sender == "customer" else self.user
        extra: dict[str, Any] = {"business_connection_id": self.connection_id}
        if sent_by_bot is not None:
            extra["sender_business_bot"] = sent_by_bot
        with self.lock:
            self.last_message_id += 1
            message = chat.add(sender, self.last_message_id, lambda message_id, telegram_chat: objects.message(
                message_id, author, telegram_chat, date, **extra, **content))
            if sender == "customer":
                chat.customer_wrote_at = max(chat.customer_wrote_at or 0, date)
            return message

    def edit(self, chat: BusinessChat, message_id: Any, sender: BusinessSender, now: int,
             **changes: Any) -> dict[str, Any] | None:
        """The message `message_id` of `sender` in `chat` changed (with its `edit_date`); None: no such message."""
        with self.lock:
            stored = chat.find(message_id) if isinstance(message_id, int) else None
            if stored is None or stored.sender != sender:
                return None
            stored.message = objects.ordered({**stored.message, **changes, "edit_date": now})
            chat.touch(stored)
            return dict(stored.message)

    def delete(self, chat: BusinessChat, message_ids: list[int]) -> None:
        with self.lock:
            for message_id in message_ids:
                stored = chat.find(message_id)
                if stored is not None:
                    stored.deleted = True
                    chat.touch(stored)

    def chats_for_page(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{"customer": chat.customer, "customer_wrote_at": chat.customer_wrote_at,
                     "read_up_to": chat.read_up_to, "revision": chat.revision,
                     "messages": [m.for_page() | {"deleted": m.deleted} for m in chat.messages]}
                    for chat in self.chats.values()]
