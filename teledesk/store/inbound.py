"""Customer-side events folded into their conversation and message, once (rules: teledesk.inbound).

The busiest write of the desk, so it is an optimistic transaction: read, fold, then one commit of
both documents whose preconditions (`create()` for a new document, the last update time read for
an existing one) fail if anything changed since the read; then the event is folded again.
"""

from __future__ import annotations

import random
import time
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import REOPEN, Folded, deleted, fold
from teledesk.known_conversations import KnownConversations, changed_fields
from teledesk.model import Conversation, Message
from teledesk.store.documents import CONFLICTS, Documents, Snapshot, read
from teledesk.store.updates import UNSUPPORTED, Stats
from teledesk.telegram.updates import Event

INBOUND_ATTEMPTS = 10  # reads and commits of one inbound event before the push is retried
INBOUND_BACKOFF_S = 0.02  # grows with each conflict, jittered, so two writers stop colliding
IN_QUERY_VALUES = 30  # Firestore's most values in one `in` (or `array-contains-any`) filter
# Where a stored message keeps the Telegram ids it is known by: the customer's (or the owner's) own
# message, an answer's first part, every part of a split answer.
TELEGRAM_ID_FIELDS = (("telegram_message_id", "in"), ("delivery.telegram_message_id", "in"),
                      ("delivery.telegram_message_ids", "array_contains_any"))


class Inbound:
    def __init__(self, documents: Documents, stats: Stats) -> None:
        self.documents, self.db, self.stats = documents, documents.db, stats
        self.known = KnownConversations()

    def record(self, envelope: Envelope, policy: str = REOPEN, sla_s: float | None = None) -> Folded:
        """Fold a customer-side event into its conversation and message, once.

        The message is created only if it does not exist (a redelivery rewrites nothing), and what
        was read is written back only if it did not change since. A plain new message in a
        conversation this process wrote last (`KnownConversations`) skips the read: one round trip.
        """
        conflict: Exception | None = None
        for attempt in range(INBOUND_ATTEMPTS):
            try:
                folded = self._fold(envelope, policy, sla_s, trust_known=attempt == 0)
            except CONFLICTS as exc:
                self.known.forget(envelope.chat_id)
                conflict = exc
                time.sleep(random.uniform(0, INBOUND_BACKOFF_S * attempt))  # the first retry at once
                continue
            if folded.changed and envelope.type == MessageType.UNSUPPORTED:
                self.stats.count(UNSUPPORTED)
            return folded
        raise gexc.Aborted(  # type: ignore[no-untyped-call]
            f"conversation {envelope.chat_id} kept changing while an inbound event was folded in") from conflict

    def _fold(self, envelope: Envelope, policy: str, sla_s: float | None, trust_known: bool) -> Folded:
        chat_id = envelope.chat_id
        known = self.known.get(chat_id) if trust_known else None
        conversation, conversation_time, target_ref, target = self._read(envelope, known)
        existing = read(Message, target) if target is not None else None
        folded = fold(conversation, existing, envelope, policy, sla_s=sla_s)
        if not folded.changed:
            if conversation is not None:
                self.known.put(chat_id, conversation, conversation_time)
            return folded
        batch = self.db.batch()
        if folded.message is not None and target_ref is not None:
            if existing is None:
                batch.create(target_ref, folded.message.to_firestore())
            else:
                assert target is not None  # what `existing` was read from
                batch.update(target_ref, changed_fields(existing.to_firestore(), folded.message.to_firestore()),
                             option=self.db.write_option(last_update_time=target.update_time))
        conversation_ref = self.documents.conversation(chat_id)
        if conversation is None:
            batch.create(conversation_ref, folded.conversation.to_firestore())
        else:
            batch.update(conversation_ref,
                         changed_fields(conversation.to_firestore(), folded.conversation.to_firestore()),
                         option=self.db.write_option(last_update_time=conversation_time))
        results = batch.commit()
        self.known.put(chat_id, folded.conversation, results[-1].update_time)  # the conversation is written last
        return folded

    def _read(self, envelope: Envelope, known: tuple[Conversation, Any] | None) -> tuple[
            Conversation | None, Any, firestore.DocumentReference | None, Snapshot | None]:
        """What folding `envelope` needs, in one read at most: the conversation and its update time
        (`known`, when this process wrote it last), and the message the event is about."""
        chat_id = envelope.chat_id
        conversation_ref = self.documents.conversation(chat_id)
        event = envelope.extra.get("event", Event.MESSAGE)
        target: Snapshot | None = None
        if event == Event.REACTION:
            target_id = envelope.extra.get("reaction", {}).get("telegram_message_id")
            target = self._find_by_telegram_id(chat_id, target_id) if target_id else None
            target_ref = target.reference if target is not None else None
            reads = [] if known else [conversation_ref]
        else:
            target_ref = self.documents.message(chat_id, envelope.id)
            # A new message needs no read of itself: create() fails if it was stored before.
            new_message = known is not None and event != Event.EDIT
            reads = [] if new_message else [target_ref] + ([] if known else [conversation_ref])
        found = {snapshot.reference.path: snapshot for snapshot in self.db.get_all(reads)} if reads else {}
        if target_ref is not None and target_ref.path in found:
            target = found[target_ref.path]
        if known is not None:
            return known[0], known[1], target_ref, target
        snapshot = found[conversation_ref.path]
        return read(Conversation, snapshot), snapshot.update_time if snapshot.exists else None, target_ref, target

    def delete(self, envelope: Envelope) -> tuple[Conversation | None, list[Message]]:
        """Telegram deleted messages of a business chat (`extra["deleted"]`): mark each stored one
        deleted, its text kept (teledesk.inbound.deleted); (the conversation, the messages changed).
        A repeat finds them deleted already and changes nothing."""
        chat_id = envelope.chat_id
        ids = [i for i in (envelope.extra.get("deleted") or {}).get("telegram_message_ids") or [] if isinstance(i, int)]
        found: dict[str, Snapshot] = {}
        for start in range(0, len(ids), IN_QUERY_VALUES):
            chunk = ids[start:start + IN_QUERY_VALUES]
            for field, operator in TELEGRAM_ID_FIELDS:
                query = self.documents.messages(chat_id).where(filter=firestore.FieldFilter(field, operator, chunk))
                found.update({snapshot.id: snapshot for snapshot in query.stream()})
        changed = deleted([m for m in (read(Message, s) for s in found.values()) if m is not None], time.time())
        if changed:
            batch = self.db.batch()
            for message in changed:
                batch.update(found[message.id].reference, {"deleted": True, "deleted_at": message.deleted_at,
                                                           "revision": message.revision})
            batch.commit()
        return read(Conversation, self.documents.conversation(chat_id).get()), changed

    def _find_by_telegram_id(self, chat_id: int, telegram_message_id: int) -> Snapshot | None:
        """The stored message Telegram knows by this id: the customer's own, or one the desk sent."""
        messages = self.documents.messages(chat_id)
        for field in ("telegram_message_id", "delivery.telegram_message_id"):
            query = messages.where(filter=firestore.FieldFilter(field, "==", telegram_message_id)).limit(1)
            for snapshot in query.stream():
                return snapshot
        return None
