"""In-memory stand-ins for the steps' services, and the shapes their triggers deliver.

The module name is unique on purpose: these test folders are not packages, so a second
`fakes.py` elsewhere under tests/ would collide with this one in `sys.modules`.
"""

from __future__ import annotations

import base64
import copy
import time
from types import SimpleNamespace
from typing import Any

from cloudevents.http import CloudEvent
from fakes import FakePublisher as FakePublisher  # re-exported for the tests
from fakes import PublishFailed as PublishFailed

from teledesk.envelope import Envelope
from teledesk.inbound import REOPEN, Folded, deleted, fold
from teledesk.model import BusinessConnection, Conversation, DeliveryState, Message
from teledesk.telegram.updates import Event

SECRET = "webhook-secret_" + "x" * 20
CHAT = 4242
CUSTOMER = {"id": CHAT, "is_bot": False, "first_name": "Ana", "username": "ana", "language_code": "es"}


def text_update(update_id: int = 1001, text: str = "hola", message_id: int = 7, chat_id: int = CHAT) -> dict:
    """An Update as the Bot API documents it: a private text message."""
    return {"update_id": update_id, "message": {
        "message_id": message_id, "from": {**CUSTOMER, "id": chat_id},
        "chat": {"id": chat_id, "type": "private", "first_name": "Ana"}, "date": 1_700_000_000, "text": text}}


def push_event(data: bytes | str, attributes: dict[str, str] | None = None, message_id: str = "1") -> CloudEvent:
    """A Pub/Sub push delivery as functions-framework hands it over (CloudEvent messagePublished)."""
    encoded = data if isinstance(data, str) else base64.b64encode(data).decode()
    return CloudEvent(
        {"type": "google.cloud.pubsub.topic.v1.messagePublished",
         "source": "//pubsub.googleapis.com/projects/p/topics/t", "id": message_id},
        {"message": {"data": encoded, "attributes": attributes or {}, "messageId": message_id,
                     "publishTime": "2026-11-25T00:00:00Z"},
         "subscription": "projects/p/subscriptions/step-push"},
    )


def envelope_event(envelope: Envelope) -> CloudEvent:
    """A push delivery of `envelope`, with the attributes Publisher would have given it."""
    return push_event(envelope.to_json(), envelope.attributes())


class FakeStore:
    """The repositories of `teledesk.store.Store` that the steps use, with the same semantics, over
    documents kept in dicts as Firestore keeps them (`chats`, `chat_messages`); reads give models."""

    def __init__(self) -> None:
        self.noted: set[int] = set()
        self.fail_note = False
        self.counters: dict[str, int] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.chat_messages: dict[int, dict[str, dict[str, Any]]] = {}
        self.delivery_writes: list[tuple[int, str, str, str | None, int | None]] = []
        self.causes: list[str | None] = []  # the failure cause of each settled answer
        self.updates = SimpleNamespace(note=self.note_update)
        self.stats = SimpleNamespace(count=self.count)
        self.inbound = SimpleNamespace(record=self.record_inbound, delete=self.delete_inbound)
        self.connections: dict[str, dict[str, Any]] = {}
        self.business_connections = SimpleNamespace(record=self.record_connection, get=self.connection)
        self.answers = SimpleNamespace(queue=self.queue_outbound, set_delivery=self.set_delivery)
        self.conversations = SimpleNamespace(get=self.conversation, note=self.note_conversation)
        self.messages = SimpleNamespace(get=self.message)

    def note_update(self, update_id: int) -> bool:
        if self.fail_note:
            raise RuntimeError("Firestore is away")
        if update_id in self.noted:
            return False
        self.noted.add(update_id)
        return True

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

    def record_inbound(self, envelope: Envelope, policy: str = REOPEN, sla_s: float | None = None) -> Folded:
        """The real folding rules (teledesk.inbound) over dicts instead of Firestore."""
        messages = self.chat_messages.setdefault(envelope.chat_id, {})
        target_id = envelope.id
        if envelope.extra.get("event") == Event.REACTION:
            wanted = envelope.extra.get("reaction", {}).get("telegram_message_id")
            target_id = next((k for k, m in messages.items() if wanted in (
                m.get("telegram_message_id"), (m.get("delivery") or {}).get("telegram_message_id"))), None)
        conversation = self.conversation(envelope.chat_id)
        target = messages.get(target_id) if target_id else None
        folded = fold(conversation, Message.from_firestore(target) if target else None, envelope, policy, sla_s=sla_s)
        if folded.changed:
            if folded.message is not None and target_id is not None:
                messages[target_id] = folded.message.to_firestore()
            self.chats[envelope.chat_id] = folded.conversation.to_firestore()
        return copy.deepcopy(folded)

    def delete_inbound(self, envelope: Envelope) -> tuple[Conversation | None, list[Message]]:
        """The real deletion rule (teledesk.inbound.deleted) over the messages Telegram knows by those ids."""
        ids = set((envelope.extra.get("deleted") or {}).get("telegram_message_ids") or [])
        messages = self.chat_messages.get(envelope.chat_id, {})
        known = [Message.from_firestore(copy.deepcopy(m)) for m in messages.values()
                 if ids & {m.get("telegram_message_id"), (m.get("delivery") or {}).get("telegram_message_id"),
                           *((m.get("delivery") or {}).get("telegram_message_ids") or [])}]
        changed = deleted(known, time.time())
        for message in changed:
            messages[message.id] = message.to_firestore()
        return self.conversation(envelope.chat_id), copy.deepcopy(changed)

    def record_connection(self, connection: BusinessConnection) -> tuple[BusinessConnection, bool]:
        """The newest update's state wins, as in teledesk.store.business."""
        stored = self.connection(connection.id)
        if stored is not None and stored.update_id >= connection.update_id:
            return stored, False
        self.connections[connection.id] = connection.complete().to_firestore()
        return connection, True

    def connection(self, connection_id: str, transaction: Any = None) -> BusinessConnection | None:
        stored = self.connections.get(connection_id)
        return BusinessConnection.from_firestore(copy.deepcopy(stored)) if stored else None

    def queue_outbound(self, chat_id: int, answer: Envelope) -> tuple[Message, Conversation, bool]:
        message_id, message = answer.id, answer.to_dict()
        messages = self.chat_messages.setdefault(chat_id, {})
        conversation = Conversation.from_firestore(self.chats.setdefault(chat_id, {"chat_id": chat_id}))
        if message_id in messages:
            return Message.from_firestore(messages[message_id]), conversation, False
        messages[message_id] = {**message, "direction": "out", "stored_at": time.time(),
                                "delivery": {"state": "queued", "reason": None, "updated_at": time.time()}}
        return Message.from_firestore(messages[message_id]), conversation, True

    def note_conversation(self, chat_id: int, **facts: Any) -> None:
        self.chats.setdefault(chat_id, {"chat_id": chat_id}).update(facts)

    def add_outbound(self, envelope: Envelope, state: str = "queued", reason: str | None = None) -> None:
        """What the relay's Answers.queue leaves behind for deliver to find."""
        self.chat_messages.setdefault(envelope.chat_id, {})[envelope.id] = {
            **envelope.to_dict(), "direction": "out", "stored_at": time.time(),
            "delivery": {"state": state, "reason": reason, "updated_at": time.time()}}

    def conversation(self, chat_id: int) -> Conversation | None:
        stored = self.chats.get(chat_id)
        return Conversation.from_firestore(copy.deepcopy(stored)) if stored else None

    def message(self, chat_id: int, message_id: str) -> Message | None:
        stored = self.chat_messages.get(chat_id, {}).get(message_id)
        return Message.from_firestore(copy.deepcopy(stored)) if stored else None

    def set_delivery(self, chat_id: int, message_id: str, state: str, reason: str | None = None,
                     telegram_message_id: int | None = None) -> None:
        assert state in list(DeliveryState)
        self.delivery_writes.append((chat_id, message_id, state, reason, telegram_message_id))
        delivery = {"state": state, "reason": reason, "updated_at": time.time()}
        if telegram_message_id is not None:
            delivery["telegram_message_id"] = telegram_message_id
        self.chat_messages.setdefault(chat_id, {}).setdefault(message_id, {})["delivery"] = delivery
