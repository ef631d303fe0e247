"""The API and the Socket.IO connection refuse a client without a valid session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import socketio
import websocket
from support import EventRecorder, connect_console, wait_until

from realtime.sessions import session_digest
from teledesk.model import AgentSession
from teledesk.store import Store

pytestmark = pytest.mark.integration

PROTECTED = [
    ("get", "api/me"),
    ("get", "api/conversations"),
    ("get", "api/conversations/42/messages"),
    ("post", "api/conversations/42/messages"),
    ("post", "api/conversations/42/assign"),
    ("post", "api/conversations/42/resolve"),
    ("post", "api/conversations/42/reopen"),
    ("post", "api/conversations/42/read"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_api_refuses_without_session(desk, method, path):
    answer = requests.request(method, f"{desk.console_url}{path}", json={"text": "x", "client_id": "abcdefgh1"},
                              timeout=10)
    assert answer.status_code == 401


def test_api_refuses_a_forged_cookie(desk):
    answer = requests.get(f"{desk.console_url}api/conversations", cookies={"session": "eyJhZ2VudCI6ImFkbWluIn0.x.y"},
                          timeout=10)
    assert answer.status_code == 401


def test_wrong_password_is_refused_and_right_one_accepted(desk, desk_settings):
    url = f"{desk.console_url}api/login"
    assert requests.post(url, json={"username": "admin", "password": "guess"}, timeout=10).status_code == 401
    assert requests.post(url, json={"username": "nobody", "password": "guess"}, timeout=10).status_code == 401
    assert requests.post(url, json={"username": "admin"}, timeout=10).status_code == 400
    ok = requests.post(url, json={"username": "admin", "password": desk_settings.desk_admin_password}, timeout=10)
    assert ok.status_code == 200 and ok.json()["agent"]["username"] == "admin"
    assert "HttpOnly" in ok.headers["Set-Cookie"]


def test_health_and_openapi_need_no_session(desk):
    health = requests.get(f"{desk.console_url}api/health", timeout=10)
    assert health.status_code == 200
    # what Telegram (here the stand-in) says of the webhook the desk registered
    assert health.json()["telegram"]["url"] == desk.webhook_url
    assert health.json()["telegram"]["pending_update_count"] >= 0
    document = requests.get(f"{desk.console_url}api/openapi.json", timeout=10).json()
    assert "/api/conversations/{chat_id}/messages" in document["paths"]


@pytest.mark.parametrize("cookie", [None, "session=forged"])
def test_socket_refuses_without_session(desk, cookie):
    client = socketio.Client(reconnection=False)
    headers = {"Cookie": cookie} if cookie else {}
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(desk.console_url.rstrip("/"), headers=headers, transports=["websocket"], wait_timeout=5)
    assert not client.connected


def test_logout_ends_the_session(desk, agent):
    assert agent.get(f"{desk.console_url}api/me", timeout=10).status_code == 200
    assert agent.post(f"{desk.console_url}api/logout", timeout=10).status_code == 204
    assert agent.get(f"{desk.console_url}api/me", timeout=10).status_code == 401


def admin_session(desk, desk_settings) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(f"{desk.console_url}api/login", timeout=10,
                          json={"username": "admin", "password": desk_settings.desk_admin_password})
    assert answer.status_code == 200, answer.text
    return browser


def test_after_logout_a_copied_cookie_gets_401_and_is_not_renewed(desk, desk_settings):
    browser = admin_session(desk, desk_settings)
    thief = requests.Session()
    thief.cookies.update(browser.cookies)
    assert thief.get(f"{desk.console_url}api/me", timeout=10).status_code == 200
    assert browser.post(f"{desk.console_url}api/logout", timeout=10).status_code == 204
    for path in ("api/me", "api/conversations"):
        refused = thief.get(f"{desk.console_url}{path}", timeout=10)
        assert refused.status_code == 401
        # Not renewed: at most the cookie is cleared.
        assert refused.headers.get("Set-Cookie", "session=;").startswith("session=;"), refused.headers
    assert not thief.cookies.get("session")


def test_logout_closes_that_sessions_sockets_and_no_other(desk, desk_settings):
    """The same agent in two browsers: logging out of one closes its tabs (told why), not the other's."""
    leaving, staying = admin_session(desk, desk_settings), admin_session(desk, desk_settings)
    tabs = [connect_console(EventRecorder("session_ended"), desk.console_url, leaving) for _ in range(2)]
    other = connect_console(EventRecorder("session_ended"), desk.console_url, staying)
    try:
        assert leaving.post(f"{desk.console_url}api/logout", timeout=10).status_code == 204
        for tab in tabs:
            assert tab.wait_for("session_ended", lambda _: True, timeout=10) == {"reason": "logout"}
            wait_until(lambda tab=tab: not tab.client.connected, timeout=10)
        assert other.client.connected and other.of("session_ended") == []
        assert staying.get(f"{desk.console_url}api/me", timeout=10).status_code == 200
    finally:
        other.client.disconnect()


def test_a_page_of_another_origin_cannot_ride_an_agents_cookie(desk, agent):
    """A same-site page (another port on 127.0.0.1, a sibling subdomain) gets the Lax cookie too."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in agent.cookies)
    socket_url = f"ws://127.0.0.1:{desk.settings.desk_port}/socket.io/?EIO=4&transport=websocket"
    evil = "http://127.0.0.1:1"
    with pytest.raises(websocket.WebSocketBadStatusException, match="400"):
        websocket.create_connection(socket_url, cookie=cookie, origin=evil, timeout=5)
    websocket.create_connection(socket_url, cookie=cookie, origin=desk.console_url.rstrip("/"), timeout=5).close()

    url = f"{desk.console_url}api/agents/admin/enable"
    assert agent.post(url, headers={"Sec-Fetch-Site": "same-site"}, timeout=10).status_code == 403
    assert agent.post(url, headers={"Origin": evil}, timeout=10).status_code == 403
    assert agent.post(url, headers={"Sec-Fetch-Site": "same-origin"}, timeout=10).status_code == 200


def test_the_store_keeps_a_session_by_digest_until_it_is_ended(own_project):
    """What one relay without Redis keeps its sessions in (the Firestore emulator)."""
    sessions = Store(own_project).sessions
    digest = session_digest("a-session-id")
    assert sessions.get(digest) is None
    sessions.create(digest, AgentSession(username="ana", expires_at=datetime(2026, 12, 4, 10, tzinfo=UTC)))
    sessions.extend(digest, datetime(2026, 12, 4, 12, tzinfo=UTC))
    assert sessions.get(digest) == AgentSession(username="ana", expires_at=datetime(2026, 12, 4, 12, tzinfo=UTC))
    sessions.delete(digest)
    sessions.extend(digest, datetime(2026, 12, 4, 14, tzinfo=UTC))  # a session ended meanwhile stays ended
    assert sessions.get(digest) is None
