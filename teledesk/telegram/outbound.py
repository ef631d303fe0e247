"""What the desk does before a message leaves for Telegram: splitting long text, pacing sends.

Splitting: Telegram takes at most 4,096 characters in one sendMessage. Longer answers go out as
several messages, cut at the last line break or space that fits (so no word is cut), and only
when one "word" is longer than a whole message, inside it. Lengths are counted in UTF-16 code
units, as Telegram counts entity offsets, so a text full of emoji never exceeds the limit on
Telegram's side even though Python counts one character per emoji.

Pacing: Telegram asks bots to stay under about one message per second in a chat and about 30
per second overall, and answers 429 past that. `Pacer` is two token buckets (one per chat, one
for the whole process) that make a sender wait for its turn instead of being refused. It
paces one deliver process; several instances each keep their own budget, and Telegram's 429
with `retry_after` (handled by the client) covers the rest.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from teledesk.telegram.limits import (
    MAX_MESSAGE_LENGTH,
    MESSAGES_PER_SECOND_OVERALL,
    MESSAGES_PER_SECOND_PER_CHAT,
)

MAX_SPLIT_PARTS = 10
"""The relay accepts answers of up to MAX_SPLIT_PARTS messages' worth of text."""

MAX_ANSWER_LENGTH = MAX_SPLIT_PARTS * MAX_MESSAGE_LENGTH


def utf16_length(text: str) -> int:
    """`text`'s length as Telegram counts it (messages, captions, topic names): UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """`text` as parts of at most `limit` UTF-16 units, cut at word boundaries where possible.

    The whitespace a part is cut at is dropped (Telegram would trim it anyway); empty parts are
    never produced. A text that fits is returned as it is, in one part.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        fits = fitting_prefix(rest, limit)
        window = rest[: fits + 1]  # the character right after the window may be the space to cut at
        cut = max(window.rfind("\n"), window.rfind(" "), window.rfind("\t"))
        if window.rfind("\n") > fits // 2:
            cut = window.rfind("\n")  # prefer a line break when it is not too early
        if cut > 0:
            part, rest = rest[:cut], rest[cut + 1:]
        else:
            part, rest = rest[:fits], rest[fits:]
        part = part.rstrip()
        if part.strip():
            parts.append(part)
        rest = rest.lstrip()
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_for_token(self) -> float:
        # A hair of tolerance: float refills land on 0.9999999…, and a wait too small to move the clock
        # would loop forever.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


class Pacer:
    """Token buckets per chat and overall; `acquire(chat_id)` blocks until a send may go.

    `clock` and `sleep` are injectable so tests run on a fake clock. Thread-safe: functions-
    framework may run handlers on several threads of one process.
    """

    MAX_CHATS = 10_000  # idle chats' buckets are forgotten beyond this (a full bucket is the default)

    def __init__(
        self, per_chat: float = MESSAGES_PER_SECOND_PER_CHAT, overall: float = MESSAGES_PER_SECOND_OVERALL,
        *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
        burst: float = 1.0,
    ):
        """`burst`: how many messages a chat may take at once before `per_chat` paces it (a group's
        limit is per minute: teledesk.staff paces the staff forum with it)."""
        self.per_chat, self.overall, self.burst = per_chat, overall, burst
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        now = clock()
        self._overall = _Bucket(overall, overall, overall, now)
        self._chats: OrderedDict[int, _Bucket] = OrderedDict()

    def _chat(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            # One message per second per chat: a burst of one, so the second waits a second.
            bucket = _Bucket(self.per_chat, self.burst, self.burst, now)
            self._chats[chat_id] = bucket
            if len(self._chats) > self.MAX_CHATS:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat_id)
        return bucket

    def wait_for_turn(self, chat_id: int) -> float:
        """Wait until `chat_id` could be sent a message, taking nothing (the send's own `acquire`
        takes it); returns the seconds waited. For a sender that must not hold a lease while it
        waits: it waits first, then claims, then sends at once (or nearly, when others share the turn)."""
        return self._wait(chat_id, take=False)

    def acquire(self, chat_id: int) -> float:
        """Wait until `chat_id` may be sent a message; returns the seconds waited."""
        return self._wait(chat_id, take=True)

    def _wait(self, chat_id: int, take: bool) -> float:
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                chat = self._chat(chat_id, now)
                chat.refill(now)
                self._overall.refill(now)
                wait = max(chat.wait_for_token(), self._overall.wait_for_token())
                if wait <= 0:
                    if take:
                        chat.tokens = max(0.0, chat.tokens - 1)
                        self._overall.tokens = max(0.0, self._overall.tokens - 1)
                    return waited
            self.sleep(wait)
            waited += wait
