"""Socket.IO connection handling: only a logged-in agent's socket is let in."""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO, join_room

from realtime.auth import current_agent
from realtime.broadcast import AGENTS_ROOM


def register_events(socketio: SocketIO) -> None:
    @socketio.on("connect")
    def connect(auth: Any = None) -> bool:
        if current_agent() is None:
            return False  # refused: the client gets connect_error
        join_room(AGENTS_ROOM)
        return True
