"""Who has which conversation open, and who is typing in it: the relay's `presence` events.

Each console socket reports `{chat_id, typing}`; the relay keeps its own sockets here and
writes each chat's entries to the desk's shared state (`realtime/state.py`: this process, or
Redis when several relays share the desk), and announces a chat's new list of agents whenever
it changes, to every console on every relay. A typing flag is only as good as the last report
(consoles repeat it at most every 2 s while typing), so it expires TYPING_TTL_S after it: lazily
when a chat's list is computed, and by `sweep`, which a background task calls while one of this
relay's sockets types, so that an agent who stopped (or whose browser died) stops showing.

A chat's list is computed, compared with what the consoles were last told and announced under
one lock per chat: two changes of one chat cannot reach the consoles in the opposite order,
which would leave a stale list on screen. (Emitting only queues packets; it does not wait for
the network.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypedDict

from realtime.state import MemoryState, SharedState, ShownAgent

TYPING_TTL_S = 6.0

class View(TypedDict):
    """Which agents have a chat open, and whether they are typing: the `presence` event."""

    chat_id: int
    agents: list[ShownAgent]

Announce = Callable[[View], None]


@dataclass
class _Socket:
    username: str
    name: str
    chat_id: int | None = None
    typing_until: float = 0.0


class Presence:
    """This relay's console sockets, and the chats' lists of agents in the shared state."""

    def __init__(self, state: SharedState | None = None, ttl: float = TYPING_TTL_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.state = state or MemoryState()
        self.ttl, self.clock = ttl, clock  # wall clock: relays compare each other's typing times
        self._sockets: dict[str, _Socket] = {}
        self._sweeping = False
        self._lock = threading.RLock()

    def join(self, sid: str, username: str, name: str) -> None:
        """A console connected; it has no chat open until it says so."""
        with self._lock:
            self._sockets[sid] = _Socket(username, name)
        self.state.add_agent_socket(username, sid)

    def report(self, sid: str, chat_id: int | None, typing: bool, announce: Announce) -> None:
        """A console's `presence` event: announce the chats it left and entered, if their lists changed."""
        with self._lock:
            socket = self._sockets.get(sid)
            if socket is None:
                return  # not joined (refused, or already gone)
            before = socket.chat_id
            socket.chat_id = chat_id
            socket.typing_until = self.clock() + self.ttl if typing and chat_id is not None else 0.0
            if before is not None and before != chat_id:
                self.state.remove_entry(before, sid)
            if chat_id is not None:
                self.state.put_entry(chat_id, sid, {"username": socket.username, "name": socket.name,
                                                    "typing_until": socket.typing_until})
        self.announce_changes({before, chat_id}, announce)

    def leave(self, sid: str, announce: Announce) -> None:
        """A console disconnected: it no longer has its chat open."""
        with self._lock:
            socket = self._sockets.pop(sid, None)
        if socket is None:
            return
        self.state.remove_agent_socket(socket.username, sid)
        if socket.chat_id is not None:
            self.state.remove_entry(socket.chat_id, sid)
            self.announce_changes({socket.chat_id}, announce)

    def snapshot(self) -> list[View]:
        """Every chat somebody has open, as it is now (what a console is told when it connects)."""
        views = (self._view(chat_id) for chat_id in sorted(self.state.open_chats()))
        return [view for view in views if view["agents"]]

    def sweep(self, announce: Announce) -> bool:
        """Announce this relay's typing flags that expired (and any change an announcement failed
        to tell); False, and the sweeper's turn ends, once none of its sockets types."""
        with self._lock:
            mine = {s.chat_id for s in self._sockets.values() if s.chat_id is not None}
        self.announce_changes(mine, announce)
        with self._lock:
            self._sweeping = self._anyone_typing()
            return self._sweeping

    def claim_sweeper(self) -> bool:
        """True when the caller should start a sweeper: somebody types and no sweeper runs."""
        with self._lock:
            if self._sweeping or not self._anyone_typing():
                return False
            self._sweeping = True
            return True

    def _anyone_typing(self) -> bool:
        now = self.clock()
        return any(s.typing_until > now for s in self._sockets.values())

    def _view(self, chat_id: int) -> View:
        """The agents with `chat_id` open, once each (an agent may have several tabs), by username."""
        now = self.clock()
        agents: dict[str, ShownAgent] = {}
        for entry in self.state.chat_entries(chat_id).values():
            agent = agents.setdefault(entry["username"], {"username": entry["username"], "name": entry["name"],
                                                          "typing": False})
            agent["typing"] = agent["typing"] or entry["typing_until"] > now
        return {"chat_id": chat_id, "agents": [agents[username] for username in sorted(agents)]}

    def announce_changes(self, chats: Iterable[int | None], announce: Announce) -> None:
        """Tell the consoles each of `chats` whose list of agents is not what they were last told."""
        for chat_id in sorted(c for c in chats if c is not None):
            with self.state.lock(f"presence:{chat_id}"):
                view = self._view(chat_id)
                if view["agents"] == self.state.shown(chat_id):
                    continue
                announce(view)
                self.state.set_shown(chat_id, view["agents"])
