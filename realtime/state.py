"""What is per desk rather than per relay process, in one place.

One relay (no `DESK_REDIS_URL`) keeps it in its own memory (`MemoryState`). Several relays keep
it in Redis (`RedisState`), so that every relay sees the same:

- which events went out, or are going out (`claim`): Pub/Sub may redeliver a message to another
  relay, even while the first one is still emitting it;
- throttles (`throttle`): one typing action per chat for the whole desk, not per relay;
- locks (`lock`): one presence announcement of a chat at a time;
- each agent's sockets (`agent_sockets`): ending an agent's sessions reaches every relay;
- the presence index (`chat_entries` …): who has which chat open, and what the consoles were
  last told of it.

A relay that dies (SIGKILL, a lost instance) cannot clean up after itself: its presence entries
carry its id, and once its heartbeat key expires (`RELAY_TTL_S`) they stop counting and are swept.
"""

from __future__ import annotations

import enum
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Final, NotRequired, Protocol, TypedDict

import redis

from teledesk.keyed_locks import KeyedLocks

RECENT_IDS = 10_000  # one relay: how many event keys it remembers
RECENT_TTL_S = 3_600  # several relays: how long Redis remembers an event key
CLAIM_TTL_S = 5  # several relays: how long a claim outlives a relay that died before it emitted
RELAY_TTL_S = 30  # a relay whose heartbeat is older than this is gone
HEARTBEAT_S = 10
PREFIX = "teledesk:"
CLAIMED, SENT = b"claimed", b"sent"

class Entry(TypedDict):
    """A socket with a chat open."""

    username: str
    name: str
    typing_until: float
    relay: NotRequired[str]  # the relay that holds the socket (in Redis)


class ShownAgent(TypedDict):
    """An agent the consoles were told has a chat open."""

    username: str
    name: str
    typing: bool


class Claim(enum.Enum):
    NEW = "new"  # nobody emitted it: the caller emits, then confirms (or releases)
    DONE = "done"  # it went out
    BUSY = "busy"  # another relay is emitting it now (or died doing so): try again shortly


class SharedState(Protocol):
    relay_id: str

    def claim(self, key: str) -> Claim: ...
    def confirm(self, key: str) -> None: ...
    def release(self, key: str) -> None: ...
    def throttle(self, key: str, interval_s: float) -> bool: ...
    def lock(self, key: str, timeout_s: float = 10.0) -> AbstractContextManager[None]: ...
    def add_agent_socket(self, username: str, sid: str) -> None: ...
    def remove_agent_socket(self, username: str, sid: str) -> None: ...
    def agent_sockets(self, username: str) -> set[str]: ...
    def put_entry(self, chat_id: int, sid: str, entry: Entry) -> None: ...
    def remove_entry(self, chat_id: int, sid: str) -> None: ...
    def chat_entries(self, chat_id: int) -> dict[str, Entry]: ...
    def open_chats(self) -> set[int]: ...
    def shown(self, chat_id: int) -> list[ShownAgent]: ...
    def set_shown(self, chat_id: int, agents: list[ShownAgent]) -> None: ...
    def heartbeat(self) -> list[int]: ...


# Every call answers or fails within seconds: a connection left half-open by a failover must not
# hang a pull loop (which would still look alive to /api/health).
REDIS_OPTIONS: Final = {"socket_timeout": 5, "socket_connect_timeout": 5, "retry_on_timeout": True,
                                 "health_check_interval": 30}
# Socket.IO's message queue listens for as long as it is idle: no read timeout, but a connection
# checked before use, and kept alive, so a dead one is found and replaced (its listener retries).
QUEUE_REDIS_OPTIONS: Final = {"socket_connect_timeout": 5, "socket_keepalive": True,
                                       "health_check_interval": 30}


def _text(value: bytes | str) -> str:
    """What Redis answers, as text (the client gives bytes unless told to decode)."""
    return value.decode() if isinstance(value, bytes) else value


def shared_state(redis_url: str) -> SharedState:
    return RedisState(redis.Redis.from_url(redis_url, **REDIS_OPTIONS)) if redis_url else MemoryState()


class MemoryState:
    """One relay's state, in its memory (thread- and greenlet-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.relay_id = uuid.uuid4().hex[:12]
        self.clock = clock
        self._lock = threading.RLock()
        self._recent: OrderedDict[str, bool] = OrderedDict()  # event key → it went out
        self._throttled: dict[str, float] = {}
        self._locks = KeyedLocks()
        self._sockets: dict[str, set[str]] = {}
        self._entries: dict[int, dict[str, Entry]] = {}
        self._shown: dict[int, list[ShownAgent]] = {}

    def claim(self, key: str) -> Claim:
        with self._lock:
            if key in self._recent:
                return Claim.DONE if self._recent[key] else Claim.BUSY
            self._recent[key] = False
            if len(self._recent) > RECENT_IDS:
                self._recent.popitem(last=False)
            return Claim.NEW

    def confirm(self, key: str) -> None:
        with self._lock:
            self._recent[key] = True

    def release(self, key: str) -> None:
        with self._lock:
            self._recent.pop(key, None)

    def throttle(self, key: str, interval_s: float) -> bool:
        with self._lock:
            now = self.clock()
            last = self._throttled.get(key)
            if last is not None and now - last < interval_s:
                return False
            self._throttled[key] = now
            if len(self._throttled) > RECENT_IDS:
                self._throttled = {k: t for k, t in self._throttled.items() if now - t < interval_s}
            return True

    @contextmanager
    def lock(self, key: str, timeout_s: float = 10.0) -> Iterator[None]:
        with self._locks.hold(key):
            yield

    def add_agent_socket(self, username: str, sid: str) -> None:
        with self._lock:
            self._sockets.setdefault(username, set()).add(sid)

    def remove_agent_socket(self, username: str, sid: str) -> None:
        with self._lock:
            self._sockets.get(username, set()).discard(sid)

    def agent_sockets(self, username: str) -> set[str]:
        with self._lock:
            return set(self._sockets.get(username, ()))

    def put_entry(self, chat_id: int, sid: str, entry: Entry) -> None:
        with self._lock:
            self._entries.setdefault(chat_id, {})[sid] = entry

    def remove_entry(self, chat_id: int, sid: str) -> None:
        with self._lock:
            entries = self._entries.get(chat_id, {})
            entries.pop(sid, None)
            if not entries:
                self._entries.pop(chat_id, None)

    def chat_entries(self, chat_id: int) -> dict[str, Entry]:
        with self._lock:
            return dict(self._entries.get(chat_id, {}))

    def open_chats(self) -> set[int]:
        with self._lock:
            return set(self._entries) | set(self._shown)

    def shown(self, chat_id: int) -> list[ShownAgent]:
        with self._lock:
            return self._shown.get(chat_id, [])

    def set_shown(self, chat_id: int, agents: list[ShownAgent]) -> None:
        with self._lock:
            if agents:
                self._shown[chat_id] = agents
            else:
                self._shown.pop(chat_id, None)

    def heartbeat(self) -> list[int]:
        return []  # one relay: nobody else can die


class RedisState:
    """The desk's state in Redis, shared by every relay (Memorystore on Google Cloud)."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self.relay_id = uuid.uuid4().hex[:12]
        self.redis = client
        self.prefix = prefix
        self.heartbeat()

    def _key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def claim(self, key: str) -> Claim:
        name = self._key("sent", key)
        if self.redis.set(name, CLAIMED, nx=True, ex=CLAIM_TTL_S):
            return Claim.NEW
        return Claim.DONE if self.redis.get(name) == SENT else Claim.BUSY

    def confirm(self, key: str) -> None:
        self.redis.set(self._key("sent", key), SENT, ex=RECENT_TTL_S)

    def release(self, key: str) -> None:
        self.redis.delete(self._key("sent", key))

    def throttle(self, key: str, interval_s: float) -> bool:
        return bool(self.redis.set(self._key("throttle", key), 1, nx=True, px=max(1, int(interval_s * 1000))))

    @contextmanager
    def lock(self, key: str, timeout_s: float = 10.0) -> Iterator[None]:
        # timeout: a relay that dies holding it does not hold it for ever
        with self.redis.lock(self._key("lock", key), timeout=timeout_s, blocking_timeout=timeout_s):
            yield

    def add_agent_socket(self, username: str, sid: str) -> None:
        self.redis.hset(self._key("agent-sockets", username), sid, self.relay_id)

    def remove_agent_socket(self, username: str, sid: str) -> None:
        self.redis.hdel(self._key("agent-sockets", username), sid)

    def agent_sockets(self, username: str) -> set[str]:
        key = self._key("agent-sockets", username)
        sockets = {_text(sid): _text(relay) for sid, relay in self.redis.hgetall(key).items()}
        gone = self._gone_relays(set(sockets.values()))
        if gone:
            self.redis.hdel(key, *[sid for sid, relay in sockets.items() if relay in gone])
        return {sid for sid, relay in sockets.items() if relay not in gone}

    def put_entry(self, chat_id: int, sid: str, entry: Entry) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self._key("chat", chat_id), sid, json.dumps({**entry, "relay": self.relay_id}))
        pipe.sadd(self._key("chats"), chat_id)
        pipe.execute()

    def remove_entry(self, chat_id: int, sid: str) -> None:
        self.redis.hdel(self._key("chat", chat_id), sid)

    def chat_entries(self, chat_id: int) -> dict[str, Entry]:
        key = self._key("chat", chat_id)
        entries = {_text(sid): json.loads(raw) for sid, raw in self.redis.hgetall(key).items()}
        gone = self._gone_relays({e.get("relay", "") for e in entries.values()})
        if gone:
            self.redis.hdel(key, *[sid for sid, e in entries.items() if e.get("relay") in gone])
        return {sid: e for sid, e in entries.items() if e.get("relay") not in gone}

    def open_chats(self) -> set[int]:
        return {int(c) for c in self.redis.smembers(self._key("chats"))}

    def shown(self, chat_id: int) -> list[ShownAgent]:
        raw = self.redis.get(self._key("shown", chat_id))
        return json.loads(raw) if raw else []

    def set_shown(self, chat_id: int, agents: list[ShownAgent]) -> None:
        if agents:
            self.redis.set(self._key("shown", chat_id), json.dumps(agents))
            return
        pipe = self.redis.pipeline()
        pipe.delete(self._key("shown", chat_id))
        pipe.srem(self._key("chats"), chat_id)
        pipe.execute()

    def heartbeat(self) -> list[int]:
        """Say this relay lives (every HEARTBEAT_S); the chats where a relay that died had sockets,
        which the caller announces again now that those sockets no longer count."""
        pipe = self.redis.pipeline()
        pipe.set(self._key("relay", self.relay_id), 1, ex=RELAY_TTL_S)
        pipe.sadd(self._key("relays"), self.relay_id)
        pipe.smembers(self._key("relays"))
        relays = {r.decode() for r in pipe.execute()[2]}
        gone = self._gone_relays(relays)
        if not gone:
            return []
        self.redis.srem(self._key("relays"), *gone)
        return sorted(chat for chat in self.open_chats()
                      if any(e.get("relay") in gone for e in self._raw_entries(chat)))

    def _raw_entries(self, chat_id: int) -> list[Entry]:
        return [json.loads(raw) for raw in self.redis.hvals(self._key("chat", chat_id))]

    def _gone_relays(self, relays: set[str]) -> set[str]:
        relays = {r for r in relays if r and r != self.relay_id}
        if not relays:
            return set()
        ordered = sorted(relays)
        alive = self.redis.mget([self._key("relay", r) for r in ordered])
        return {r for r, a in zip(ordered, alive, strict=True) if a is None}
