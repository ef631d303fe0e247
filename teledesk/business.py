"""Telegram Business chats: how the desk keys them, and when it may answer in one.

A business chat is a private chat of a business account the bot is connected to; the Bot API says
it is independent of a bot chat with the same id (the same customer may write to the bot and to
the company's account). Its conversation is keyed by (connection, chat): `conversation_key` maps
the pair into the 52 bits of integers below every id Telegram gives (Telegram's ids have at most 52
significant bits), so every part of the desk (paths, ordering keys, rooms, the console's numbers,
which JavaScript holds exactly up to 2**53) takes it as a chat id. The conversation keeps the pair
(`teledesk.model.BusinessChat`), and deliver sends to the Telegram chat with the connection's id.

An answer is refused, never sent to fail, when the connection is disabled or revoked, when it does
not grant `can_reply`, or when the customer's last message is older than Telegram's 24-hour window.
"""

from __future__ import annotations

import hashlib

from teledesk.model import BusinessChat, BusinessConnection
from teledesk.telegram.limits import BUSINESS_REPLY_WINDOW_S

TELEGRAM_ID_BITS = 52
KEY_FLOOR = -(1 << TELEGRAM_ID_BITS)  # every business key is at or below it; every Telegram id above it

CONNECTION_DISABLED = "the business account disconnected the bot or turned the connection off"
NO_REPLY_RIGHT = "the business account does not let the bot reply (the can_reply right)"
NO_DELETE_RIGHT = ("the business account does not let the bot delete its sent messages"
                   " (the can_delete_sent_messages right)")
WINDOW_CLOSED = ("the customer last wrote more than 24 hours ago: Telegram lets the business account answer only"
                 " within 24 hours of the customer's last message")


def conversation_key(connection_id: str, chat_id: int) -> int:
    """The desk's chat id for `chat_id` of business connection `connection_id`: a number in
    [-(2**53 - 1), -(2**52)], the same for the same pair on every process."""
    digest = hashlib.sha256(f"{connection_id}\x00{chat_id}".encode()).digest()
    return KEY_FLOOR - int.from_bytes(digest[:8], "big") % ((1 << TELEGRAM_ID_BITS) - 1)


def is_business_key(chat_id: int) -> bool:
    return chat_id <= KEY_FLOOR


def window_closes_at(chat: BusinessChat) -> float | None:
    """When Telegram stops taking the bot's messages in this chat (None: the customer never wrote)."""
    return chat.customer_wrote_at + BUSINESS_REPLY_WINDOW_S if chat.customer_wrote_at is not None else None


def reply_refusal(chat: BusinessChat, connection: BusinessConnection | None, now: float) -> str | None:
    """Why an answer (or an edit) in this business chat would be refused by Telegram; None: it may go.
    A connection the desk has not heard of yet (its `business_connection` update not in) is left to
    Telegram to judge: only the window is checked."""
    if connection is not None and not connection.is_enabled:
        return CONNECTION_DISABLED
    if connection is not None and not connection.rights.get("can_reply"):
        return NO_REPLY_RIGHT
    closes = window_closes_at(chat)
    if closes is None or closes <= now:
        return WINDOW_CLOSED
    return None


def delete_refusal(connection: BusinessConnection | None) -> str | None:
    """Why deleting a sent message in this business chat would be refused; None: it may go.
    Telegram lets the bot delete what it sent with `can_delete_sent_messages` (or
    `can_delete_all_messages`); a connection not heard of yet is left to Telegram to judge."""
    if connection is None:
        return None
    if not connection.is_enabled:
        return CONNECTION_DISABLED
    if not (connection.rights.get("can_delete_sent_messages") or connection.rights.get("can_delete_all_messages")):
        return NO_DELETE_RIGHT
    return None


def may_mark_read(connection: BusinessConnection | None) -> bool:
    """Whether the bot may mark the account's chat read in Telegram (`can_read_messages`)."""
    return connection is not None and connection.is_enabled and bool(connection.rights.get("can_read_messages"))
