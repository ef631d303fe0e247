"""The agents' sessions, when the relay shares no Redis: one document per session, by the digest of its id."""

from __future__ import annotations

import contextlib
from datetime import datetime

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.model import AgentSession
from teledesk.store.documents import SESSIONS, read


class Sessions:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _ref(self, digest: str) -> firestore.DocumentReference:
        return self.db.collection(SESSIONS).document(digest)

    def create(self, digest: str, session: AgentSession) -> None:
        self._ref(digest).set(session.complete().to_firestore())

    def get(self, digest: str) -> AgentSession | None:
        return read(AgentSession, self._ref(digest).get())

    def extend(self, digest: str, expires_at: datetime) -> None:
        """Move a session's end on; one that was ended meanwhile stays ended."""
        with contextlib.suppress(gexc.NotFound):
            self._ref(digest).update({"expires_at": expires_at})

    def delete(self, digest: str) -> None:
        self._ref(digest).delete()
