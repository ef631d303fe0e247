"""What the API and the Socket.IO events show of stored documents."""

from __future__ import annotations

from typing import Any

from realtime.media import media_url

INTERNAL_FIELDS = ("update",)


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as agents see it; a file gets the URL the console fetches it from."""
    view = {k: v for k, v in message.items() if k not in INTERNAL_FIELDS}
    media = view.get("media")
    if isinstance(media, dict) and media.get("file_id"):
        view["media"] = {**media, "url": media_url(view["chat_id"], view["id"])}
    return view


def conversation_view(conversation: dict[str, Any]) -> dict[str, Any]:
    return dict(conversation)


def delivery_view(delivery: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields, and `retry` (an agent's retry of a failed answer starts its ticks over)."""
    view = {k: delivery.get(k) for k in ("chat_id", "client_id", "message_id", "state", "reason")}
    if delivery.get("retry"):
        view["retry"] = int(delivery["retry"])
    return view
