"""teledesk/telegram/health.py: getWebhookInfo read at most once per cache period, errors reported."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from support import at_once
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from teledesk.telegram import bot as shared
from teledesk.telegram import health
from teledesk.telegram.health import CACHE_S, WebhookHealth

GET_ME = {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "Desk", "username": "desk_bot"}}


@pytest.fixture(autouse=True)
def fresh_bots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test makes its process's Bots anew (getMe included)."""
    monkeypatch.setattr(shared, "_bots", {})


def answer_with(monkeypatch: pytest.MonkeyPatch, answer: Any, asked: list[str] | None = None) -> None:
    """Telegram as python-telegram-bot's HTTP layer sees it: `answer(url)` is (status, JSON body),
    or an exception. getMe (asked once, when the process's Bot is first used) is answered OK unless
    `answer` refuses everything."""

    async def do_request(self: HTTPXRequest, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if not url.endswith("/getMe") and asked is not None:
            asked.append(url)
        status, body = answer(url)
        if url.endswith("/getMe") and status == 200:
            body = GET_ME
        return status, json.dumps(body).encode()

    monkeypatch.setattr(HTTPXRequest, "do_request", do_request)


def test_pending_updates_and_the_last_error_are_reported_and_cached(monkeypatch):
    asked: list[str] = []
    info = {"url": "https://desk/hook", "has_custom_certificate": False, "pending_update_count": 3,
            "last_error_date": 1700000000, "last_error_message": "Connection timed out"}
    answer_with(monkeypatch, lambda url: (200, {"ok": True, "result": info}), asked)
    now = [100.0]
    webhook = WebhookHealth("42:T", "http://bot.api/", clock=lambda: now[0])
    report = webhook.read()
    assert report == {"url": "https://desk/hook", "pending_update_count": 3, "last_error_date": 1700000000,
                      "last_error_message": "Connection timed out"}
    webhook.read()
    assert asked == ["http://bot.api/bot42:T/getWebhookInfo"]
    now[0] += CACHE_S
    webhook.read()
    assert len(asked) == 2


def test_an_unreachable_or_refusing_telegram_is_reported_not_raised(monkeypatch):
    def down(url: str) -> tuple[int, Any]:
        raise NetworkError("httpx.ConnectError: refused")

    answer_with(monkeypatch, down)
    assert "could not be reached" in WebhookHealth("42:T", "http://x").read()["error"]
    answer_with(monkeypatch, lambda url: (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}))
    assert WebhookHealth("42:T", "http://x").read() == {"error": "Unauthorized"}


def test_without_a_token_there_is_nothing_to_ask():
    assert "could not be reached" in WebhookHealth("", "http://x").read()["error"]


def test_a_slow_telegram_is_reported_within_the_timeout_first_getme_included(monkeypatch):
    """The liveness probe waits on this read: TIMEOUT_S bounds all of it."""

    async def slow(self: HTTPXRequest, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(2)
        return 200, json.dumps(GET_ME).encode()

    monkeypatch.setattr(HTTPXRequest, "do_request", slow)
    monkeypatch.setattr(health, "TIMEOUT_S", 0.2)
    started = time.monotonic()
    assert WebhookHealth("42:T", "http://slow").read() == {"error": "Telegram could not be reached: TimeoutError"}
    assert time.monotonic() - started < 1.5


def test_a_burst_of_reads_asks_telegram_once(monkeypatch):
    """/api/health is public: twenty requests at once, before anything is cached, are one getWebhookInfo."""
    readers = 20
    asked: list[str] = []
    entered, all_in = [0], threading.Event()
    counting = threading.Lock()

    async def telegram(self: HTTPXRequest, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/getMe"):
            return 200, json.dumps(GET_ME).encode()
        asked.append(url)
        await asyncio.to_thread(all_in.wait, 10)  # answer once every reader is asking
        return 200, json.dumps({"ok": True, "result": {"url": "", "pending_update_count": 0,
                                                       "has_custom_certificate": False}}).encode()

    monkeypatch.setattr(HTTPXRequest, "do_request", telegram)
    webhook = WebhookHealth("42:T", "http://bot.api/")

    def read() -> health.WebhookReport:
        with counting:
            entered[0] += 1
            if entered[0] == readers:
                all_in.set()
        return webhook.read()

    reports = at_once(read, readers)
    assert reports == [{"url": "", "pending_update_count": 0}] * readers
    assert asked == ["http://bot.api/bot42:T/getWebhookInfo"]
