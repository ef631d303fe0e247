"""The server's Socket.IO events, in one place: `message`, `conversation`, `delivery`,
`business_connection`.

Every event goes to the `agents` room, which only authenticated sockets join; with several
relays, through the Socket.IO message queue on Redis, so it reaches every agent on every relay
once. Pub/Sub may deliver a message twice, to this relay or another: the desk's shared memory of
what went out (message ids, delivery states, conversation states; `realtime/state.py`) keeps a
repeat off the consoles, which also dedupe after a refetch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask_socketio import SocketIO

from realtime.state import Claim, MemoryState, SharedState
from realtime.views import conversation_view, delivery_view, message_view
from teledesk.model import BusinessConnection, Conversation, Message

AGENTS_ROOM = "agents"


class InFlight(RuntimeError):
    """Another relay is emitting this event now."""


class Broadcaster:
    def __init__(self, socketio: SocketIO, state: SharedState | None = None):
        self.socketio = socketio
        self.state = state or MemoryState()

    def _emit_once(self, key: str, event: str, data: Mapping[str, object]) -> None:
        """Emit unless `key` went out before; a failed emit is released, so its retry goes out. An
        event another relay is emitting right now raises `InFlight`: its message is tried again
        shortly, and then either it went out or that relay died before it did."""
        claim = self.state.claim(key)
        if claim is Claim.DONE:
            return
        if claim is Claim.BUSY:
            raise InFlight(key)
        try:
            self.socketio.emit(event, data, to=AGENTS_ROOM)
        except BaseException:  # a greenlet killed mid-emit too: in memory a claim never expires
            self.state.release(key)
            raise
        self.state.confirm(key)

    def message(self, message: Message) -> None:
        """A message's state; an edit or a reaction raises its `revision` and goes out again, and so
        does an agent's upload once Telegram gave it a file_id (the consoles then have its URL)."""
        file_id = (message.media.file_id if message.media is not None else None) or ""
        key = f"message:{message.id}:{message.revision or 0}:{file_id}"
        self._emit_once(key, "message", message_view(message))

    def conversation(self, conversation: Conversation) -> None:
        view = conversation_view(conversation)
        state = hashlib.sha256(json.dumps(view, sort_keys=True, default=str).encode()).hexdigest()
        self._emit_once(f"conversation:{view['chat_id']}:{state}", "conversation", view)

    def delivery(self, delivery: Mapping[str, Any]) -> None:
        """A delivery state; an agent's retry of a failed answer (`retry` 1, 2, …) goes through it again."""
        key = f"delivery:{delivery['message_id']}:{delivery['state']}:{delivery.get('retry') or 0}"
        self._emit_once(key, "delivery", delivery_view(delivery))

    def business_connection(self, connection: BusinessConnection) -> None:
        """A Telegram Business connection's new state (each update of it once)."""
        self._emit_once(f"business_connection:{connection.id}:{connection.update_id}", "business_connection",
                        connection.wire())
