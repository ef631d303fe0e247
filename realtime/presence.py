"""Who has which conversation open, and who is typing in it: the relay's `presence` events.

Each console socket reports `{chat_id, typing}`; the registry keeps one entry per socket and
announces a chat's new list of agents whenever it changes. A typing flag is only as good as the
last report (consoles repeat it at most every 2 s while typing), so it expires TYPING_TTL_S
after it: lazily when a chat's list is computed, and by `sweep`, which a background task calls
while anybody is typing, so that an agent who stopped (or whose browser died) stops showing.

Announcements go out while the registry's lock is held: two changes of one chat cannot reach
the consoles in the opposite order, which would leave a stale list on screen. (Emitting only
queues packets on the sockets; it does not wait for the network.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

TYPING_TTL_S = 6.0

View = dict[str, Any]
Announce = Callable[[View], None]


@dataclass
class _Socket:
    username: str
    name: str
    chat_id: int | None = None
    typing_until: float = 0.0


class Presence:
    """The per-app registry of console sockets (thread-safe)."""

    def __init__(self, ttl: float = TYPING_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._sockets: dict[str, _Socket] = {}
        self._shown: dict[int, list[dict[str, Any]]] = {}  # what the consoles were last told, per chat
        self._sweeping = False
        self._lock = threading.RLock()

    def join(self, sid: str, username: str, name: str) -> None:
        """A console connected; it has no chat open until it says so."""
        with self._lock:
            self._sockets[sid] = _Socket(username, name)

    def report(self, sid: str, chat_id: int | None, typing: bool, announce: Announce) -> None:
        """A console's `presence` event: announce the chats it left and entered, if their lists changed."""
        with self._lock:
            socket = self._sockets.get(sid)
            if socket is None:
                return  # not joined (refused, or already gone)
            before = socket.chat_id
            socket.chat_id = chat_id
            socket.typing_until = self.clock() + self.ttl if typing and chat_id is not None else 0.0
            self._announce_changes({before, chat_id}, announce)

    def leave(self, sid: str, announce: Announce) -> None:
        """A console disconnected: it no longer has its chat open."""
        with self._lock:
            socket = self._sockets.pop(sid, None)
            if socket is not None:
                self._announce_changes({socket.chat_id}, announce)

    def snapshot(self) -> list[View]:
        """Every chat somebody has open, as it is now (what a console is told when it connects)."""
        with self._lock:
            return [self._view(chat_id) for chat_id in sorted(self._open_chats())]

    def sweep(self, announce: Announce) -> bool:
        """Announce typing flags that expired (and any change an announcement failed to tell);
        False, and the sweeper's turn ends, once nobody types."""
        with self._lock:
            self._announce_changes(set(self._shown) | self._open_chats(), announce)
            self._sweeping = self._anyone_typing()
            return self._sweeping

    def claim_sweeper(self) -> bool:
        """True when the caller should start a sweeper: somebody types and no sweeper runs."""
        with self._lock:
            if self._sweeping or not self._anyone_typing():
                return False
            self._sweeping = True
            return True

    # -- inside the lock ----------------------------------------------------------------------------
    def _open_chats(self) -> set[int]:
        return {s.chat_id for s in self._sockets.values() if s.chat_id is not None}

    def _anyone_typing(self) -> bool:
        now = self.clock()
        return any(s.typing_until > now for s in self._sockets.values())

    def _agents(self, chat_id: int) -> list[dict[str, Any]]:
        """The agents with `chat_id` open, once each (an agent may have several tabs), by username."""
        now = self.clock()
        agents: dict[str, dict[str, Any]] = {}
        for socket in self._sockets.values():
            if socket.chat_id != chat_id:
                continue
            agent = agents.setdefault(socket.username, {"username": socket.username, "name": socket.name,
                                                        "typing": False})
            agent["typing"] = agent["typing"] or socket.typing_until > now
        return [agents[username] for username in sorted(agents)]

    def _view(self, chat_id: int) -> View:
        return {"chat_id": chat_id, "agents": self._agents(chat_id)}

    def _announce_changes(self, chats: Iterable[int | None], announce: Announce) -> None:
        for chat_id in sorted(c for c in chats if c is not None):
            view = self._view(chat_id)
            if view["agents"] == self._shown.get(chat_id, []):
                continue
            announce(view)
            if view["agents"]:
                self._shown[chat_id] = view["agents"]
            else:
                del self._shown[chat_id]
