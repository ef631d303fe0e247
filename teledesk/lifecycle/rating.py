"""A satisfaction rating: the buttons' `callback_data`, which names the conversation's opening and
the stars and which nobody can forge for another conversation, and what a genuine press records.

    csat:<chat_id>:<opening>:<stars>:<signature>

The signature is an HMAC-SHA256 of the rest, keyed by a key derived from the webhook secret
(which only Telegram and the desk know), cut to 16 characters of URL-safe base64 (96 bits):
a customer who edits the chat, the opening or the stars of a button gets a press
the desk refuses. Telegram sends a button's data back only from the chat the message is in; the
chat is checked against the press's chat too, so a button copied elsewhere rates nothing.
Rotating the webhook secret makes the buttons already sent rate nothing.

A genuine press for the opening resolved last, or the current one, is stored on the conversation
as `csat` unless that opening was rated already: the first press counts (`rate`, which enrich's
fold applies in the same commit as the press).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from teledesk.lifecycle.openings import opening_key
from teledesk.model import Conversation, Satisfaction
from teledesk.telegram.limits import MAX_CALLBACK_DATA_BYTES

PREFIX = "csat"
STARS = range(1, 6)
SIGNATURE_CHARS = 16
KEY_CONTEXT = b"teledesk csat buttons v1:"


@dataclass(frozen=True)
class Rating:
    chat_id: int
    opening: int  # the opening rated (teledesk.lifecycle.openings.opening_key)
    stars: int


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("the satisfaction buttons need TELEGRAM_WEBHOOK_SECRET to sign them")
    return hashlib.sha256(KEY_CONTEXT + secret.encode("utf-8")).digest()


def _signature(body: str, secret: str) -> str:
    digest = hmac.new(_key(secret), body.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]


def button_data(rating: Rating, secret: str) -> str:
    """The `callback_data` of the button that gives `rating.stars`."""
    if rating.stars not in STARS:
        raise ValueError(f"a rating is 1 to 5 stars, not {rating.stars}")
    body = f"{PREFIX}:{rating.chat_id}:{rating.opening}:{rating.stars}"
    data = f"{body}:{_signature(body, secret)}"
    if len(data.encode("ascii")) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback_data of {len(data)} bytes: Telegram takes {MAX_CALLBACK_DATA_BYTES} at most")
    return data


def is_rating(data: str) -> bool:
    """Whether a press is meant as a rating (whether or not it is a genuine one)."""
    return data.startswith(f"{PREFIX}:")


def read_press(data: str, pressed_in_chat: int, secret: str) -> Rating | None:
    """The rating a press gives, or None for one the desk did not sign, for another chat, or malformed."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        return None
    parts = data.split(":")
    if len(parts) != 5 or parts[0] != PREFIX:
        return None
    body, signature = data.rsplit(":", 1)
    if not hmac.compare_digest(signature.encode("utf-8"), _signature(body, secret).encode("ascii")):
        return None
    try:
        rating = Rating(int(parts[1]), int(parts[2]), int(parts[3]))
    except ValueError:
        return None
    if rating.chat_id != pressed_in_chat or rating.stars not in STARS or rating.opening < 1:
        return None
    return rating


def rated_opening(conversation: Conversation) -> float | None:
    """The opening a resolve just ended, which the question rates."""
    resolution = conversation.last_resolution
    return resolution.opened_at if resolution is not None else conversation.opened_at


def rate(conversation: Conversation, rating: Rating, press: str, now: float) -> Satisfaction | None:
    """What a genuine press records: None for an opening that is neither the last resolved nor the
    current one, or that was rated already."""
    openings = {opened_at for opened_at in (conversation.opened_at, rated_opening(conversation)) if opened_at}
    rated = next((opened_at for opened_at in openings if opening_key(opened_at) == rating.opening), None)
    if rated is None:
        return None
    if conversation.csat is not None and opening_key(conversation.csat.opening) == rating.opening:
        return None
    return Satisfaction(rating=rating.stars, at=now, opening=rated, press=press)


def press_counted(conversation: Conversation | None, press: str) -> Satisfaction | None:
    """The rating `press` recorded, if it is the one that counted."""
    if conversation is None or conversation.csat is None or conversation.csat.press != press:
        return None
    return conversation.csat
