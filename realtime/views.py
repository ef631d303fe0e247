"""What the API and the Socket.IO events show of stored documents."""

from __future__ import annotations

from typing import Any

from realtime.media import media_url
from teledesk.model import Conversation, Message

INTERNAL_FIELDS = ("update",)


def message_view(message: Message) -> dict[str, Any]:
    """A stored message as agents see it; a file gets the URL the console fetches it from."""
    view = {k: v for k, v in message.wire().items() if k not in INTERNAL_FIELDS}
    if message.media is not None and message.media.file_id and message.chat_id is not None:
        view["media"] = {**view["media"], "url": media_url(message.chat_id, message.id)}
    return view


def conversation_view(conversation: Conversation) -> dict[str, Any]:
    return conversation.wire()


def delivery_view(delivery: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields, and `retry` (an agent's retry of a failed answer starts its ticks over)."""
    view = {k: delivery.get(k) for k in ("chat_id", "client_id", "message_id", "state", "reason")}
    if delivery.get("retry"):
        view["retry"] = int(delivery["retry"])
    return view
