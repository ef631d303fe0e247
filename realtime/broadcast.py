"""The server's Socket.IO events, in one place: `message`, `conversation`, `delivery`.

Every event goes to the `agents` room, which only authenticated sockets join. Pub/Sub may
deliver a message twice; a bounded memory of recent message ids keeps a repeat off the
consoles (which also dedupe by id, after a reconnect refetch).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask_socketio import SocketIO

from realtime.views import conversation_view, delivery_view, message_view

AGENTS_ROOM = "agents"
RECENT_IDS = 10_000


class Broadcaster:
    def __init__(self, socketio: SocketIO):
        self.socketio = socketio
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def _first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._recent:
                return False
            self._recent[key] = None
            if len(self._recent) > RECENT_IDS:
                self._recent.popitem(last=False)
            return True

    def message(self, message: dict[str, Any]) -> None:
        if self._first_time(f"message:{message['id']}"):
            self.socketio.emit("message", message_view(message), to=AGENTS_ROOM)

    def conversation(self, conversation: dict[str, Any]) -> None:
        self.socketio.emit("conversation", conversation_view(conversation), to=AGENTS_ROOM)

    def delivery(self, delivery: dict[str, Any]) -> None:
        if self._first_time(f"delivery:{delivery['message_id']}:{delivery['state']}"):
            self.socketio.emit("delivery", delivery_view(delivery), to=AGENTS_ROOM)
