"""The relay built on in-memory fakes: no emulator, no network, no subscriber thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO
from relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakePublisher, FakeStore, cheap_hash, login

import realtime.app
import realtime.auth
from realtime.app import create_app
from teledesk.manifest import load_manifest
from teledesk.settings import Settings

MANIFEST = load_manifest()


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(realtime.auth, "generate_password_hash", cheap_hash)


@pytest.fixture(autouse=True)
def _manifest_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real pipeline.yaml, parsed once per session rather than once per app (half of create_app's time).
    monkeypatch.setattr(realtime.app, "load_manifest", lambda: MANIFEST)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """Where the console's build would be; empty (not built) unless a test writes into it."""
    return tmp_path / "dist"


@pytest.fixture
def settings(dist: Path) -> Settings:
    return Settings(desk_admin_password=ADMIN_PASSWORD, desk_session_secret="s" * 64, frontend_dist=dist,
                    telegram_api_base="http://127.0.0.1:9",  # nothing listens: Telegram unreachable
                    media_cache_dir=dist.parent / "media-cache")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.add_conversation(CHAT_ID)
    store.agents.create("bob", "Bob", "agent", cheap_hash("bob-password"))
    return store


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def relay_app(settings: Settings, store: FakeStore, publisher: FakePublisher) -> tuple[Flask, SocketIO]:
    return create_app(settings, store=store, publisher=publisher, subscribe=False)


@pytest.fixture
def app(relay_app: tuple[Flask, SocketIO]) -> Flask:
    return relay_app[0]


@pytest.fixture
def socketio(relay_app: tuple[Flask, SocketIO]) -> SocketIO:
    return relay_app[1]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without a session."""
    return app.test_client()


@pytest.fixture
def agent(app: Flask) -> FlaskClient:
    """A browser logged in as admin."""
    browser = app.test_client()
    assert login(browser).status_code == 200
    return browser


@pytest.fixture
def console(app: Flask, socketio: SocketIO, agent: FlaskClient) -> Any:
    """admin's Socket.IO connection, sharing the browser's session cookie."""
    socket = socketio.test_client(app, flask_test_client=agent)
    assert socket.is_connected()
    return socket


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    """The relay's OpenAPI document, as /api/openapi.json serves it."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body
