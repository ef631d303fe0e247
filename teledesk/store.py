"""Conversation state in Firestore: conversations, their messages, update dedupe, agents.

Hot documents are not fought over: one chat's messages arrive one at a time (ordering keys),
idempotent inserts use `create()`, and transactions are kept to where a read decides a write.
The busiest of those, folding each inbound message into its conversation, is written as an
optimistic transaction: one atomic commit whose preconditions (`create()` for a new document,
the last update time read for an existing one) fail if anything changed since the read.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import REOPEN, Folded, fold, next_conversation, preview
from teledesk.known_conversations import KnownConversations, changed_fields
from teledesk.telegram.limits import UPDATE_DEDUPE_TTL_DAYS
from teledesk.telegram.updates import Event

STATUSES = ("open", "pending", "resolved")
DELIVERY_STATES = ("queued", "sent", "failed")
SESSION_EPOCH = "session_epoch"  # an agent's sessions signed under an older epoch are over
INBOUND_ATTEMPTS = 10  # reads and commits of one inbound event before the push is retried
INBOUND_BACKOFF_S = 0.02  # grows with each conflict, jittered, so two writers stop colliding
# A commit's precondition failed: someone wrote in between (or the message was stored before).
CONFLICTS = (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.Aborted, gexc.NotFound)


class Store:
    def __init__(self, project_id: str, client: firestore.Client | None = None):
        self.db = client or firestore.Client(project=project_id)
        self.known = KnownConversations()

    # -- references -------------------------------------------------------------------------
    def _conversation_ref(self, chat_id: int) -> firestore.DocumentReference:
        return self.db.collection("conversations").document(str(chat_id))

    def _agent_ref(self, username: str) -> firestore.DocumentReference:
        return self.db.collection("agents").document(username)

    def _message_ref(self, chat_id: int, message_id: str) -> firestore.DocumentReference:
        return self._conversation_ref(chat_id).collection("messages").document(message_id)

    # -- Telegram update dedupe -----------------------------------------------------------------
    def note_update(self, update_id: int) -> bool:
        """Note an update ingest has published: True the first time, False for Telegram's retries."""
        expires = datetime.now(UTC) + timedelta(days=UPDATE_DEDUPE_TTL_DAYS)
        try:
            self.db.collection("updates").document(str(update_id)).create(
                {"received_at": firestore.SERVER_TIMESTAMP, "expires_at": expires}
            )
        except gexc.AlreadyExists:
            return False
        return True

    # -- inbound ------------------------------------------------------------------------------
    def _find_by_telegram_id(self, chat_id: int, telegram_message_id: int) -> firestore.DocumentSnapshot | None:
        """The stored message Telegram knows by this id: the customer's own, or one the desk sent."""
        messages = self._conversation_ref(chat_id).collection("messages")
        for field in ("telegram_message_id", "delivery.telegram_message_id"):
            query = messages.where(filter=firestore.FieldFilter(field, "==", telegram_message_id)).limit(1)
            for snapshot in query.stream():
                return snapshot
        return None

    def record_inbound(self, envelope: Envelope, policy: str = REOPEN) -> Folded:
        """Fold a customer-side event into its conversation and message, once (see teledesk.inbound).

        Read, fold, then one commit of both documents whose preconditions make it a transaction:
        the message is created only if it does not exist (a redelivery rewrites nothing), and what
        was read is written back only if it did not change since. When a precondition fails the
        event is folded again from a fresh read. A plain new message in a conversation this
        process wrote last (`KnownConversations`) skips the read: one round trip.
        """
        conflict: Exception | None = None
        for attempt in range(INBOUND_ATTEMPTS):
            try:
                folded = self._fold_inbound(envelope, policy, trust_known=attempt == 0)
            except CONFLICTS as exc:
                self.known.forget(envelope.chat_id)
                conflict = exc
                time.sleep(random.uniform(0, INBOUND_BACKOFF_S * attempt))  # the first retry at once
                continue
            if folded.changed and envelope.type == MessageType.UNSUPPORTED:
                self.count("unsupported")
            return folded
        raise gexc.Aborted(f"conversation {envelope.chat_id} kept changing while an inbound event was folded in"
                           ) from conflict

    def _fold_inbound(self, envelope: Envelope, policy: str, trust_known: bool) -> Folded:
        chat_id = envelope.chat_id
        known = self.known.get(chat_id) if trust_known else None
        conversation, conversation_time, target_ref, target = self._read_inbound(envelope, known)
        existing = target.to_dict() if target is not None and target.exists else None
        folded = fold(conversation, existing, envelope, policy)
        if not folded.changed:
            if conversation is not None:
                self.known.put(chat_id, conversation, conversation_time)
            return folded
        batch = self.db.batch()
        if folded.message is not None and target_ref is not None:
            if existing is None:
                batch.create(target_ref, folded.message)
            else:
                batch.update(target_ref, changed_fields(existing, folded.message),
                             option=self.db.write_option(last_update_time=target.update_time))
        conversation_ref = self._conversation_ref(chat_id)
        if conversation is None:
            batch.create(conversation_ref, folded.conversation)
        else:
            batch.update(conversation_ref, changed_fields(conversation, folded.conversation),
                         option=self.db.write_option(last_update_time=conversation_time))
        results = batch.commit()
        self.known.put(chat_id, folded.conversation, results[-1].update_time)  # the conversation is written last
        return folded

    def _read_inbound(self, envelope: Envelope, known: tuple[dict[str, Any], Any] | None) -> tuple[
            dict[str, Any] | None, Any, firestore.DocumentReference | None, firestore.DocumentSnapshot | None]:
        """What folding `envelope` needs, in one read at most: the conversation and its update time
        (`known`, when this process wrote it last), and the message the event is about."""
        chat_id = envelope.chat_id
        conversation_ref = self._conversation_ref(chat_id)
        event = envelope.extra.get("event", Event.MESSAGE)
        target: firestore.DocumentSnapshot | None = None
        if event == Event.REACTION:
            target_id = envelope.extra.get("reaction", {}).get("telegram_message_id")
            target = self._find_by_telegram_id(chat_id, target_id) if target_id else None
            target_ref = target.reference if target is not None else None
            reads = [] if known else [conversation_ref]
        else:
            target_ref = self._message_ref(chat_id, envelope.id)
            # A new message needs no read of itself: create() fails if it was stored before.
            new_message = known is not None and event != Event.EDIT
            reads = [] if new_message else [target_ref] + ([] if known else [conversation_ref])
        found = {snapshot.reference.path: snapshot for snapshot in self.db.get_all(reads)} if reads else {}
        if target_ref is not None and target_ref.path in found:
            target = found[target_ref.path]
        if known is not None:
            return known[0], known[1], target_ref, target
        snapshot = found[conversation_ref.path]
        if not snapshot.exists:
            return None, None, target_ref, target
        return snapshot.to_dict(), snapshot.update_time, target_ref, target

    def count(self, name: str, by: int = 1) -> None:
        """A desk-wide counter (kept, counted, never dropped silently); the metrics step reads it."""
        self.db.collection("stats").document("inbound").set({name: firestore.Increment(by)}, merge=True)

    # -- outbound -----------------------------------------------------------------------------
    def queue_outbound(
        self, chat_id: int, message_id: str, message: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """Store an agent's (or the bot's) answer as queued, once per idempotency key.

        Only an agent's answer counts as the first response and as having read the chat.

        Returns the stored message (the earlier one on a repeat), the conversation and whether
        the message was new.
        """
        conversation_ref = self._conversation_ref(chat_id)
        message_ref = self._message_ref(chat_id, message_id)

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> tuple[dict[str, Any], dict[str, Any], bool]:
            existing = message_ref.get(transaction=transaction)
            snapshot = conversation_ref.get(transaction=transaction)
            if not snapshot.exists:
                raise KeyError(chat_id)
            conversation = snapshot.to_dict()
            if existing.exists:
                return existing.to_dict(), conversation, False
            now = time.time()
            stored = {**message, "direction": "out", "stored_at": now,
                      "delivery": {"state": "queued", "reason": None, "updated_at": now}}
            conversation.update(last_message=preview(stored), updated_at=now)
            if stored.get("type") == MessageType.AGENT:
                conversation["unread"] = 0
                if conversation.get("first_response_at") is None:
                    conversation["first_response_at"] = now
            transaction.set(message_ref, stored)
            transaction.set(conversation_ref, conversation)
            return stored, conversation, True

        return write(self.db.transaction())

    def set_delivery(
        self, chat_id: int, message_id: str, state: str, reason: str | None = None,
        telegram_message_id: int | None = None,
    ) -> None:
        if state not in DELIVERY_STATES:
            raise ValueError(f"unknown delivery state {state!r}")
        delivery = {"state": state, "reason": reason, "updated_at": time.time()}
        if telegram_message_id is not None:
            delivery["telegram_message_id"] = telegram_message_id
        self._message_ref(chat_id, message_id).set({"delivery": delivery}, merge=True)

    def flag_blocked(self, chat_id: int, blocked: bool) -> None:
        self._conversation_ref(chat_id).set({"blocked": blocked, "updated_at": time.time()}, merge=True)

    # -- reads --------------------------------------------------------------------------------
    def conversation(self, chat_id: int) -> dict[str, Any] | None:
        snapshot = self._conversation_ref(chat_id).get()
        return snapshot.to_dict() if snapshot.exists else None

    def conversations(self, limit: int = 200) -> list[dict[str, Any]]:
        query = self.db.collection("conversations").order_by(
            "updated_at", direction=firestore.Query.DESCENDING
        ).limit(limit)
        return [doc.to_dict() for doc in query.stream()]

    def message(self, chat_id: int, message_id: str) -> dict[str, Any] | None:
        snapshot = self._message_ref(chat_id, message_id).get()
        return snapshot.to_dict() if snapshot.exists else None

    def messages(self, chat_id: int, limit: int = 100, before: float | None = None) -> list[dict[str, Any]]:
        """The newest `limit` messages (older than `before` when given), oldest first."""
        query = self._conversation_ref(chat_id).collection("messages").order_by(
            "stored_at", direction=firestore.Query.DESCENDING
        )
        if before is not None:
            query = query.where(filter=firestore.FieldFilter("stored_at", "<", before))
        return [doc.to_dict() for doc in query.limit(limit).stream()][::-1]

    # -- agents' actions on a conversation ------------------------------------------------------
    def _change_conversation(self, chat_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply `changes` to an existing conversation (None if there is none); its new state."""
        ref = self._conversation_ref(chat_id)
        try:
            ref.update(changes)  # fails on a missing document: no read needed first
        except gexc.NotFound:
            return None
        return ref.get().to_dict()

    def update_conversation(self, chat_id: int, **changes: Any) -> dict[str, Any] | None:
        return self._change_conversation(chat_id, {**changes, "updated_at": time.time()})

    def note_conversation(self, chat_id: int, **facts: Any) -> None:
        """Record facts about a conversation without touching its order in the list."""
        self._conversation_ref(chat_id).set(facts, merge=True)

    def mark_read(self, chat_id: int) -> dict[str, Any] | None:
        return self._change_conversation(chat_id, {"unread": 0})

    # -- agents -------------------------------------------------------------------------------
    def agent(self, username: str) -> dict[str, Any] | None:
        snapshot = self._agent_ref(username).get()
        return snapshot.to_dict() if snapshot.exists else None

    def create_agent(self, username: str, name: str, role: str, password_hash: str) -> bool:
        try:
            self._agent_ref(username).create(
                {"username": username, "name": name, "role": role, "password_hash": password_hash,
                 "disabled": False, "created_at": time.time()}
            )
        except gexc.AlreadyExists:
            return False
        return True

    def set_agent_password(self, username: str, password_hash: str) -> None:
        """A new password also ends the agent's sessions (a new session epoch)."""
        self._agent_ref(username).update(
            {"password_hash": password_hash, SESSION_EPOCH: firestore.Increment(1)})

    # -- outbound delivery details and agents' changes (issue 3) ------------------------------------
    def record_sent_part(self, chat_id: int, message_id: str, index: int, telegram_message_id: int) -> None:
        """Remember that part `index` of a split answer reached Telegram, before the next is sent."""
        self._message_ref(chat_id, message_id).set(
            {"delivery": {"parts": {str(index): telegram_message_id}}}, merge=True)

    def settle_delivery(
        self, chat_id: int, message_id: str, state: str, reason: str | None = None,
        telegram_message_ids: list[int] | tuple[int, ...] = (), file_id: str | None = None,
    ) -> None:
        """The final state of an answer: every Telegram message id it became, and the uploaded file's id."""
        if state not in DELIVERY_STATES:
            raise ValueError(f"unknown delivery state {state!r}")
        ids = list(telegram_message_ids)
        delivery: dict[str, Any] = {"state": state, "reason": reason, "updated_at": time.time()}
        if ids:
            delivery.update(telegram_message_id=ids[0], telegram_message_ids=ids)
        document: dict[str, Any] = {"delivery": delivery}
        if file_id:
            document["media"] = {"file_id": file_id}
        self._message_ref(chat_id, message_id).set(document, merge=True)

    def record_file_id(self, chat_id: int, message_id: str, file_id: str) -> None:
        self._message_ref(chat_id, message_id).set({"media": {"file_id": file_id}}, merge=True)

    def request_change(self, chat_id: int, message_id: str) -> tuple[str, dict[str, Any] | None, int]:
        """Number an agent's edit or delete of their own sent message: ("ok", message, n).

        ("missing", None, 0) when there is no such outgoing message (or it was deleted),
        ("not_sent", message, 0) while it is not yet sent. `n` (1, 2, …) makes the change's
        envelope id, so a redelivered change is applied once.
        """
        ref = self._message_ref(chat_id, message_id)

        @firestore.transactional
        def number(transaction: firestore.Transaction) -> tuple[str, dict[str, Any] | None, int]:
            snapshot = ref.get(transaction=transaction)
            message = snapshot.to_dict() if snapshot.exists else None
            if message is None or message.get("direction") != "out" or message.get("deleted"):
                return "missing", None, 0
            if (message.get("delivery") or {}).get("state") != "sent":
                return "not_sent", message, 0
            n = int(message.get("changes_requested") or 0) + 1
            transaction.update(ref, {"changes_requested": n})
            return "ok", message, n

        return number(self.db.transaction())

    def apply_change(
        self, chat_id: int, message_id: str, revision: int, *, text: str | None = None, deleted: bool = False,
    ) -> tuple[dict[str, Any] | None, bool]:
        """Apply edit (`text`) or delete number `revision` once; (the message, whether it changed).

        Only deliver writes here, one chat at a time (ordering keys), so no transaction.
        """
        ref = self._message_ref(chat_id, message_id)
        snapshot = ref.get()
        if not snapshot.exists:
            return None, False
        message = snapshot.to_dict()
        if int(message.get("revision") or 0) >= revision:
            return message, False
        now = time.time()
        changes: dict[str, Any] = {"revision": revision}
        if deleted:
            changes.update(deleted=True, deleted_at=now)
        else:
            history = [*message.get("edit_history", []), {"text": message.get("text", ""), "until": now}]
            changes.update(text=text or "", edited=now, edit_history=history)
        ref.set(changes, merge=True)
        message.update(changes)
        return message, True

    def count_failed_attempt(self, chat_id: int, message_id: str) -> int:
        """One more failed delivery attempt of an answer; returns how many there were."""
        ref = self._message_ref(chat_id, message_id)
        ref.set({"delivery": {"failed_attempts": firestore.Increment(1)}}, merge=True)
        return int(((ref.get().to_dict() or {}).get("delivery") or {}).get("failed_attempts") or 1)

    # -- notes, retry, search, canned ----------------------------------------------------------------
    def add_note(self, chat_id: int, note_id: str, note: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store an agent's private note once per id (`create()`); (the stored note, whether it is new).

        The conversation is not touched: a note is not something the customer said or was told,
        so it changes neither the list's order nor unread nor the first response. KeyError when
        there is no such conversation.
        """
        if not self._conversation_ref(chat_id).get().exists:
            raise KeyError(chat_id)
        stored = {**note, "direction": "note", "private": True, "stored_at": time.time()}
        ref = self._message_ref(chat_id, note_id)
        try:
            ref.create(stored)
        except gexc.AlreadyExists:
            return ref.get().to_dict(), False
        return stored, True

    def requeue_failed(self, chat_id: int, message_id: str) -> tuple[str, dict[str, Any] | None]:
        """Put a failed answer back to queued: ("ok", message), ("missing", None), ("not_failed", message).

        A transaction, so two agents retrying at once queue it once. The reason and the count of
        failed attempts (deliver's stand-in for Pub/Sub's deliveryAttempt) start afresh; the parts
        of a split text already sent stay recorded, so deliver sends only the rest. `retries`
        numbers the retry, which keeps its delivery events apart from the first attempt's.
        """
        ref = self._message_ref(chat_id, message_id)

        @firestore.transactional
        def requeue(transaction: firestore.Transaction) -> tuple[str, dict[str, Any] | None]:
            snapshot = ref.get(transaction=transaction)
            message = snapshot.to_dict() if snapshot.exists else None
            if message is None or message.get("direction") != "out" or message.get("deleted"):
                return "missing", None
            delivery = dict(message.get("delivery") or {})
            if delivery.get("state") != "failed":
                return "not_failed", message
            delivery.pop("failed_attempts", None)
            delivery.update(state="queued", reason=None, updated_at=time.time())
            changes = {"delivery": delivery, "retries": int(message.get("retries") or 0) + 1}
            transaction.update(ref, changes)
            return "ok", {**message, **changes}

        return requeue(self.db.transaction())

    def start_conversation(self, chat_id: int, assignee: str) -> tuple[bool, dict[str, Any] | None]:
        """An agent starts the next conversation with a customer (teledesk.inbound.next_conversation),
        assigned to them and read, only from a resolved one: a repeat (a double click, a retried
        request) finds it open and starts nothing. (started, the conversation), None when missing."""
        ref = self._conversation_ref(chat_id)

        @firestore.transactional
        def start(transaction: firestore.Transaction) -> tuple[bool, dict[str, Any] | None]:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                return False, None
            conversation = snapshot.to_dict()
            if conversation.get("status") != "resolved":
                return False, conversation
            now = time.time()
            changes = {**next_conversation(conversation, now), "assignee": assignee, "unread": 0, "updated_at": now}
            transaction.update(ref, changes)
            return True, {**conversation, **changes}

        return start(self.db.transaction())

    SEARCHED_FIELDS = ("id", "chat_id", "type", "date", "text", "media", "direction", "agent", "deleted",
                       "stored_at")

    def recent_messages(self, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` messages of every conversation (a collection group query), newest first;
        only the fields a search hit shows (not the whole Update each inbound message keeps)."""
        query = self.db.collection_group("messages").order_by("stored_at", direction=firestore.Query.DESCENDING)
        return [doc.to_dict() for doc in query.select(self.SEARCHED_FIELDS).limit(limit).stream()]

    def canned_responses(self) -> list[dict[str, Any]]:
        return [doc.to_dict() for doc in self.db.collection("canned").order_by("shortcut").stream()]

    def save_canned(self, canned_id: str | None, shortcut: str, text: str,
                    author: str) -> tuple[str, dict[str, Any] | None]:
        """Add (`canned_id` None) or change a canned response: ("ok", it), ("taken", None) when
        another one has the shortcut, ("missing", None) when there is no `canned_id`.

        A transaction: the shortcut's uniqueness is read and written together.
        """
        collection = self.db.collection("canned")
        ref = collection.document(canned_id) if canned_id else collection.document()

        @firestore.transactional
        def save(transaction: firestore.Transaction) -> tuple[str, dict[str, Any] | None]:
            if canned_id and not ref.get(transaction=transaction).exists:
                return "missing", None
            same = collection.where(filter=firestore.FieldFilter("shortcut", "==", shortcut)).limit(2)
            if any(doc.id != ref.id for doc in same.stream(transaction=transaction)):
                return "taken", None
            canned = {"id": ref.id, "shortcut": shortcut, "text": text, "updated_by": author,
                      "updated_at": time.time()}
            transaction.set(ref, canned)
            return "ok", canned

        return save(self.db.transaction())

    def delete_canned(self, canned_id: str) -> bool:
        ref = self.db.collection("canned").document(canned_id)
        if not ref.get().exists:
            return False
        ref.delete()
        return True

    # -- the team ----------------------------------------------------------------------------------
    def agents(self) -> list[dict[str, Any]]:
        """Every agent, by username: a support team is small enough to list whole."""
        return [doc.to_dict() for doc in self.db.collection("agents").order_by("username").stream()]

    def set_agent_disabled(self, username: str, disabled: bool) -> dict[str, Any] | None:
        """Disable or enable an agent; their new state, or None if there is no such agent.

        Disabling starts a new session epoch, so enabling the agent again does not bring back the
        sessions they had: they sign in again."""
        ref = self._agent_ref(username)
        changes: dict[str, Any] = {"disabled": disabled}
        if disabled:
            changes[SESSION_EPOCH] = firestore.Increment(1)
        try:
            ref.update(changes)  # fails on a missing document: no read needed first
        except gexc.NotFound:
            return None
        return ref.get().to_dict()
