"""Conversations as agents act on them: read, listed, assigned, resolved, read, started again."""

from __future__ import annotations

import time
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.inbound import next_conversation
from teledesk.model import Conversation, ConversationStatus, Resolution
from teledesk.open_data import Fields
from teledesk.store.documents import CONVERSATIONS, Documents, read, read_each


class Conversations:
    def __init__(self, documents: Documents) -> None:
        self.documents, self.db = documents, documents.db

    def get(self, chat_id: int) -> Conversation | None:
        return read(Conversation, self.documents.conversation(chat_id).get())

    def latest(self, limit: int = 200) -> list[Conversation]:
        """The `limit` conversations changed last, newest first."""
        query = self.db.collection(CONVERSATIONS).order_by("updated_at", direction=firestore.Query.DESCENDING)
        return read_each(Conversation, query.limit(limit).stream())

    def _change(self, chat_id: int, changes: Fields) -> Conversation | None:
        """Apply `changes` to an existing conversation (None if there is none); its new state."""
        ref = self.documents.conversation(chat_id)
        try:
            ref.update(changes)  # fails on a missing document: no read needed first
        except gexc.NotFound:
            return None
        return read(Conversation, ref.get())

    def update(self, chat_id: int, **changes: Any) -> Conversation | None:
        return self._change(chat_id, {**changes, "updated_at": time.time()})

    def note(self, chat_id: int, **facts: Any) -> None:
        """Record facts about a conversation without touching its order in the list."""
        self.documents.conversation(chat_id).set(facts, merge=True)

    def mark_read(self, chat_id: int) -> Conversation | None:
        return self._change(chat_id, {"unread": 0})

    def flag_blocked(self, chat_id: int, blocked: bool) -> None:
        self.documents.conversation(chat_id).set({"blocked": blocked, "updated_at": time.time()}, merge=True)

    def set_status(self, chat_id: int, status: ConversationStatus) -> Conversation | None:
        """An agent's resolve, reopen or pending; None when there is no such conversation.

        Resolving records `resolved_at` once: a repeat (a double click, a retried request) finds it
        resolved already and keeps the first time, so a resolution is counted once.
        """
        ref = self.documents.conversation(chat_id)

        @firestore.transactional
        def change(transaction: firestore.Transaction) -> Conversation | None:
            conversation = read(Conversation, ref.get(transaction=transaction))
            if conversation is None:
                return None
            now = time.time()
            changes: Fields = {"status": status, "updated_at": now}
            if status == ConversationStatus.RESOLVED and conversation.status != ConversationStatus.RESOLVED:
                resolution = Resolution(number=conversation.number, opened_at=conversation.created_at, resolved_at=now)
                changes.update(resolved_at=now, last_resolution=resolution.to_firestore())
            transaction.update(ref, changes)
            return conversation.assign(**changes)

        return change(self.db.transaction())  # type: ignore[no-any-return]

    def start_next(self, chat_id: int, assignee: str) -> tuple[bool, Conversation | None]:
        """An agent starts the next conversation with a customer (teledesk.inbound.next_conversation),
        assigned to them and read, only from a resolved one: a repeat (a double click, a retried
        request) finds it open and starts nothing. (started, the conversation), None when missing."""
        ref = self.documents.conversation(chat_id)

        @firestore.transactional
        def start(transaction: firestore.Transaction) -> tuple[bool, Conversation | None]:
            conversation = read(Conversation, ref.get(transaction=transaction))
            if conversation is None:
                return False, None
            if conversation.status != ConversationStatus.RESOLVED:
                return False, conversation
            now = time.time()
            changes = {**next_conversation(conversation, now), "assignee": assignee, "unread": 0, "updated_at": now}
            transaction.update(ref, changes)
            return True, conversation.assign(**changes)

        return start(self.db.transaction())  # type: ignore[no-any-return]
