"""The agents' sessions, kept by the desk: a session ends when the desk forgets it, wherever its cookie went.

The session cookie (Flask's, signed) carries a random session id; the desk keeps only the id's
SHA-256 (`digest`), with the agent's username, for SESSION_LIFETIME after its last use. Whoever
reads where they are kept cannot make a cookie from it; whoever copied a cookie holds nothing once
the session is ended (logout), on every relay. Each session also knows its console sockets, so
that ending it closes them, and only them (the agent's other browsers are other sessions).

Several relays keep them in their shared Redis (`RedisSessions`). One relay without Redis keeps
them in the desk's store (`StoredSessions`), not in its memory: a session outlives a restart of
the relay (a deploy, or Cloud Run replacing the instance), as the cookie did before the desk kept
sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis

from realtime.state import PREFIX, RedisState, SharedState
from teledesk.model import AgentSession
from teledesk.store import Store
from teledesk.store.sessions import Sessions

SESSION_LIFETIME = timedelta(hours=12)  # a session unused this long is over
SESSION_ID_BYTES = 32
RENEW_AFTER_S = 600  # in the store, a used session's end is moved on at most this often (a write)


def session_digest(session_id: str) -> str:
    """What the desk keeps of a session id: its SHA-256, in hex."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def session_room(digest: str) -> str:
    """The Socket.IO room of one session's console sockets."""
    return f"session:{digest}"


@dataclass(frozen=True)
class DeskSession:
    """A session the desk knows: whose it is, by the digest of its id."""

    digest: str
    username: str


class SessionStore(Protocol):
    def start(self, username: str) -> str: ...
    def find(self, session_id: str) -> DeskSession | None: ...
    def end(self, digest: str) -> set[str]: ...
    def add_socket(self, digest: str, sid: str) -> None: ...
    def remove_socket(self, digest: str, sid: str) -> None: ...


def session_store(state: SharedState, store: Store, lifetime: timedelta = SESSION_LIFETIME) -> SessionStore:
    """The sessions in the relays' shared Redis when there is one, else in the desk's store."""
    if isinstance(state, RedisState):
        return RedisSessions(state.redis, lifetime, state.prefix)
    return StoredSessions(store.sessions, lifetime)


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


class StoredSessions:
    """One relay's sessions, in the desk's store; their sockets in its memory (a restart closes
    those anyway). Thread- and greenlet-safe."""

    def __init__(self, sessions: Sessions, lifetime: timedelta = SESSION_LIFETIME,
                 clock: Callable[[], float] = time.time) -> None:
        self.sessions = sessions
        self.lifetime_s = lifetime.total_seconds()
        self.clock = clock
        self._lock = threading.Lock()
        self._sockets: dict[str, set[str]] = {}

    def start(self, username: str) -> str:
        session_id = new_session_id()
        self.sessions.create(session_digest(session_id), AgentSession(username=username,
                                                                      expires_at=self._from_now(self.lifetime_s)))
        return session_id

    def find(self, session_id: str) -> DeskSession | None:
        """The session of this id, if the desk still knows it; its lifetime starts again (written at
        most every RENEW_AFTER_S)."""
        digest = session_digest(session_id)
        kept = self.sessions.get(digest)
        left_s = kept.expires_at.timestamp() - self.clock() if kept is not None else 0.0
        if kept is None or left_s <= 0:
            return None
        if left_s < self.lifetime_s - RENEW_AFTER_S:
            self.sessions.extend(digest, self._from_now(self.lifetime_s))
        return DeskSession(digest, kept.username)

    def _from_now(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(self.clock() + seconds, UTC)

    def end(self, digest: str) -> set[str]:
        """Forget the session; the sockets it had."""
        self.sessions.delete(digest)
        with self._lock:
            return self._sockets.pop(digest, set())

    def add_socket(self, digest: str, sid: str) -> None:
        with self._lock:
            self._sockets.setdefault(digest, set()).add(sid)

    def remove_socket(self, digest: str, sid: str) -> None:
        with self._lock:
            sockets = self._sockets.get(digest, set())
            sockets.discard(sid)
            if not sockets:
                self._sockets.pop(digest, None)


class RedisSessions:
    """The desk's sessions in Redis, shared by every relay: `session:<digest>` holds the username
    and expires SESSION_LIFETIME after the last use; `session-sockets:<digest>` its sockets."""

    def __init__(self, client: redis.Redis, lifetime: timedelta = SESSION_LIFETIME, prefix: str = PREFIX) -> None:
        self.redis = client
        self.lifetime_s = int(lifetime.total_seconds())
        self.prefix = prefix

    def _key(self, kind: str, digest: str) -> str:
        return f"{self.prefix}{kind}:{digest}"

    def start(self, username: str) -> str:
        session_id = new_session_id()
        self.redis.set(self._key("session", session_digest(session_id)), username, ex=self.lifetime_s)
        return session_id

    def find(self, session_id: str) -> DeskSession | None:
        digest = session_digest(session_id)
        pipe = self.redis.pipeline()
        pipe.getex(self._key("session", digest), ex=self.lifetime_s)
        pipe.expire(self._key("session-sockets", digest), self.lifetime_s)
        username = pipe.execute()[0]
        if username is None:
            return None
        return DeskSession(digest, username.decode() if isinstance(username, bytes) else str(username))

    def end(self, digest: str) -> set[str]:
        pipe = self.redis.pipeline()  # one transaction: no socket is added between reading and deleting
        pipe.hkeys(self._key("session-sockets", digest))
        pipe.delete(self._key("session", digest), self._key("session-sockets", digest))
        sids = pipe.execute()[0]
        return {sid.decode() if isinstance(sid, bytes) else str(sid) for sid in sids}

    def add_socket(self, digest: str, sid: str) -> None:
        key = self._key("session-sockets", digest)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, 1)
        pipe.expire(key, self.lifetime_s)  # gone with the session, even if nobody ends it
        pipe.execute()

    def remove_socket(self, digest: str, sid: str) -> None:
        self.redis.hdel(self._key("session-sockets", digest), sid)
