"""realtime/outbox.py: what the outbox's sweeper hands to deliver again, and that relays sweeping
at once hand each answer over once (their shared state, here one MemoryState as Redis would be)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from relay_fakes import CHAT_ID, FakePublisher, FakeStore, login

from realtime.app import create_app
from realtime.outbox import SWEEP_BATCH, due, sweep
from realtime.relay import Relay
from realtime.state import MemoryState
from teledesk.model import Message
from teledesk.settings import Settings

NOW = 10_000.0
LEASE_S = 90


def answer(delivery: dict[str, Any], **fields: Any) -> Message:
    return Message.from_firestore({"id": "agent-1", "chat_id": CHAT_ID, "direction": "out", "outbox_since": 1.0,
                                   "delivery": delivery, **fields})


@pytest.mark.parametrize(("message", "handed_over"), [
    (answer({"state": "queued"}), True),  # stored, its publish failed (or the relay died before it)
    (answer({"state": "queued"}, published_at=NOW - 5), False),  # deliver has it
    (answer({"state": "queued"}, published_at=NOW - LEASE_S - 1), True),  # handed over, never taken (dead-lettered)
    (answer({"state": "queued", "sending": {"holder": "h", "part": 0, "until": NOW + 5}},
            published_at=NOW - LEASE_S - 1), False),  # being sent
    (answer({"state": "queued", "sending": {"holder": "h", "part": 0, "until": NOW - 1}},
            published_at=NOW - LEASE_S - 1), True),  # its sender died: deliver settles it as maybe_sent
    (answer({"state": "sent"}), False),
    (answer({"state": "failed"}), False),
], ids=["never-published", "published", "published-long-ago", "being-sent", "sender-died", "sent", "failed"])
def test_what_is_handed_over_again(message: Message, handed_over: bool):
    assert due(message, NOW, LEASE_S) is handed_over


def relay_of(app: Flask) -> Relay:
    relay = app.extensions["teledesk"]
    assert isinstance(relay, Relay)
    return relay


@pytest.fixture
def stored_not_published(store: FakeStore, publisher: FakePublisher, app: Flask) -> str:
    publisher.fail_next = 1
    with app.test_client() as browser:
        login(browser)
        response = browser.post(f"/api/conversations/{CHAT_ID}/messages",
                                json={"text": "Hola", "client_id": "c0ffee-outbox-1"})
    assert response.status_code == 202 and publisher.published == []
    return "agent-c0ffee-outbox-1"


def test_an_answer_whose_publish_failed_is_handed_over_once_by_one_of_two_relays(
        settings: Settings, store: FakeStore, publisher: FakePublisher, app: Flask, stored_not_published: str):
    other, _ = create_app(settings, store=store, publisher=publisher, subscribe=False)
    shared = MemoryState()
    relays = [relay_of(app), relay_of(other)]
    for relay in relays:
        relay.state = shared  # as Redis is to several relays
    later = time.time() + settings.desk_outbox_sweep_s + 1
    handed = []
    for flask_app, relay in ((app, relays[0]), (other, relays[1])):
        with flask_app.app_context():
            handed.append(sweep(relay, later))
    assert handed == [1, 0]
    assert [envelope["id"] for _, envelope, _ in publisher.published] == [stored_not_published]
    assert store.chat_messages[CHAT_ID][stored_not_published]["published_at"] > 0
    with app.app_context():
        assert sweep(relays[0], later + 1) == 0  # published now: deliver has it


def test_a_sweep_leaves_answers_younger_than_the_grace(settings: Settings, publisher: FakePublisher, app: Flask,
                                                        stored_not_published: str):
    with app.app_context():
        assert sweep(relay_of(app), time.time()) == 0
    assert publisher.published == []


def test_answers_being_sent_do_not_hide_a_newer_one_never_published(store: FakeStore, publisher: FakePublisher,
                                                                     app: Flask, stored_not_published: str):
    """A flooded chat's backlog (published, being sent, older) fills more than a page of the outbox."""
    now = time.time()
    backlog = SWEEP_BATCH + 5
    for n in range(backlog):
        store.add_message(CHAT_ID, {"id": f"agent-backlog-{n}", "direction": "out", "stored_at": 1.0,
                                    "outbox_since": 1.0 + n, "published_at": now,
                                    "delivery": {"state": "queued", "sending": {"holder": "h", "until": now + 60}}})
    store.chat_messages[CHAT_ID][stored_not_published]["outbox_since"] = 1.0 + backlog
    with app.app_context():
        assert sweep(relay_of(app), now + 60) == 1
    assert [envelope["id"] for _, envelope, _ in publisher.published] == [stored_not_published]
