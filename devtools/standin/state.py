"""Everything one stand-in instance knows, in one object the Flask app keeps.

No module globals: two apps in one test process (or one per test) never share a queue, a
webhook or a call log. Tests reach it as `app.extensions["standin"]`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from . import media, objects
from .business import BusinessAccount
from .calls import CallLog, FailurePlan
from .chats import ChatDirectory, StoredMessage
from .delivery import RETRY_INITIAL, RETRY_MAX, WebhookDeliverer
from .files import FileStore, StoredFile
from .forum import StaffForum
from .updates import UpdateFeed

Build = Callable[[int, dict[str, Any]], dict[str, Any]]

# Avatars: the two sizes Telegram's smallest and usual profile photo sizes come close to.
AVATAR_SIZES = (160, 640)
STICKER_SIZE = 512  # static stickers are 512 px on their longer side


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
        self.files = FileStore()
        self.business = BusinessAccount()
        self.forum = StaffForum()  # the staff forum supergroup (forum.py)
        self._avatars: dict[int, StoredFile] = {}
        self._avatars_lock = threading.Lock()
        self._closing = threading.Event()
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

    def customer_posts(self, customer: dict[str, Any], builds: list[Build]) -> list[dict[str, Any]]:
        """The customer sends messages of any kind (an album is several): store, deliver, return the Updates.

        One lock around all of them, so an album's message ids and update ids are consecutive.
        """
        with self._producing:
            return [self.deliver({"message": self.chats.customer_post(customer, build)})[0] for build in builds]

    def customer_edits(
        self, chat_id: int, message_id: int, change: Callable[[StoredMessage], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The customer edits a message: store the new version, deliver `edited_message`; None if not found."""
        with self._producing:
            edited = self.chats.edit(chat_id, message_id, change)
            if edited is None:
                return None
            return self.deliver({"edited_message": edited})[0]

    def customer_reacts(self, chat_id: int, message_id: int, emoji: list[str]) -> tuple[dict[str, Any], bool] | None:
        """The customer sets (or clears) a reaction: a `message_reaction` Update, and whether it was queued.

        Telegram only sends these to bots that asked for them in allowed_updates; the feed applies that.
        """
        record = self.chats.get(chat_id)
        if record is None:
            return None
        with self._producing:
            changed = self.chats.react(chat_id, message_id, emoji)
            if changed is None:
                return None
            old, _ = changed
            reaction = objects.reaction_update(record.chat, message_id, record.customer, self.now(), old, emoji)
            return self.deliver({"message_reaction": reaction})

    def sticker(self, emoji: str) -> StoredFile:
        """The stand-in's sticker for an emoji: a generated picture, the same file every time."""

        def make() -> StoredFile:
            seed = sum(ord(ch) for ch in emoji)
            picture = media.disc_png(STICKER_SIZE, None, media.palette_color(seed))
            return self.files.add("sticker", picture, mime_type="image/png", extra={"emoji": emoji})

        return self.files.add_once(f"sticker:{emoji}", make)

    def set_avatar(self, user_id: int, present: bool) -> StoredFile | None:
        """Give the user a generated profile photo (or take it away); the photo, if any."""
        with self._avatars_lock:
            if not present:
                self._avatars.pop(user_id, None)
                return None
            known = self._avatars.get(user_id)
        if known is not None:
            return known
        background, disc = media.palette_color(user_id, light=True), media.palette_color(user_id)
        small, large = (media.disc_png(side, background, disc) for side in AVATAR_SIZES)
        photo = self.files.add("profile_photo", large, mime_type="image/png")
        photo.smaller = [self.files.add("profile_photo", small, mime_type="image/png")]
        with self._avatars_lock:
            return self._avatars.setdefault(user_id, photo)

    def avatar(self, user_id: int) -> StoredFile | None:
        with self._avatars_lock:
            return self._avatars.get(user_id)

    def hold(self, seconds: float) -> None:
        """Wait (a planned delay), but no longer than until the stand-in closes."""
        self._closing.wait(seconds)

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
        """Stop the webhook worker, wake any long poll or held answer; the instance is unusable afterwards."""
        self._closing.set()
        self.deliverer.stop()


def current_state() -> StandinState:
    """The stand-in state of the app handling this request (`app.extensions["standin"]`)."""
    found = current_app.extensions["standin"]
    if not isinstance(found, StandinState):
        raise RuntimeError('app.extensions["standin"] is not a StandinState: was the app made by create_app?')
    return found
