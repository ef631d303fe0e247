"""The update queue: numbering, confirmation by offset, long polls, webhook settings."""

from __future__ import annotations

import threading
import time

import pytest

from devtools.standin.errors import BotApiError
from devtools.standin.updates import POLL_CONFLICT, WEBHOOK_CONFLICT, UpdateFeed


def _ids(updates: list) -> list[int]:
    return [u["update_id"] for u in updates]


def test_push_numbers_updates_with_update_id_first() -> None:
    feed = UpdateFeed(first_update_id=500)
    update, queued = feed.push({"message": {"text": "a"}})
    assert queued
    assert list(update) == ["update_id", "message"]
    assert update["update_id"] == 500
    assert feed.push({"message": {}})[0]["update_id"] == 501


def test_offset_confirms_and_negative_offset_keeps_the_tail() -> None:
    feed = UpdateFeed(first_update_id=1)
    for _ in range(5):
        feed.push({"message": {}})
    assert _ids(feed.poll(None, 2, 0, None)) == [1, 2]
    assert _ids(feed.poll(3, None, 0, None)) == [3, 4, 5]
    assert _ids(feed.poll(-1, None, 0, None)) == [5]
    assert feed.pending_count == 1


def test_limit_is_clamped_to_telegrams_range() -> None:
    feed = UpdateFeed(first_update_id=1)
    for _ in range(120):
        feed.push({"message": {}})
    assert len(feed.poll(None, 0, 0, None)) == 100
    assert len(feed.poll(None, 500, 0, None)) == 100
    assert len(feed.poll(None, 7, 0, None)) == 7


def test_long_poll_returns_as_soon_as_an_update_arrives() -> None:
    feed = UpdateFeed()
    threading.Timer(0.1, lambda: feed.push({"message": {"text": "late"}})).start()
    started = time.monotonic()
    updates = feed.poll(None, None, 5, None)
    assert 0.05 < time.monotonic() - started < 2
    assert updates[0]["message"]["text"] == "late"


def test_long_poll_times_out_empty() -> None:
    started = time.monotonic()
    assert UpdateFeed().poll(None, None, 1, None) == []
    assert 0.9 < time.monotonic() - started < 2


def test_a_second_poller_terminates_the_first() -> None:
    feed = UpdateFeed()
    errors: list[BotApiError] = []

    def first() -> None:
        try:
            feed.poll(None, None, 5, None)
        except BotApiError as exc:
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.1)
    assert feed.poll(None, None, 0, None) == []
    thread.join(2)
    assert [(e.error_code, e.description) for e in errors] == [(409, POLL_CONFLICT)]


def test_polling_while_a_webhook_is_set_is_a_conflict() -> None:
    feed = UpdateFeed()
    feed.set_webhook("https://desk.example/hook")
    with pytest.raises(BotApiError) as raised:
        feed.poll(None, None, 0, None)
    assert (raised.value.error_code, raised.value.description) == (409, WEBHOOK_CONFLICT)


def test_allowed_updates_default_and_explicit() -> None:
    feed = UpdateFeed(first_update_id=1)
    assert feed.push({"message_reaction": {}})[1] is False  # left out by default, as in Telegram
    assert feed.push({"message": {}})[1] is True
    feed.poll(None, None, 0, ["message_reaction"])
    assert feed.push({"message_reaction": {}})[1] is True
    assert feed.push({"message": {}})[1] is False
    feed.poll(None, None, 0, [])  # an empty list restores the default
    assert feed.push({"message": {}})[1] is True


def test_webhook_info_shape() -> None:
    feed = UpdateFeed()
    feed.push({"message": {}})
    assert feed.webhook_info() == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
    feed.set_webhook("https://desk.example/hook", max_connections=5, ip_address="10.0.0.1")
    info = feed.webhook_info()
    assert info == {
        "url": "https://desk.example/hook",
        "has_custom_certificate": False,
        "pending_update_count": 1,
        "ip_address": "10.0.0.1",
        "max_connections": 5,
    }


def test_close_wakes_a_waiting_worker() -> None:
    feed = UpdateFeed()
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(feed.next_job()))
    thread.start()
    time.sleep(0.05)
    feed.close()
    thread.join(2)
    assert results == [None]
