"""functions/timers.py, the step the conversation workflow calls, on the Firestore emulator: what
is due done once and announced, an announcement whose publish failed made by the next call, a
second execution for the same opening told its watch is over, and bad calls refused plainly."""

from __future__ import annotations

import time
from typing import Any

import functions_framework
import pytest
from fakes import FakePublisher

import teledesk.pipeline
from teledesk.manifest import load_manifest
from teledesk.model import Conversation, ConversationStatus
from teledesk.pipeline import Services
from teledesk.settings import ROOT, Settings
from teledesk.store import Store

pytestmark = pytest.mark.integration

PENDING_S = 86_400


@pytest.fixture
def svc(own_project: str, monkeypatch: pytest.MonkeyPatch) -> Services:
    services = Services(Settings(project_id=own_project, desk_pending_resolve_s=PENDING_S), load_manifest(),
                        FakePublisher(), Store(own_project))  # type: ignore[arg-type]
    monkeypatch.setattr(teledesk.pipeline, "services", lambda: services)
    return services


@pytest.fixture
def client() -> Any:
    return functions_framework.create_app("timers", str(ROOT / "functions" / "timers.py")).test_client()


def overdue(svc: Services, chat_id: int) -> float:
    """A conversation whose SLA came due a second ago; its opening."""
    at = time.time() - 301
    svc.store.conversations.documents.conversation(chat_id).set(Conversation(
        chat_id=chat_id, created_at=at, opened_at=at, updated_at=at, sla_due_at=at + 300).complete().to_firestore())
    return at


def changes(svc: Services) -> list[dict[str, Any]]:
    return svc.publisher.on("conversation-changes")  # type: ignore[attr-defined]


def test_a_breach_is_done_once_announced_once_and_the_watch_sleeps_until_the_next_thing_due(svc, client):
    at = overdue(svc, 1)
    answer = client.post("/", json={"chat_id": 1, "opened_at": at, "run": "run-a"})
    assert answer.status_code == 200
    assert answer.json["done"] is False and 1 <= answer.json["sleep_s"] <= PENDING_S
    [change] = changes(svc)
    assert change["change"] == "breach_sla" and change["by"] == "lifecycle"
    assert change["conversation"]["sla_breached"] is True and change["conversation"]["priority"] == "high"
    stored = svc.store.conversations.get(1)
    assert stored is not None and stored.watch_run == "run-a" and not stored.unannounced
    client.post("/", json={"chat_id": 1, "opened_at": at, "run": "run-a"})
    assert len(changes(svc)) == 1


def test_what_could_not_be_published_is_announced_by_the_next_call(svc, client):
    at = overdue(svc, 2)
    svc.publisher.fail_next = 1  # type: ignore[attr-defined]
    failed = client.post("/", json={"chat_id": 2, "opened_at": at, "run": "run-b"})
    assert failed.status_code == 500  # the workflow retries, or rests and asks again
    stored = svc.store.conversations.get(2)
    assert stored is not None and stored.sla_breached and stored.unannounced == ["breach_sla"]
    again = client.post("/", json={"chat_id": 2, "opened_at": at, "run": "run-b"})
    assert again.status_code == 200 and [c["change"] for c in changes(svc)] == ["breach_sla"]
    assert not svc.store.conversations.get(2).unannounced  # type: ignore[union-attr]


def test_a_second_execution_for_the_same_opening_is_told_its_watch_is_over(svc, client):
    at = overdue(svc, 3)
    client.post("/", json={"chat_id": 3, "opened_at": at, "run": "first"})
    duplicate = client.post("/", json={"chat_id": 3, "opened_at": at, "run": "second"})
    assert duplicate.json == {"done": True, "sleep_s": 0}
    assert len(changes(svc)) == 1


def test_a_resolved_conversation_or_another_opening_ends_the_watch(svc, client):
    at = overdue(svc, 4)
    svc.store.conversations.set_status(4, ConversationStatus.RESOLVED)
    assert client.post("/", json={"chat_id": 4, "opened_at": at, "run": "r"}).json["done"] is True
    assert client.post("/", json={"chat_id": 5, "opened_at": at, "run": "r"}).json["done"] is True  # no such chat
    at6 = overdue(svc, 6)
    assert client.post("/", json={"chat_id": 6, "opened_at": at6 - 50, "run": "r"}).json["done"] is True
    assert changes(svc) == []


@pytest.mark.parametrize(("call", "status"), [
    (lambda c: c.get("/"), 405),
    (lambda c: c.post("/", data=b"{not json", content_type="application/json"), 400),
    (lambda c: c.post("/", json={"chat_id": "many", "opened_at": 1.0}), 400),
    (lambda c: c.post("/", json={"opened_at": 1.0}), 400),
    (lambda c: c.post("/", json={"chat_id": 1, "opened_at": -5}), 400),
    (lambda c: c.post("/", json={"chat_id": 1, "opened_at": 1.0, "run": "r" * 65}), 400),
    (lambda c: c.post("/", data=b"[" * 10_000, content_type="application/json"), 413),
])
def test_bad_calls_are_refused_plainly(svc, client, call, status):
    answer = call(client)
    assert answer.status_code == status and "error" in answer.json
    assert changes(svc) == []


def test_what_the_last_watch_could_not_publish_is_published_by_the_next_opening_s_first_look(svc, client):
    at = time.time()
    svc.store.conversations.documents.conversation(7).set(Conversation(
        chat_id=7, created_at=at - 900, opened_at=at, updated_at=at, sla_due_at=at + 300,
        unannounced=["resolve_idle"]).complete().to_firestore())  # a customer wrote before it went out
    first = client.post("/", json={"chat_id": 7, "opened_at": at, "run": "new-watch"})
    assert first.json["done"] is False
    assert [c["change"] for c in changes(svc)] == ["resolve_idle"]  # autoreply's closing message goes out
    assert not svc.store.conversations.get(7).unannounced  # type: ignore[union-attr]
