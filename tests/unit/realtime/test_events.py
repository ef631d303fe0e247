"""realtime/events.py: only a logged-in agent's socket is let in, and only it hears the desk."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO
from relay_fakes import CHAT_ID, FakeStore, login, received


def test_a_socket_without_a_session_is_refused(app: Flask, socketio: SocketIO, client: FlaskClient):
    assert not socketio.test_client(app, flask_test_client=client).is_connected()
    assert not socketio.test_client(app).is_connected()  # no cookie at all


def test_a_socket_with_a_session_is_accepted(app: Flask, socketio: SocketIO, agent: FlaskClient):
    assert socketio.test_client(app, flask_test_client=agent).is_connected()


def test_a_socket_after_a_failed_login_is_refused(app: Flask, socketio: SocketIO, client: FlaskClient):
    login(client, password="wrong")
    assert not socketio.test_client(app, flask_test_client=client).is_connected()


def test_a_socket_after_logout_is_refused(app: Flask, socketio: SocketIO, agent: FlaskClient):
    agent.post("/api/logout")
    assert not socketio.test_client(app, flask_test_client=agent).is_connected()


def test_a_disabled_agents_socket_is_refused(app: Flask, socketio: SocketIO, agent: FlaskClient, store: FakeStore):
    store.agents["admin"]["disabled"] = True
    assert not socketio.test_client(app, flask_test_client=agent).is_connected()


def test_events_reach_every_logged_in_agent(app: Flask, socketio: SocketIO, agent: FlaskClient, console):
    bob = app.test_client()
    assert login(bob, "bob", "bob-password").status_code == 200
    bobs_console = socketio.test_client(app, flask_test_client=bob)
    assert agent.post(f"/api/conversations/{CHAT_ID}/resolve").status_code == 200
    for socket in (console, bobs_console):
        assert [name for name, _ in received(socket)] == ["conversation"]
