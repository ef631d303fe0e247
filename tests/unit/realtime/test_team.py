"""realtime/team.py: the team on the relay: listing, adding, disabling (which ends sessions), passwords."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO
from relay_fakes import ADMIN_PASSWORD, FakeStore, login, received
from werkzeug.security import check_password_hash

USERNAME_RULE = "username must be 2 to 32 of a-z, 0-9, '_', '.' or '-', a letter or digit first"
NEW_AGENT = {"username": "bea", "name": "Bea", "role": "agent", "password": "bea-password"}


@pytest.fixture
def bob(app: Flask) -> FlaskClient:
    """A browser logged in as bob, an agent who is not an admin."""
    browser = app.test_client()
    assert login(browser, "bob", "bob-password").status_code == 200
    return browser


def socket_of(app: Flask, socketio: SocketIO, browser: FlaskClient) -> Any:
    socket = socketio.test_client(app, flask_test_client=browser)
    assert socket.is_connected()
    return socket


# -- listing ------------------------------------------------------------------------------------------

def test_any_agent_lists_the_team_by_username_without_password_hashes(bob: FlaskClient, store: FakeStore):
    store.agents.create("al", "Al", "agent", "secret-hash")
    store.agent_docs["al"]["disabled"] = True
    response = bob.get("/api/agents")
    assert response.status_code == 200
    assert response.get_json() == {"agents": [
        {"username": "admin", "name": "Admin", "role": "admin", "disabled": False, "telegram_id": None},
        {"username": "al", "name": "Al", "role": "agent", "disabled": True, "telegram_id": None},
        {"username": "bob", "name": "Bob", "role": "agent", "disabled": False, "telegram_id": None},
    ]}
    assert "secret-hash" not in response.get_data(as_text=True)


# -- adding -------------------------------------------------------------------------------------------

def test_an_admin_adds_an_agent_who_can_then_log_in(agent: FlaskClient, client: FlaskClient, store: FakeStore):
    response = agent.post("/api/agents", json={**NEW_AGENT, "name": "  Bea  "})
    assert response.status_code == 201
    assert response.get_json() == {"agent": {"username": "bea", "name": "Bea", "role": "agent", "disabled": False,
                                             "telegram_id": None}}
    stored = store.agents.get("bea")
    assert stored is not None and stored.password_hash != NEW_AGENT["password"]
    assert check_password_hash(stored.password_hash, NEW_AGENT["password"])
    assert login(client, "bea", "bea-password").get_json()["agent"]["username"] == "bea"


def test_the_role_defaults_to_agent_and_may_be_admin(agent: FlaskClient, store: FakeStore):
    assert agent.post("/api/agents", json={**NEW_AGENT, "role": "admin"}).status_code == 201
    body = {k: v for k, v in NEW_AGENT.items() if k != "role"} | {"username": "cy"}
    assert agent.post("/api/agents", json=body).get_json()["agent"]["role"] == "agent"
    assert (store.agent_docs["bea"]["role"], store.agent_docs["cy"]["role"]) == ("admin", "agent")


def test_a_taken_username_is_a_conflict_and_changes_nothing(agent: FlaskClient, store: FakeStore):
    before = store.agents.get("bob")
    response = agent.post("/api/agents", json={**NEW_AGENT, "username": "bob"})
    assert (response.status_code, response.get_json()) == (409, {"error": "the username 'bob' is taken"})
    assert store.agents.get("bob") == before


@pytest.mark.parametrize(("change", "error"), [
    ({"username": "b"}, USERNAME_RULE),
    ({"username": "x" * 33}, USERNAME_RULE),
    ({"username": "Bea"}, USERNAME_RULE),
    ({"username": "be a"}, USERNAME_RULE),
    ({"username": 7}, USERNAME_RULE),
    ({"username": ".."}, USERNAME_RULE),  # not a Firestore document id
    ({"username": "__ab__"}, USERNAME_RULE),  # reserved by Firestore
    ({"username": "-bea"}, USERNAME_RULE),
    ({"name": "   "}, "name must be 1 to 64 characters"),
    ({"name": "n" * 65}, "name must be 1 to 64 characters"),
    ({"name": "\u00a0" + "n" * 64}, "name must be 1 to 64 characters"),  # as sent: the declared limit (schemathesis)
    ({"name": None}, "name must be 1 to 64 characters"),
    ({"role": "owner"}, "role must be 'admin' or 'agent'"),
    ({"password": "short"}, "password must be 8 to 256 characters"),
    ({"password": "p" * 257}, "password must be 8 to 256 characters"),
    ({"password": 12345678}, "password must be 8 to 256 characters"),
])
def test_an_invalid_new_agent_is_a_bad_request_that_says_why(agent: FlaskClient, store: FakeStore,
                                                             change: dict, error: str):
    response = agent.post("/api/agents", json={**NEW_AGENT, **change})
    assert (response.status_code, response.get_json()) == (400, {"error": error})
    assert sorted(store.agent_docs) == ["admin", "bob"]


@pytest.mark.parametrize("path", ["/api/agents", "/api/agents/bob/password"])
def test_a_body_that_is_not_an_object_is_a_bad_request(agent: FlaskClient, path: str):
    response = agent.post(path, json=["bea"])
    assert (response.status_code, response.get_json()) == (400, {"error": "the body must be a JSON object"})


@pytest.mark.parametrize(("path", "body"), [
    ("/api/agents", NEW_AGENT),
    ("/api/agents/admin/disable", None),
    ("/api/agents/admin/enable", None),
    ("/api/agents/admin/password", {"password": "taken-over!"}),
])
def test_only_an_admin_changes_the_team(bob: FlaskClient, store: FakeStore, path: str, body: Any):
    before = {username: dict(agent) for username, agent in store.agent_docs.items()}
    response = bob.post(path, json=body)
    assert (response.status_code, response.get_json()) == (403, {"error": "only an admin can change the team"})
    assert dict(store.agent_docs) == before


# -- disabling and enabling -----------------------------------------------------------------------------

def test_disabling_an_agent_ends_every_one_of_their_sockets_and_their_api_calls(
    app: Flask, socketio: SocketIO, agent: FlaskClient, bob: FlaskClient, console: Any, store: FakeStore,
):
    bobs_tabs = [socket_of(app, socketio, bob), socket_of(app, socketio, bob)]
    for socket in (*bobs_tabs, console):
        socket.get_received()

    response = agent.post("/api/agents/bob/disable")

    assert response.status_code == 200
    assert response.get_json() == {"agent": {"username": "bob", "name": "Bob", "role": "agent", "disabled": True,
                                             "telegram_id": None}}
    assert store.agent_docs["bob"]["disabled"] is True
    for tab in bobs_tabs:
        assert not tab.is_connected()
        # what reached the tab before it was closed (get_received() refuses a closed client)
        assert [(event["name"], event["args"]) for event in tab.queue] == [("session_ended", [{"reason": "disabled"}])]
    assert console.is_connected() and ("session_ended" not in [name for name, _ in received(console)])
    assert bob.get("/api/conversations").status_code == 401
    assert not socketio.test_client(app, flask_test_client=bob).is_connected()


def test_an_enabled_agent_logs_in_again(agent: FlaskClient, client: FlaskClient, store: FakeStore):
    assert agent.post("/api/agents/bob/disable").status_code == 200
    assert login(client, "bob", "bob-password").status_code == 401
    response = agent.post("/api/agents/bob/enable")
    assert response.status_code == 200 and response.get_json()["agent"]["disabled"] is False
    assert store.agent_docs["bob"]["disabled"] is False
    assert login(client, "bob", "bob-password").status_code == 200


def test_disabling_twice_or_an_agent_without_sockets_is_fine(agent: FlaskClient):
    for _ in range(2):
        assert agent.post("/api/agents/bob/disable").get_json()["agent"]["disabled"] is True


def test_an_admin_cannot_disable_themself(agent: FlaskClient, console: Any, store: FakeStore):
    response = agent.post("/api/agents/admin/disable")
    assert (response.status_code, response.get_json()) == (400, {"error": "you cannot disable yourself"})
    assert store.agent_docs["admin"]["disabled"] is False
    assert console.is_connected() and agent.get("/api/me").status_code == 200


def test_another_admin_can_be_disabled(agent: FlaskClient, store: FakeStore):
    assert agent.post("/api/agents", json={**NEW_AGENT, "role": "admin"}).status_code == 201
    assert agent.post("/api/agents/bea/disable").get_json()["agent"] == {
        "username": "bea", "name": "Bea", "role": "admin", "disabled": True, "telegram_id": None}


@pytest.mark.parametrize(("path", "body"), [
    ("/api/agents/nobody/disable", None),
    ("/api/agents/nobody/enable", None),
    ("/api/agents/nobody/password", {"password": "long-enough"}),
])
def test_an_unknown_agent_is_not_found(agent: FlaskClient, store: FakeStore, path: str, body: Any):
    response = agent.post(path, json=body)
    assert (response.status_code, response.get_json()) == (404, {"error": "no such agent"})
    assert "nobody" not in store.agent_docs


# -- passwords ----------------------------------------------------------------------------------------

def test_an_admin_sets_an_agents_password(agent: FlaskClient, client: FlaskClient, store: FakeStore):
    response = agent.post("/api/agents/bob/password", json={"password": "new-bob-password"})
    assert response.status_code == 200
    assert response.get_json() == {"agent": {"username": "bob", "name": "Bob", "role": "agent", "disabled": False,
                                             "telegram_id": None}}
    assert "new-bob-password" not in store.agent_docs["bob"]["password_hash"]
    assert login(client, "bob", "bob-password").status_code == 401
    assert login(client, "bob", "new-bob-password").status_code == 200


def test_an_enabled_agent_signs_in_again_their_sessions_from_before_are_over(agent: FlaskClient,
                                                                               bob: FlaskClient):
    assert agent.post("/api/agents/bob/disable").status_code == 200
    assert agent.post("/api/agents/bob/enable").status_code == 200
    assert bob.get("/api/me").status_code == 401  # the cookie from before the disable is dead
    assert login(bob, "bob", "bob-password").status_code == 200
    assert bob.get("/api/me").status_code == 200


def test_a_new_password_ends_the_agents_sessions_and_sockets(app: Flask, socketio: SocketIO, agent: FlaskClient,
                                                             bob: FlaskClient):
    socket = socket_of(app, socketio, bob)
    socket.get_received()
    assert agent.post("/api/agents/bob/password", json={"password": "new-bob-password"}).status_code == 200
    assert not socket.is_connected()
    assert [(event["name"], event["args"]) for event in socket.queue] == [("session_ended", [{"reason": "password"}])]
    assert bob.get("/api/me").status_code == 401


def test_an_admin_sets_their_own_password(agent: FlaskClient, client: FlaskClient):
    assert agent.post("/api/agents/admin/password", json={"password": "admin-password-2"}).status_code == 200
    assert agent.get("/api/me").status_code == 200  # the session that changed it goes on
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 401
    assert login(client, "admin", "admin-password-2").status_code == 200


@pytest.mark.parametrize("body", [{}, {"password": "short"}, {"password": None}])
def test_an_invalid_password_is_a_bad_request(agent: FlaskClient, client: FlaskClient, body: dict):
    response = agent.post("/api/agents/bob/password", json=body)
    assert (response.status_code, response.get_json()) == (400, {"error": "password must be 8 to 256 characters"})
    assert login(client, "bob", "bob-password").status_code == 200


# -- linking a Telegram account -----------------------------------------------------------------------

TELEGRAM_RULE = "telegram_id must be a Telegram user id (a positive whole number)"


def test_an_admin_links_an_agent_s_telegram_account_and_unlinks_it(agent: FlaskClient, store: FakeStore):
    response = agent.post("/api/agents/bob/telegram", json={"telegram_id": 8000000002})
    assert response.status_code == 200
    assert response.get_json()["agent"] == {"username": "bob", "name": "Bob", "role": "agent", "disabled": False,
                                            "telegram_id": 8000000002}
    assert store.agents.by_telegram_id(8000000002).username == "bob"
    assert agent.get("/api/agents").get_json()["agents"][-1]["telegram_id"] == 8000000002
    unlinked = agent.delete("/api/agents/bob/telegram")
    assert unlinked.get_json()["agent"]["telegram_id"] is None and store.agents.by_telegram_id(8000000002) is None


def test_one_telegram_account_is_one_agent_s(agent: FlaskClient, store: FakeStore):
    assert agent.post("/api/agents/bob/telegram", json={"telegram_id": 77}).status_code == 200
    taken = agent.post("/api/agents/admin/telegram", json={"telegram_id": 77})
    assert (taken.status_code, taken.get_json()) == (409, {"error": "that Telegram account is linked to 'bob'"})
    assert agent.post("/api/agents/bob/telegram", json={"telegram_id": 77}).status_code == 200  # a repeat is fine


@pytest.mark.parametrize("body", [{}, {"telegram_id": None}, {"telegram_id": 0}, {"telegram_id": -5},
                                  {"telegram_id": "77"}, {"telegram_id": True}, {"telegram_id": 2**53},
                                  {"telegram_id": 1.5}])
def test_a_telegram_id_that_is_not_one_is_refused_with_the_rule(agent: FlaskClient, store: FakeStore, body: dict):
    response = agent.post("/api/agents/bob/telegram", json=body)
    assert (response.status_code, response.get_json()) == (400, {"error": TELEGRAM_RULE})
    assert store.agent_docs["bob"].get("telegram_id") is None


def test_only_an_admin_links_and_only_an_agent_who_exists(agent: FlaskClient, bob: FlaskClient):
    assert bob.post("/api/agents/bob/telegram", json={"telegram_id": 5}).status_code == 403
    assert bob.delete("/api/agents/bob/telegram").status_code == 403
    assert agent.post("/api/agents/nobody/telegram", json={"telegram_id": 5}).status_code == 404
    assert agent.delete("/api/agents/nobody/telegram").status_code == 404
