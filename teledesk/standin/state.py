"""Everything one stand-in instance knows, in one object the Flask app keeps.

No module globals: two apps in one test process (or one per test) never share a queue, a
webhook or a call log. Tests reach it as `app.extensions["standin"]`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from . import objects
from .calls import CallLog, FailurePlan
from .chats import ChatDirectory
from .delivery import RETRY_INITIAL, RETRY_MAX, WebhookDeliverer
from .updates import UpdateFeed


def bot_id_from_token(token: str) -> int:
    """A bot's id is the number before the colon of its token; invent a stable one otherwise."""
    head = token.partition(":")[0]
    if head.isdigit() and 0 < int(head) < 2**52:
        return int(head)
    return 1_000_000_000 + int(hashlib.sha256(token.encode()).hexdigest(), 16) % 8_000_000_000


def display_name(username: str) -> str:
    """ "teledesk_bot" -> "Teledesk Bot": a plausible first_name for the bot."""
    return " ".join(part.capitalize() for part in username.split("_") if part) or "Bot"


class StandinState:
    """The bot, its chats, its update queue and webhook worker, and the test hooks' records."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "teledesk_bot",
        deliver_timeout: float = 5.0,
        retry_initial: float = RETRY_INITIAL,
        retry_max: float = RETRY_MAX,
        first_update_id: int | None = None,
    ) -> None:
        self.token = token
        self.bot = objects.bot_user(bot_id_from_token(token), display_name(bot_username), bot_username)
        self.chats = ChatDirectory()
        self.feed = UpdateFeed(first_update_id)
        self.calls = CallLog()
        self.failures = FailurePlan()
        # Serialises producers so a chat's message ids and the update ids rise together.
        self._producing = threading.Lock()
        self.deliverer = WebhookDeliverer(
            self.feed, timeout=deliver_timeout, retry_initial=retry_initial, retry_max=retry_max
        )

    @staticmethod
    def now() -> int:
        """Telegram dates are whole Unix seconds."""
        return int(time.time())

    def deliver(self, update: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Queue an update for the webhook or getUpdates (numbering it if needed).

        Returns the Update as queued and False if allowed_updates filtered it out.
        """
        return self.feed.push(update)

    def set_webhook(self, url: str, **settings: Any) -> None:
        self.feed.set_webhook(url, **settings)
        if url:
            self.deliverer.start()

    def customer_says(self, customer: dict[str, Any], text: str) -> dict[str, Any]:
        """The customer sends a text: store it and deliver the Update. Returns the Update."""
        with self._producing:
            message = self.chats.customer_message(customer, text, self.now())
            return self.deliver({"message": message})[0]

    def customer_presses(self, chat_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The customer presses an inline button with callback_data: deliver a callback_query."""
        record = self.chats.get(chat_id)
        assert record is not None
        query = {
            "id": self.chats.open_callback(),
            "from": record.customer,
            "message": message,
            "chat_instance": record.chat_instance,
            "data": data,
        }
        with self._producing:
            return self.deliver({"callback_query": query})[0]

    def customer_blocks(self, chat_id: int, blocked: bool) -> dict[str, Any] | None:
        """Block or unblock the bot; the `my_chat_member` Update, or None if nothing changed."""
        with self._producing:
            if not self.chats.set_blocked(chat_id, blocked):
                return None
            record = self.chats.get(chat_id)
            assert record is not None
            member = objects.chat_member_update(
                record.chat, record.customer, objects.bot_sender(self.bot), self.now(), blocked=blocked
            )
            return self.deliver({"my_chat_member": member})[0]

    def inject(self, update: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """A raw Update from a test: learn what it says about chats, then deliver it."""
        with self._producing:
            self.chats.observe_update(update)
            return self.deliver(update)

    def close(self) -> None:
        """Stop the webhook worker and wake any long poll; the instance is unusable afterwards."""
        self.deliverer.stop()
