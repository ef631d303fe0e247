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
    store.agent_docs["admin"]["disabled"] = True
    assert not socketio.test_client(app, flask_test_client=agent).is_connected()


def test_an_agent_disabled_while_its_socket_joins_is_refused_and_leaves_no_socket_behind(
        app: Flask, socketio: SocketIO, agent: FlaskClient, store: FakeStore, monkeypatch):
    """end_sessions reads the registered sockets: the socket is registered before the second look
    at the agent, so a deactivation in between is seen by one or the other."""
    looked_up = store.agents.get
    lookups: list[str] = []

    def agent_disabled_after_the_first_look(username: str):
        lookups.append(username)
        if len(lookups) == 2:
            assert app.extensions["teledesk"].state.agent_sockets("admin")  # already registered
            store.agent_docs["admin"]["disabled"] = True
        return looked_up(username)

    monkeypatch.setattr(store.agents, "get", agent_disabled_after_the_first_look)
    assert not socketio.test_client(app, flask_test_client=agent).is_connected()
    assert len(lookups) == 2
    assert app.extensions["teledesk"].state.agent_sockets("admin") == set()


def test_events_reach_every_logged_in_agent(app: Flask, socketio: SocketIO, agent: FlaskClient, console):
    bob = app.test_client()
    assert login(bob, "bob", "bob-password").status_code == 200
    bobs_console = socketio.test_client(app, flask_test_client=bob)
    assert agent.post(f"/api/conversations/{CHAT_ID}/resolve").status_code == 200
    for socket in (console, bobs_console):
        assert [name for name, _ in received(socket)] == ["conversation"]


def test_a_handshake_without_a_session_is_refused_before_engineio_opens_anything(client: FlaskClient,
                                                                                    agent: FlaskClient):
    handshake = "/socket.io/?EIO=4&transport=polling"
    refused = client.get(handshake)
    assert (refused.status_code, refused.get_json()) == (401, {"error": "login required"})
    assert refused.headers["Connection"] == "close"
    assert client.get(handshake + "&xsid=1").status_code == 401  # only a real `sid` parameter passes
    assert client.get(handshake + "&sid=unknown").status_code == 400  # Engine.IO's answer to an unknown session
    assert agent.get(handshake).status_code == 200
