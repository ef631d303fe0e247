"""realtime/sessions.py and its use: the desk keeps each session (by digest), and a logout ends it for
every copy of the cookie and closes its sockets, not the agent's other sessions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO
from relay_fakes import FakePublisher, FakeStore, login

from realtime.app import create_app
from realtime.auth import SESSION_ID
from realtime.sessions import RENEW_AFTER_S, RedisSessions, SessionStore, StoredSessions, session_digest

LIFETIME = timedelta(seconds=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["store", "redis"])
def sessions(request: pytest.FixtureRequest) -> SessionStore:
    if request.param == "store":
        return StoredSessions(FakeStore().sessions, LIFETIME)
    client = redis.Redis.from_url(request.getfixturevalue("redis_server").url)
    return RedisSessions(client, LIFETIME, prefix=f"test-{uuid.uuid4().hex[:8]}:")


def test_a_session_is_found_by_its_id_and_ends_with_its_sockets(sessions: SessionStore):
    session_id = sessions.start("ana")
    found = sessions.find(session_id)
    assert found is not None and (found.username, found.digest) == ("ana", session_digest(session_id))
    sessions.add_socket(found.digest, "sid-1")
    sessions.add_socket(found.digest, "sid-2")
    sessions.remove_socket(found.digest, "sid-2")
    assert sessions.end(found.digest) == {"sid-1"}
    assert sessions.find(session_id) is None
    assert sessions.end(found.digest) == set()  # ending twice is no harm
    assert sessions.find(sessions.start("ana")) is not None  # another login is another session


def test_the_desk_keeps_the_digest_of_a_session_id_never_the_id(redis_server: Any):
    client = redis.Redis.from_url(redis_server.url)
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    session_id = RedisSessions(client, LIFETIME, prefix).start("ana")
    keys = [key.decode() for key in client.scan_iter(f"{prefix}*")]
    assert keys == [f"{prefix}session:{session_digest(session_id)}"]
    assert session_id not in keys[0]


def test_an_unused_session_expires_and_a_used_one_lives_on():
    clock, store = Clock(), FakeStore()
    sessions = StoredSessions(store.sessions, timedelta(hours=1), clock)
    used, unused = sessions.start("ana"), sessions.start("bea")
    clock.now += 1800
    assert sessions.find(used) is not None
    clock.now += 1800
    assert sessions.find(used) is not None and sessions.find(unused) is None
    # The store is written at most every RENEW_AFTER_S, not on every request.
    expires_at = store.session_docs[session_digest(used)]["expires_at"]
    assert expires_at.timestamp() == clock.now + 3600
    clock.now += RENEW_AFTER_S - 1
    assert sessions.find(used) is not None
    assert store.session_docs[session_digest(used)]["expires_at"] == expires_at
    assert list(store.session_docs) == [session_digest(used), session_digest(unused)]  # digests, never ids


def test_redis_forgets_a_session_its_lifetime_after_its_last_use(redis_server: Any):
    client = redis.Redis.from_url(redis_server.url)
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    sessions = RedisSessions(client, timedelta(hours=12), prefix)
    session_id = sessions.start("ana")
    digest = session_digest(session_id)
    sessions.add_socket(digest, "sid-1")
    for kind in ("session", "session-sockets"):
        client.expire(f"{prefix}{kind}:{digest}", 60)  # as if most of the lifetime had passed
    assert sessions.find(session_id) is not None
    assert [client.ttl(f"{prefix}{kind}:{digest}") > 12 * 3600 - 60 for kind in ("session", "session-sockets")] == [
        True, True]


def copy_of(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Another client holding the same session cookie (a copied cookie)."""
    thief = app.test_client()
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def test_after_logout_a_copied_cookie_is_no_session_and_is_not_renewed(app: Flask, agent: FlaskClient):
    thief = copy_of(app, agent)
    renewed = thief.get("/api/me")
    assert renewed.status_code == 200 and "session=" in renewed.headers["Set-Cookie"]  # a live session renews
    assert agent.post("/api/logout").status_code == 204
    refused = thief.get("/api/me")
    assert refused.status_code == 401
    assert refused.headers.get("Set-Cookie", "session=;").startswith("session=;")  # cleared, never renewed
    assert thief.get("/api/conversations").status_code == 401


def test_a_cookie_signed_before_sessions_were_kept_is_no_session(app: Flask, agent: FlaskClient):
    with agent.session_transaction() as cookie:
        del cookie[SESSION_ID]
        cookie["agent"] = "admin"  # what the cookie carried before the desk kept sessions
    assert agent.get("/api/me").status_code == 401


def test_logout_closes_that_sessions_sockets_only(app: Flask, socketio: SocketIO, agent: FlaskClient):
    other_browser = app.test_client()
    assert login(other_browser).status_code == 200  # the same agent, another session
    tab, same_session_tab = (socketio.test_client(app, flask_test_client=agent) for _ in range(2))
    other = socketio.test_client(app, flask_test_client=other_browser)
    assert agent.post("/api/logout").status_code == 204
    for socket in (tab, same_session_tab):
        assert not socket.is_connected()
    assert other.is_connected()
    ended = [event for event in other.get_received() if event["name"] == "session_ended"]
    assert ended == []
    assert other_browser.get("/api/me").status_code == 200


def test_logging_in_again_ends_the_session_the_browser_had(app: Flask, agent: FlaskClient):
    thief = copy_of(app, agent)
    assert login(agent).status_code == 200
    assert thief.get("/api/me").status_code == 401
    assert agent.get("/api/me").status_code == 200


def test_a_new_password_or_a_disable_still_ends_the_agents_sessions(app: Flask, agent: FlaskClient):
    bob = app.test_client()
    assert login(bob, "bob", "bob-password").status_code == 200
    assert agent.post("/api/agents/bob/password", json={"password": "new-password"}).status_code == 200
    assert bob.get("/api/me").status_code == 401
    assert agent.get("/api/me").status_code == 200
    assert agent.post("/api/agents/admin/password", json={"password": "admin-new-password"}).status_code == 200
    assert agent.get("/api/me").status_code == 200  # the admin's own session goes on under the new epoch


def test_without_redis_a_session_outlives_a_restart_of_the_relay(app: Flask, agent: FlaskClient, settings,
                                                                 store: FakeStore):
    """One relay keeps its sessions in the desk's store: a new process (a deploy, an instance Cloud
    Run replaced) knows them, and a logout on either is a logout on both."""
    restarted = create_app(settings, store=store, publisher=FakePublisher(), subscribe=False)[0]
    after_restart = copy_of(restarted, agent)
    assert after_restart.get("/api/me").status_code == 200
    assert agent.post("/api/logout").status_code == 204
    assert after_restart.get("/api/me").status_code == 401
