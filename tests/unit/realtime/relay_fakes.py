"""In-memory stand-ins for what the relay talks to: Firestore (Store), Pub/Sub (Publisher), Socket.IO.

The module name is unique on purpose: these test folders are not packages, so a second
`fakes.py` elsewhere under tests/ would collide with this one in `sys.modules`.
"""

from __future__ import annotations

import copy
import functools
import time
import uuid
from typing import Any

from fakes import FakePublisher as FakePublisher  # re-exported for the tests
from fakes import PublishFailed as PublishFailed
from werkzeug.security import generate_password_hash

from teledesk.inbound import new_conversation, next_conversation, preview
from teledesk.store import DELIVERY_STATES, SESSION_EPOCH

ADMIN_PASSWORD = "admin-password"
CHAT_ID = 4242

# scrypt, werkzeug's default, takes ~0.2 s per hash; the relay's hashing is not what these tests
# measure, so accounts get a one-round PBKDF2 hash (check_password_hash reads the method off it).
cheap_hash = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")


def login(client: Any, username: str = "admin", password: str = ADMIN_PASSWORD) -> Any:
    return client.post("/api/login", json={"username": username, "password": password})


class FakeStore:
    """`teledesk.store.Store`'s relay-facing methods, with the same semantics, kept in dicts.

    Like Firestore, every read hands out a copy, so a caller mutating what it got changes nothing.
    """

    def __init__(self) -> None:
        self.agents: dict[str, dict[str, Any]] = AgentTable()  # also callable: Store.agents()
        self.chats: dict[int, dict[str, Any]] = {}
        self.chat_messages: dict[int, dict[str, dict[str, Any]]] = {}
        self.canned: dict[str, dict[str, Any]] = {}

    # -- seeding (test helpers, not Store methods) ---------------------------------------------
    def add_conversation(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        conversation = {**new_conversation(chat_id, {"id": chat_id, "first_name": "Ana"}, time.time()), **fields}
        self.chats[chat_id] = conversation
        self.chat_messages.setdefault(chat_id, {})
        return copy.deepcopy(conversation)

    def add_message(self, chat_id: int, message: dict[str, Any]) -> None:
        self.chat_messages.setdefault(chat_id, {})[message["id"]] = copy.deepcopy(message)

    # -- Store methods ----------------------------------------------------------------------------
    def create_agent(self, username: str, name: str, role: str, password_hash: str) -> bool:
        if username in self.agents:
            return False
        self.agents[username] = {"username": username, "name": name, "role": role,
                                 "password_hash": password_hash, "disabled": False, "created_at": time.time()}
        return True

    def agent(self, username: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.agents.get(username))

    def conversation(self, chat_id: int) -> dict[str, Any] | None:
        return copy.deepcopy(self.chats.get(chat_id))

    def conversations(self, limit: int = 200) -> list[dict[str, Any]]:
        ordered = sorted(self.chats.values(), key=lambda c: c["updated_at"], reverse=True)
        return copy.deepcopy(ordered[:limit])

    def message(self, chat_id: int, message_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.chat_messages.get(chat_id, {}).get(message_id))

    def messages(self, chat_id: int, limit: int = 100, before: float | None = None) -> list[dict[str, Any]]:
        found = sorted(self.chat_messages.get(chat_id, {}).values(), key=lambda m: m["stored_at"], reverse=True)
        if before is not None:
            found = [m for m in found if m["stored_at"] < before]
        return copy.deepcopy(found[:limit][::-1])

    def queue_outbound(
        self, chat_id: int, message_id: str, message: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], bool]:
        if chat_id not in self.chats:
            raise KeyError(chat_id)
        existing = self.chat_messages[chat_id].get(message_id)
        if existing is not None:
            return copy.deepcopy(existing), copy.deepcopy(self.chats[chat_id]), False
        now = time.time()
        stored = {**copy.deepcopy(message), "direction": "out", "stored_at": now,
                  "delivery": {"state": "queued", "reason": None, "updated_at": now}}
        conversation = self.chats[chat_id]
        conversation.update(last_message=preview(stored), updated_at=now, unread=0)
        if conversation.get("first_response_at") is None:
            conversation["first_response_at"] = now
        self.chat_messages[chat_id][message_id] = stored
        return copy.deepcopy(stored), copy.deepcopy(conversation), True

    def set_delivery(self, chat_id: int, message_id: str, state: str, reason: str | None = None,
                     telegram_message_id: int | None = None) -> None:
        assert state in DELIVERY_STATES
        self.chat_messages[chat_id][message_id]["delivery"] = {"state": state, "reason": reason,
                                                               "updated_at": time.time()}

    def update_conversation(self, chat_id: int, **changes: Any) -> dict[str, Any] | None:
        if chat_id not in self.chats:
            return None
        self.chats[chat_id].update(changes, updated_at=time.time())
        return copy.deepcopy(self.chats[chat_id])

    def mark_read(self, chat_id: int) -> dict[str, Any] | None:
        if chat_id not in self.chats:
            return None
        self.chats[chat_id]["unread"] = 0
        return copy.deepcopy(self.chats[chat_id])

    # -- the team (Store's; `agents()` is the AgentTable below) ------------------------------------
    def set_agent_disabled(self, username: str, disabled: bool) -> dict[str, Any] | None:
        if username not in self.agents:
            return None
        self.agents[username]["disabled"] = disabled
        if disabled:
            self._new_session_epoch(username)
        return copy.deepcopy(self.agents[username])

    def _new_session_epoch(self, username: str) -> None:
        self.agents[username][SESSION_EPOCH] = self.agents[username].get(SESSION_EPOCH, 0) + 1

    def set_agent_password(self, username: str, password_hash: str) -> None:
        if username not in self.agents:
            raise KeyError(username)  # Firestore's update() fails on a missing document too
        self.agents[username]["password_hash"] = password_hash
        self._new_session_epoch(username)

    # -- notes, retry, search, canned (Store's) ---------------------------------------------------
    def add_note(self, chat_id: int, note_id: str, note: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        if chat_id not in self.chats:
            raise KeyError(chat_id)
        existing = self.chat_messages[chat_id].get(note_id)
        if existing is not None:
            return copy.deepcopy(existing), False
        stored = {**copy.deepcopy(note), "direction": "note", "private": True, "stored_at": time.time()}
        self.chat_messages[chat_id][note_id] = stored
        return copy.deepcopy(stored), True

    def requeue_failed(self, chat_id: int, message_id: str) -> tuple[str, dict[str, Any] | None]:
        message = self.chat_messages.get(chat_id, {}).get(message_id)
        if message is None or message.get("direction") != "out" or message.get("deleted"):
            return "missing", None
        delivery = message.get("delivery") or {}
        if delivery.get("state") != "failed":
            return "not_failed", copy.deepcopy(message)
        delivery = {k: v for k, v in delivery.items() if k != "failed_attempts"}
        delivery.update(state="queued", reason=None, updated_at=time.time())
        message.update(delivery=delivery, retries=int(message.get("retries") or 0) + 1)
        return "ok", copy.deepcopy(message)

    def start_conversation(self, chat_id: int, assignee: str) -> tuple[bool, dict[str, Any] | None]:
        if chat_id not in self.chats:
            return False, None
        conversation = self.chats[chat_id]
        if conversation.get("status") != "resolved":
            return False, copy.deepcopy(conversation)
        now = time.time()
        conversation.update(next_conversation(conversation, now), assignee=assignee, unread=0, updated_at=now)
        return True, copy.deepcopy(conversation)

    def recent_messages(self, limit: int) -> list[dict[str, Any]]:
        every = [m for messages in self.chat_messages.values() for m in messages.values()]
        return copy.deepcopy(sorted(every, key=lambda m: m["stored_at"], reverse=True)[:limit])

    def canned_responses(self) -> list[dict[str, Any]]:
        return copy.deepcopy(sorted(self.canned.values(), key=lambda c: c["shortcut"]))

    def save_canned(self, canned_id: str | None, shortcut: str, text: str,
                    author: str) -> tuple[str, dict[str, Any] | None]:
        if canned_id is not None and canned_id not in self.canned:
            return "missing", None
        if any(c["shortcut"] == shortcut and c["id"] != canned_id for c in self.canned.values()):
            return "taken", None
        canned_id = canned_id or uuid.uuid4().hex[:20]
        self.canned[canned_id] = {"id": canned_id, "shortcut": shortcut, "text": text, "updated_by": author,
                                  "updated_at": time.time()}
        return "ok", copy.deepcopy(self.canned[canned_id])

    def delete_canned(self, canned_id: str) -> bool:
        return self.canned.pop(canned_id, None) is not None


class AgentTable(dict):
    """The fake's agents by username, which tests seed and change; called, it is `Store.agents()`."""

    def __call__(self) -> list[dict[str, Any]]:
        return copy.deepcopy([self[username] for username in sorted(self)])


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
