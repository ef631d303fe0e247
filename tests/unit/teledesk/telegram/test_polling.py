"""Long polling hands each update to the local webhook, and confirms it only once accepted."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, request
from werkzeug.serving import make_server

from devtools.standin import create_app
from teledesk.settings import Settings
from teledesk.telegram.polling import forward_updates

TOKEN = "123456789:polling-test"


def serve(app: Flask) -> tuple[str, int, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server.server_port, server


@pytest.fixture
def standin() -> Iterator[str]:
    app = create_app(TOKEN)
    base, _, server = serve(app)
    yield base
    server.shutdown()
    app.extensions["standin"].close()


@pytest.fixture
def webhook() -> Iterator[tuple[int, list, list]]:
    received: list[dict] = []
    secrets: list[str] = []
    answers = [503]  # the first post fails: the update must be posted again, not lost
    app = Flask(__name__)

    @app.post("/")
    def ingest():  # type: ignore[no-untyped-def]
        secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""))
        status = answers.pop(0) if answers else 200
        if status == 200:
            received.append(request.get_json())
        return {"ok": status == 200}, status

    _, port, server = serve(app)
    yield port, received, secrets
    server.shutdown()


def test_updates_reach_the_webhook_with_the_secret_and_are_confirmed(standin, webhook, monkeypatch):
    monkeypatch.setattr("teledesk.telegram.polling.LONG_POLL_SECONDS", 1)
    monkeypatch.setattr("teledesk.telegram.polling.RETRY_SECONDS", 0.05)
    port, received, secrets = webhook
    for text in ("uno", "dos"):
        answer = requests.post(f"{standin}/customer/api/messages",
                               json={"user_id": 123456789, "first_name": "Ana", "text": text}, timeout=5)
        assert answer.status_code == 201
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=standin, telegram_webhook_secret="s3cret",
                        ingest_port=port)

    forward_updates(settings, once=True)

    assert [u["message"]["text"] for u in received] == ["uno", "dos"]
    assert set(secrets) == {"s3cret"} and len(secrets) == 3  # one refused post, posted again
    left = requests.post(f"{standin}/bot{TOKEN}/getUpdates", json={"offset": received[-1]["update_id"] + 1},
                         timeout=5).json()
    assert left == {"ok": True, "result": []}
