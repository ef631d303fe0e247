"""realtime/presence.py and its socket events: who has which chat open, who types, and typing's expiry."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO
from relay_fakes import CHAT_ID, login, received

import realtime.events
from realtime.presence import TYPING_TTL_S, Presence

OTHER_CHAT = 77
ADMIN = {"username": "admin", "name": "Admin"}
BOB = {"username": "bob", "name": "Bob"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def agents(*typing_agents: tuple[dict[str, str], bool]) -> list[dict[str, Any]]:
    return [{**agent, "typing": typing} for agent, typing in typing_agents]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(clock: Clock) -> Presence:
    presence = Presence(clock=clock)
    presence.join("s-admin", "admin", "Admin")
    presence.join("s-bob", "bob", "Bob")
    return presence


@pytest.fixture
def announced() -> list[dict[str, Any]]:
    return []


# -- the registry ---------------------------------------------------------------------------------------

def test_opening_a_chat_and_typing_are_announced_once_each(registry: Presence, announced: list):
    registry.report("s-bob", CHAT_ID, False, announced.append)
    registry.report("s-bob", CHAT_ID, False, announced.append)  # no change: nothing said
    registry.report("s-bob", CHAT_ID, True, announced.append)
    registry.report("s-bob", CHAT_ID, True, announced.append)  # still typing: nothing new to say
    assert announced == [{"chat_id": CHAT_ID, "agents": agents((BOB, False))},
                         {"chat_id": CHAT_ID, "agents": agents((BOB, True))}]


def test_moving_to_another_chat_announces_both(registry: Presence, announced: list):
    registry.report("s-admin", CHAT_ID, False, announced.append)
    registry.report("s-bob", CHAT_ID, True, announced.append)
    announced.clear()
    registry.report("s-bob", OTHER_CHAT, False, announced.append)
    assert announced == [{"chat_id": OTHER_CHAT, "agents": agents((BOB, False))},
                         {"chat_id": CHAT_ID, "agents": agents((ADMIN, False))}]


def test_typing_expires_after_the_last_report(registry: Presence, announced: list, clock: Clock):
    registry.report("s-bob", CHAT_ID, True, announced.append)
    clock.now += TYPING_TTL_S - 1
    registry.report("s-bob", CHAT_ID, True, announced.append)  # typing on: the flag lasts from here
    clock.now += TYPING_TTL_S - 1
    assert registry.sweep(announced.append) is True  # still typing: the sweeper goes on
    assert registry.snapshot() == [{"chat_id": CHAT_ID, "agents": agents((BOB, True))}]
    announced.clear()
    clock.now += 1
    assert registry.snapshot() == [{"chat_id": CHAT_ID, "agents": agents((BOB, False))}]  # expired lazily
    assert registry.sweep(announced.append) is False  # nobody types: the sweeper stops
    assert announced == [{"chat_id": CHAT_ID, "agents": agents((BOB, False))}]
    assert registry.sweep(announced.append) is False and len(announced) == 1


def test_stopping_typing_and_leaving_are_announced(registry: Presence, announced: list):
    registry.report("s-bob", CHAT_ID, True, announced.append)
    registry.report("s-bob", CHAT_ID, False, announced.append)
    registry.report("s-bob", None, True, announced.append)  # typing in no chat means nothing
    registry.leave("s-bob", announced.append)  # nothing open: nothing to say
    assert announced == [{"chat_id": CHAT_ID, "agents": agents((BOB, True))},
                         {"chat_id": CHAT_ID, "agents": agents((BOB, False))},
                         {"chat_id": CHAT_ID, "agents": []}]
    assert registry.snapshot() == []


def test_an_agent_in_several_tabs_is_listed_once_typing_if_any_tab_types(registry: Presence, announced: list):
    registry.join("s-bob-2", "bob", "Bob")
    registry.report("s-bob", CHAT_ID, False, announced.append)
    registry.report("s-bob-2", CHAT_ID, True, announced.append)
    registry.report("s-admin", CHAT_ID, False, announced.append)
    assert announced[-1] == {"chat_id": CHAT_ID, "agents": agents((ADMIN, False), (BOB, True))}
    registry.leave("s-bob-2", announced.append)
    assert announced[-1] == {"chat_id": CHAT_ID, "agents": agents((ADMIN, False), (BOB, False))}


def test_a_socket_that_never_joined_changes_nothing(registry: Presence, announced: list):
    registry.report("s-stranger", CHAT_ID, True, announced.append)
    registry.leave("s-stranger", announced.append)
    assert announced == [] and registry.snapshot() == []


def test_one_sweeper_at_a_time_and_only_while_somebody_types(registry: Presence, announced: list, clock: Clock):
    assert registry.claim_sweeper() is False  # nobody types
    registry.report("s-bob", CHAT_ID, True, announced.append)
    assert registry.claim_sweeper() is True
    assert registry.claim_sweeper() is False  # one runs already
    clock.now += TYPING_TTL_S
    assert registry.sweep(announced.append) is False  # its turn ends
    registry.report("s-bob", CHAT_ID, True, announced.append)
    assert registry.claim_sweeper() is True


def test_an_announcement_that_fails_is_made_again(registry: Presence, clock: Clock):
    def failing(view: dict) -> None:
        raise ConnectionError("emit failed")

    with pytest.raises(ConnectionError):
        registry.report("s-bob", CHAT_ID, False, failing)
    retried: list = []
    registry.sweep(retried.append)
    assert retried == [{"chat_id": CHAT_ID, "agents": agents((BOB, False))}]


# -- over Socket.IO ---------------------------------------------------------------------------------------

@pytest.fixture
def bobs_console(app: Flask, socketio: SocketIO) -> Any:
    browser = app.test_client()
    assert login(browser, "bob", "bob-password").status_code == 200
    socket = socketio.test_client(app, flask_test_client=browser)
    assert socket.is_connected()
    return socket


def presence_events(socket: Any) -> list[Any]:
    return [payload for name, payload in received(socket) if name == "presence"]


def test_a_report_reaches_every_console(console: Any, bobs_console: Any):
    assert not bobs_console.emit("presence", {"chat_id": CHAT_ID, "typing": True}, callback=True)  # no error
    expected = {"chat_id": CHAT_ID, "agents": agents((BOB, True))}
    assert presence_events(console) == [expected]
    assert presence_events(bobs_console) == [expected]


@pytest.mark.parametrize(("payload", "error"), [
    ("4242", "presence must be an object {chat_id, typing}"),
    ({"chat_id": "4242", "typing": False}, "chat_id must be an integer or null"),
    ({"chat_id": True, "typing": False}, "chat_id must be an integer or null"),
    ({"chat_id": 4.5, "typing": False}, "chat_id must be an integer or null"),
    ({"chat_id": CHAT_ID, "typing": "yes"}, "typing must be true or false"),
])
def test_an_invalid_report_is_refused_with_a_reason(console: Any, bobs_console: Any, payload: Any, error: str):
    assert bobs_console.emit("presence", payload, callback=True) == {"error": error}
    assert presence_events(console) == []


def test_typing_may_be_left_out(console: Any, bobs_console: Any):
    bobs_console.emit("presence", {"chat_id": CHAT_ID})
    assert presence_events(console) == [{"chat_id": CHAT_ID, "agents": agents((BOB, False))}]


def test_a_console_that_connects_is_told_every_open_chat(app: Flask, socketio: SocketIO, agent: FlaskClient,
                                                         bobs_console: Any):
    bobs_console.emit("presence", {"chat_id": OTHER_CHAT, "typing": False})
    late = socketio.test_client(app, flask_test_client=agent)
    assert presence_events(late) == [{"chat_id": OTHER_CHAT, "agents": agents((BOB, False))}]


def test_a_console_that_disconnects_leaves_its_chat(console: Any, bobs_console: Any):
    bobs_console.emit("presence", {"chat_id": CHAT_ID, "typing": True})
    console.get_received()
    bobs_console.disconnect()
    assert presence_events(console) == [{"chat_id": CHAT_ID, "agents": []}]


def test_the_sweeper_clears_a_stopped_typer(app: Flask, monkeypatch: pytest.MonkeyPatch, console: Any,
                                            bobs_console: Any):
    monkeypatch.setattr(realtime.events, "SWEEP_INTERVAL_S", 0.05)
    app.extensions["teledesk"].presence.ttl = 0.2
    bobs_console.emit("presence", {"chat_id": CHAT_ID, "typing": True})  # and then nothing more
    seen: list[Any] = []
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        seen += presence_events(console)
        time.sleep(0.02)
    assert seen == [{"chat_id": CHAT_ID, "agents": agents((BOB, True))},
                    {"chat_id": CHAT_ID, "agents": agents((BOB, False))}]


# -- two relays on one Redis ----------------------------------------------------------------------------

def test_presence_and_typing_are_seen_across_relays(redis_server, clock: Clock):
    import uuid

    import redis

    from realtime.state import RedisState

    prefix = f"presence-{uuid.uuid4().hex[:8]}:"
    client = redis.Redis.from_url(redis_server.url)
    one = Presence(RedisState(client, prefix), clock=clock)
    two = Presence(RedisState(client, prefix), clock=clock)
    told_one: list[dict[str, Any]] = []  # what each relay emitted (the message queue takes it to every console)
    told_two: list[dict[str, Any]] = []
    one.join("s-admin", "admin", "Admin")
    two.join("s-bob", "bob", "Bob")

    one.report("s-admin", CHAT_ID, False, told_one.append)
    two.report("s-bob", CHAT_ID, True, told_two.append)
    assert told_one == [{"chat_id": CHAT_ID, "agents": agents((ADMIN, False))}]
    assert told_two == [{"chat_id": CHAT_ID, "agents": agents((ADMIN, False), (BOB, True))}]
    assert one.snapshot() == two.snapshot() == told_two  # a console connecting to either relay sees both

    clock.now += TYPING_TTL_S + 0.1  # bob's typing expires: the first relay to sweep the chat says so, once
    assert one.sweep(told_one.append) is False
    assert two.sweep(told_two.append) is False
    expired = {"chat_id": CHAT_ID, "agents": agents((ADMIN, False), (BOB, False))}
    assert told_one[1:] + told_two[1:] == [expired]

    one.leave("s-admin", told_one.append)
    assert told_one[-1] == {"chat_id": CHAT_ID, "agents": agents((BOB, False))}
    client.close()
