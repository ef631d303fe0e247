"""Conversations as agents act on them: read, listed, assigned, resolved, read, started again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.inbound import next_conversation
from teledesk.lifecycle.openings import opening_fields
from teledesk.lifecycle.timers import OPENING_TOLERANCE_S, Action, due, opened_at_of, wake_at, watched
from teledesk.model import Conversation, ConversationStatus, Priority, Resolution
from teledesk.open_data import Fields
from teledesk.store.documents import CONVERSATIONS, Documents, read, read_each


@dataclass(frozen=True)
class Watch:
    """What a lifecycle look did, what of it is still to be announced (this look's and what an
    earlier look could not publish), and when the next is due (None: the watch is over)."""

    conversation: Conversation | None
    done: tuple[Action, ...]
    wake_at: float | None
    unannounced: tuple[Action, ...] = ()


def _resolution(conversation: Conversation, now: float) -> Fields:
    """The fields that resolve `conversation` now (recorded once: `last_resolution` is kept after the next starts)."""
    resolution = Resolution(number=conversation.number, opened_at=opened_at_of(conversation), resolved_at=now)
    return {"resolved_at": now, "last_resolution": resolution.to_firestore(), "pending_since": None}


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

    def set_status(self, chat_id: int, status: ConversationStatus, opened_by: str = "agent") -> Conversation | None:
        """An agent's resolve, reopen or pending; None when there is no such conversation.

        Resolving records `resolved_at` once: a repeat (a double click, a retried request) finds it
        resolved already and keeps the first time, so a resolution is counted once. Opening a
        resolved conversation, or setting it pending, is an opening (`opened_by`), watched by the
        lifecycle, with no SLA: the agent is the one acting.
        """
        ref = self.documents.conversation(chat_id)

        @firestore.transactional
        def change(transaction: firestore.Transaction) -> Conversation | None:
            conversation = read(Conversation, ref.get(transaction=transaction))
            if conversation is None:
                return None
            now = time.time()
            was = conversation.status
            changes: Fields = {"status": status, "updated_at": now}
            if status == ConversationStatus.RESOLVED and was != ConversationStatus.RESOLVED:
                changes.update(_resolution(conversation, now))
            if status != ConversationStatus.RESOLVED and was == ConversationStatus.RESOLVED:
                changes.update(opening_fields(now, opened_by, None))  # open or pending again: watched again
            if status == ConversationStatus.PENDING and was != ConversationStatus.PENDING:
                changes["pending_since"] = now
            if status == ConversationStatus.OPEN and was == ConversationStatus.PENDING:
                changes["pending_since"] = None
            transaction.update(ref, changes)
            return conversation.assign(**changes)

        return change(self.db.transaction())  # type: ignore[no-any-return]

    def watch(self, chat_id: int, opening: float, now: float, pending_resolve_s: float, run: str = "") -> Watch:
        """The lifecycle's look at one opening of a conversation: what is due done, in one
        transaction on the conversation as it reads it (teledesk.lifecycle.timers), and when to
        look again. An agent's answer committed first wins whole: there is no breach to do.

        The first execution to look at an opening (`run`) claims it; another one (Eventarc
        delivered the opening twice) is told the watch is over. What was done is kept in
        `unannounced` until `announced()`, so a look whose publish failed is announced by the next.
        """
        ref = self.documents.conversation(chat_id)

        @firestore.transactional
        def look(transaction: firestore.Transaction) -> Watch:
            conversation = read(Conversation, ref.get(transaction=transaction))
            if conversation is None or abs(opened_at_of(conversation) - opening) > OPENING_TOLERANCE_S:
                return Watch(conversation, (), None)
            if run and conversation.watch_run not in (None, run):
                return Watch(conversation, (), None)  # another execution watches this opening
            done: list[Action] = []
            changes: Fields = {"watch_run": run} if run and conversation.watch_run is None else {}
            while (action := due(watched(conversation), opening, now, pending_resolve_s)) is not None:
                if action == Action.BREACH_SLA:
                    step: Fields = {"sla_breached": True, "priority": Priority.HIGH}
                else:
                    step = {"status": ConversationStatus.RESOLVED, **_resolution(conversation, now)}
                conversation.assign(**step, updated_at=now)
                changes.update(step, updated_at=now)
                done.append(action)
            unannounced = [*(conversation.unannounced or []), *done]
            if done:
                changes["unannounced"] = unannounced
            if changes:
                conversation.assign(**changes)
                transaction.update(ref, changes)
            later = wake_at(watched(conversation), opening, now, pending_resolve_s)
            return Watch(conversation, tuple(done), later, tuple(Action(a) for a in unannounced))

        return look(self.db.transaction())  # type: ignore[no-any-return]

    def announced(self, chat_id: int, actions: tuple[Action, ...]) -> None:
        """What the lifecycle did is published: no later look announces it again."""
        if actions:
            self.documents.conversation(chat_id).update({"unannounced": firestore.ArrayRemove(list(actions))})

    def start_next(self, chat_id: int, assignee: str) -> tuple[bool, Conversation | None]:
        """An agent starts the next conversation with a customer (teledesk.inbound.next_conversation),
        assigned to them and read, only from a resolved one: a repeat (a double click, a retried
        request) finds it open and starts nothing. An opening without SLA, as an agent's reopen.
        (started, the conversation), None when missing."""
        ref = self.documents.conversation(chat_id)

        @firestore.transactional
        def start(transaction: firestore.Transaction) -> tuple[bool, Conversation | None]:
            conversation = read(Conversation, ref.get(transaction=transaction))
            if conversation is None:
                return False, None
            if conversation.status != ConversationStatus.RESOLVED:
                return False, conversation
            now = time.time()
            changes = {**next_conversation(conversation, now), **opening_fields(now, f"agent:{assignee}", None),
                       "assignee": assignee, "unread": 0, "updated_at": now}
            transaction.update(ref, changes)
            return True, conversation.assign(**changes)

        return start(self.db.transaction())  # type: ignore[no-any-return]
