"""Telegram's webhook retries told apart (`updates/{update_id}`), and the desk-wide counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.store.documents import STATS, UPDATES
from teledesk.telegram.limits import UPDATE_DEDUPE_TTL_DAYS

UNSUPPORTED = "unsupported"  # the counter of what the desk kept but does not handle (UNSUPPORTED)


class UpdateLog:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def note(self, update_id: int) -> bool:
        """Note an update ingest has published: True the first time, False for Telegram's retries."""
        expires = datetime.now(UTC) + timedelta(days=UPDATE_DEDUPE_TTL_DAYS)
        try:
            self.db.collection(UPDATES).document(str(update_id)).create(
                {"received_at": firestore.SERVER_TIMESTAMP, "expires_at": expires}
            )
        except gexc.AlreadyExists:
            return False
        return True


class Stats:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def count(self, name: str, by: int = 1) -> None:
        """A desk-wide counter (kept, counted, never dropped silently); the metrics step reads it."""
        self.db.collection(STATS).document("inbound").set({name: firestore.Increment(by)}, merge=True)
