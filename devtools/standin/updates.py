"""The bot's queue of pending updates, consumed either by getUpdates or by the webhook.

Telegram keeps one queue per bot: with a webhook set, updates are pushed to it one at a time
and removed once the webhook answers 2xx; without one, they wait until a getUpdates call with a
higher `offset` confirms them. Both modes and the webhook settings live behind one condition
variable, so a long poll, the delivery worker and setWebhook/deleteWebhook see each other's
changes at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from .errors import BotApiError
from .limits import (
    DEFAULT_EXCLUDED_UPDATE_TYPES,
    GET_UPDATES_LIMIT_MAX,
    GET_UPDATES_TIMEOUT_MAX,
    WEBHOOK_MAX_CONNECTIONS_DEFAULT,
)
from .objects import update_type

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
TAKEN_KEPT = 1000  # the newest updates the webhook took, kept for tests (`UpdateFeed.taken`)


@dataclass
class Webhook:
    """setWebhook's settings plus what delivery learnt (last error)."""

    url: str = ""
    secret_token: str = ""
    max_connections: int | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    # Bumped by every setWebhook/deleteWebhook so a worker backing off on the old URL starts over.
    generation: int = 0


@dataclass(frozen=True)
class DeliveryJob:
    """The head of the queue and where to send it, as of one moment."""

    update: dict[str, Any]
    url: str
    secret_token: str
    generation: int


class UpdateFeed:
    """Pending updates, the webhook they go to, and getUpdates' long poll."""

    def __init__(self, first_update_id: int | None = None) -> None:
        self._cond = threading.Condition()
        self._pending: deque[dict[str, Any]] = deque()
        # Telegram's update ids start at an arbitrary number; the desk must not assume 1.
        self._next_id = first_update_id if first_update_id is not None else 100_000_000 + secrets.randbelow(800_000_000)
        self._allowed: frozenset[str] | None = None
        self._poller = 0
        self._closed = False
        self.webhook = Webhook()
        self._taken: deque[dict[str, Any]] = deque(maxlen=TAKEN_KEPT)

    # --- producing -----------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Queue an update, numbering it when it has no `update_id`.

        Returns the update as queued and whether it was queued (allowed_updates may drop it).
        Numbering happens here, under the queue's lock, so ids are increasing in queue order.
        """
        with self._cond:
            if isinstance(update.get("update_id"), int) and not isinstance(update["update_id"], bool):
                self._next_id = max(self._next_id, update["update_id"] + 1)
            else:
                update = {"update_id": self._next_id, **{k: v for k, v in update.items() if k != "update_id"}}
                self._next_id += 1
            if not self._wanted(update):
                return update, False
            self._pending.append(update)
            self._cond.notify_all()
            return update, True

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED_UPDATE_TYPES
        return kind in self._allowed

    def _set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous choice; an empty list restores Telegram's default."""
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None

    # --- getUpdates ------------------------------------------------------------------------

    def poll(self, offset: int | None, limit: int | None, timeout: int | None,
             allowed: list[str] | None) -> list[dict[str, Any]]:
        """getUpdates: confirm below `offset`, then wait up to `timeout` s for something to return."""
        limit = GET_UPDATES_LIMIT_MAX if not limit or limit <= 0 else min(limit, GET_UPDATES_LIMIT_MAX)
        wait = max(0, min(timeout or 0, GET_UPDATES_TIMEOUT_MAX))
        with self._cond:
            if self.webhook.url:
                raise BotApiError(409, WEBHOOK_CONFLICT)
            self._set_allowed(allowed)
            self._poller += 1
            me = self._poller
            self._cond.notify_all()  # an older long poll still waiting is now terminated
            self._confirm(offset)
            deadline = time.monotonic() + wait
            while not self._pending and not self._closed and not self.webhook.url:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
                if self._poller != me:
                    raise BotApiError(409, POLL_CONFLICT)
            return [dict(u) for u in list(self._pending)[:limit]]

    def _confirm(self, offset: int | None) -> None:
        """Forget confirmed updates: ids below a positive offset, all but the last -offset ones."""
        if not offset:
            return
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        self._pending = deque(u for u in self._pending if u["update_id"] >= offset)

    # --- webhook settings --------------------------------------------------------------------

    def set_webhook(
        self,
        url: str,
        *,
        secret_token: str = "",
        allowed: list[str] | None = None,
        drop_pending: bool = False,
        max_connections: int | None = None,
        ip_address: str | None = None,
    ) -> None:
        with self._cond:
            if url != self.webhook.url:
                self.webhook.last_error_date = None
                self.webhook.last_error_message = None
            self.webhook.url = url
            self.webhook.secret_token = secret_token
            self.webhook.max_connections = max_connections
            self.webhook.ip_address = ip_address
            self.webhook.generation += 1
            self._set_allowed(allowed)
            if drop_pending:
                self._pending.clear()
            self._cond.notify_all()

    def delete_webhook(self, *, drop_pending: bool = False) -> bool:
        """Remove the webhook; False if there was none (Telegram: "Webhook is already deleted")."""
        with self._cond:
            had = bool(self.webhook.url)
            self.webhook = Webhook(generation=self.webhook.generation + 1)
            if drop_pending:
                self._pending.clear()
            self._cond.notify_all()
            return had

    def webhook_info(self) -> dict[str, Any]:
        """`WebhookInfo`, optional fields only when they mean something."""
        with self._cond:
            hook = self.webhook
            info: dict[str, Any] = {
                "url": hook.url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
            if hook.url and hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message or ""
            if hook.url:
                info["max_connections"] = hook.max_connections or WEBHOOK_MAX_CONNECTIONS_DEFAULT
                if self._allowed is not None:
                    info["allowed_updates"] = sorted(self._allowed)
            return info

    # --- delivery worker side -------------------------------------------------------------------

    def next_job(self) -> DeliveryJob | None:
        """Block until a webhook is set and an update waits for it; None once closed."""
        with self._cond:
            while not self._closed and not (self.webhook.url and self._pending):
                self._cond.wait()
            if self._closed:
                return None
            hook = self.webhook
            return DeliveryJob(dict(self._pending[0]), hook.url, hook.secret_token, hook.generation)

    def delivered(self, job: DeliveryJob) -> None:
        """The webhook took it: drop it from the queue (unless a drop_pending already did)."""
        with self._cond:
            if self._pending and self._pending[0]["update_id"] == job.update["update_id"]:
                self._pending.popleft()
            self._taken.append(job.update)
            self._cond.notify_all()

    def taken(self) -> list[dict[str, Any]]:
        """The updates the webhook took (answered 2xx), oldest first: what the bot really got."""
        with self._cond:
            return [dict(update) for update in self._taken]

    def failed(self, job: DeliveryJob, message: str) -> None:
        """Remember the error for getWebhookInfo, if the webhook is still the one that failed."""
        with self._cond:
            if self.webhook.generation == job.generation:
                self.webhook.last_error_date = int(time.time())
                self.webhook.last_error_message = message

    def pause(self, seconds: float, generation: int) -> None:
        """Back off, but stop early if the webhook changes or the feed closes."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while not self._closed and self.webhook.generation == generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    @property
    def pending_count(self) -> int:
        with self._cond:
            return len(self._pending)

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
