"""realtime/api.py: the agents' HTTP API, on an in-memory store and publisher."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import CHAT_ID, FakePublisher, FakeStore, received

from teledesk.logs import trace_id_for
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

CLIENT_ID = "c0ffee-42_ab"
UNKNOWN_CHAT = 999


def answer(agent: FlaskClient, text: Any = "Hola, ¿en qué te ayudo?", client_id: Any = CLIENT_ID,
           chat_id: int = CHAT_ID) -> Any:
    return agent.post(f"/api/conversations/{chat_id}/messages", json={"text": text, "client_id": client_id})


# -- health -----------------------------------------------------------------------------------------

def test_health_needs_no_session_and_is_ok_without_a_subscriber(client: FlaskClient):
    response = client.get("/api/health")
    body = response.get_json()
    assert (response.status_code, body["status"], body["subscribed"]) == (200, "ok", True)
    # Telegram is unreachable here: the health says so rather than failing
    assert body["telegram"]["mode"] == "webhook" and "could not be reached" in body["telegram"]["error"]


@pytest.mark.parametrize(("running", "status"), [(True, 200), (False, 503)])
def test_health_follows_the_subscriber(app: Flask, client: FlaskClient, running: bool, status: int):
    pulls = {"messages-enriched": {"alive": running, "error": None if running else "RuntimeError: boom"}}
    app.extensions["teledesk"].subscriber = SimpleNamespace(running=running, status=lambda: pulls)
    response = client.get("/api/health")
    assert response.status_code == status
    assert response.get_json()["subscribed"] is running and response.get_json()["pulls"] == pulls


# -- listing ----------------------------------------------------------------------------------------

def test_conversations_are_listed_most_recent_first(agent: FlaskClient, store: FakeStore):
    store.add_conversation(1, updated_at=time.time() - 60)
    store.add_conversation(2, updated_at=time.time() + 60)
    listed = agent.get("/api/conversations").get_json()["conversations"]
    assert [c["chat_id"] for c in listed] == [2, CHAT_ID, 1]


def test_messages_are_listed_oldest_first_without_the_raw_update(agent: FlaskClient, store: FakeStore):
    for n in (2, 1, 3):
        store.add_message(CHAT_ID, {"id": f"tg-{CHAT_ID}-{n}", "stored_at": 1000.0 + n, "text": str(n),
                                    "update": {"update_id": n}})
    messages = agent.get(f"/api/conversations/{CHAT_ID}/messages").get_json()["messages"]
    assert [m["text"] for m in messages] == ["1", "2", "3"]
    assert all("update" not in m for m in messages)


def test_messages_page_is_at_most_50_and_goes_back_with_before(agent: FlaskClient, store: FakeStore):
    for n in range(150):
        store.add_message(CHAT_ID, {"id": f"m{n}", "stored_at": float(n)})
    url = f"/api/conversations/{CHAT_ID}/messages"
    newest = agent.get(url, query_string={"limit": 500}).get_json()["messages"]
    assert [m["id"] for m in newest] == [f"m{n}" for n in range(100, 150)]
    older = agent.get(url, query_string={"limit": 10, "before": 50}).get_json()["messages"]
    assert [m["id"] for m in older] == [f"m{n}" for n in range(40, 50)]


# -- answering: validation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "client_id"), [
    ("", CLIENT_ID),
    ("   \n\t", CLIENT_ID),
    ("x" * (MAX_ANSWER_LENGTH + 1), CLIENT_ID),
    (42, CLIENT_ID),
    (None, CLIENT_ID),
    (["hola"], CLIENT_ID),
    ("hola", None),
    ("hola", "short"),  # 5: under 8
    ("hola", "x" * 65),
    ("hola", "has space"),
    ("hola", "semi;colon"),
    ("hola", "../../etc"),
    ("hola", 12345678),
])
def test_an_invalid_answer_is_a_bad_request_and_goes_nowhere(agent: FlaskClient, store: FakeStore,
                                                             publisher: FakePublisher, console, text, client_id):
    response = answer(agent, text, client_id)
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert publisher.published == []
    assert store.chat_messages[CHAT_ID] == {}
    assert received(console) == []


def test_a_client_id_with_a_trailing_newline_is_a_bad_request(agent: FlaskClient, publisher: FakePublisher):
    assert answer(agent, "hola", "abcdefgh\n").status_code == 400
    assert publisher.published == []


def test_a_missing_body_is_a_bad_request(agent: FlaskClient, publisher: FakePublisher):
    response = agent.post(f"/api/conversations/{CHAT_ID}/messages", data="not json",
                          content_type="application/json")
    assert response.status_code == 400
    assert publisher.published == []


@pytest.mark.parametrize(("text", "client_id"), [
    ("x" * MAX_MESSAGE_LENGTH, "a" * 8),
    ("<b>hola</b>", "Z" * 64),
    ("ñ", "A-b_9-A-b_9"),
])
def test_answers_at_the_limits_are_accepted(agent: FlaskClient, publisher: FakePublisher, text, client_id):
    assert answer(agent, text, client_id).status_code == 202
    assert publisher.published[0][1]["text"] == text


# -- answering: what happens -----------------------------------------------------------------------------

def test_an_answer_is_stored_queued_published_once_and_shown_to_the_consoles(
    agent: FlaskClient, store: FakeStore, publisher: FakePublisher, console
):
    response = answer(agent, "Hola, Ana")
    assert response.status_code == 202
    message = response.get_json()["message"]
    assert (message["id"], message["direction"], message["delivery"]["state"]) == (f"agent-{CLIENT_ID}", "out",
                                                                                   "queued")
    assert message["text"] == "Hola, Ana" and message["client_id"] == CLIENT_ID

    assert len(publisher.published) == 1
    topic, envelope, attributes = publisher.published[0]
    assert topic == "agent-replies"
    assert (envelope["id"], envelope["type"], envelope["chat_id"], envelope["text"]) == (
        f"agent-{CLIENT_ID}", "AGENT", CHAT_ID, "Hola, Ana")
    assert envelope["client_id"] == CLIENT_ID
    assert envelope["agent"] == {"username": "admin", "name": "Admin"}
    assert "relay" in envelope["trace"]
    assert attributes == {"type": "AGENT", "chat_id": str(CHAT_ID), "schema": "1"}  # deliver's filter

    assert store.chat_messages[CHAT_ID][f"agent-{CLIENT_ID}"]["delivery"]["state"] == "queued"
    events = received(console)
    assert [name for name, _ in events] == ["message", "conversation", "delivery"]
    shown, conversation, delivery = (payload for _, payload in events)
    assert shown["id"] == f"agent-{CLIENT_ID}" and shown["text"] == "Hola, Ana"
    assert conversation["chat_id"] == CHAT_ID and conversation["unread"] == 0
    assert conversation["first_response_at"] is not None
    assert conversation["last_message"]["text"] == "Hola, Ana"
    assert delivery == {"chat_id": CHAT_ID, "client_id": CLIENT_ID, "message_id": f"agent-{CLIENT_ID}",
                        "state": "queued", "reason": None}


def test_the_same_client_id_twice_is_one_message_and_one_set_of_events(
    agent: FlaskClient, store: FakeStore, publisher: FakePublisher, console
):
    first = answer(agent, "Hola")
    second = answer(agent, "Hola")
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.get_json()["message"] == first.get_json()["message"]
    assert list(store.chat_messages[CHAT_ID]) == [f"agent-{CLIENT_ID}"]
    assert [name for name, _ in received(console)] == ["message", "conversation", "delivery"]


def test_a_repeat_of_a_published_answer_is_not_published_again(agent: FlaskClient, store: FakeStore,
                                                               publisher: FakePublisher):
    # Pub/Sub has it: a repeated POST (the console's retry, a double click) answers what is stored.
    first = answer(agent, "Hola")
    assert answer(agent, "Hola").get_json()["message"] == first.get_json()["message"]
    assert [(topic, envelope["id"]) for topic, envelope, _ in publisher.published] == [
        ("agent-replies", f"agent-{CLIENT_ID}")]
    assert store.chat_messages[CHAT_ID][f"agent-{CLIENT_ID}"]["published_at"] > 0


def test_a_repeat_of_an_answer_never_published_publishes_it(agent: FlaskClient, store: FakeStore,
                                                            publisher: FakePublisher):
    # The first request stored the answer and lost its publish (Pub/Sub failed, or the relay died
    # between the two): the repeat hands it over, as the outbox's sweeper would.
    publisher.fail_next = 1
    answer(agent, "Hola")
    assert "published_at" not in store.chat_messages[CHAT_ID][f"agent-{CLIENT_ID}"]
    answer(agent, "Hola")
    assert [envelope["id"] for _, envelope, _ in publisher.published] == [f"agent-{CLIENT_ID}"]


@pytest.mark.parametrize("state", ["sent", "failed"])
def test_a_repeat_once_delivered_is_not_published_again(agent: FlaskClient, store: FakeStore,
                                                        publisher: FakePublisher, console, state: str):
    answer(agent, "Hola")
    store.answers.set_delivery(CHAT_ID, f"agent-{CLIENT_ID}", state)
    received(console)
    response = answer(agent, "Hola")
    assert response.status_code == 202
    assert response.get_json()["message"]["delivery"]["state"] == state
    assert len(publisher.published) == 1
    assert received(console) == []


def test_a_publish_that_fails_is_still_accepted_and_left_in_the_outbox(agent: FlaskClient, store: FakeStore,
                                                                       publisher: FakePublisher):
    publisher.fail_next = 1
    response = answer(agent, "Hola")
    assert response.status_code == 202 and response.get_json()["message"]["delivery"]["state"] == "queued"
    stored = store.chat_messages[CHAT_ID][f"agent-{CLIENT_ID}"]
    assert stored["outbox_since"] > 0 and "published_at" not in stored  # the sweeper hands it over
    assert publisher.published == []


def test_an_answer_whose_first_publish_failed_still_reaches_the_consoles(agent: FlaskClient,
                                                                          publisher: FakePublisher, console):
    publisher.fail_next = 1
    answer(agent, "Hola")
    assert answer(agent, "Hola").status_code == 202
    assert [name for name, _ in received(console)] == ["message", "conversation", "delivery"]


def test_a_repeat_publishes_what_was_stored_not_the_new_body(agent: FlaskClient, publisher: FakePublisher):
    publisher.fail_next = 1
    answer(agent, "first text")
    response = answer(agent, "second text")
    assert response.get_json()["message"]["text"] == "first text"
    assert [envelope["text"] for _, envelope, _ in publisher.published] == ["first text"]


def test_an_answer_to_an_unknown_chat_is_404_and_goes_nowhere(agent: FlaskClient, publisher: FakePublisher,
                                                              console):
    response = answer(agent, chat_id=UNKNOWN_CHAT)
    assert (response.status_code, response.get_json()) == (404, {"error": "no such conversation"})
    assert publisher.published == []
    assert received(console) == []


@pytest.mark.parametrize("path", ["/api/login", f"/api/conversations/{CHAT_ID}/messages",
                                  f"/api/conversations/{CHAT_ID}/assign"])
def test_a_json_body_that_is_not_an_object_is_a_bad_request(agent: FlaskClient, path: str):
    assert agent.post(path, json=["hola", CLIENT_ID]).status_code == 400


# -- agents' actions on a conversation -----------------------------------------------------------------

def test_assign_defaults_to_me_and_is_shown_to_the_consoles(agent: FlaskClient, store: FakeStore, console):
    response = agent.post(f"/api/conversations/{CHAT_ID}/assign")
    assert response.status_code == 200
    assert response.get_json()["conversation"]["assignee"] == "admin"
    assert store.chats[CHAT_ID]["assignee"] == "admin"
    assert [(name, payload["assignee"]) for name, payload in received(console)] == [("conversation", "admin")]


def test_an_assign_is_announced_for_the_staff_forum_and_assigning_the_same_agent_again_changes_nothing(
    agent: FlaskClient, store: FakeStore, publisher: FakePublisher, console
):
    assert agent.post(f"/api/conversations/{CHAT_ID}/assign", json={"username": "bob"}).status_code == 200
    [(_topic, announced, _attributes)] = [p for p in publisher.published if p[0] == "conversation-changes"]
    assert (announced["change"], announced["by"], announced["conversation"]["assignee"]) == (
        "assigned", "agent:admin", "bob")
    written = store.chats[CHAT_ID]["updated_at"]
    again = agent.post(f"/api/conversations/{CHAT_ID}/assign", json={"username": "bob"})
    assert again.status_code == 200 and again.get_json()["conversation"]["assignee"] == "bob"
    assert len([p for p in publisher.published if p[0] == "conversation-changes"]) == 1
    assert store.chats[CHAT_ID]["updated_at"] == written


def test_assign_to_another_agent(agent: FlaskClient, store: FakeStore):
    response = agent.post(f"/api/conversations/{CHAT_ID}/assign", json={"username": "bob"})
    assert response.get_json()["conversation"]["assignee"] == "bob"
    assert store.chats[CHAT_ID]["assignee"] == "bob"


def test_assign_to_an_unknown_agent_is_a_bad_request_and_changes_nothing(agent: FlaskClient, store: FakeStore,
                                                                         console):
    response = agent.post(f"/api/conversations/{CHAT_ID}/assign", json={"username": "mallory"})
    assert response.status_code == 400
    assert store.chats[CHAT_ID]["assignee"] is None
    assert received(console) == []


@pytest.mark.parametrize(("action", "field", "before", "after"), [
    ("resolve", "status", "open", "resolved"),
    ("reopen", "status", "resolved", "open"),
    ("read", "unread", 3, 0),
])
def test_actions_change_the_conversation_and_are_shown_to_the_consoles(
    agent: FlaskClient, store: FakeStore, console, action: str, field: str, before: Any, after: Any
):
    store.add_conversation(CHAT_ID, **{field: before})
    response = agent.post(f"/api/conversations/{CHAT_ID}/{action}")
    assert response.status_code == 200
    assert response.get_json()["conversation"][field] == after
    assert store.chats[CHAT_ID][field] == after
    events = received(console)
    assert [(name, payload["chat_id"], payload[field]) for name, payload in events] == [
        ("conversation", CHAT_ID, after)]


@pytest.mark.parametrize("action", ["assign", "resolve", "reopen", "read"])
def test_actions_on_an_unknown_chat_are_404_and_silent(agent: FlaskClient, console, action: str):
    response = agent.post(f"/api/conversations/{UNKNOWN_CHAT}/{action}")
    assert (response.status_code, response.get_json()) == (404, {"error": "no such conversation"})
    assert received(console) == []


def test_an_answer_goes_to_deliver_with_its_own_trace_id_and_the_relay_says_so(agent: FlaskClient,
                                                                             publisher: FakePublisher, log_lines):
    assert answer(agent).status_code == 202
    [(topic, envelope, _)] = publisher.published
    trace_id = trace_id_for(f"agent-{CLIENT_ID}")  # from the idempotency key: a repeat or a retry has the same
    assert envelope["trace_id"] == trace_id
    [line] = [line for line in log_lines() if line["message"].startswith("relay:")]
    assert line["message"] == f"relay: AGENT {CHAT_ID}/agent-{CLIENT_ID} → {topic}"
    assert line["logging.googleapis.com/trace"].endswith("/traces/" + trace_id)
