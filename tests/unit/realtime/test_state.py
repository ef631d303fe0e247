"""realtime/state.py: the desk's shared state, in one relay's memory and in a real Redis."""

from __future__ import annotations

import itertools
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

import realtime.state
from devtools.runner.redis_server import RedisServer
from realtime.state import REDIS_OPTIONS, Claim, MemoryState, RedisState, SharedState, shared_state


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def prefix() -> str:
    """Each test its own keys, so tests on the one Redis do not see each other."""
    return f"test-{uuid.uuid4().hex[:8]}:"


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest, prefix: str) -> SharedState:
    if request.param == "memory":
        return MemoryState()
    return RedisState(redis.Redis.from_url(request.getfixturevalue("redis_server").url), prefix)


def test_an_event_is_claimed_once_confirmed_or_released(state: SharedState):
    assert state.claim("message:m1:0") is Claim.NEW
    assert state.claim("message:m1:0") is Claim.BUSY  # claimed, not yet out
    state.confirm("message:m1:0")
    assert state.claim("message:m1:0") is Claim.DONE
    assert state.claim("message:m1:1") is Claim.NEW
    state.release("message:m1:1")  # its emit failed: the retry may have it
    assert state.claim("message:m1:1") is Claim.NEW


def test_a_claim_of_a_relay_that_died_before_it_emitted_expires(redis_client: redis.Redis, prefix: str,
                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(realtime.state, "CLAIM_TTL_S", 1)
    died, other = RedisState(redis_client, prefix), RedisState(redis_client, prefix)
    assert died.claim("message:m9:0") is Claim.NEW
    assert other.claim("message:m9:0") is Claim.BUSY
    time.sleep(1.1)
    assert other.claim("message:m9:0") is Claim.NEW


def test_a_throttle_lets_one_through_per_interval_and_key(state: SharedState):
    assert state.throttle("typing:1", 0.3)
    assert not state.throttle("typing:1", 0.3)
    assert state.throttle("typing:2", 0.3)
    time.sleep(0.35)
    assert state.throttle("typing:1", 0.3)


def test_the_memory_throttle_on_a_fake_clock():
    clock = Clock()
    state = MemoryState(clock=clock)
    assert state.throttle("typing:1", 4.0) and not state.throttle("typing:1", 4.0)
    clock.now += 3.9
    assert not state.throttle("typing:1", 4.0)
    clock.now += 0.1
    assert state.throttle("typing:1", 4.0)


def test_a_lock_lets_one_holder_in_at_a_time(state: SharedState):
    inside, most, order = [0], [0], itertools.count()
    seen: list[int] = []

    def hold() -> None:
        with state.lock("media:file-1"):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            seen.append(next(order))
            inside[0] -= 1

    threads = [threading.Thread(target=hold) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 1 and len(seen) == 5


def test_memory_locks_do_not_pile_up():
    state = MemoryState()
    for n in range(100):
        with state.lock(f"media:{n}"):
            pass
    assert len(state._locks) == 0


def test_an_agents_sockets(state: SharedState):
    state.add_agent_socket("ana", "s1")
    state.add_agent_socket("ana", "s2")
    state.add_agent_socket("bob", "s3")
    state.remove_agent_socket("ana", "s1")
    assert state.agent_sockets("ana") == {"s2"} and state.agent_sockets("bob") == {"s3"}
    assert state.agent_sockets("nobody") == set()


def test_presence_entries_and_what_was_shown(state: SharedState):
    state.put_entry(7, "s1", {"username": "ana", "name": "Ana", "typing_until": 0.0})
    state.put_entry(8, "s2", {"username": "bob", "name": "Bob", "typing_until": 0.0})
    assert set(state.chat_entries(7)) == {"s1"} and state.chat_entries(7)["s1"]["username"] == "ana"
    assert state.open_chats() >= {7, 8}
    state.set_shown(7, [{"username": "ana"}])
    assert state.shown(7) == [{"username": "ana"}] and state.shown(8) == []
    state.remove_entry(7, "s1")
    state.set_shown(7, [])
    assert state.chat_entries(7) == {} and 7 not in state.open_chats()


def test_relays_on_one_redis_share_everything(redis_client: redis.Redis, prefix: str):
    one, two = RedisState(redis_client, prefix), RedisState(redis_client, prefix)
    assert one.claim("delivery:m1:sent:0") is Claim.NEW and two.claim("delivery:m1:sent:0") is Claim.BUSY
    one.confirm("delivery:m1:sent:0")
    assert two.claim("delivery:m1:sent:0") is Claim.DONE
    assert one.throttle("typing:5", 4.0) and not two.throttle("typing:5", 4.0)
    one.add_agent_socket("ana", "on-one")
    two.add_agent_socket("ana", "on-two")
    assert one.agent_sockets("ana") == two.agent_sockets("ana") == {"on-one", "on-two"}
    two.put_entry(9, "on-two", {"username": "ana", "name": "Ana", "typing_until": 0.0})
    assert set(one.chat_entries(9)) == {"on-two"}


def test_a_relay_that_died_stops_counting_and_its_chats_are_told(redis_client: redis.Redis, prefix: str):
    alive, dead = RedisState(redis_client, prefix), RedisState(redis_client, prefix)
    dead.put_entry(11, "gone-socket", {"username": "bob", "name": "Bob", "typing_until": 0.0})
    dead.add_agent_socket("bob", "gone-socket")
    alive.put_entry(12, "live-socket", {"username": "ana", "name": "Ana", "typing_until": 0.0})
    assert alive.heartbeat() == []  # both alive
    redis_client.delete(f"{prefix}relay:{dead.relay_id}")  # its heartbeat expired (SIGKILL)
    assert alive.heartbeat() == [11]
    assert alive.chat_entries(11) == {} and set(alive.chat_entries(12)) == {"live-socket"}
    assert alive.agent_sockets("bob") == set()
    assert alive.heartbeat() == []  # told once


@pytest.mark.timeout(20)
def test_a_redis_that_stops_answering_fails_a_call_instead_of_hanging_it(monkeypatch: pytest.MonkeyPatch):
    """A half-open connection after a failover: the pull loop's claim must fail (and be retried),
    not wait for ever while /api/health still says the loop is alive."""
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    monkeypatch.setitem(REDIS_OPTIONS, "socket_timeout", 0.3)
    try:
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            shared_state(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        assert time.monotonic() - started < 5
    finally:
        silent.close()
