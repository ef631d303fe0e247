"""Long polling's logs never hold the bot token, even when what failed quotes its URL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from teledesk.redaction import redact
from teledesk.settings import Settings
from teledesk.telegram import bot as shared
from teledesk.telegram import polling
from teledesk.telegram.polling import forward_updates

TOKEN = "123456789:polling-logs-test-token"
GET_ME = {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "Desk", "username": "desk_bot"}}


@pytest.fixture
def failing_bot_api() -> Iterator[str]:
    """A Bot API behind a proxy whose error page quotes the request's URL, token and all."""
    app = Flask(__name__)

    @app.post("/bot<path:rest>")
    def method(rest: str):  # type: ignore[no-untyped-def]
        if rest.endswith("/getMe"):
            return GET_ME
        return f"<html><body>502 Bad Gateway: {request.url}</body></html>", 502

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_failed_get_updates_is_logged_without_the_token(failing_bot_api: str, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(shared, "_bots", {})
    said: list[str] = []  # what python-telegram-bot said, before redaction
    monkeypatch.setattr(polling, "redact", lambda text: said.append(text) or redact(text))
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=failing_bot_api, ingest_port=9)
    with caplog.at_level(logging.DEBUG):
        forward_updates(settings, once=True, sleep=lambda _seconds: None)
    assert any(TOKEN in text for text in said)  # the failure quoted the token ...
    assert "getUpdates failed" in caplog.text  # ... and was logged without it
    for form in (TOKEN, quote(TOKEN, safe="")):
        assert form not in caplog.text
