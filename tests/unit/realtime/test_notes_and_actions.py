"""realtime/api.py's notes, pending, new conversation, retry, and reply_to on uploads, on fakes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import CHAT_ID, FakePublisher, FakeStore, RecordingSocketIO, login, received

from realtime.broadcast import Broadcaster
from teledesk.blobs import LocalBlobStore
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH

CLIENT_ID = "n0te-42_abcd"
NOTE = f"note-{CLIENT_ID}"
FAILED = "agent-failed-answer-1"
UNKNOWN_CHAT = 999


def write_note(agent: FlaskClient, text: Any = "Cliente VIP: ofrecer envío gratis", client_id: Any = CLIENT_ID,
               chat_id: int = CHAT_ID) -> Any:
    return agent.post(f"/api/conversations/{chat_id}/notes", json={"text": text, "client_id": client_id})


def add_failed(store: FakeStore, **fields: Any) -> None:
    store.add_message(CHAT_ID, {
        "id": FAILED, "type": "AGENT", "chat_id": CHAT_ID, "date": 1, "text": "Hola, Ana",
        "client_id": "failed-answer-1", "direction": "out", "stored_at": 5.0, "customer": {}, "trace": {}, "schema": 1,
        "delivery": {"state": "failed", "reason": "Bad Request: chat not found", "failed_attempts": 5,
                     "parts": {"0": 31}}, **fields})


def retry(agent: FlaskClient, message_id: str = FAILED, chat_id: int = CHAT_ID) -> Any:
    return agent.post(f"/api/conversations/{chat_id}/messages/{message_id}/retry")


# -- private notes ------------------------------------------------------------------------------------

def test_a_note_is_stored_private_and_shown_to_the_agents_but_never_sent(
    agent: FlaskClient, store: FakeStore, publisher: FakePublisher, console
):
    before = store.conversations.get(CHAT_ID)
    response = write_note(agent)
    assert response.status_code == 202
    note = response.get_json()["message"]
    assert (note["id"], note["direction"], note["private"], note["type"]) == (NOTE, "note", True, "AGENT")
    assert note["agent"] == {"username": "admin", "name": "Admin"} and note["client_id"] == CLIENT_ID
    assert note["text"] == "Cliente VIP: ofrecer envío gratis" and note["stored_at"] > 0
    assert "delivery" not in note
    assert store.chat_messages[CHAT_ID][NOTE]["private"] is True
    # Nothing goes towards deliver, so nothing towards the customer: the note is only announced on
    # conversation-changes, for the staff forum's topic.
    [(topic, announced, _attributes)] = publisher.published
    assert topic == "conversation-changes"
    assert (announced["change"], announced["by"], announced["note"]["id"]) == ("note", "agent:admin", NOTE)
    assert received(console) == [("message", note)]
    # no unread, first response, preview or order change
    assert store.conversations.get(CHAT_ID).to_firestore() == before.to_firestore()


def test_a_repeated_note_is_stored_once_and_answers_what_was_stored(agent: FlaskClient, store: FakeStore, console):
    first = write_note(agent, "primera")
    second = write_note(agent, "segunda")
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.get_json()["message"] == first.get_json()["message"]
    assert list(store.chat_messages[CHAT_ID]) == [NOTE]
    assert [name for name, _ in received(console)] == ["message"]


@pytest.mark.parametrize(("text", "client_id"), [
    ("", CLIENT_ID), ("  ", CLIENT_ID), (None, CLIENT_ID), ("x" * (MAX_MESSAGE_LENGTH + 1), CLIENT_ID),
    ("hola", None), ("hola", "short"), ("hola", "has space"),
])
def test_an_invalid_note_is_a_bad_request(agent: FlaskClient, store: FakeStore, console, text, client_id):
    response = write_note(agent, text, client_id)
    assert response.status_code == 400 and "error" in response.get_json()
    assert store.chat_messages[CHAT_ID] == {} and received(console) == []


def test_a_note_on_an_unknown_conversation_is_404(agent: FlaskClient, store: FakeStore):
    assert write_note(agent, chat_id=UNKNOWN_CHAT).status_code == 404
    assert UNKNOWN_CHAT not in store.chat_messages


# -- pending and a new conversation ----------------------------------------------------------------------

def test_pending_sets_the_status_and_shows_it(agent: FlaskClient, store: FakeStore, console):
    response = agent.post(f"/api/conversations/{CHAT_ID}/pending")
    assert response.status_code == 200
    assert response.get_json()["conversation"]["status"] == "pending" == store.chats[CHAT_ID]["status"]
    [(name, shown)] = received(console)
    assert (name, shown["status"]) == ("conversation", "pending")


def test_start_begins_the_next_conversation_assigned_to_me(agent: FlaskClient, store: FakeStore, console):
    store.chats[CHAT_ID].update(number=3, status="resolved", assignee="bob", unread=4, context={"start": "promo"},
                                first_response_at=10.0, created_at=1.0, updated_at=2.0)
    response = agent.post(f"/api/conversations/{CHAT_ID}/start")
    assert response.status_code == 200
    started = response.get_json()["conversation"]
    assert (started["number"], started["status"], started["assignee"], started["unread"], started["context"]) == (
        4, "open", "admin", 0, {})
    assert started["first_response_at"] is None and started["created_at"] > 1.0 and started["updated_at"] > 2.0
    assert store.chats[CHAT_ID]["number"] == 4
    assert received(console) == [("conversation", started)]


@pytest.mark.parametrize("status", ["open", "pending"])
def test_start_needs_a_resolved_conversation_so_a_repeat_starts_nothing(agent: FlaskClient, store: FakeStore,
                                                                       console, status: str):
    store.chats[CHAT_ID].update(number=3, status=status, unread=2)
    response = agent.post(f"/api/conversations/{CHAT_ID}/start")
    assert response.status_code == 409 and "resolved" in response.get_json()["error"]
    assert (store.chats[CHAT_ID]["number"], store.chats[CHAT_ID]["unread"]) == (3, 2)
    assert received(console) == []


@pytest.mark.parametrize("action", ["pending", "start"])
def test_pending_and_start_on_an_unknown_conversation_are_404(agent: FlaskClient, action: str):
    assert agent.post(f"/api/conversations/{UNKNOWN_CHAT}/{action}").status_code == 404


# -- retry ----------------------------------------------------------------------------------------------

def test_a_failed_answer_is_queued_again_and_published_as_stored(
    agent: FlaskClient, store: FakeStore, publisher: FakePublisher, console
):
    add_failed(store)
    response = retry(agent)
    assert response.status_code == 202
    message = response.get_json()["message"]
    assert (message["id"], message["delivery"]["state"], message["delivery"]["reason"]) == (FAILED, "queued", None)
    stored = store.chat_messages[CHAT_ID][FAILED]["delivery"]
    assert stored["state"] == "queued" and "failed_attempts" not in stored  # deliver counts afresh
    assert stored["parts"] == {"0": 31}  # a split text's sent parts stay: deliver sends only the rest
    [(topic, envelope, _)] = publisher.published
    assert (topic, envelope["id"], envelope["text"], envelope["client_id"]) == (
        "agent-replies", FAILED, "Hola, Ana", "failed-answer-1")
    assert envelope["retries"] == 1 and "delivery" not in envelope
    assert received(console) == [("delivery", {"chat_id": CHAT_ID, "client_id": "failed-answer-1",
                                               "message_id": FAILED, "state": "queued", "reason": None,
                                               "retry": 1})]


def test_a_retry_is_announced_although_the_first_attempt_was_queued_and_failed_before():
    # The broadcaster emits each state of a message once; a retry's states are new ones.
    broadcaster = Broadcaster(RecordingSocketIO())
    first = {"chat_id": CHAT_ID, "client_id": "c", "message_id": FAILED, "reason": None}
    for state in ("queued", "failed"):
        broadcaster.delivery({**first, "state": state})
    for state in ("queued", "failed", "failed"):
        broadcaster.delivery({**first, "state": state, "retry": 1})
    emitted = broadcaster.socketio.events("delivery")
    assert [d["state"] for d in emitted] == ["queued", "failed", "queued", "failed"]
    assert [d.get("retry") for d in emitted] == [None, None, 1, 1]  # the consoles tell a retry's ticks apart


def test_each_retry_is_numbered(agent: FlaskClient, store: FakeStore, publisher: FakePublisher):
    add_failed(store)
    retry(agent)
    store.answers.set_delivery(CHAT_ID, FAILED, "failed", "again")
    assert retry(agent).status_code == 202
    assert [envelope["retries"] for _, envelope, _ in publisher.published] == [1, 2]


@pytest.mark.parametrize("state", ["queued", "sent"])
def test_only_a_failed_answer_or_one_never_published_is_retried(agent: FlaskClient, store: FakeStore, publisher,
                                                                console, state: str):
    add_failed(store, published_at=6.0)  # handed to Pub/Sub: deliver has it
    store.answers.set_delivery(CHAT_ID, FAILED, state)
    response = retry(agent)
    assert response.status_code == 409 and "error" in response.get_json()
    assert publisher.published == [] and received(console) == []


def test_a_queued_answer_never_published_is_retried_not_refused(agent: FlaskClient, store: FakeStore, publisher):
    add_failed(store, outbox_since=5.0)
    store.answers.set_delivery(CHAT_ID, FAILED, "queued")  # stored, and its publish failed
    assert retry(agent).status_code == 202
    assert [envelope["id"] for _, envelope, _ in publisher.published] == [FAILED]
    assert store.chat_messages[CHAT_ID][FAILED]["published_at"] > 0
    assert retry(agent).status_code == 409  # now deliver has it


@pytest.mark.parametrize("message", [
    None,
    {"id": FAILED, "direction": "in", "stored_at": 1.0, "delivery": {"state": "failed"}},
    {"id": FAILED, "direction": "note", "stored_at": 1.0},
])
def test_a_retry_of_no_outgoing_message_is_404(agent: FlaskClient, store: FakeStore, publisher, message):
    if message:
        store.add_message(CHAT_ID, message)
    assert retry(agent).status_code == 404
    assert retry(agent, chat_id=UNKNOWN_CHAT).status_code == 404
    assert publisher.published == []


def test_a_retry_whose_publish_fails_stays_queued_in_the_outbox(app: Flask, store, publisher, console):
    browser = app.test_client()
    login(browser)
    add_failed(store)
    publisher.fail_next = 1
    assert retry(browser).status_code == 202
    stored = store.chat_messages[CHAT_ID][FAILED]
    assert stored["delivery"]["state"] == "queued" and "published_at" not in stored  # the sweeper hands it over
    assert [(name, told["state"]) for name, told in received(console)] == [("delivery", "queued")]
    assert retry(browser).status_code == 202  # an agent may hand it over too
    assert len(publisher.published) == 1


# -- reply_to on uploads --------------------------------------------------------------------------------

@pytest.fixture
def blobs(app: Flask, tmp_path: Path) -> LocalBlobStore:
    local = LocalBlobStore(tmp_path / "blobs")
    app.extensions["teledesk"].blobs = local
    return local


def upload(agent: FlaskClient, **form: Any) -> Any:
    data = {"client_id": "upload-client-1", "file": (io.BytesIO(b"%PDF-1.4"), "factura.pdf", "application/pdf"),
            **form}
    return agent.post(f"/api/conversations/{CHAT_ID}/media", data=data, content_type="multipart/form-data")


def test_an_upload_may_quote_a_message_like_a_text_answer(agent, store: FakeStore, publisher, blobs):
    store.add_message(CHAT_ID, {"id": f"tg-{CHAT_ID}-77", "direction": "in", "stored_at": 1.0})
    assert upload(agent, reply_to=f"tg-{CHAT_ID}-77").status_code == 202
    [(_, envelope, _)] = publisher.published
    assert envelope["reply_to"] == {"message_id": f"tg-{CHAT_ID}-77", "telegram_message_id": 77}
    assert envelope["media"]["kind"] == "document"


def test_an_upload_quoting_an_unknown_message_is_refused_before_the_file_is_kept(agent, store, publisher, blobs,
                                                                                 tmp_path: Path):
    response = upload(agent, reply_to="nope")
    assert response.status_code == 400 and "reply_to" in response.get_json()["error"]
    assert publisher.published == [] and not (tmp_path / "blobs").exists()


def test_an_empty_reply_to_in_a_form_is_no_quote(agent, publisher, blobs):
    assert upload(agent, reply_to="").status_code == 202
    assert "reply_to" not in publisher.published[0][1]
