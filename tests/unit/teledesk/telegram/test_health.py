"""teledesk/telegram/health.py: getWebhookInfo read at most once per cache period, errors reported."""

from __future__ import annotations

from typing import Any

import requests

from teledesk.telegram import health
from teledesk.telegram.health import CACHE_S, WebhookHealth


class Answer:
    def __init__(self, body: Any):
        self.body = body

    def json(self) -> Any:
        return self.body


def test_pending_updates_and_the_last_error_are_reported_and_cached(monkeypatch):
    asked: list[str] = []
    info = {"url": "https://desk/hook", "has_custom_certificate": False, "pending_update_count": 3,
            "last_error_date": 1700000000, "last_error_message": "Connection timed out"}
    monkeypatch.setattr(health.requests, "get", lambda url, timeout: asked.append(url) or Answer(
        {"ok": True, "result": info}))
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
    def down(url: str, timeout: float) -> Answer:
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(health.requests, "get", down)
    assert "could not be reached" in WebhookHealth("42:T", "http://x").read()["error"]
    monkeypatch.setattr(health.requests, "get", lambda url, timeout: Answer(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}))
    assert WebhookHealth("42:T", "http://x").read() == {"error": "Unauthorized"}
