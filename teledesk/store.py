"""Conversation state in Firestore: conversations, their messages, update dedupe, agents.

Hot documents are not fought over: one chat's messages arrive one at a time (ordering keys),
idempotent inserts use `create()`, and transactions are kept to where a read decides a write.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.envelope import Envelope, MessageType
from teledesk.telegram.limits import UPDATE_DEDUPE_TTL_DAYS

PREVIEW_LENGTH = 120
STATUSES = ("open", "pending", "resolved")
DELIVERY_STATES = ("queued", "sent", "failed")


def _preview(message: dict[str, Any]) -> dict[str, Any]:
    media = message.get("media") or {}
    return {
        "text": (message.get("text") or "")[:PREVIEW_LENGTH],
        "type": message["type"],
        "date": message["date"],
        "media_kind": media.get("kind"),
        "direction": message["direction"],
    }


def new_conversation(chat_id: int, customer: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "customer": customer,
        "status": "open",
        "assignee": None,
        "priority": "normal",
        "unread": 0,
        "last_message": None,
        "created_at": now,
        "updated_at": now,
        "first_response_at": None,
        "sla_due": None,
        "blocked": False,
    }


class Store:
    def __init__(self, project_id: str, client: firestore.Client | None = None):
        self.db = client or firestore.Client(project=project_id)

    # -- references -------------------------------------------------------------------------
    def _conversation_ref(self, chat_id: int) -> firestore.DocumentReference:
        return self.db.collection("conversations").document(str(chat_id))

    def _message_ref(self, chat_id: int, message_id: str) -> firestore.DocumentReference:
        return self._conversation_ref(chat_id).collection("messages").document(message_id)

    # -- Telegram update dedupe -----------------------------------------------------------------
    def claim_update(self, update_id: int) -> bool:
        """True the first time an update_id is seen; Telegram's retries get False."""
        expires = datetime.now(UTC) + timedelta(days=UPDATE_DEDUPE_TTL_DAYS)
        try:
            self.db.collection("updates").document(str(update_id)).create(
                {"received_at": firestore.SERVER_TIMESTAMP, "expires_at": expires}
            )
        except gexc.AlreadyExists:
            return False
        return True

    def release_update(self, update_id: int) -> None:
        """Forget a claim whose update could not be passed on, so Telegram's retry is taken."""
        self.db.collection("updates").document(str(update_id)).delete()

    # -- inbound ------------------------------------------------------------------------------
    def record_inbound(self, envelope: Envelope) -> tuple[dict[str, Any], bool]:
        """Store a customer-side message and fold it into its conversation, once.

        Returns the conversation's state and whether the message was new.
        """
        conversation_ref = self._conversation_ref(envelope.chat_id)
        message_ref = self._message_ref(envelope.chat_id, envelope.id)
        message = {**envelope.to_dict(), "direction": "in", "stored_at": time.time()}
        message.pop("update", None)  # the raw update stays in Pub/Sub's retention, not in the store

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> tuple[dict[str, Any], bool]:
            existing = message_ref.get(transaction=transaction)
            snapshot = conversation_ref.get(transaction=transaction)
            now = time.time()
            conversation = snapshot.to_dict() if snapshot.exists else new_conversation(
                envelope.chat_id, envelope.customer, now
            )
            if existing.exists:
                return conversation, False
            if envelope.customer:
                conversation["customer"] = {**conversation.get("customer", {}), **envelope.customer}
            if envelope.type == MessageType.CLIENT:
                conversation["unread"] = conversation.get("unread", 0) + 1
                conversation["last_message"] = _preview(message)
                conversation["updated_at"] = now
                if conversation["status"] == "resolved":
                    conversation["status"] = "open"
            transaction.set(message_ref, message)
            transaction.set(conversation_ref, conversation)
            return conversation, True

        return write(self.db.transaction())

    # -- outbound -----------------------------------------------------------------------------
    def queue_outbound(
        self, chat_id: int, message_id: str, message: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """Store an agent's answer as queued, once per idempotency key.

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
            conversation.update(last_message=_preview(stored), updated_at=now, unread=0)
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
    def update_conversation(self, chat_id: int, **changes: Any) -> dict[str, Any] | None:
        ref = self._conversation_ref(chat_id)
        if not ref.get().exists:
            return None
        ref.update({**changes, "updated_at": time.time()})
        return ref.get().to_dict()

    def mark_read(self, chat_id: int) -> dict[str, Any] | None:
        ref = self._conversation_ref(chat_id)
        if not ref.get().exists:
            return None
        ref.update({"unread": 0})
        return ref.get().to_dict()

    # -- agents -------------------------------------------------------------------------------
    def agent(self, username: str) -> dict[str, Any] | None:
        snapshot = self.db.collection("agents").document(username).get()
        return snapshot.to_dict() if snapshot.exists else None

    def create_agent(self, username: str, name: str, role: str, password_hash: str) -> bool:
        try:
            self.db.collection("agents").document(username).create(
                {"username": username, "name": name, "role": role, "password_hash": password_hash,
                 "disabled": False, "created_at": time.time()}
            )
        except gexc.AlreadyExists:
            return False
        return True

    def set_agent_password(self, username: str, password_hash: str) -> None:
        self.db.collection("agents").document(username).update({"password_hash": password_hash})
