"""The relay and the lifecycle (issue 11): an agent's change of status is announced for the steps
(conversation-changes), an opening it makes is published on the workflow's trigger topic, what
the lifecycle did reaches every console, and the consoles see the lifecycle's fields, never its
bookkeeping."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from relay_fakes import CHAT_ID, FakePublisher, FakeStore, received

from realtime.relay import EXTENSION
from realtime.subscriber import RelaySubscriber
from realtime.views import conversation_view
from teledesk.lifecycle.changes import change_envelope
from teledesk.model import Conversation, Priority, Satisfaction


def published(publisher: FakePublisher, topic: str) -> list[dict[str, Any]]:
    return publisher.on(topic)


def test_a_resolve_is_announced_for_the_steps_and_opens_nothing(agent: FlaskClient, publisher: FakePublisher):
    assert agent.post(f"/api/conversations/{CHAT_ID}/resolve").status_code == 200
    [change] = published(publisher, "conversation-changes")
    assert (change["change"], change["by"], change["conversation"]["status"]) == ("resolved", "agent:admin", "resolved")
    assert published(publisher, "conversation-openings") == []


def test_reopening_a_resolved_conversation_is_an_opening_without_sla(agent: FlaskClient, store: FakeStore,
                                                                   publisher: FakePublisher):
    agent.post(f"/api/conversations/{CHAT_ID}/resolve")
    reopened = agent.post(f"/api/conversations/{CHAT_ID}/reopen").get_json()["conversation"]
    [opening] = published(publisher, "conversation-openings")
    assert opening["chat_id"] == CHAT_ID and opening["opened_at"] == reopened["opened_at"]
    assert reopened["sla_due_at"] is None  # the agent is the one acting
    store.chats[CHAT_ID]["watch_run"] = "run-1"  # as the first look of its execution claims it
    agent.post(f"/api/conversations/{CHAT_ID}/pending")  # watched: no second opening
    assert len(published(publisher, "conversation-openings")) == 1
    assert [c["change"] for c in published(publisher, "conversation-changes")] == ["resolved", "open", "pending"]


def test_setting_a_resolved_conversation_pending_is_watched_too(agent: FlaskClient, publisher: FakePublisher):
    agent.post(f"/api/conversations/{CHAT_ID}/resolve")
    pending = agent.post(f"/api/conversations/{CHAT_ID}/pending").get_json()["conversation"]
    assert pending["status"] == "pending" and pending["pending_since"]
    [opening] = published(publisher, "conversation-openings")  # or nothing would resolve it for silence
    assert opening["opened_at"] == pending["opened_at"]


def test_an_opening_whose_publish_failed_is_published_by_the_next_change(agent: FlaskClient,
                                                                        publisher: FakePublisher):
    agent.post(f"/api/conversations/{CHAT_ID}/resolve")
    publisher.fail_next = 1
    assert agent.post(f"/api/conversations/{CHAT_ID}/reopen").status_code == 500
    assert published(publisher, "conversation-openings") == []
    agent.post(f"/api/conversations/{CHAT_ID}/pending")  # the agent goes on; no execution watches it yet
    [opening] = published(publisher, "conversation-openings")
    assert opening["chat_id"] == CHAT_ID


def test_starting_the_next_conversation_or_answering_a_resolved_one_is_an_opening(
        agent: FlaskClient, publisher: FakePublisher):
    agent.post(f"/api/conversations/{CHAT_ID}/resolve")
    started = agent.post(f"/api/conversations/{CHAT_ID}/start").get_json()["conversation"]
    agent.post(f"/api/conversations/{CHAT_ID}/resolve")
    answered = agent.post(f"/api/conversations/{CHAT_ID}/messages", json={"text": "¿Algo más?",
                                                                          "client_id": "again-0001"})
    assert answered.status_code == 202
    first, second = published(publisher, "conversation-openings")
    assert first["opened_at"] == started["opened_at"] and second["opened_at"] > first["opened_at"]


def test_what_the_lifecycle_did_reaches_every_console_and_an_agent_s_own_change_is_not_shown_twice(
        console: Any, relay_app: Any):
    app, _socketio = relay_app
    relay = app.extensions[EXTENSION]
    subscriber = RelaySubscriber(relay.settings.project_id, relay.manifest, relay.broadcaster)
    breached = Conversation(chat_id=CHAT_ID, sla_breached=True, priority=Priority.HIGH, updated_at=5.0)
    received(console)
    subscriber.on_change(change_envelope(breached, "breach_sla", "lifecycle"))
    [(event, shown)] = received(console)
    assert event == "conversation" and shown["sla_breached"] is True and shown["priority"] == "high"
    subscriber.on_change(change_envelope(breached.assign(updated_at=6.0, unread=3), "resolved", "agent:maria"))
    assert received(console) == []


def test_the_consoles_see_the_lifecycle_s_fields_and_never_its_bookkeeping():
    view = conversation_view(Conversation(chat_id=1, opened_by="tg-1-1", watch_run="run", unannounced=["breach_sla"]))
    assert not {"opened_by", "watch_run", "unannounced"} & set(view)
    rated = conversation_view(Conversation(chat_id=1, csat=Satisfaction(rating=4, at=2.0, opening=1.0, press="q1")))
    assert rated["csat"] == {"rating": 4, "at": 2.0, "opening": 1.0}
    assert {k: view[k] for k in ("priority", "sla_due_at", "sla_breached", "first_response_at", "csat")} == {
        "priority": "normal", "sla_due_at": None, "sla_breached": False, "first_response_at": None, "csat": None}
