"""Socket.IO connection handling: only a logged-in agent's socket is let in; presence; ending sessions.

Every socket joins the `agents` room (what the whole desk hears), its agent's own room,
`agent:<username>`, through which the relay reaches all of one agent's tabs: to end them when
the agent is disabled or gets a new password (`end_sessions`), and its session's room, through
which a logout closes that session's tabs and no other (`end_session`). The desk's shared state
knows every agent's and every session's sockets on every relay; Socket.IO's message queue carries
the emit and the disconnects to the relays that hold them.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import SocketIO, emit, join_room

from realtime.auth import cookie_session_digest, current_agent
from realtime.broadcast import AGENTS_ROOM
from realtime.presence import Presence, View
from realtime.relay import current_relay
from realtime.sessions import SessionStore, session_room
from realtime.state import HEARTBEAT_S, MemoryState, SharedState

SWEEP_INTERVAL_S = 1.0

log = logging.getLogger("teledesk.relay.events")


def agent_room(username: str) -> str:
    return f"agent:{username}"


def end_sessions(socketio: SocketIO, state: SharedState, username: str, reason: str) -> int:
    """Tell every socket of `username`, on every relay, why (`session_ended`), then close it; how
    many there were."""
    sids = state.agent_sockets(username)
    # To the agent's room whether or not any socket is known: a console that connects right now
    # is in the room before it is registered, and the console leaves when it is told.
    socketio.emit("session_ended", {"reason": reason}, to=agent_room(username))
    for sid in sorted(sids):
        socketio.server.disconnect(sid, namespace="/")  # queued after session_ended, so it arrives first
    return len(sids)


def end_session(socketio: SocketIO, sessions: SessionStore, digest: str, reason: str) -> int:
    """Forget one session, then tell each of its sockets, on every relay, why (`session_ended`) and
    close it; how many there were. Forgotten first: a socket connecting meanwhile is refused."""
    sids = sessions.end(digest)
    socketio.emit("session_ended", {"reason": reason}, to=session_room(digest))
    for sid in sorted(sids):
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def _sid() -> str:
    """This event's socket: Flask-SocketIO sets `_sid()` for the handlers it calls."""
    sid: str = getattr(request, "sid")  # noqa: B009  (not a Request attribute Flask declares)
    return sid


def _invalid_presence(data: Any) -> str | None:
    """Why a console's `presence` payload is refused, or None when it is valid."""
    if not isinstance(data, dict):
        return "presence must be an object {chat_id, typing}"
    chat_id = data.get("chat_id")
    if chat_id is not None and (not isinstance(chat_id, int) or isinstance(chat_id, bool)):
        return "chat_id must be an integer or null"
    if not isinstance(data.get("typing", False), bool):
        return "typing must be true or false"
    return None


def register_events(socketio: SocketIO, presence: Presence) -> None:
    """The relay's Socket.IO handlers on `socketio` (create_app calls it once per app)."""

    def announce(view: View) -> None:
        socketio.emit("presence", view, to=AGENTS_ROOM)

    def sweep_while_typing(presence: Presence) -> None:
        """Clear expired typing flags every SWEEP_INTERVAL_S; ends once nobody is typing. A failed
        announcement is logged and swept again, never the end of the sweeper (it would stay claimed)."""
        while True:
            socketio.sleep(SWEEP_INTERVAL_S)
            try:
                if not presence.sweep(announce):
                    return
            except Exception:
                log.exception("presence: a sweep failed; trying again")

    def heartbeat(presence: Presence) -> None:
        """Several relays: say this one lives, and announce the chats where one that died had sockets."""
        while True:
            try:
                presence.announce_changes(presence.state.heartbeat(), announce)
            except Exception:
                log.exception("presence: the heartbeat failed; trying again")
            socketio.sleep(HEARTBEAT_S)

    if not isinstance(presence.state, MemoryState):
        socketio.start_background_task(heartbeat, presence)

    def connect(auth: Any = None) -> bool:
        agent, digest = current_agent(), cookie_session_digest()
        if agent is None or digest is None:
            return False  # refused: the client gets connect_error
        join_room(AGENTS_ROOM)
        join_room(agent_room(agent.username))
        join_room(session_room(digest))
        presence.join(_sid(), agent.username, agent.name or agent.username)
        current_relay().sessions.add_socket(digest, _sid())
        if current_agent() is None:  # ended while joining: end_session(s) may have missed this socket
            presence.leave(_sid(), announce)
            current_relay().sessions.remove_socket(digest, _sid())
            return False
        for view in presence.snapshot():
            emit("presence", view)  # to this socket only
        return True

    def disconnect(reason: Any = None) -> None:
        presence.leave(_sid(), announce)
        digest = cookie_session_digest()
        if digest is not None:
            current_relay().sessions.remove_socket(digest, _sid())

    def presence_report(data: Any = None) -> dict[str, str] | None:
        """What this console has open and whether its agent types; an invalid one is acknowledged with an error."""
        error = _invalid_presence(data)
        if error:
            return {"error": error}
        presence.report(_sid(), data.get("chat_id"), data.get("typing", False), announce)
        if presence.claim_sweeper():
            socketio.start_background_task(sweep_while_typing, presence)
        return None

    for event, handler in (("connect", connect), ("disconnect", disconnect), ("presence", presence_report)):
        socketio.on_event(event, handler)
