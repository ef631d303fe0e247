"""The relay's attack surface, walked from its own url_map: a route added later is covered here
without editing this file (or fails here until it says whether it is public or admin-only).

Every (route, method): without a session 401 unless public; with a non-admin agent's session 403
exactly where only an admin may act; a change from another origin (host, scheme or port) 403; every
JSON body too large 413 and too deep 400; the security headers on every answer; no secret in any.
The Socket.IO handshake is refused without a session and from another origin.
"""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakePublisher, FakeStore, cheap_hash, login
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from realtime.app import create_app
from realtime.bodies import MAX_JSON_DEPTH, TOO_DEEP
from realtime.outbound import MAX_UPLOAD_BODY_BYTES
from realtime.security_headers import HSTS_MAX_AGE_S
from teledesk.settings import MAX_BODY_BYTES, Settings

# What anyone may ask for without a session: the desk's health, logging in and out, the API's
# document, the look of the login page, and the console's files.
PUBLIC = {"api.health", "api.openapi", "api.login", "api.logout", "api.theme.get_theme", "api.theme.get_logo",
          "console"}
# What only an admin may do (teledesk.model.Role, realtime/team.py `admin_required`).
ADMIN_ONLY = {"api.team.create_agent", "api.team.disable", "api.team.enable", "api.team.set_password",
              "api.team.link_telegram", "api.team.unlink_telegram"}
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
# A sample value for each path parameter, by its converter (realtime/apispec.py PATH_CONVERTERS).
SAMPLES = {"chat_id": str(CHAT_ID), "message_id": "tg-4242-1", "username": "carol", "canned_id": "abc123",
           "console_path": "index.html"}
OTHER_ORIGINS = ["http://evil.example", "https://localhost", "http://localhost:8080", "null"]
SOCKETIO_HANDSHAKE = "/socket.io/?EIO=4&transport=polling"

# Recognisable, so a leak is found by an exact search (tests/conftest.py does the same for logs).
BOT_TOKEN = "123456789:LEAKCHECK-unit-bot-token-AAAAAAAAAAAA"
WEBHOOK_SECRET = "LEAKCHECK-unit-webhook-secret"
SESSION_SECRET = "LEAKCHECK-unit-session-secret-" + "s" * 32
CAROL_PASSWORD = "LEAKCHECK-carol-password"
SECRETS = (BOT_TOKEN, WEBHOOK_SECRET, SESSION_SECRET, ADMIN_PASSWORD, CAROL_PASSWORD)


@pytest.fixture
def settings(dist: Path) -> Settings:
    """The relay with every secret set, Telegram unreachable (a media fetch fails: its error is answered)."""
    return Settings(telegram_bot_token=BOT_TOKEN, telegram_webhook_secret=WEBHOOK_SECRET,
                    desk_admin_password=ADMIN_PASSWORD, desk_session_secret=SESSION_SECRET, frontend_dist=dist,
                    telegram_api_base="http://127.0.0.1:9", media_cache_dir=dist.parent / "media-cache")


@pytest.fixture
def store(store: FakeStore) -> FakeStore:
    store.agents.create("carol", "Carol", "agent", cheap_hash(CAROL_PASSWORD))
    store.add_message(CHAT_ID, {"id": "tg-4242-1", "type": "CLIENT", "chat_id": CHAT_ID, "date": 1, "text": "",
                                "media": {"kind": "photo", "file_id": "ph1", "file_unique_id": "u1"},
                                "direction": "in", "stored_at": 1.0})
    return store


@pytest.fixture
def built(dist: Path) -> Path:
    """A built console: its page and one asset."""
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>teledesk</title>")
    (dist / "assets" / "app.js").write_text("console.log('desk')")
    return dist


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, a path of it) for every route of the app and each of its methods."""
    found = []
    for rule in app.url_map.iter_rules():
        found += [(rule.endpoint, method, sample_path(rule)) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def sample_path(rule: Rule) -> str:
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: SAMPLES[m.group(1) or "default"], rule.rule)


def json_routes(app: Flask, document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The routes that take a JSON body, as the API's declarations (the OpenAPI document) say."""
    found = []
    for endpoint, method, path in routes(app):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        documented = re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule.rule)
        operation = document["paths"].get(documented, {}).get(method.lower(), {})
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            found.append((endpoint, method, path))
    return found


def checked(response: TestResponse, https: bool = False) -> TestResponse:
    """The headers every answer carries, and no secret in it."""
    headers = response.headers
    policy = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    if policy.get("default-src") != ["'none'"]:  # a customer's file keeps its own sandbox
        assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert ("Strict-Transport-Security" in headers) is https
    said = response.get_data(as_text=True) + str(headers)
    for secret in SECRETS:
        assert secret not in said, (response.request.path, secret)
    return response


def as_agent(app: Flask, username: str, password: str) -> FlaskClient:
    browser = app.test_client()
    assert checked(login(browser, username, password)).status_code == 200
    return browser


def test_the_walk_sees_every_family(app: Flask):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert {"api.conversations.reply", "api.team.disable", "api.media.avatar", "console"} <= endpoints
    assert endpoints >= PUBLIC | ADMIN_ONLY  # the lists name routes that exist


def test_without_a_session_only_the_public_routes_answer(app: Flask, client: FlaskClient, built: Path):
    for endpoint, method, path in routes(app):
        response = checked(client.open(path, method=method, json={}))
        if endpoint in PUBLIC:
            assert response.status_code != 401, (method, path)
        else:
            assert (response.status_code, response.get_json()) == (401, {"error": "login required"}), (method, path)


def test_an_agent_is_refused_exactly_what_only_an_admin_may_do(app: Flask):
    for endpoint, method, path in routes(app):
        carol = as_agent(app, "carol", CAROL_PASSWORD)  # afresh: a route may end the session (logout)
        response = checked(carol.open(path, method=method, json={"password": "another-password"}))
        if endpoint in ADMIN_ONLY:
            assert (response.status_code, response.get_json()) == (
                403, {"error": "only an admin can change the team"}), (method, path)
        else:
            assert response.status_code not in (401, 403), (method, path, response.get_json())


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
def test_no_change_is_taken_from_another_origin(app: Flask, origin: str):
    changes = [(method, path) for endpoint, method, path in routes(app) if method in CHANGES]
    assert len(changes) >= 20
    admin = as_agent(app, "admin", ADMIN_PASSWORD)
    for method, path in changes:
        response = checked(admin.open(path, method=method, json={}, headers={"Origin": origin}))
        assert (response.status_code, response.get_json()) == (
            403, {"error": "changes are only taken from the console's own origin"}), (method, path, origin)


def test_a_change_from_the_consoles_own_origin_is_taken(agent: FlaskClient):
    response = checked(agent.post(f"/api/conversations/{CHAT_ID}/pending", headers={"Origin": "http://localhost"}))
    assert response.status_code == 200
    over_https = agent.post(f"/api/conversations/{CHAT_ID}/pending", base_url="https://localhost",
                            headers={"Origin": "https://localhost:443"})
    assert checked(over_https, https=True).status_code == 200


@pytest.fixture
def behind_a_proxy(settings: Settings, store: FakeStore) -> Flask:
    """The relay on Cloud Run: one proxy in front, which says the browser came over HTTPS."""
    app, _ = create_app(replace(settings, desk_trusted_proxies=1), store=store, publisher=FakePublisher(),
                        subscribe=False)
    return app


def test_behind_a_trusted_proxy_the_scheme_is_the_browsers(behind_a_proxy: Flask):
    browser = behind_a_proxy.test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    response = checked(browser.post("/api/login", json={"username": "admin", "password": ADMIN_PASSWORD},
                                    headers=https), https=True)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == f"max-age={HSTS_MAX_AGE_S}; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    change = f"/api/conversations/{CHAT_ID}/pending"
    assert browser.post(change, headers={**https, "Origin": "https://localhost"}).status_code == 200
    refused = checked(browser.post(change, headers={**https, "Origin": "http://localhost"}), https=True)
    assert refused.status_code == 403  # the page's scheme is not the one the browser used


def test_without_trusted_proxies_a_forwarded_scheme_is_nobodys_word(client: FlaskClient):
    response = checked(client.post("/api/login", json={"username": "admin", "password": ADMIN_PASSWORD},
                                   headers={"X-Forwarded-Proto": "https"}))
    assert response.status_code == 200 and "Secure" not in response.headers["Set-Cookie"]


def test_the_socket_handshake_needs_a_session_and_the_consoles_origin(app: Flask, client: FlaskClient):
    anonymous = checked(client.get(SOCKETIO_HANDSHAKE))
    assert (anonymous.status_code, anonymous.get_json()) == (401, {"error": "login required"})
    admin = as_agent(app, "admin", ADMIN_PASSWORD)
    for origin in OTHER_ORIGINS:
        refused = checked(admin.get(SOCKETIO_HANDSHAKE, headers={"Origin": origin}))
        assert refused.status_code == 400 and b"sid" not in refused.data, origin
    opened = checked(admin.get(SOCKETIO_HANDSHAKE, headers={"Origin": "http://localhost"}))
    assert opened.status_code == 200
    sid = json.loads(opened.data[1:])["sid"]  # Engine.IO's open packet: "0" then its JSON
    polled = checked(admin.get(f"{SOCKETIO_HANDSHAKE}&sid={sid}"))  # Engine.IO's own answer, headers too
    assert polled.status_code == 200


def test_every_json_body_over_the_limit_is_413_and_nested_too_deep_is_400(app: Flask, document: dict[str, Any]):
    endpoints = json_routes(app, document)
    assert {"api.login", "api.conversations.reply", "api.team.create_agent"} <= {e for e, _, _ in endpoints}
    too_large = b'{"text": "' + b"x" * MAX_BODY_BYTES + b'"}'
    too_deep = b"[" * 200_000
    deep_but_fine = b'{"text": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    admin = as_agent(app, "admin", ADMIN_PASSWORD)
    as_json = {"Content-Type": "application/json"}
    for _, method, path in endpoints:
        large = checked(admin.open(path, method=method, data=too_large, headers=as_json))
        assert (large.status_code, large.get_json()) == (413, {"error": "request entity too large"}), path
        deep = checked(admin.open(path, method=method, data=too_deep, headers=as_json))
        assert (deep.status_code, deep.get_json()) == (400, {"error": TOO_DEEP}), path
        fine = checked(admin.open(path, method=method, data=deep_but_fine, headers=as_json))
        assert fine.status_code != 500 and fine.get_json() != {"error": TOO_DEEP}, path


def test_the_nesting_count_is_not_fooled_by_brackets_in_strings(agent: FlaskClient):
    text = "[" * 500 + ' a \\" quoted "[ ' + "{" * 500
    response = checked(agent.post(f"/api/conversations/{CHAT_ID}/notes",
                                  json={"text": text, "client_id": "brackets-1"}))
    assert response.status_code < 300, response.get_json()


class Endless(io.RawIOBase):
    """A request body sent without a Content-Length (chunked), `total` bytes long, made as it is read."""

    def __init__(self, total: int) -> None:
        self.total, self.given = total, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.total - self.given)
        buffer[:n] = b"[" * n
        self.given += n
        return n


def test_a_chunked_body_is_read_no_further_than_the_limit(client: FlaskClient):
    body = Endless(24 * 1024 * 1024)
    tracemalloc.start()
    try:
        response = client.post("/api/login", headers={"Content-Type": "application/json"}, environ_overrides={
            "wsgi.input": body, "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True})  # as gunicorn says of a chunked body
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (checked(response).status_code, response.get_json()) == (413, {"error": "request entity too large"})
    assert body.given <= MAX_BODY_BYTES + 64 * 1024  # what Werkzeug reads past the limit: one buffer
    assert peak < 4 * MAX_BODY_BYTES


def test_a_declared_24_mib_body_is_refused_before_it_is_read(client: FlaskClient):
    """The issue's measure: 24 MiB to /api/login cost +610 MiB. Refused now on its Content-Length."""
    body = Endless(24 * 1024 * 1024)
    tracemalloc.start()
    try:
        response = client.post("/api/login", headers={"Content-Type": "application/json"},
                               environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(body.total)})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked(response).status_code == 413 and body.given == 0
    assert peak < MAX_BODY_BYTES


def test_only_the_upload_takes_more(agent: FlaskClient):
    upload = f"/api/conversations/{CHAT_ID}/media"
    size = MAX_BODY_BYTES * 2
    response = checked(agent.post(upload, data={"client_id": "upload-big-1",
                                                "file": (io.BytesIO(b"x" * size), "big.bin")}))
    assert response.status_code == 202, response.get_json()
    over = Endless(MAX_UPLOAD_BODY_BYTES + 1)
    refused = agent.post(upload, headers={"Content-Type": "multipart/form-data; boundary=x"},
                         environ_overrides={"wsgi.input": over, "CONTENT_LENGTH": str(over.total)})
    assert checked(refused).status_code == 413 and over.given == 0


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "//secret.txt",
                                  "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"])
def test_the_console_route_never_looks_outside_dist(client: FlaskClient, built: Path, path: str):
    """Whether a file exists outside the build is not something the answer tells."""
    (built.parent / "secret.txt").write_text("the machine's own file")
    exists = checked(client.get(path))
    (built.parent / "secret.txt").unlink()
    missing = checked(client.get(path))
    assert (exists.status_code, exists.data) == (missing.status_code, missing.data)
    assert b"the machine's own file" not in exists.data


def test_the_console_files_and_routes_are_served(client: FlaskClient, built: Path):
    assert checked(client.get("/assets/app.js")).data == b"console.log('desk')"
    assert b"teledesk" in checked(client.get("/conversations/42")).data  # a client-side route


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/conversations/abc/messages", "/api/canned/a.b",
                                  f"/api/conversations/{CHAT_ID}/messages/..",
                                  f"/api/conversations/{CHAT_ID}/messages/__x__/media", "/api/agents/../password"])
def test_what_is_not_an_api_path_is_its_json_404(agent: FlaskClient, built: Path, method: str, path: str):
    response = checked(agent.open(path, method=method))
    assert (response.status_code, response.get_json()) == (404, {"error": "not found"}), (method, path)


def test_a_chat_id_past_64_bits_is_no_chat(agent: FlaskClient):
    for chat_id in (2**63, -(2**63) - 1):
        response = checked(agent.get(f"/api/conversations/{chat_id}/messages"))
        assert (response.status_code, response.get_json()) == (404, {"error": "not found"})
    assert checked(agent.get(f"/api/conversations/{2**63 - 1}/messages")).status_code == 200


def test_ids_and_limits_in_a_query_or_body_are_checked(agent: FlaskClient):
    history = f"/api/conversations/{CHAT_ID}/messages"
    assert checked(agent.get(history, query_string={"before": "nan"})).status_code == 400
    assert checked(agent.get(history, query_string={"limit": 10**9})).status_code == 200
    quoting = checked(agent.post(history, json={"text": "hola", "client_id": "quote-1234", "reply_to": "../x"}))
    assert quoting.status_code == 400 and "reply_to" in quoting.get_json()["error"]


def test_a_username_that_no_agent_can_have_never_reaches_the_store(agent: FlaskClient, store: FakeStore,
                                                                    monkeypatch: pytest.MonkeyPatch):
    asked: list[str] = []
    lookup = store.agents.get
    monkeypatch.setattr(store.agents, "get", lambda username: asked.append(username) or lookup(username))
    for username in ("a/b", "..", "__x__"):
        refused = checked(agent.post("/api/login", json={"username": username, "password": "whatever-it-is"}))
        assert (refused.status_code, refused.get_json()) == (401, {"error": "wrong username or password"})
        assign = checked(agent.post(f"/api/conversations/{CHAT_ID}/assign", json={"username": username}))
        assert assign.status_code == 400 and assign.get_json()["error"].startswith("username must be")
    assert not {"a/b", "..", "__x__"} & set(asked)


def test_the_document_states_the_path_rules(document: dict[str, Any]):
    media = document["paths"]["/api/conversations/{chat_id}/messages/{message_id}/media"]["get"]["parameters"]
    schemas = {p["name"]: p["schema"] for p in media}
    assert schemas["chat_id"]["format"] == "int64" and schemas["chat_id"]["maximum"] == 2**63 - 1
    assert re.fullmatch(schemas["message_id"]["pattern"], "tg-4242-1")
    assert not re.fullmatch(schemas["message_id"]["pattern"], "..")


def test_a_failed_media_fetch_says_why_without_the_token(agent: FlaskClient):
    response = checked(agent.get(f"/api/conversations/{CHAT_ID}/messages/tg-4242-1/media"))
    assert response.status_code == 502 and "could not be fetched" in response.get_json()["error"]
