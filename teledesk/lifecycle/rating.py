"""The satisfaction question's buttons: `callback_data` that names the conversation and the stars,
and that nobody can forge for another conversation.

    csat:<chat_id>:<opening>:<stars>:<signature>

The signature is an HMAC-SHA256 of the rest, keyed by a key derived from the webhook secret
(which only Telegram and the desk know), cut to 16 characters of URL-safe base64 (96 bits):
a customer who edits the chat, the opening or the stars of a button gets a press
the desk refuses. Telegram sends a button's data back only from the chat the message is in; the
chat is checked against the press's chat too, so a button copied elsewhere rates nothing.
Rotating the webhook secret makes the buttons already sent rate nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

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
