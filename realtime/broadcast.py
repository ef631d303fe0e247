"""The server's Socket.IO events, in one place: `message`, `conversation`, `delivery`.

Every event goes to the `agents` room, which only authenticated sockets join. Pub/Sub may
deliver a message twice; a bounded memory of what went out (message ids, delivery states,
conversation states) keeps a repeat off the consoles, which also dedupe after a refetch.
"""

from __future__ import annotations

import hashlib
import json
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

    def _forget(self, key: str) -> None:
        with self._lock:
            self._recent.pop(key, None)

    def _emit_once(self, key: str, event: str, data: dict[str, Any]) -> None:
        """Emit unless `key` went out before; a failed emit is forgotten, so its retry goes out."""
        if not self._first_time(key):
            return
        try:
            self.socketio.emit(event, data, to=AGENTS_ROOM)
        except Exception:
            self._forget(key)
            raise

    def message(self, message: dict[str, Any]) -> None:
        """A message's state; an edit or a reaction raises its `revision` and goes out again, and so
        does an agent's upload once Telegram gave it a file_id (the consoles then have its URL)."""
        file_id = (message.get("media") or {}).get("file_id") or ""
        key = f"message:{message['id']}:{message.get('revision') or 0}:{file_id}"
        self._emit_once(key, "message", message_view(message))

    def conversation(self, conversation: dict[str, Any]) -> None:
        view = conversation_view(conversation)
        state = hashlib.sha256(json.dumps(view, sort_keys=True, default=str).encode()).hexdigest()
        self._emit_once(f"conversation:{view['chat_id']}:{state}", "conversation", view)

    def delivery(self, delivery: dict[str, Any]) -> None:
        """A delivery state; an agent's retry of a failed answer (`retry` 1, 2, …) goes through it again."""
        key = f"delivery:{delivery['message_id']}:{delivery['state']}:{delivery.get('retry') or 0}"
        self._emit_once(key, "delivery", delivery_view(delivery))
