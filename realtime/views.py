"""What the API and the Socket.IO events show of stored documents."""

from __future__ import annotations

from typing import Any

INTERNAL_FIELDS = ("update",)


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k not in INTERNAL_FIELDS}


def conversation_view(conversation: dict[str, Any]) -> dict[str, Any]:
    return dict(conversation)


def delivery_view(delivery: dict[str, Any]) -> dict[str, Any]:
    return {k: delivery.get(k) for k in ("chat_id", "client_id", "message_id", "state", "reason")}
