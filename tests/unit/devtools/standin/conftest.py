"""Fixtures for the Telegram stand-in: an app per test, a real webhook receiver, a real server."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from devtools.standin import create_app
from devtools.standin.state import StandinState

TOKEN = "123456789:TEST-standin-token"
CUSTOMER_ID = 424242424


@pytest.fixture
def app() -> Iterator[Flask]:
    # Webhook backoff shrunk from Telegram's 1 s..30 s so retry tests take milliseconds.
    app = create_app(TOKEN, deliver_timeout=2.0, retry_initial=0.05, retry_max=0.2)
    yield app
    app.extensions["standin"].close()


@pytest.fixture
def state(app: Flask) -> StandinState:
    return app.extensions["standin"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bot_call(client: FlaskClient, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST a Bot API call as JSON; returns (HTTP status, body)."""
    response = client.post(f"/bot{TOKEN}/{method}", json=params)
    return response.status_code, response.get_json()


def bot_upload(
    client: FlaskClient, method: str, files: dict[str, tuple[bytes, str]], **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a Bot API call as multipart, as python-telegram-bot sends uploads: fields are strings."""
    data: dict[str, Any] = {
        name: value if isinstance(value, str) else json.dumps(value) for name, value in params.items()
    }
    data |= {name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}
    response = client.post(f"/bot{TOKEN}/{method}", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_json()


def customer_says(
    client: FlaskClient, text: str, user_id: int = CUSTOMER_ID, first_name: str = "Ana", **extra: Any
) -> dict[str, Any]:
    """The customer writes; returns the `{update_id, message}` answer."""
    response = client.post(
        "/customer/api/messages", json={"user_id": user_id, "first_name": first_name, "text": text, **extra}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """A tiny real HTTP endpoint standing in for the desk's ingest."""

    url: str = ""
    fail_next: int = 0  # answer 500 to this many requests before accepting
    received: list[Received] = field(default_factory=list)  # every request, failed ones included
    accepted: list[dict[str, Any]] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._cond:
            self.received.append(Received(dict(request.headers), json.loads(request.get_data())))
            failing = self.fail_next > 0
            if failing:
                self.fail_next -= 1
            else:
                self.accepted.append(self.received[-1].body)
            self._cond.notify_all()
        response = Response("boom", status=500) if failing else Response("", status=200)
        return response(environ, start_response)

    def wait_for(self, accepted: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.accepted) >= accepted, timeout), (
                f"webhook got {len(self.accepted)} of {accepted} updates"
            )
            return list(self.accepted)


def serve(wsgi_app: Any) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve a WSGI app on a free 127.0.0.1 port in a thread."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver()
    server, thread = serve(hook)
    hook.url = f"http://127.0.0.1:{server.server_port}/telegram"
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(2)


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The stand-in on a real port, for clients that speak HTTP (python-telegram-bot)."""
    server, thread = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(2)
