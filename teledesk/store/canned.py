"""Canned responses: the team's saved answers, each under a unique shortcut."""

from __future__ import annotations

import time

from google.cloud import firestore

from teledesk.model import CannedResponse
from teledesk.store.documents import CANNED, read_each


class CannedResponses:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def all(self) -> list[CannedResponse]:
        return read_each(CannedResponse, self.db.collection(CANNED).order_by("shortcut").stream())

    def save(self, canned_id: str | None, shortcut: str, text: str, author: str) -> tuple[str, CannedResponse | None]:
        """Add (`canned_id` None) or change a canned response: ("ok", it), ("taken", None) when
        another one has the shortcut, ("missing", None) when there is no `canned_id`.

        A transaction: the shortcut's uniqueness is read and written together.
        """
        collection = self.db.collection(CANNED)
        ref = collection.document(canned_id) if canned_id else collection.document()

        @firestore.transactional
        def save(transaction: firestore.Transaction) -> tuple[str, CannedResponse | None]:
            if canned_id and not ref.get(transaction=transaction).exists:
                return "missing", None
            same = collection.where(filter=firestore.FieldFilter("shortcut", "==", shortcut)).limit(2)
            if any(doc.id != ref.id for doc in same.stream(transaction=transaction)):
                return "taken", None
            canned = CannedResponse(id=ref.id, shortcut=shortcut, text=text, updated_by=author,
                                    updated_at=time.time())
            transaction.set(ref, canned.to_firestore())
            return "ok", canned

        return save(self.db.transaction())  # type: ignore[no-any-return]

    def delete(self, canned_id: str) -> bool:
        ref = self.db.collection(CANNED).document(canned_id)
        if not ref.get().exists:
            return False
        ref.delete()
        return True
