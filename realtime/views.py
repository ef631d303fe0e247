"""What the API and the Socket.IO events show of stored documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from realtime.media import media_url
from teledesk.business import window_closes_at
from teledesk.model import Conversation, Message
from teledesk.open_data import JSONObject

INTERNAL_FIELDS = ("update", "outbox_since", "published_at")  # what Telegram sent; the outbox's bookkeeping
LIFECYCLE_INTERNALS = ("opened_by", "watch_run", "unannounced")  # the lifecycle's bookkeeping
LIFECYCLE_FIELDS = ("priority", "sla_due_at", "sla_breached", "first_response_at", "csat")  # always shown


class DeliveryEvent(TypedDict):
    """The contract's `delivery` event: where an outgoing message is on its way to Telegram."""

    chat_id: int | None
    client_id: str | None
    message_id: str | None
    state: str | None
    reason: str | None
    retry: NotRequired[int]  # an agent's retry of a failed answer (1, 2, …) starts its ticks over


def message_view(message: Message) -> JSONObject:
    """A stored message as agents see it; a file gets the URL the console fetches it from."""
    view = {k: v for k, v in message.wire().items() if k not in INTERNAL_FIELDS}
    if isinstance(view.get("delivery"), dict):
        view["delivery"] = {k: v for k, v in view["delivery"].items() if k != "sending"}  # a sender's lease
    if message.media is not None and message.media.file_id and message.chat_id is not None:
        view["media"] = {**view["media"], "url": media_url(message.chat_id, message.id)}
    return view


def conversation_view(conversation: Conversation) -> JSONObject:
    """A conversation as agents see it: the lifecycle's fields always (their defaults for a
    conversation from before the lifecycle), its bookkeeping never."""
    view = {k: v for k, v in conversation.wire().items() if k not in LIFECYCLE_INTERNALS}
    defaults = conversation.model_dump(mode="json", include=set(LIFECYCLE_FIELDS))
    if isinstance(view.get("csat"), dict):
        view["csat"] = {k: v for k, v in view["csat"].items() if k != "press"}  # a callback query's id
    if conversation.business is not None:  # a Telegram Business chat: when its reply window closes
        view["business"] = {**view["business"], "window_closes_at": window_closes_at(conversation.business)}
    return {**defaults, **view}


def delivery_view(delivery: Mapping[str, Any]) -> DeliveryEvent:
    """The contract's fields of what deliver (or the relay) said of a delivery, and `retry`."""
    view = DeliveryEvent(chat_id=delivery.get("chat_id"), client_id=delivery.get("client_id"),
                         message_id=delivery.get("message_id"), state=delivery.get("state"),
                         reason=delivery.get("reason"))
    if delivery.get("retry"):
        view["retry"] = int(delivery["retry"])
    return view
