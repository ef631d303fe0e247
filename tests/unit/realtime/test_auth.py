"""realtime/auth.py: local accounts, the session cookie, and the guard on every API call."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakePublisher, FakeStore, cheap_hash, login
from werkzeug.security import check_password_hash

from realtime.app import create_app

# The API's routes anyone may call; every other route under /api must want a session.
PUBLIC_ENDPOINTS = {"api.health", "api.openapi", "api.login", "api.logout",
                    "api.theme.get_theme", "api.theme.get_logo"}  # the login page wears the theme


def protected_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^>]*:)?chat_id>", str(CHAT_ID), rule.rule)
        path = re.sub(r"<(?:[^>]*:)?\w+>", "someid", path)
        routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_login_answers_the_public_view_of_the_agent_and_sets_a_session_cookie(client: FlaskClient):
    response = login(client)
    assert response.status_code == 200
    assert response.get_json() == {"agent": {"username": "admin", "name": "Admin", "role": "admin"}}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/me").get_json()["agent"]["username"] == "admin"


def test_the_first_agent_is_admin_with_the_configured_password(app: Flask, store: FakeStore):
    admin = store.agents.get("admin")
    assert admin is not None and admin.role == "admin"
    assert ADMIN_PASSWORD not in admin.password_hash  # hashed, never kept as given
    assert check_password_hash(admin.password_hash, ADMIN_PASSWORD)


def test_an_existing_admin_keeps_its_password_when_the_relay_starts_again(settings, store: FakeStore):
    store.agents.create("admin", "Admin", "admin", cheap_hash("changed-by-the-admin"))
    app, _ = create_app(settings, store=store, publisher=FakePublisher(), subscribe=False)
    assert login(app.test_client(), "admin", "changed-by-the-admin").status_code == 200
    assert login(app.test_client()).status_code == 401


def test_without_a_configured_password_the_admin_gets_a_random_one(settings, store: FakeStore):
    app, _ = create_app(replace(settings, desk_admin_password=""), store=store, publisher=FakePublisher(),
                        subscribe=False)
    admin = store.agents.get("admin")
    assert admin is not None and not check_password_hash(admin.password_hash, "")
    assert login(app.test_client(), "admin", "").status_code == 401


@pytest.mark.parametrize(("username", "password"), [
    ("admin", "wrong"), ("admin", ""), ("nobody", ADMIN_PASSWORD), ("", ADMIN_PASSWORD),
])
def test_wrong_credentials_are_refused_and_give_no_session(client: FlaskClient, username, password):
    response = login(client, username, password)
    assert response.status_code == 401
    assert response.get_json() == {"error": "wrong username or password"}
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("body", [{}, {"username": "admin"}, {"password": ADMIN_PASSWORD},
                                  {"username": 1, "password": ADMIN_PASSWORD}, None])
def test_login_without_both_fields_as_strings_is_a_bad_request(client: FlaskClient, body):
    assert client.post("/api/login", json=body).status_code == 400


def test_every_protected_endpoint_answers_401_without_a_session(app: Flask, client: FlaskClient):
    routes = protected_routes(app)
    assert ("POST", f"/api/conversations/{CHAT_ID}/messages") in routes  # the derivation found the routes
    for method, path in routes:
        response = client.open(path, method=method, json={})
        assert (response.status_code, response.get_json()) == (401, {"error": "login required"}), (method, path)


def test_a_forged_session_cookie_is_not_a_session(app: Flask, client: FlaskClient):
    other = app.test_client()
    other.set_cookie("session", "eyJhZ2VudCI6ImFkbWluIn0.forged.signature")
    assert other.get("/api/me").status_code == 401


def test_a_session_signed_with_another_secret_is_not_a_session(agent: FlaskClient, app: Flask):
    cookie = agent.get_cookie("session")
    assert cookie is not None
    app.secret_key = "another-secret" * 4
    assert agent.get("/api/me").status_code == 401


def test_logout_ends_the_session(agent: FlaskClient):
    assert agent.post("/api/logout").status_code == 204
    assert agent.get("/api/me").status_code == 401


def test_a_disabled_agent_is_out_at_the_next_call_and_stays_out(agent: FlaskClient, store: FakeStore):
    assert agent.get("/api/conversations").status_code == 200
    store.agent_docs["admin"]["disabled"] = True
    assert agent.get("/api/conversations").status_code == 401
    store.agent_docs["admin"]["disabled"] = False
    # The refused call cleared the session: being enabled again needs a new login.
    assert agent.get("/api/conversations").status_code == 401


def test_a_deleted_agent_is_out_at_the_next_call(agent: FlaskClient, store: FakeStore):
    del store.agent_docs["admin"]
    assert agent.get("/api/me").status_code == 401


def test_a_disabled_agent_cannot_log_in(client: FlaskClient, store: FakeStore):
    store.agent_docs["admin"]["disabled"] = True
    assert login(client).status_code == 401


def test_another_agent_logs_in_with_their_own_password(client: FlaskClient):
    assert login(client, "bob", ADMIN_PASSWORD).status_code == 401
    assert login(client, "bob", "bob-password").get_json()["agent"] == {"username": "bob", "name": "Bob",
                                                                        "role": "agent"}
