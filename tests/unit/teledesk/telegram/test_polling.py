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
from teledesk.telegram.polling import Backoff, forward_updates

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
    port, received, secrets = webhook
    for text in ("uno", "dos"):
        answer = requests.post(f"{standin}/customer/api/messages",
                               json={"user_id": 123456789, "first_name": "Ana", "text": text}, timeout=5)
        assert answer.status_code == 201
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=standin, telegram_webhook_secret="s3cret",
                        ingest_port=port)

    waits: list[float] = []
    forward_updates(settings, once=True, sleep=waits.append)

    assert [u["message"]["text"] for u in received] == ["uno", "dos"]
    assert set(secrets) == {"s3cret"} and len(secrets) == 3  # one refused post, posted again
    assert waits == [1.0]
    left = requests.post(f"{standin}/bot{TOKEN}/getUpdates", json={"offset": received[-1]["update_id"] + 1},
                         timeout=5).json()
    assert left == {"ok": True, "result": []}


class Ingest:
    """A fake webhook answering the statuses it is given in turn (then 200); a RequestException
    instance in the list is raised instead, as when ingest is down."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.posted: list[int] = []

    def __call__(self, url: str, json: dict, **kwargs: object) -> requests.Response:
        self.posted.append(json["update_id"])
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code = answer
        return response


def test_a_5xx_or_an_unreachable_ingest_is_retried_with_capped_exponential_waits(standin, monkeypatch):
    monkeypatch.setattr("teledesk.telegram.polling.LONG_POLL_SECONDS", 1)
    requests.post(f"{standin}/customer/api/messages", json={"user_id": 123456789, "first_name": "Ana",
                                                             "text": "uno"}, timeout=5)
    failures: list[int | Exception] = [503] * 8 + [requests.ConnectionError("refused")]
    ingest, waits = Ingest(*failures), []
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=standin, ingest_port=9)
    forwarder = forward_updates(settings, once=True, sleep=waits.append, post=ingest)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]  # never dropped, never hammered
    assert len(ingest.posted) == 10 and len(set(ingest.posted)) == 1 and forwarder.skipped == 0
    assert forwarder.backoff.failures == 0  # taken: the next failure starts at 1 s again


@pytest.mark.parametrize("refusal", [401, 403, 404, 405])
def test_ingest_refusing_the_poller_itself_is_waited_out_never_a_lost_update(standin, monkeypatch, refusal):
    """A wrong secret or address is the desk's setup, not the update's fault: skipping would lose every update."""
    monkeypatch.setattr("teledesk.telegram.polling.LONG_POLL_SECONDS", 1)
    requests.post(f"{standin}/customer/api/messages", json={"user_id": 123456789, "first_name": "Ana",
                                                             "text": "uno"}, timeout=5)
    ingest, waits = Ingest(refusal, refusal), []
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=standin, ingest_port=9)
    forwarder = forward_updates(settings, once=True, sleep=waits.append, post=ingest)
    assert waits == [1.0, 2.0] and len(set(ingest.posted)) == 1 and len(ingest.posted) == 3
    assert forwarder.skipped == 0


def test_an_update_ingest_refuses_is_skipped_counted_and_logged_not_retried(standin, monkeypatch, caplog):
    monkeypatch.setattr("teledesk.telegram.polling.LONG_POLL_SECONDS", 1)
    for text in ("malo", "bueno"):
        requests.post(f"{standin}/customer/api/messages", json={"user_id": 123456789, "first_name": "Ana",
                                                                 "text": text}, timeout=5)
    ingest, waits = Ingest(400), []
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base=standin, ingest_port=9)
    forwarder = forward_updates(settings, once=True, sleep=waits.append, post=ingest)
    first, second = ingest.posted
    assert second == first + 1 and waits == [] and forwarder.skipped == 1
    assert forwarder.offset == second + 1  # both confirmed to Telegram
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert f"refused update {first} with 400" in warning.getMessage() and "1 skipped" in warning.getMessage()
    assert TOKEN not in caplog.text


def test_a_failed_get_updates_waits_and_never_logs_the_token(standin, caplog):
    waits: list[float] = []
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_base="http://127.0.0.1:9")  # nothing listens
    forward_updates(settings, once=True, sleep=waits.append)
    assert waits == [1.0]
    assert "getUpdates failed" in caplog.text and TOKEN not in caplog.text


def test_backoff_doubles_up_to_its_cap_and_starts_afresh():
    backoff = Backoff(initial_s=0.5, cap_s=3)
    assert [backoff.next_wait() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.failures = 10_000
    assert backoff.next_wait() == 3.0
    backoff.reset()
    assert backoff.next_wait() == 0.5
