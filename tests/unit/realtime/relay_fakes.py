"""In-memory stand-ins for what the relay talks to: Firestore (Store), Pub/Sub (Publisher), Socket.IO.

The module name is unique on purpose: these test folders are not packages, so a second
`fakes.py` elsewhere under tests/ would collide with this one in `sys.modules`.
"""

from __future__ import annotations

import copy
import functools
import time
import uuid
from types import SimpleNamespace
from typing import Any, TypeVar

from fakes import FakePublisher as FakePublisher  # re-exported for the tests
from fakes import PublishFailed as PublishFailed
from werkzeug.security import generate_password_hash

from teledesk.business import reply_refusal
from teledesk.envelope import Envelope
from teledesk.inbound import new_conversation, next_conversation, preview
from teledesk.lifecycle.openings import opening_fields
from teledesk.model import (
    Agent,
    AgentSession,
    BusinessConnection,
    CannedResponse,
    Conversation,
    DeliveryState,
    Document,
    Message,
)
from teledesk.store import SESSION_EPOCH
from teledesk.store.agents import TelegramTaken
from teledesk.store.answers import AnswerRefused

D = TypeVar("D", bound=Document)

ADMIN_PASSWORD = "admin-password"
CHAT_ID = 4242

# scrypt, werkzeug's default, takes ~0.2 s per hash; the relay's hashing is not what these tests
# measure, so accounts get a one-round PBKDF2 hash (check_password_hash reads the method off it).
cheap_hash = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")


def login(client: Any, username: str = "admin", password: str = ADMIN_PASSWORD) -> Any:
    return client.post("/api/login", json={"username": username, "password": password})


class FakeStore:
    """The repositories of `teledesk.store.Store` that the relay uses, with the same semantics, over
    documents kept in dicts as Firestore keeps them (`agent_docs`, `chats`, `chat_messages`,
    `canned_docs`); like Firestore, every read hands out a new model, so a caller changing what it
    got changes nothing stored."""

    def __init__(self) -> None:
        self.agent_docs: dict[str, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.chat_messages: dict[int, dict[str, dict[str, Any]]] = {}
        self.canned_docs: dict[str, dict[str, Any]] = {}
        self.session_docs: dict[str, dict[str, Any]] = {}
        self.sessions = SimpleNamespace(create=self.create_session, get=self.session, extend=self.extend_session,
                                        delete=self.delete_session)
        self.agents = SimpleNamespace(get=self.agent, all=self.all_agents, create=self.create_agent,
                                      set_disabled=self.set_agent_disabled, set_password=self.set_agent_password,
                                      by_telegram_id=self.agent_by_telegram_id, link_telegram=self.link_telegram)
        self.conversations = SimpleNamespace(get=self.conversation, latest=self.latest_conversations,
                                             update=self.update_conversation, mark_read=self.mark_read,
                                             set_status=self.set_status,
                                             start_next=self.start_conversation)
        self.messages = SimpleNamespace(get=self.message, history=self.history, recent=self.recent_messages,
                                        add_note=self.add_note)
        self.answers = SimpleNamespace(queue=self.queue_outbound, set_delivery=self.set_delivery,
                                       requeue_failed=self.requeue_failed, mark_published=self.mark_published,
                                       unsettled=self.unsettled)
        self.canned = SimpleNamespace(all=self.canned_responses, save=self.save_canned, delete=self.delete_canned)
        self.connection_docs: dict[str, dict[str, Any]] = {}
        self.business_connections = SimpleNamespace(get=self.business_connection, all=self.all_business_connections)

    # -- seeding (test helpers, not the store's) ------------------------------------------------
    def add_conversation(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        conversation = {**new_conversation(chat_id, {"id": chat_id, "first_name": "Ana"}, time.time()).to_firestore(),
                        **fields}
        self.chats[chat_id] = conversation
        self.chat_messages.setdefault(chat_id, {})
        return copy.deepcopy(conversation)

    def add_message(self, chat_id: int, message: dict[str, Any]) -> None:
        self.chat_messages.setdefault(chat_id, {})[message["id"]] = copy.deepcopy(message)

    def add_business_connection(self, connection: BusinessConnection) -> None:
        self.connection_docs[connection.id] = connection.complete().to_firestore()

    # -- the repositories' methods ----------------------------------------------------------------
    def agent_by_telegram_id(self, telegram_id: int) -> Agent | None:
        found = [name for name, doc in self.agent_docs.items() if doc.get("telegram_id") == telegram_id]
        return self.agent(found[0]) if found else None

    def link_telegram(self, username: str, telegram_id: int | None) -> Agent | None:
        holder = self.agent_by_telegram_id(telegram_id) if telegram_id is not None else None
        if holder is not None and holder.username != username:
            raise TelegramTaken(holder.username)
        if username not in self.agent_docs:
            return None
        self.agent_docs[username]["telegram_id"] = telegram_id
        return self.agent(username)

    def create_agent(self, username: str, name: str, role: str, password_hash: str) -> bool:
        if username in self.agent_docs:
            return False
        self.agent_docs[username] = {"username": username, "name": name, "role": role,
                                     "password_hash": password_hash, "disabled": False, "created_at": time.time()}
        return True

    def create_session(self, digest: str, session: AgentSession) -> None:
        self.session_docs[digest] = session.complete().to_firestore()

    def session(self, digest: str) -> AgentSession | None:
        return _read(AgentSession, self.session_docs.get(digest))

    def extend_session(self, digest: str, expires_at: Any) -> None:
        if digest in self.session_docs:
            self.session_docs[digest]["expires_at"] = expires_at

    def delete_session(self, digest: str) -> None:
        self.session_docs.pop(digest, None)

    def agent(self, username: str) -> Agent | None:
        return _read(Agent, self.agent_docs.get(username))

    def all_agents(self) -> list[Agent]:
        return [Agent.from_firestore(copy.deepcopy(self.agent_docs[u])) for u in sorted(self.agent_docs)]

    def conversation(self, chat_id: int) -> Conversation | None:
        return _read(Conversation, self.chats.get(chat_id))

    def latest_conversations(self, limit: int = 200) -> list[Conversation]:
        ordered = sorted(self.chats.values(), key=lambda c: c["updated_at"], reverse=True)
        return [Conversation.from_firestore(copy.deepcopy(c)) for c in ordered[:limit]]

    def message(self, chat_id: int, message_id: str) -> Message | None:
        return _read(Message, self.chat_messages.get(chat_id, {}).get(message_id))

    def history(self, chat_id: int, limit: int = 100, before: float | None = None) -> list[Message]:
        found = sorted(self.chat_messages.get(chat_id, {}).values(), key=lambda m: m["stored_at"], reverse=True)
        if before is not None:
            found = [m for m in found if m["stored_at"] < before]
        return [Message.from_firestore(copy.deepcopy(m)) for m in found[:limit][::-1]]

    def business_connection(self, connection_id: str, transaction: Any = None) -> BusinessConnection | None:
        return _read(BusinessConnection, self.connection_docs.get(connection_id))

    def queue_outbound(self, chat_id: int, answer: Envelope) -> tuple[Message, Conversation, bool]:
        message_id, message = answer.id, answer.to_dict()
        if chat_id not in self.chats:
            raise KeyError(chat_id)
        existing = self.chat_messages[chat_id].get(message_id)
        conversation = Conversation.from_firestore(self.chats[chat_id])
        if existing is not None:
            return Message.from_firestore(copy.deepcopy(existing)), conversation, False
        now = time.time()
        if conversation.business is not None:  # the real rule (teledesk.business), as Answers.queue asks it
            connection = self.business_connection(conversation.business.connection_id)
            refusal = reply_refusal(conversation.business, connection, now)
            if refusal is not None:
                raise AnswerRefused(refusal)
        stored = Message.model_validate({**copy.deepcopy(message), "direction": "out", "stored_at": now,
                                         "delivery": {"state": "queued", "reason": None, "updated_at": now},
                                         "outbox_since": now})
        conversation.assign(last_message=preview(stored), updated_at=now, unread=0)
        if conversation.first_response_at is None:
            conversation.first_response_at = now
        self.chats[chat_id] = conversation.to_firestore()
        self.chat_messages[chat_id][message_id] = stored.to_firestore()
        return Message.from_firestore(stored.to_firestore()), Conversation.from_firestore(self.chats[chat_id]), True

    def set_delivery(self, chat_id: int, message_id: str, state: str, reason: str | None = None,
                     telegram_message_id: int | None = None) -> None:
        assert state in list(DeliveryState)
        self.chat_messages[chat_id][message_id]["delivery"] = {"state": state, "reason": reason,
                                                               "updated_at": time.time()}

    def update_conversation(self, chat_id: int, **changes: Any) -> Conversation | None:
        if chat_id not in self.chats:
            return None
        self.chats[chat_id].update(changes, updated_at=time.time())
        return self.conversation(chat_id)

    def set_status(self, chat_id: int, status: str, opened_by: str = "agent") -> Conversation | None:
        if chat_id not in self.chats:
            return None
        if status != "resolved" and self.chats[chat_id].get("status") == "resolved":
            self.chats[chat_id].update(opening_fields(time.time(), opened_by, None))
            if status == "pending":
                self.chats[chat_id]["pending_since"] = time.time()
        if status == "resolved" and self.chats[chat_id].get("status") != "resolved":
            now = time.time()
            self.chats[chat_id].update(resolved_at=now, last_resolution={
                "number": self.chats[chat_id].get("number", 1), "opened_at": self.chats[chat_id].get("created_at", 0.0),
                "resolved_at": now})
        return self.update_conversation(chat_id, status=status)

    def mark_read(self, chat_id: int) -> Conversation | None:
        if chat_id not in self.chats:
            return None
        self.chats[chat_id]["unread"] = 0
        return self.conversation(chat_id)

    def set_agent_disabled(self, username: str, disabled: bool) -> Agent | None:
        if username not in self.agent_docs:
            return None
        self.agent_docs[username]["disabled"] = disabled
        if disabled:
            self._new_session_epoch(username)
        return self.agent(username)

    def _new_session_epoch(self, username: str) -> None:
        self.agent_docs[username][SESSION_EPOCH] = self.agent_docs[username].get(SESSION_EPOCH, 0) + 1

    def set_agent_password(self, username: str, password_hash: str) -> None:
        if username not in self.agent_docs:
            raise KeyError(username)  # Firestore's update() fails on a missing document too
        self.agent_docs[username]["password_hash"] = password_hash
        self._new_session_epoch(username)

    def add_note(self, chat_id: int, envelope: Envelope) -> tuple[Message, bool]:
        note_id, note = envelope.id, envelope.to_dict()
        if chat_id not in self.chats:
            raise KeyError(chat_id)
        existing = self.chat_messages[chat_id].get(note_id)
        if existing is not None:
            return Message.from_firestore(copy.deepcopy(existing)), False
        stored = {**copy.deepcopy(note), "direction": "note", "private": True, "stored_at": time.time()}
        self.chat_messages[chat_id][note_id] = stored
        return Message.from_firestore(copy.deepcopy(stored)), True

    def requeue_failed(self, chat_id: int, message_id: str) -> tuple[str, Message | None]:
        message = self.chat_messages.get(chat_id, {}).get(message_id)
        if message is None or message.get("direction") != "out" or message.get("deleted"):
            return "missing", None
        delivery = message.get("delivery") or {}
        if delivery.get("state") == "queued" and message.get("published_at") is None:
            return "ok", Message.from_firestore(copy.deepcopy(message))
        if delivery.get("state") != "failed":
            return "not_failed", Message.from_firestore(copy.deepcopy(message))
        delivery = {k: v for k, v in delivery.items() if k not in ("failed_attempts", "sending", "cause")}
        delivery.update(state="queued", reason=None, updated_at=time.time())
        message.update(delivery=delivery, retries=int(message.get("retries") or 0) + 1, outbox_since=time.time())
        message.pop("published_at", None)
        return "ok", Message.from_firestore(copy.deepcopy(message))

    def mark_published(self, chat_id: int, message_id: str) -> None:
        self.chat_messages[chat_id][message_id]["published_at"] = time.time()

    def unsettled(self, stored_before: float, limit: int, after: float | None = None) -> list[Message]:
        found = sorted((m for messages in self.chat_messages.values() for m in messages.values()
                        if m.get("outbox_since") is not None and m["outbox_since"] < stored_before
                        and (after is None or m["outbox_since"] > after)),
                       key=lambda m: m["outbox_since"])
        return [Message.from_firestore(copy.deepcopy(m)) for m in found[:limit]]

    def start_conversation(self, chat_id: int, assignee: str) -> tuple[bool, Conversation | None]:
        if chat_id not in self.chats:
            return False, None
        conversation = Conversation.from_firestore(self.chats[chat_id])
        if conversation.status != "resolved":
            return False, conversation
        now = time.time()
        changes = {**next_conversation(conversation, now), **opening_fields(now, f"agent:{assignee}", None),
                   "assignee": assignee, "unread": 0, "updated_at": now}
        conversation.assign(**changes)
        self.chats[chat_id] = conversation.to_firestore()
        return True, self.conversation(chat_id)

    def recent_messages(self, limit: int) -> list[Message]:
        every = [m for messages in self.chat_messages.values() for m in messages.values()]
        newest = sorted(every, key=lambda m: m["stored_at"], reverse=True)[:limit]
        return [Message.from_firestore(copy.deepcopy(m)) for m in newest]

    def canned_responses(self) -> list[CannedResponse]:
        ordered = sorted(self.canned_docs.values(), key=lambda c: c["shortcut"])
        return [CannedResponse.from_firestore(copy.deepcopy(c)) for c in ordered]

    def save_canned(self, canned_id: str | None, shortcut: str, text: str,
                    author: str) -> tuple[str, CannedResponse | None]:
        if canned_id is not None and canned_id not in self.canned_docs:
            return "missing", None
        if any(c["shortcut"] == shortcut and c["id"] != canned_id for c in self.canned_docs.values()):
            return "taken", None
        canned_id = canned_id or uuid.uuid4().hex[:20]
        self.canned_docs[canned_id] = {"id": canned_id, "shortcut": shortcut, "text": text, "updated_by": author,
                                       "updated_at": time.time()}
        return "ok", CannedResponse.from_firestore(copy.deepcopy(self.canned_docs[canned_id]))

    def delete_canned(self, canned_id: str) -> bool:
        return self.canned_docs.pop(canned_id, None) is not None

    def all_business_connections(self) -> list[BusinessConnection]:
        ordered = [self.connection_docs[connection_id] for connection_id in sorted(self.connection_docs)]
        return [BusinessConnection.from_firestore(copy.deepcopy(c)) for c in ordered]


def _read(kind: type[D], stored: dict[str, Any] | None) -> D | None:
    return kind.from_firestore(copy.deepcopy(stored)) if stored is not None else None


class RecordingSocketIO:
    """The one `SocketIO` method the broadcaster calls, recording (event, payload, room)."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str | None]] = []
        self.fail_next = 0
        self.failure: BaseException = ConnectionError("message queue unavailable")

    def emit(self, event: str, data: Any, to: str | None = None) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise self.failure
        self.emitted.append((event, data, to))

    def events(self, name: str | None = None) -> list[Any]:
        return [data for event, data, _ in self.emitted if name is None or event == name]


def received(socket: Any) -> list[tuple[str, Any]]:
    """A Flask-SocketIO test client's events as (name, payload).

    Its queue keeps `args` as a list, except for the event named `message`, whose `args` is the
    payload itself (the test client treats that name as Socket.IO's unnamed `send`).
    """
    events = []
    for event in socket.get_received():
        payload = event["args"] if event["name"] in ("message", "json") else event["args"][0]
        events.append((event["name"], payload))
    return events
