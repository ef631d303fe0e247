"""A conversation's messages as agents read them, search them, and annotate them with notes."""

from __future__ import annotations

import time

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.envelope import Envelope
from teledesk.model import Direction, Message
from teledesk.store.documents import MESSAGES, Documents, read, read_each

SEARCHED_FIELDS = ("id", "chat_id", "type", "date", "text", "media", "direction", "agent", "deleted", "stored_at")


class Messages:
    def __init__(self, documents: Documents) -> None:
        self.documents, self.db = documents, documents.db

    def get(self, chat_id: int, message_id: str) -> Message | None:
        return read(Message, self.documents.message(chat_id, message_id).get())

    def history(self, chat_id: int, limit: int = 100, before: float | None = None) -> list[Message]:
        """The newest `limit` messages (older than `before` when given), oldest first."""
        query = self.documents.messages(chat_id).order_by("stored_at", direction=firestore.Query.DESCENDING)
        if before is not None:
            query = query.where(filter=firestore.FieldFilter("stored_at", "<", before))
        return read_each(Message, query.limit(limit).stream())[::-1]

    def recent(self, limit: int) -> list[Message]:
        """The newest `limit` messages of every conversation (a collection group query), newest first;
        only the fields a search hit shows (not the whole Update each inbound message keeps)."""
        query = self.db.collection_group(MESSAGES).order_by("stored_at", direction=firestore.Query.DESCENDING)
        return read_each(Message, query.select(SEARCHED_FIELDS).limit(limit).stream())

    def add_note(self, chat_id: int, note: Envelope) -> tuple[Message, bool]:
        """Store an agent's private note once per id (`create()`); (the stored note, whether it is new).

        The conversation is not touched: a note is not something the customer said or was told,
        so it changes neither the list's order nor unread nor the first response. KeyError when
        there is no such conversation.
        """
        if not self.documents.conversation(chat_id).get().exists:
            raise KeyError(chat_id)
        stored = Message.model_validate({**note.to_dict(), "direction": Direction.NOTE, "private": True,
                                         "stored_at": time.time()})
        ref = self.documents.message(chat_id, note.id)
        try:
            ref.create(stored.to_firestore())
        except gexc.AlreadyExists:
            return read(Message, ref.get()) or stored, False
        return stored, True
