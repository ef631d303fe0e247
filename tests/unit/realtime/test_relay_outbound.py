"""realtime/outbound.py (edit, delete, typing, uploads) and the reply's issue-3 options, on fakes."""

from __future__ import annotations

import copy
import io
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import CHAT_ID, FakePublisher, FakeStore, received

from teledesk.blobs import LocalBlobStore
from teledesk.business import CONNECTION_DISABLED, NO_DELETE_RIGHT, NO_REPLY_RIGHT, WINDOW_CLOSED
from teledesk.model import Message
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

CLIENT_ID = "c0ffee-42_ab"
SENT = f"agent-{CLIENT_ID}"


class OutboundStore(FakeStore):
    def __init__(self) -> None:
        super().__init__()
        self.answers.request_change = self.request_change

    def request_change(self, chat_id: int, message_id: str) -> tuple[str, Message | None, int]:
        message = self.chat_messages.get(chat_id, {}).get(message_id)
        if message is None or message.get("direction") != "out" or message.get("deleted"):
            return "missing", None, 0
        if (message.get("delivery") or {}).get("state") != "sent":
            return "not_sent", Message.from_firestore(copy.deepcopy(message)), 0
        message["changes_requested"] = message.get("changes_requested", 0) + 1
        return "ok", Message.from_firestore(copy.deepcopy(message)), message["changes_requested"]


@pytest.fixture
def store() -> OutboundStore:
    store = OutboundStore()
    store.add_conversation(CHAT_ID)
    return store


@pytest.fixture
def blobs(app: Flask, tmp_path: Path) -> LocalBlobStore:
    local = LocalBlobStore(tmp_path / "blobs")
    app.extensions["teledesk"].blobs = local
    return local


MINE = {"username": "admin", "name": "Admin"}  # the `agent` fixture's


def add_sent(store: FakeStore, state: str = "sent", **fields: Any) -> None:
    store.add_message(CHAT_ID, {"id": SENT, "direction": "out", "text": "Hola", "stored_at": 1.0, "agent": MINE,
                                "delivery": {"state": state, "telegram_message_id": 50,
                                             "telegram_message_ids": [50]}, **fields})


def published(publisher: FakePublisher) -> list[dict[str, Any]]:
    return [envelope for _, envelope, _ in publisher.published]


# -- edit and delete ------------------------------------------------------------------------------------

def test_an_edit_of_a_sent_answer_is_published_with_a_numbered_id(agent: FlaskClient, store, publisher):
    add_sent(store)
    url = f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit"
    first = agent.post(url, json={"text": "Hola otra vez"})
    second = agent.post(url, json={"text": "Hola, tercera"})
    assert (first.status_code, second.status_code) == (202, 202)
    one, two = published(publisher)
    assert (one["id"], one["action"], one["target"], one["revision"], one["text"]) == (
        f"edit-{SENT}-1", "edit", SENT, 1, "Hola otra vez")
    assert two["id"] == f"edit-{SENT}-2" and one["type"] == "AGENT"


@pytest.mark.parametrize(("message", "status"), [
    (None, 404),
    ({"id": SENT, "direction": "in", "stored_at": 1.0}, 404),
    ({"id": SENT, "direction": "out", "stored_at": 1.0, "agent": MINE, "delivery": {"state": "queued"}}, 409),
    ({"id": SENT, "direction": "out", "stored_at": 1.0, "agent": MINE, "deleted": True,
      "delivery": {"state": "sent"}}, 404),
    ({"id": SENT, "direction": "out", "stored_at": 1.0, "agent": {"username": "bob"}, "delivery": {"state": "sent"}},
     404),  # a colleague's answer
    ({"id": SENT, "type": "BOT", "direction": "out", "stored_at": 1.0, "delivery": {"state": "sent"}}, 404),
])
def test_only_the_agents_own_sent_messages_change(agent: FlaskClient, store, publisher, message, status):
    if message:
        store.add_message(CHAT_ID, message)
    assert agent.post(f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit", json={"text": "x"}).status_code == status
    assert agent.delete(f"/api/conversations/{CHAT_ID}/messages/{SENT}").status_code == status
    assert publisher.published == []


def test_a_files_caption_can_be_edited_or_emptied_up_to_the_caption_limit(agent: FlaskClient, store, publisher):
    add_sent(store)
    store.chat_messages[CHAT_ID][SENT]["media"] = {"kind": "photo", "file_id": "F1"}
    url = f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit"
    assert agent.post(url, json={"text": "x" * 1025}).status_code == 400
    assert agent.post(url, json={"text": ""}).status_code == 202
    assert published(publisher)[0]["action"] == "edit"


def test_a_split_message_cannot_be_edited_but_can_be_deleted(agent: FlaskClient, store, publisher):
    add_sent(store)
    store.chat_messages[CHAT_ID][SENT]["delivery"]["telegram_message_ids"] = [50, 51]
    assert agent.post(f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit", json={"text": "x"}).status_code == 400
    assert agent.delete(f"/api/conversations/{CHAT_ID}/messages/{SENT}").status_code == 202
    assert published(publisher)[0]["action"] == "delete"


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "x" * 4097}, {"text": 5}])
def test_an_invalid_edit_is_a_bad_request(agent: FlaskClient, store, publisher, body):
    add_sent(store)
    assert agent.post(f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit", json=body).status_code == 400
    assert publisher.published == []


def test_changes_need_a_session(client: FlaskClient, store):
    add_sent(store)
    assert client.delete(f"/api/conversations/{CHAT_ID}/messages/{SENT}").status_code == 401
    assert client.post(f"/api/conversations/{CHAT_ID}/typing").status_code == 401


# -- typing -------------------------------------------------------------------------------------------

def test_typing_is_published_at_most_once_per_interval_per_chat(agent: FlaskClient, publisher):
    answers = [agent.post(f"/api/conversations/{CHAT_ID}/typing") for _ in range(3)]
    assert [a.get_json()["sent"] for a in answers] == [True, False, False]
    [typing] = published(publisher)
    assert typing["action"] == "typing" and typing["chat_id"] == CHAT_ID
    assert agent.post("/api/conversations/999/typing").status_code == 404


# -- uploads ------------------------------------------------------------------------------------------

def upload(agent: FlaskClient, data: bytes = b"\x89PNG...", filename: str = "foto.png",
           content_type: str = "image/png", **form: str) -> Any:
    fields = {"client_id": CLIENT_ID, "caption": "Aquí está", **form,
              "file": (io.BytesIO(data), filename, content_type)}
    return agent.post(f"/api/conversations/{CHAT_ID}/media", data=fields, content_type="multipart/form-data")


def test_an_upload_is_kept_in_the_blob_store_and_queued(agent: FlaskClient, store, publisher, blobs, console):
    response = upload(agent)
    assert response.status_code == 202
    [envelope] = published(publisher)
    media = envelope["media"]
    assert (media["kind"], media["filename"], media["mime_type"]) == ("photo", "foto.png", "image/png")
    assert blobs.get(media["blob"]) == b"\x89PNG..."
    assert envelope["text"] == "Aquí está" and envelope["id"] == SENT
    assert ("delivery", {"chat_id": CHAT_ID, "client_id": CLIENT_ID, "message_id": SENT, "state": "queued",
                         "reason": None}) in received(console)
    assert upload(agent).status_code == 202  # a repeat of the same client_id: the same message
    assert {e["id"] for e in published(publisher)} == {SENT}


@pytest.mark.parametrize(("content_type", "kind", "expected"), [
    ("application/pdf", "", "document"), ("audio/ogg", "", "voice"), ("video/mp4", "", "video"),
    ("image/png", "document", "document"),
])
def test_the_kind_follows_the_mime_type_unless_given(agent, publisher, blobs, content_type, kind, expected):
    form = {"kind": kind} if kind else {}
    assert upload(agent, content_type=content_type, **form).status_code == 202
    assert published(publisher)[0]["media"]["kind"] == expected


@pytest.mark.parametrize("form", [{"client_id": "short"}, {"caption": "x" * 1025}, {"kind": "sticker"}])
def test_an_invalid_upload_is_a_bad_request(agent, publisher, blobs, form):
    assert upload(agent, **form).status_code == 400
    assert publisher.published == []


def test_an_unsafe_file_name_is_made_safe(agent, publisher, blobs):
    assert upload(agent, filename="../../etc/passwd").status_code == 202
    key = published(publisher)[0]["media"]["blob"]
    assert ".." not in key and key.startswith(f"{CHAT_ID}/{CLIENT_ID}/")


# -- the reply: long text, reply_to, a resolved conversation ----------------------------------------------

def test_a_reply_may_be_ten_messages_long(agent: FlaskClient, publisher):
    ok = agent.post(f"/api/conversations/{CHAT_ID}/messages",
                    json={"text": "x" * MAX_ANSWER_LENGTH, "client_id": CLIENT_ID})
    too_long = agent.post(f"/api/conversations/{CHAT_ID}/messages",
                          json={"text": "x" * (MAX_ANSWER_LENGTH + 1), "client_id": "another-id"})
    assert (ok.status_code, too_long.status_code) == (202, 400)


def test_reply_to_carries_the_quoted_telegram_message_id(agent: FlaskClient, store, publisher):
    store.add_message(CHAT_ID, {"id": f"tg-{CHAT_ID}-77", "direction": "in", "stored_at": 1.0})
    response = agent.post(f"/api/conversations/{CHAT_ID}/messages",
                          json={"text": "Sí", "client_id": CLIENT_ID, "reply_to": f"tg-{CHAT_ID}-77"})
    assert response.status_code == 202
    assert published(publisher)[0]["reply_to"] == {"message_id": f"tg-{CHAT_ID}-77", "telegram_message_id": 77}
    unknown = agent.post(f"/api/conversations/{CHAT_ID}/messages",
                         json={"text": "Sí", "client_id": "other-client", "reply_to": "nope"})
    assert unknown.status_code == 400


def test_answering_a_resolved_conversation_opens_it_again(agent: FlaskClient, store, publisher):
    store.chats[CHAT_ID]["status"] = "resolved"
    assert agent.post(f"/api/conversations/{CHAT_ID}/messages",
                      json={"text": "¿Sigue ahí?", "client_id": CLIENT_ID}).status_code == 202
    assert store.chats[CHAT_ID]["status"] == "open"


# -- a Telegram Business chat ------------------------------------------------------------------------

CONNECTION = {"id": "conn-1", "user": {"id": 7000000001, "first_name": "Acme"}, "is_enabled": True,
              "rights": {"can_reply": True}, "update_id": 1}


def business_chat(store: FakeStore, wrote_ago_s: float = 60.0, **connection: Any) -> None:
    store.chats[CHAT_ID]["business"] = {"connection_id": "conn-1", "chat_id": 42,
                                        "customer_wrote_at": time.time() - wrote_ago_s}
    store.connection_docs["conn-1"] = {**CONNECTION, **connection}


@pytest.mark.parametrize(("wrote_ago_s", "connection", "reason"), [
    (25 * 3600, {}, WINDOW_CLOSED),
    (60, {"is_enabled": False}, CONNECTION_DISABLED),
    (60, {"rights": {"can_reply": False}}, NO_REPLY_RIGHT),
])
def test_an_answer_telegram_would_refuse_is_409_with_the_reason_and_never_stored(
        agent: FlaskClient, store, publisher, wrote_ago_s, connection, reason):
    business_chat(store, wrote_ago_s, **connection)
    answer = agent.post(f"/api/conversations/{CHAT_ID}/messages", json={"text": "Hola", "client_id": CLIENT_ID})
    assert (answer.status_code, answer.get_json()) == (409, {"error": reason})
    assert SENT not in store.chat_messages[CHAT_ID] and publisher.published == []


def test_an_edit_after_the_window_and_a_delete_without_the_right_are_409(agent: FlaskClient, store, publisher):
    add_sent(store, business={"connection_id": "conn-1", "chat_id": 42})
    business_chat(store, 25 * 3600)
    edit = agent.post(f"/api/conversations/{CHAT_ID}/messages/{SENT}/edit", json={"text": "Hola!"})
    delete = agent.delete(f"/api/conversations/{CHAT_ID}/messages/{SENT}")
    assert (edit.status_code, edit.get_json()["error"]) == (409, WINDOW_CLOSED)
    assert (delete.status_code, delete.get_json()["error"]) == (409, NO_DELETE_RIGHT)
    store.connection_docs["conn-1"]["rights"]["can_delete_sent_messages"] = True
    assert agent.delete(f"/api/conversations/{CHAT_ID}/messages/{SENT}").status_code == 202
    assert [e["action"] for e in published(publisher)] == ["delete"]


@pytest.mark.parametrize(("rights", "read"), [({"can_read_messages": True}, True), ({}, False)])
def test_marking_a_business_chat_read_marks_it_read_in_telegram_only_with_the_right(
        agent: FlaskClient, store, publisher, rights, read):
    business_chat(store, rights={"can_reply": True, **rights})
    store.add_message(CHAT_ID, {"id": "tg-x-8", "direction": "in", "telegram_message_id": 8, "stored_at": 1.0})
    store.add_message(CHAT_ID, {"id": "tg-x-9", "direction": "out", "type": "OWNER", "telegram_message_id": 9,
                                "stored_at": 2.0})
    assert agent.post(f"/api/conversations/{CHAT_ID}/read").status_code == 200
    actions = [(e["action"], e["telegram_message_id"]) for e in published(publisher)]
    assert actions == ([("read", 8)] if read else [])


def test_marking_a_chat_with_the_bot_read_sends_nothing(agent: FlaskClient, store, publisher):
    store.add_message(CHAT_ID, {"id": "tg-x-8", "direction": "in", "telegram_message_id": 8, "stored_at": 1.0})
    assert agent.post(f"/api/conversations/{CHAT_ID}/read").status_code == 200
    assert publisher.published == []


def test_a_retry_after_the_window_closed_is_409_and_stays_failed(agent: FlaskClient, store, publisher):
    add_sent(store, state="failed")
    business_chat(store, 25 * 3600)
    retried = agent.post(f"/api/conversations/{CHAT_ID}/messages/{SENT}/retry")
    assert (retried.status_code, retried.get_json()) == (409, {"error": WINDOW_CLOSED})
    assert store.chat_messages[CHAT_ID][SENT]["delivery"]["state"] == "failed" and publisher.published == []
