"""The API and the Socket.IO connection refuse a client without a valid session."""

from __future__ import annotations

import pytest
import requests
import socketio
import websocket

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
