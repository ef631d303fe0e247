"""Where each stored document lives, and what a failed precondition looks like."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TypeVar, cast

from google.api_core import exceptions as gexc
from google.cloud import firestore
from pydantic import ValidationError

from teledesk.model import Document

CONVERSATIONS = "conversations"
MESSAGES = "messages"
AGENTS = "agents"
SESSIONS = "sessions"
CANNED = "canned"
UPDATES = "updates"
STATS = "stats"

D = TypeVar("D", bound=Document)
log = logging.getLogger("teledesk.store")
Snapshot = firestore.DocumentSnapshot[firestore.DocumentReference]

# A commit's precondition failed: someone wrote in between (or the document was stored before).
CONFLICTS = (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.Aborted, gexc.NotFound)


class Documents:
    """The references every repository starts from, over one Firestore client."""

    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def conversation(self, chat_id: int) -> firestore.DocumentReference:
        return self.db.collection(CONVERSATIONS).document(str(chat_id))

    def messages(self, chat_id: int) -> firestore.CollectionReference:
        return cast(firestore.CollectionReference, self.conversation(chat_id).collection(MESSAGES))

    def message(self, chat_id: int, message_id: str) -> firestore.DocumentReference:
        return self.messages(chat_id).document(message_id)

    def agent(self, username: str) -> firestore.DocumentReference:
        return self.db.collection(AGENTS).document(username)


def read(kind: type[D], snapshot: Snapshot) -> D | None:
    """The document a snapshot holds, as its model; None when there is none."""
    data = snapshot.to_dict()
    return kind.from_firestore(data, snapshot.id) if snapshot.exists and data is not None else None


def read_each(kind: type[D], snapshots: Iterable[Snapshot]) -> list[D]:
    """The documents a query found, as their model; one this process cannot read (a newer
    version's, or a broken one) is logged and left out rather than failing the whole list."""
    found: list[D] = []
    for snapshot in snapshots:
        try:
            found.append(kind.from_firestore(snapshot.to_dict() or {}, snapshot.id))
        except ValidationError as exc:
            log.error("skipping %s, which is not a readable %s: %s", snapshot.reference.path, kind.__name__, exc)
    return found
